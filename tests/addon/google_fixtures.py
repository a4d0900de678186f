"""Helpers shared by the add-on tests: addresses of the Google stand-in, a clock, forged tokens."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import httpx

from cardin.preview.google import CERTS_PATH, LocalGoogle

GOOGLE_URL = "https://google.test"
CERTS_URL = GOOGLE_URL + CERTS_PATH
AUDIENCE = "https://cardin.test/addon/gmail/message"
USER_SUB = "108234567890123456789"
USER_EMAIL = "sam@acme.example"


class FakeClock:
    """A clock the test moves by hand; starts at the real time so google-auth agrees with it."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self.now += seconds


def google_client(google: LocalGoogle) -> httpx.AsyncClient:
    """An httpx client whose transport is the Google stand-in, in-process."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=google.app), base_url=GOOGLE_URL)


def _segment(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def unsigned_token(claims: dict[str, Any], *, alg: str = "none", kid: str = "local-1") -> str:
    """A JWT with the given header algorithm and no valid signature."""
    header = {"alg": alg, "typ": "JWT", "kid": kid}
    return f"{_segment(header)}.{_segment(claims)}."


def valid_claims(google: LocalGoogle, audience: str = AUDIENCE) -> dict[str, Any]:
    """The claims of a good system token, to forge variants of."""
    now = int(time.time())
    return {
        "iss": "https://accounts.google.com",
        "aud": audience,
        "email": google.service_account,
        "email_verified": True,
        "iat": now,
        "exp": now + 300,
    }
