"""Probing as an attacker and a hostile upstream would: fuzzed events, schema-generated and hostile
Pipedrive payloads, and a fault matrix. `bench/fuzz.py` runs the same probes at scale."""
