"""The Pipedrive API and nothing else: knows no cards, no Google, no database."""

from cardin.pipedrive.auth import (
    ApiToken,
    ApiTokenAuth,
    BearerAuth,
    Credential,
    CredentialKind,
    OAuthGrant,
    StoredCredential,
)
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
    ScopeMismatch,
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
    "BearerAuth",
    "Credential",
    "CredentialKind",
    "Deadline",
    "Forbidden",
    "InvalidToken",
    "NotFound",
    "OAuthGrant",
    "PacedRequest",
    "Pacer",
    "PaymentRequired",
    "PipedriveClient",
    "PipedriveError",
    "RateLimited",
    "RetryPolicy",
    "ScopeMismatch",
    "StoredCredential",
    "Unavailable",
    "UnexpectedCompanyDomain",
    "UntrustedHost",
    "UsageMeter",
    "WriteUncertain",
    "token_cost",
]
