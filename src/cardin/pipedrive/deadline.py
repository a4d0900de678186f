"""A deadline for a series of calls: each call's timeout is what is left of it.

The clock is injectable so that tests can move time on without waiting; it must be the clock
the event loop's timeouts run on (the default, `time.monotonic`, is).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Deadline:
    """A moment, on a monotonic clock, by which calls must have ended."""

    at: float
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)

    @classmethod
    def after(cls, seconds: float, *, clock: Callable[[], float] = time.monotonic) -> Deadline:
        """The deadline `seconds` from now."""
        return cls(clock() + seconds, clock)

    def remaining(self) -> float:
        """Seconds left, never negative."""
        return max(0.0, self.at - self.clock())

    def share(self, parts: int) -> Deadline:
        """An earlier deadline that keeps all but 1/`parts` of the time left for what follows.

        A call whose answer other calls wait for takes its share, so that when it hangs the
        calls after it still have time.
        """
        now = self.clock()
        return Deadline(now + max(0.0, self.at - now) / max(parts, 1), self.clock)
