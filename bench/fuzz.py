"""The fuzz probes at scale: fuzzed add-on events through the real app, then lookups over
Pipedrive replies generated from Pipedrive's OpenAPI files.

    .venv/bin/python bench/fuzz.py [--examples 20000] [--schema-examples 10000] [--seed 1]

Prints what the CI tests in tests/fuzz/ assert on a few hundred examples: every answer is 200
with a valid card, 400 with a reason or 401 — never a crash (a traceback or an error in the
log), a 5xx, an invalid card or an answer slower than 5 s; every lookup ends in a contact or a
clean error card.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' probes

from hypothesis import HealthCheck, Phase, given, seed, settings
from tests.fuzz import events, schemas
from tests.fuzz.service import Answer, Service

SHOWN = 3
"""Examples of each kind of problem printed in full."""


@dataclass
class Tally:
    """Counts of one run."""

    examples: int = 0
    by_status: collections.Counter[str] = field(default_factory=collections.Counter)
    problems: collections.Counter[str] = field(default_factory=collections.Counter)
    slowest: float = 0.0
    seen: dict[str, list[str]] = field(default_factory=dict)

    def problem(self, kind: str, detail: str) -> None:
        """Count a problem, keeping the first few in full."""
        self.problems[kind] += 1
        shown = self.seen.setdefault(kind, [])
        if len(shown) < SHOWN:
            shown.append(detail)


def hypothesis_run(
    examples: int, run_seed: int
) -> Callable[[Callable[..., None]], Callable[[], None]]:
    """Settings for a long generate-only run that never stops at a failure."""

    def decorate(test: Callable[..., None]) -> Callable[[], None]:
        configured = settings(
            max_examples=examples,
            phases=[Phase.generate],
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )(test)
        return seed(run_seed)(configured)  # type: ignore[no-any-return]

    return decorate


# --- events -------------------------------------------------------------------------------------


def event_kind(answer: Answer) -> str | None:
    """The headline a failed answer counts under."""
    if answer.problem() is None:
        return None
    if answer.logged:
        return "crashes (traceback or error in the log)"
    if answer.status >= 500:
        return "5xx"
    if answer.status == 200:
        return "invalid cards"
    return "other contract breaks (status, reason, > 5 s)"


def run_events(examples: int, run_seed: int) -> Tally:
    """Send `examples` fuzzed requests to a fresh service."""
    tally = Tally()
    with tempfile.TemporaryDirectory() as data_dir, Service(Path(data_dir)) as service:

        @hypothesis_run(examples, run_seed)
        @given(events.requests())
        def probe(request: events.Request) -> None:
            answer = service.send(request)
            tally.examples += 1
            tally.by_status[str(answer.status)] += 1
            tally.slowest = max(tally.slowest, answer.seconds)
            kind = event_kind(answer)
            if kind is not None:
                tally.problem(kind, f"{answer.problem()}\n    request: {request!r:.1500}")

        probe()
    return tally


# --- schemas ------------------------------------------------------------------------------------


def schema_kind(problem: str) -> str:
    """The headline a failed lookup counts under."""
    if problem.startswith(schemas.CRASH):
        return "crashes (an exception other than PipedriveError)"
    if problem.startswith(schemas.HIDDEN):
        return "contact hidden by a reply it does not depend on"
    return "invalid cards"


def run_schemas(examples: int, run_seed: int) -> Tally:
    """Run `examples` lookups over generated replies."""
    tally = Tally()
    schemas.spec(schemas.V1)
    schemas.spec(schemas.V2)

    @hypothesis_run(examples, run_seed)
    @given(schemas.lookups())
    def probe(replies: tuple[schemas.Reply, ...]) -> None:
        started = time.perf_counter()
        probed = asyncio.run(schemas.probe_lookup(replies))
        tally.slowest = max(tally.slowest, time.perf_counter() - started)
        tally.examples += 1
        tally.by_status[probed.outcome] += 1
        if probed.problem is not None:
            shown = [(r.call.value, r.anchored, r.body) for r in replies]
            tally.problem(
                schema_kind(probed.problem), f"{probed.problem}\n    replies: {shown!r:.1500}"
            )

    probe()
    return tally


# --- report -------------------------------------------------------------------------------------


def report(title: str, tally: Tally, headlines: tuple[str, ...], seconds: float, slow: str) -> None:
    """Print one run's counts."""
    print(f"\n{title}")
    print(f"  examples: {tally.examples} in {seconds:.0f} s")
    answers = " · ".join(f"{k}: {v}" for k, v in sorted(tally.by_status.items()))
    print(f"  {'answers' if title.startswith('Event') else 'outcomes'}: {answers}")
    for headline in headlines:
        print(f"  {headline}: {tally.problems[headline]}")
    for headline, count in tally.problems.items():
        if headline not in headlines:
            print(f"  {headline}: {count}")
    print(f"  {slow}: {tally.slowest:.2f} s")
    for headline, details in tally.seen.items():
        print(f"  first {headline}:")
        for detail in details:
            print(f"    - {detail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=20_000, help="fuzzed events")
    parser.add_argument("--schema-examples", type=int, default=10_000, help="generated lookups")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    event_tally = run_events(args.examples, args.seed)
    middle = time.perf_counter()
    schema_tally = run_schemas(args.schema_examples, args.seed)
    ended = time.perf_counter()
    report(
        f"Event fuzzer: requests to {', '.join(events.ENDPOINTS)} (seed {args.seed})",
        event_tally,
        ("crashes (traceback or error in the log)", "5xx", "invalid cards"),
        middle - started,
        "slowest answer",
    )
    report(
        f"Schema run: lookups over replies generated from Pipedrive's OpenAPI (seed {args.seed})",
        schema_tally,
        (
            "crashes (an exception other than PipedriveError)",
            "invalid cards",
            "contact hidden by a reply it does not depend on",
        ),
        ended - middle,
        "slowest lookup with its cards",
    )


if __name__ == "__main__":
    main()
