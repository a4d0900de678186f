"""The client's errors in the domain's words: the one place that maps Pipedrive's failures.

A failed lookup becomes a `Failure` (the cards and the command line render it); a failed part
of a found contact becomes a `SectionError` (that part is marked unavailable).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from cardin.contact.model import LookupResult, SectionError, SectionErrorKind
from cardin.contact.outcome import Failure, FailureKind, Outcome
from cardin.pipedrive import (
    BadResponse,
    Forbidden,
    InvalidToken,
    PaymentRequired,
    PipedriveError,
    RateLimited,
    Unavailable,
)
from cardin.pipedrive.errors import ACCOUNT_ERRORS

T = TypeVar("T")
P = ParamSpec("P")


# The first class the error is an instance of names its kind; anything else is ours.
_KINDS: tuple[tuple[type[PipedriveError], FailureKind], ...] = (
    (InvalidToken, FailureKind.REAUTH),
    (PaymentRequired, FailureKind.PAYMENT),
    (RateLimited, FailureKind.RATE_LIMITED),
    (Unavailable, FailureKind.UNAVAILABLE),
    (BadResponse, FailureKind.BAD_RESPONSE),
    (Forbidden, FailureKind.FORBIDDEN),
)


def failure_of(exc: PipedriveError) -> Failure:
    """What stopped a lookup, from the client's error (its message kept only as the reason)."""
    kind = next((kind for cls, kind in _KINDS if isinstance(exc, cls)), FailureKind.INTERNAL)
    retry_after = exc.retry_after if isinstance(exc, RateLimited) else None
    return Failure(kind, str(exc), retry_after)


async def settle(lookup: Awaitable[LookupResult]) -> Outcome:
    """The lookup's answer, or the Failure that the client's error stands for."""
    try:
        return await lookup
    except PipedriveError as exc:
        return failure_of(exc)


def section_error(exc: PipedriveError) -> SectionError:
    """What the card says about a part that could not be fetched."""
    if isinstance(exc, RateLimited):
        return SectionError(SectionErrorKind.RATE_LIMITED, str(exc), exc.retry_after)
    if isinstance(exc, Forbidden):
        return SectionError(SectionErrorKind.FORBIDDEN, str(exc))
    if isinstance(exc, BadResponse):
        return SectionError(SectionErrorKind.BAD_RESPONSE, str(exc))
    return SectionError(SectionErrorKind.UNAVAILABLE, str(exc))


async def secondary(call: Awaitable[T]) -> T | SectionError:
    """Await a secondary call: account errors propagate, other failures become a SectionError."""
    try:
        return await call
    except ACCOUNT_ERRORS:
        raise
    except PipedriveError as exc:
        return section_error(exc)


async def secondary_of(
    fetch: Callable[P, Awaitable[T]], *args: P.args, **kwargs: P.kwargs
) -> T | SectionError:
    """`secondary(fetch(...))`, the call made only once this runs: a task of it cancelled before
    it started (its lookup ended) leaves no call never awaited."""
    return await secondary(fetch(*args, **kwargs))
