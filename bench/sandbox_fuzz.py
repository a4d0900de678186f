"""Schemathesis against the sandbox with many examples: requests, statuses, failures by check.

    .venv/bin/python bench/sandbox_fuzz.py [--examples 100] [--seed 0] [--show 5]

Runs Schemathesis's engine (what its CLI runs: the examples, coverage and fuzzing phases, positive
and negative data) in-process against the sandbox's ASGI app, over every operation the sandbox
simulates in Pipedrive's two OpenAPI files, with the same checks, patched specs and known-gap
allowlist as `tests/sandbox/test_fuzz.py` (`tests/sandbox/fuzzing.py`); `--examples` is the
fuzzing phase's examples per operation. Prints what it sent, how the sandbox answered, and every
failure by check with a few of them in full.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from schemathesis import engine
from schemathesis.engine import Status, events

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' fuzzing set-up

from tests.sandbox.fuzzing import CHECKS, SPECS, fuzz_schemas

from cardin.sandbox import Sandbox, demo_dataset


@dataclass
class Tally:
    """What one run sent and saw."""

    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    operations: set[str] = field(default_factory=set)
    failures: Counter[str] = field(default_factory=Counter)
    distinct: dict[tuple[str, str, str], str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def scenario(self, event: events.ScenarioFinished, prefix: str) -> None:
        """Count one finished scenario's requests, answers and failed checks."""
        recorder = event.recorder
        method, path = recorder.label.split(" ", 1)
        operation = f"{method} {prefix}{path}"
        self.operations.add(operation)
        for interaction in recorder.interactions.values():
            self.requests += 1
            if interaction.response is not None:
                self.statuses[interaction.response.status_code] += 1
        for nodes in recorder.checks.values():
            for node in nodes:
                if node.status is not Status.FAILURE or node.failure_info is None:
                    continue
                self.failures[node.name] += 1
                failure = node.failure_info.failure
                key = (node.name, operation, failure.title)
                self.distinct.setdefault(key, f"{failure.message}\n{node.failure_info.code_sample}")


def run(examples: int, seed: int) -> Tally:
    """Fuzz a fresh demo sandbox with both specs; the tally of the whole run."""
    sandbox = Sandbox(demo_dataset(), rate_limits=False)
    tally = Tally()
    schemas = fuzz_schemas(sandbox.app, examples=examples, seed=seed)
    for spec, schema in zip(SPECS, schemas, strict=True):
        for event in engine.from_schema(schema).execute():
            if isinstance(event, events.ScenarioFinished):
                tally.scenario(event, spec.prefix)
            elif isinstance(event, events.NonFatalError | events.FatalError):
                tally.errors.append(str(getattr(event, "value", event)))
    return tally


def report(tally: Tally, seconds: float, show: int) -> None:
    """Print the figures, then up to `show` distinct failures in full."""
    server_errors = sum(n for status, n in tally.statuses.items() if status >= 500)
    print(f"operations: {len(tally.operations)}   requests: {tally.requests}   {seconds:.0f} s")
    print("statuses:   " + "  ".join(f"{s}: {n}" for s, n in sorted(tally.statuses.items())))
    print(f"5xx:        {server_errors}")
    print("failures by check (failed checks, distinct failures):")
    for name in CHECKS:
        distinct = sum(1 for key in tally.distinct if key[0] == name)
        print(f"  {name:28} {tally.failures[name]:6} {distinct:4}")
    for error in tally.errors:
        print(f"engine error: {error}")
    for (name, operation, title), detail in list(tally.distinct.items())[:show]:
        print(f"\n--- {name}: {operation}: {title}\n{detail}")


def main() -> None:
    """Parse the options, run, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=100, help="fuzzing examples per operation")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--show", type=int, default=5, help="distinct failures to print in full")
    args = parser.parse_args()
    started = time.perf_counter()
    tally = run(args.examples, args.seed)
    report(tally, time.perf_counter() - started, args.show)


if __name__ == "__main__":
    main()
