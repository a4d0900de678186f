"""Render time of the contact card: median and p99 for a typical (rich) and a huge contact.

    .venv/bin/python bench/render.py [--runs-rich 500] [--runs-huge 50]

Targets: 2 ms median for the rich contact, 20 ms median for the huge one (200 deals, 500
activities, 100 notes). Each run renders the card and serialises it to JSON, as the endpoint does.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' fixtures

from tests.cards import fixtures

from cardin.cards import render_contact_card, render_list_card, trigger_response
from cardin.contact.model import Match


def measure(render: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median and 99th percentile of `runs` calls, in milliseconds (after one warm-up call)."""
    render()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        render()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
    return statistics.median(times), p99


def contact(match: Match, locale: str) -> Callable[[], object]:
    """A full contact render, fresh context each time (as per request)."""
    return lambda: json.dumps(
        trigger_response(render_contact_card(match, fixtures.context(locale)))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs-rich", type=int, default=500)
    parser.add_argument("--runs-huge", type=int, default=50)
    args = parser.parse_args()
    rich, huge = fixtures.rich_match(), fixtures.huge_match()
    cases = [
        ("rich contact (en_US)", contact(rich, "en_US"), args.runs_rich, 2.0),
        ("rich contact (de_DE)", contact(rich, "de_DE"), args.runs_rich, 2.0),
        ("huge contact (en_US)", contact(huge, "en_US"), args.runs_huge, 20.0),
        (
            "huge deals list",
            lambda: json.dumps(render_list_card(huge, "deals", fixtures.context())),
            args.runs_huge,
            20.0,
        ),
    ]
    print(f"{'case':<24}{'runs':>6}{'median ms':>12}{'p99 ms':>10}{'target':>9}")
    for name, render, runs, target in cases:
        median, p99 = measure(render, runs)
        verdict = "ok" if median <= target else "SLOW"
        print(f"{name:<24}{runs:>6}{median:>12.3f}{p99:>10.3f}{target:>7.0f}ms {verdict}")


if __name__ == "__main__":
    main()
