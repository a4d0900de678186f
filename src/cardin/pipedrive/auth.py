"""Credentials: what opens one Pipedrive account, and the `httpx.Auth` that presents it.

Two kinds. An API token (`ApiToken`) is sent in the `x-api-token` header. An OAuth grant
(`OAuthGrant`: access token, refresh token, expiry, scopes and the company's `api_domain`) is
sent as `Authorization: Bearer <access token>`; the Auth that also refreshes it when it expires
is `cardin.pipedrive.oauth.GrantAuth`, given the grant and what keeps it. A credential gives
the client an `httpx.Auth` (`Credential.auth`) and the client hands it to httpx with each
request, after its own check of where the request goes (`cardin.pipedrive.urls.
may_receive_token`): the header is made by the Auth, never built in the client's request path.
An Auth that is one fixed header (`HeaderAuth`: a token, an access token) also gives it as a
pair, for a read sent without httpx's request machinery (`cardin.pipedrive.client.QuickReads`).
"""

from __future__ import annotations

import json
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

import httpx

TOKEN_HEADER = "x-api-token"  # noqa: S105 - the header's name, not a secret


class CredentialKind(StrEnum):
    """How a connector opens its account (stored with it)."""

    API_TOKEN = "api_token"  # noqa: S105 - a kind's name, not a secret
    OAUTH = "oauth"


class Credential(Protocol):
    """What the client is given to call one account with."""

    def auth(self) -> httpx.Auth:
        """The Auth that puts this credential on a request."""
        ...


@dataclass(frozen=True, slots=True)
class ApiToken:
    """A Pipedrive API token (a user's personal token from Settings → Personal preferences → API).

    Never shown: it is left out of the repr.
    """

    token: str = field(repr=False)
    kind = CredentialKind.API_TOKEN

    def auth(self) -> httpx.Auth:
        """The Auth that sends this token in the `x-api-token` header."""
        return ApiTokenAuth(self.token)


class HeaderAuth(httpx.Auth):
    """An Auth that sets one header, the same on every request, and sends the request once."""

    def header(self) -> tuple[str, str]:
        """The header's name and value; UnicodeEncodeError for a value that is not ASCII."""
        raise NotImplementedError

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the header and send the request once."""
        name, value = self.header()
        request.headers[name] = value
        yield request


class ApiTokenAuth(HeaderAuth):
    """Sets the `x-api-token` header on each request.

    A header is sent as ASCII: a token with other characters (no Pipedrive token has them)
    raises UnicodeEncodeError here, before anything is sent.
    """

    def __init__(self, token: str) -> None:
        self._token = token

    def header(self) -> tuple[str, str]:
        """`x-api-token` and the token."""
        return TOKEN_HEADER, self._token.encode("ascii").decode("ascii")


@dataclass(frozen=True, slots=True)
class OAuthGrant:
    """What Pipedrive's token endpoint gave for one user's consent.

    `expires_at` is when the access token stops working (aware, UTC); `api_domain` the company's
    API base (`https://<label>.pipedrive.com`, checked before it is kept). The tokens are left
    out of the repr.
    """

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: datetime
    scopes: tuple[str, ...]
    api_domain: str
    kind = CredentialKind.OAUTH

    def auth(self) -> httpx.Auth:
        """The Auth that sends the access token as a bearer token (it never refreshes it)."""
        return BearerAuth(self.access_token)

    def expires_within(self, seconds: float, now: datetime) -> bool:
        """Whether the access token is expired, or will be `seconds` from `now`."""
        return (self.expires_at - now).total_seconds() <= seconds

    def to_json(self) -> str:
        """The grant as JSON (what the store encrypts)."""
        return json.dumps(
            {
                "access_token": self.access_token,
                "refresh_token": self.refresh_token,
                "expires_at": self.expires_at.astimezone(UTC).isoformat(),
                "scopes": list(self.scopes),
                "api_domain": self.api_domain,
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> OAuthGrant:
        """The grant `to_json` wrote; ValueError when the text is not one."""
        try:
            data = json.loads(text)
            expires_at = datetime.fromisoformat(data["expires_at"])
            grant = cls(
                access_token=str(data["access_token"]),
                refresh_token=str(data["refresh_token"]),
                expires_at=expires_at if expires_at.tzinfo else expires_at.replace(tzinfo=UTC),
                scopes=tuple(str(scope) for scope in data["scopes"]),
                api_domain=str(data["api_domain"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError("the stored grant is not readable") from exc
        return grant


StoredCredential = ApiToken | OAuthGrant
"""A credential the store keeps: a token, or a grant."""


class BearerAuth(HeaderAuth):
    """Sets `Authorization: Bearer <access token>` on each request (ASCII only, like a token)."""

    def __init__(self, access_token: str) -> None:
        self._access_token = access_token

    def header(self) -> tuple[str, str]:
        """`authorization` and `Bearer <access token>`."""
        return "authorization", bearer(self._access_token)


def bearer(access_token: str) -> str:
    """The Authorization header's value; UnicodeEncodeError for a token that is not ASCII."""
    return "Bearer " + access_token.encode("ascii").decode("ascii")
