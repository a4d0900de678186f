"""The Pipedrive API and nothing else: knows no cards, no Google, no database."""

from cardin.pipedrive.auth import ApiToken, ApiTokenAuth, Credential
from cardin.pipedrive.client import PipedriveClient, RetryPolicy, UsageMeter
from cardin.pipedrive.costs import token_cost
from cardin.pipedrive.deadline import Deadline
from cardin.pipedrive.errors import (
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
    WriteUncertain,
)
from cardin.pipedrive.pacing import PacedRequest, Pacer

__all__ = [
    "ApiToken",
    "ApiTokenAuth",
    "BadResponse",
    "Credential",
    "Deadline",
    "Forbidden",
    "InvalidToken",
    "NotFound",
    "PacedRequest",
    "Pacer",
    "PaymentRequired",
    "PipedriveClient",
    "PipedriveError",
    "RateLimited",
    "RetryPolicy",
    "Unavailable",
    "UnexpectedCompanyDomain",
    "UntrustedHost",
    "UsageMeter",
    "WriteUncertain",
    "token_cost",
]
