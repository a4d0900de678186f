"""Turning a failed secondary call into a marked-unavailable part of the contact."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from cardin.contact.model import SectionError, SectionErrorKind
from cardin.pipedrive import BadResponse, Forbidden, PipedriveError, RateLimited


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
