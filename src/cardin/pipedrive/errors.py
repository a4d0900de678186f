"""The errors of the Pipedrive client, shaped by what the caller does next.

- InvalidToken: ask the user for a new token (reauthorize).
- PaymentRequired: the company account is inactive; point to billing.
- Forbidden / NotFound: this item cannot be shown; the rest of the lookup goes on.
- RateLimited: try again after `retry_after` seconds.
- Unavailable: Pipedrive is down, slow or unreachable; retry later. A write that raises it
  surely did not reach Pipedrive (the connection was never made): sending it again is safe.
  - WriteUncertain: a write that may have been applied although no readable answer came (a
    timeout after it was sent, a connection dropped mid-exchange, a 5xx, a 2xx that cannot be
    read); check whether it landed before offering to send it again.
- BadResponse: Pipedrive answered something we cannot read; report it, retry later.
  - UnexpectedCompanyDomain: `/v1/users/me` named a company domain no Pipedrive host has;
    refuse the account (nothing is stored, no URL is built from it).
- ScopeMismatch (an InvalidToken): a 403 "Scope and URL mismatch" for an OAuth grant; sign in
  again with the scopes the enabled features need.
- UntrustedHost (an InvalidToken): the API base is neither the configured one nor a Pipedrive
  host, so the token was not sent; reauthorize, which stores a base built from checked parts.

Messages never contain the API token.
"""

from __future__ import annotations


class PipedriveError(Exception):
    """Base class: any failure talking to Pipedrive."""

    def __init__(self, message: str, *, status: int | None = None, path: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.path = path


class InvalidToken(PipedriveError):
    """HTTP 401: the API token is wrong, revoked or was changed."""


class ScopeMismatch(InvalidToken):
    """HTTP 403 "Scope and URL mismatch": the OAuth grant's scopes do not cover the operation.

    An InvalidToken, so the connector asks for its sign-in again, which asks for the scopes its
    features need now.
    """


class UntrustedHost(InvalidToken):
    """The request would take the token to a host that is not Pipedrive's: it was not sent."""


class PaymentRequired(PipedriveError):
    """HTTP 402: the company account is not open (trial expired, payment failed)."""


class Forbidden(PipedriveError):
    """HTTP 403: not allowed for this user, or blocked after too many 429s."""


class NotFound(PipedriveError):
    """HTTP 404: the item does not exist or is not visible to this user."""


class RateLimited(PipedriveError):
    """HTTP 429: burst or daily token budget exhausted; `retry_after` in seconds when known."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        status: int | None = 429,
        path: str | None = None,
    ) -> None:
        super().__init__(message, status=status, path=path)
        self.retry_after = retry_after


class Unavailable(PipedriveError):
    """5xx, timeout or connection failure: Pipedrive could not answer now."""


class WriteUncertain(Unavailable):
    """A write (POST, PATCH, PUT, DELETE) that may have been applied: no readable answer came.

    The client never sends such a write again; the caller looks for what it would have created
    (or changed) before offering a retry, so that the user gets no duplicate.
    """


class BadResponse(PipedriveError):
    """A reply we cannot read: not JSON, cut short, or not shaped as documented."""


class UnexpectedCompanyDomain(BadResponse):
    """`/v1/users/me` reported a company domain that is not a DNS label."""


ACCOUNT_ERRORS = (InvalidToken, PaymentRequired)
"""Errors that concern the whole account: no partial result makes sense after them."""
