"""The client's errors in the domain's words: each failure kind, the reason kept, nothing lost."""

from __future__ import annotations

import pytest

from cardin.contact.model import NoMatch
from cardin.contact.outcome import Failure, FailureKind
from cardin.lookup.outcome import failure_of, settle
from cardin.pipedrive import (
    BadResponse,
    Forbidden,
    InvalidToken,
    NotFound,
    PaymentRequired,
    PipedriveError,
    RateLimited,
    Unavailable,
    UnexpectedCompanyDomain,
    UntrustedHost,
)
from tests.cards import fixtures


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (InvalidToken("401"), FailureKind.REAUTH),
        (UntrustedHost("not Pipedrive"), FailureKind.REAUTH),
        (PaymentRequired("402"), FailureKind.PAYMENT),
        (RateLimited("429"), FailureKind.RATE_LIMITED),
        (Unavailable("503"), FailureKind.UNAVAILABLE),
        (BadResponse("not JSON"), FailureKind.BAD_RESPONSE),
        (UnexpectedCompanyDomain("bad domain"), FailureKind.BAD_RESPONSE),
        (Forbidden("403"), FailureKind.FORBIDDEN),
        (NotFound("404"), FailureKind.INTERNAL),
        (PipedriveError("weird"), FailureKind.INTERNAL),
    ],
)
def test_each_client_error_becomes_its_failure(error: PipedriveError, kind: FailureKind) -> None:
    assert failure_of(error) == Failure(kind, str(error))


def test_a_rate_limit_keeps_when_to_retry() -> None:
    assert failure_of(RateLimited("429", retry_after=42.0)).retry_after == 42.0


async def test_settle_returns_the_answer_or_the_failure() -> None:
    no_match = NoMatch("a@b.example", fixtures.ACCOUNT, "https://app.pipedrive.com/search")

    async def answer() -> NoMatch:
        return no_match

    async def refused() -> NoMatch:
        raise PaymentRequired("402")

    assert await settle(answer()) is no_match
    assert await settle(refused()) == Failure(FailureKind.PAYMENT, "402")
