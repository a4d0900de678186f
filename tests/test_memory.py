"""Giving the C heap's free memory back: when the trimmer trims, that it returns memory on glibc,
and its loop (tests/service/test_runtime.py: the runtime runs it)."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from collections.abc import Callable

import pytest

from cardin.memory import Heap, Trimmer, glibc_heap, keep_trimmed

MB = 1 << 20


class FakeHeap:
    """A heap whose free bytes the test sets; trims are counted."""

    def __init__(self, free: int = 0) -> None:
        self.free, self.trims, self.reads = free, 0, 0

    def heap(self) -> Heap:
        return Heap(free_bytes=self._read, trim=self._trim)

    def _read(self) -> int:
        self.reads += 1
        return self.free

    def _trim(self) -> None:
        self.trims += 1


def test_the_first_look_trims_what_starting_left_free_and_the_next_only_after_new_garbage() -> None:
    fake = FakeHeap(free=3 * MB)
    trimmer = Trimmer(fake.heap(), above=MB)
    assert trimmer.look()
    assert fake.trims == 1
    # malloc still counts the trimmed chunks as free: no new garbage, no new trim
    assert not trimmer.look()
    fake.free = 3 * MB + MB // 2  # risen, but not by more than `above`
    assert not trimmer.look()
    assert fake.trims == 1


def test_garbage_is_measured_from_the_lowest_free_since_the_last_trim() -> None:
    fake = FakeHeap(free=3 * MB)
    trimmer = Trimmer(fake.heap(), above=MB)
    trimmer.look()
    fake.free = MB  # a busy moment reused 2 MB of the free chunks...
    assert not trimmer.look()
    fake.free = 2 * MB + 1  # ...then freed them again: resident garbage, more than `above`
    assert trimmer.look()
    assert fake.trims == 2
    assert not trimmer.look()  # measured again from the free bytes after that trim


def test_a_heap_with_little_free_is_left_alone() -> None:
    fake = FakeHeap(free=MB // 2)
    assert not Trimmer(fake.heap(), above=MB).look()
    assert fake.trims == 0


# A process that frees 48 MB in the middle of its heap (a block allocated after them keeps the
# heap from shrinking at its top, which free() would do by itself): its resident memory stays
# until the trimmer's look, then drops.
RETURNED = """
from cardin.memory import Trimmer, glibc_heap

def rss():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) // 1024 for line in status if line.startswith("VmRSS"))

heap = glibc_heap()
trimmer = Trimmer(heap)
trimmer.look()  # what starting left free
start = rss()
# 48 MB written in 64 KB blocks (malloc's heap, not mmap), all freed but a last one
blocks = [b"x" * (64 * 1024) for _ in range(768)]
pin = b"y" * (64 * 1024)
del blocks
freed = rss()
trimmed = trimmer.look()
print(trimmed, start, freed, rss())
"""


@pytest.mark.skipif(glibc_heap() is None, reason="malloc_trim and mallinfo2 are glibc's")
def test_on_glibc_a_trim_returns_freed_memory_to_the_system() -> None:
    # its own interpreter: this one's heap holds whatever the other tests left in it
    done = subprocess.run(  # noqa: S603 - this interpreter with the fixed script above
        [sys.executable, "-c", RETURNED], capture_output=True, text=True, check=True
    )
    trimmed, start, freed, trimmed_rss = done.stdout.split()
    assert trimmed == "True"
    assert int(freed) - int(start) >= 40, done.stdout  # freed, still resident (MB)
    assert int(freed) - int(trimmed_rss) >= 40, done.stdout  # given back by the trim


async def _until(condition: Callable[[], bool]) -> None:
    """Wait, up to 5 s, for `condition` (set by the trimmer's thread)."""
    async with asyncio.timeout(5):
        while not condition():  # noqa: ASYNC110 - the trimmer runs on a thread: no event to await
            await asyncio.sleep(0.01)


def _broken_heap(action: Callable[[], object]) -> Heap:
    return Heap(free_bytes=lambda: 10 * MB, trim=action)


async def test_keep_trimmed_looks_every_interval_until_cancelled() -> None:
    fake = FakeHeap(free=10 * MB)
    task = asyncio.create_task(keep_trimmed(fake.heap(), every=0.01, above=MB))
    await _until(lambda: fake.trims == 1)
    after_trim = fake.reads + 1  # the trim's own read of what is left free...
    await _until(lambda: fake.reads > after_trim)  # ...then a later look
    fake.free = 20 * MB  # new garbage: trimmed at a later look
    await _until(lambda: fake.trims == 2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_failing_allocator_is_logged_and_ends_the_trims_not_the_process(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken() -> None:
        raise OSError("no such symbol")

    caplog.set_level(logging.ERROR, logger="cardin.memory")
    await asyncio.wait_for(keep_trimmed(_broken_heap(broken), every=0.01, above=MB), timeout=5)
    assert "cannot trim the C heap" in caplog.text
