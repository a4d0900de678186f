"""Credentials: what opens one Pipedrive account, and the `httpx.Auth` that presents it.

Today the one kind is an API token, sent in the `x-api-token` header. A credential gives the
client an `httpx.Auth` (`Credential.auth`) and the client hands it to httpx with each request,
after its own check of where the request goes (`cardin.pipedrive.urls.may_receive_token`): the
header is set by the Auth, never built in the client's request path. An OAuth grant (access
token, refresh token, expiry) is the next kind: a frozen value with an `auth()` that presents
the access token as a bearer token.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Protocol

import httpx

TOKEN_HEADER = "x-api-token"  # noqa: S105 - the header's name, not a secret


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

    def auth(self) -> httpx.Auth:
        """The Auth that sends this token in the `x-api-token` header."""
        return ApiTokenAuth(self.token)


class ApiTokenAuth(httpx.Auth):
    """Sets the `x-api-token` header on each request.

    A header is sent as ASCII: a token with other characters (no Pipedrive token has them)
    raises UnicodeEncodeError here, before anything is sent.
    """

    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the header and send the request once."""
        request.headers[TOKEN_HEADER] = self._token.encode("ascii").decode("ascii")
        yield request
