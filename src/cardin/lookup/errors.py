"""Turning a failed secondary call into a marked-unavailable part of the contact."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Coroutine
from types import TracebackType
from typing import Any, TypeVar

from cardin.contact.model import SectionError, SectionErrorKind
from cardin.pipedrive import BadResponse, Forbidden, PipedriveError, RateLimited

T = TypeVar("T")


def section_error(exc: PipedriveError) -> SectionError:
    """What the card says about a part that could not be fetched."""
    if isinstance(exc, RateLimited):
        return SectionError(SectionErrorKind.RATE_LIMITED, str(exc), exc.retry_after)
    if isinstance(exc, Forbidden):
        return SectionError(SectionErrorKind.FORBIDDEN, str(exc))
    if isinstance(exc, BadResponse):
        return SectionError(SectionErrorKind.BAD_RESPONSE, str(exc))
    return SectionError(SectionErrorKind.UNAVAILABLE, str(exc))


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
