"""Giving the C heap's free memory back to the system after a busy moment.

A worker's fresh lookups each decode company-wide pages of a few hundred KB, several at once when
Gmail opens messages together. When they are done, glibc's malloc keeps the freed memory in its
heaps for later allocations instead of returning it, so a worker's resident memory stays at the
peak of its busiest moment: 4 to 6 MB above what is alive after the first lookups of
`bench/serve.py` (`malloc_trim` called from a debugger gave that back). `keep_trimmed` looks every
few seconds at how much the heaps hold free and, when that rose more than `TRIM_ABOVE` above its
lowest since the last trim (memory in use, then freed), asks malloc to return it
(`malloc_trim(0)`: whole free pages, in every arena). It runs on a worker thread; a trim of a few
MB takes well under a millisecond (48 MB: about 4 ms), during which the event loop's own
allocations in the arena being trimmed wait for it; memory it returns costs a page fault when it
is used again.

Only glibc (2.33 and later) has both functions: with another C library (musl, macOS) or an older
glibc `glibc_heap()` is None and the runtime says once that it does not trim. A leaf: it imports
no other part of Cardin.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import logging
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)

TRIM_EVERY = 5.0
"""Seconds between two looks at the heaps."""
TRIM_ABOVE = 1 << 20
"""How far the heaps' free bytes must rise above their lowest since the last trim for a trim."""


class _Mallinfo2(ctypes.Structure):
    """glibc's `struct mallinfo2` (2.33 and later): sizes as size_t."""

    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


@dataclass(frozen=True)
class Heap:
    """The two allocator calls the trimmer needs."""

    free_bytes: Callable[[], int]
    """Bytes the heaps hold in free chunks (memory malloc keeps but nothing uses)."""
    trim: Callable[[], object]
    """Return the free chunks' whole pages to the system."""


def glibc_heap() -> Heap | None:
    """glibc's heap, or None with another C library (or a glibc older than 2.33)."""
    try:
        libc = ctypes.CDLL(None)  # the symbols the process already has: no search for a library
        mallinfo2, malloc_trim = libc.mallinfo2, libc.malloc_trim
    except (OSError, AttributeError):
        return None
    mallinfo2.restype = _Mallinfo2
    mallinfo2.argtypes = []
    malloc_trim.restype = ctypes.c_int
    malloc_trim.argtypes = [ctypes.c_size_t]
    return Heap(
        free_bytes=lambda: int(mallinfo2().fordblks),
        trim=lambda: malloc_trim(0),
    )


class Trimmer:
    """Trims the heaps when memory that was in use has been freed since the last look.

    malloc still counts a trimmed chunk as free (its pages went back, its bookkeeping stayed), so
    the free bytes alone cannot tell new garbage from what was already returned: what counts is how
    far they rose above their lowest since the last trim (chunks reused, then freed again, are
    resident once more)."""

    def __init__(self, heap: Heap, *, above: int = TRIM_ABOVE) -> None:
        self._heap, self._above = heap, above
        self._lowest = 0  # the first look trims what starting the process left free

    def look(self) -> bool:
        """Trim when worth it; True when the heaps were trimmed."""
        free = self._heap.free_bytes()
        self._lowest = min(self._lowest, free)
        if free - self._lowest <= self._above:
            return False
        self._heap.trim()
        self._lowest = self._heap.free_bytes()
        return True


async def keep_trimmed(heap: Heap, *, every: float = TRIM_EVERY, above: int = TRIM_ABOVE) -> None:
    """Look at the heaps every `every` seconds, on a worker thread, until cancelled. A failing
    allocator call is logged and ends the loop: memory is never a reason to fail a request."""
    trimmer = Trimmer(heap, above=above)
    while True:
        await asyncio.sleep(every)
        try:
            trimmed = await asyncio.to_thread(trimmer.look)
        except Exception:  # a C library that lied about its functions: stop trying
            log.exception("cannot trim the C heap; no more trims in this process")
            return
        if trimmed:
            log.debug("returned the C heap's free pages to the system")


def freeze_what_the_start_made() -> None:
    """Keep every object alive now out of the garbage collector's later passes (`gc.freeze`).

    A worker holds about 110,000 objects once started (modules, models, schemas), all of them
    for its whole life, and a full pass of the cyclic collector walks them all: about 50 ms on
    the machine of the README's figures, during which every request the worker holds waits. A
    full pass runs after enough new objects survived, a few times a minute under load, so it
    set the slowest answers (issue 12's p99). Called once the service is open: what the start
    left as garbage is collected first, then the rest is set aside; the objects made later are
    collected as before.
    """
    gc.collect()
    gc.freeze()
