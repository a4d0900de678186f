"""Running a lookup's calls concurrently: all or nothing, a watch on the calls running beside,
and a scope that cancels on exit."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Coroutine
from types import TracebackType
from typing import Any, TypeVar

T = TypeVar("T")


async def gather_all(*calls: Awaitable[Any]) -> list[Any]:
    """Run calls concurrently; if one raises, cancel the others before re-raising."""
    tasks = [asyncio.ensure_future(c) for c in calls]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


async def watching(main: Awaitable[T], *watched: asyncio.Task[Any]) -> T:
    """Await `main` while tasks it does not wait for run beside it: if one of them fails first
    (an invalid token, say), cancel `main` and raise that failure at once. A watched task that
    is still running when `main` ends is left running."""
    task = asyncio.ensure_future(main)
    try:
        failure = await _first_failure(task, watched)
    finally:
        if not task.done():  # a watched task failed, or this one was cancelled
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    if failure is not None:
        raise failure
    return task.result()


async def _first_failure(
    task: asyncio.Future[Any], watched: tuple[asyncio.Task[Any], ...]
) -> BaseException | None:
    """Wait for `task`; the failure of a watched task that ends with one first, else None (when
    both end in the same step, `task` wins). Every failure seen is retrieved."""
    while not task.done():
        failures = [
            exc
            for other in watched
            if other.done() and not other.cancelled() and (exc := other.exception()) is not None
        ]
        if failures:
            return failures[0]
        running = [other for other in watched if not other.done()]
        await asyncio.wait([task, *running], return_when=asyncio.FIRST_COMPLETED)
    return None


class TaskScope:
    """Starts tasks as their inputs become ready; leaving the scope cancels any still running.

    Used so that each call of a lookup starts as soon as what it depends on has arrived, and a
    failure anywhere (an invalid token, say) stops the calls that are no longer needed.
    """

    def __init__(self) -> None:
        self._tasks: list[asyncio.Task[Any]] = []

    def start(self, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Run `coro` concurrently within this scope."""
        task = asyncio.ensure_future(coro)
        self._tasks.append(task)
        return task

    async def __aenter__(self) -> TaskScope:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        pending = [t for t in self._tasks if not t.done()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
