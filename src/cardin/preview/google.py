"""A local stand-in for Google, for the tests and the browser demo.

`LocalGoogle` signs ID tokens with its own RSA key and serves the matching certificates at
Google's path, so the real verifier runs unchanged against it; it also answers the Gmail API's
`users.messages.get` (metadata format) for the messages it holds, checking the tokens it issued
the way Google does. Point `CARDIN_GOOGLE_CERTS_URL` and `CARDIN_GMAIL_API_URL` at its app.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from google.auth import crypt, jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from cardin.addon.gmail import api_message_id

CERTS_PATH = "/oauth2/v1/certs"
MESSAGES_PATH = "/gmail/v1/users/me/messages"
ISSUER = "https://accounts.google.com"
DEFAULT_SERVICE_ACCOUNT = "service-123@gcp-sa-gsuiteaddons.iam.gserviceaccount.com"
DEFAULT_OAUTH_CLIENT_ID = "cardin-local.apps.googleusercontent.com"
SCOPES = (
    "https://www.googleapis.com/auth/gmail.addons.execute",
    "https://www.googleapis.com/auth/gmail.addons.current.message.metadata",
    "https://www.googleapis.com/auth/userinfo.email",
    "https://www.googleapis.com/auth/script.locale",
)
_HEX_ID = re.compile(r"[0-9a-f]{1,16}")
_ERRORS = {
    400: ("Invalid id value", "INVALID_ARGUMENT"),
    401: (
        (
            "Request had invalid authentication credentials. Expected OAuth 2 access token, "
            "login cookie or other valid authentication credential."
        ),
        "UNAUTHENTICATED",
    ),
    403: ("Request had insufficient authentication scopes.", "PERMISSION_DENIED"),
    404: ("Requested entity was not found.", "NOT_FOUND"),
    503: ("The service is currently unavailable.", "UNAVAILABLE"),
}


@dataclass(frozen=True)
class GmailCall:
    """One request the Gmail stand-in received, as sent."""

    message_id: str
    query: tuple[tuple[str, str], ...]
    authorization: str | None
    access_token: str | None
    status: int


@dataclass(frozen=True)
class _Message:
    api_id: str
    headers: tuple[tuple[str, str], ...]
    labels: tuple[str, ...]


@dataclass(frozen=True)
class SigningKey:
    """An RSA key with its key id and the self-signed certificate Google would publish for it."""

    key_id: str
    signer: crypt.RSASigner
    certificate: str

    @classmethod
    def generate(cls, key_id: str) -> SigningKey:
        """A fresh 2048-bit key and a one-day certificate for it."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        signer = crypt.RSASigner.from_string(pem, key_id=key_id)  # type: ignore[no-untyped-call]
        return cls(key_id, signer, _certificate(key))


def _certificate(key: rsa.RSAPrivateKey) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "local.googleapis.test")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=2))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


class LocalGoogle:
    """Acts as Google for a Cardin service: signs ID tokens with its own RSA key, serves the
    matching certificates, and answers the Gmail API for messages it holds.

    A second LocalGoogle signs with a key the first one does not serve (a forged token).
    """

    def __init__(
        self,
        *,
        service_account: str = DEFAULT_SERVICE_ACCOUNT,
        oauth_client_id: str = DEFAULT_OAUTH_CLIENT_ID,
        key_id: str = "local-1",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.service_account = service_account
        self.oauth_client_id = oauth_client_id
        self._clock = clock
        self._keys = [SigningKey.generate(key_id)]
        self._secret = secrets.token_bytes(32)
        self._oauth_users: dict[str, str] = {}
        self._message_tokens: dict[str, str] = {}
        self._messages: dict[str, _Message] = {}
        self.cert_max_age = 3600
        self.certs_available = True
        self.cert_fetches = 0
        self.gmail_calls: list[GmailCall] = []
        self.app = Starlette(
            routes=[
                Route(CERTS_PATH, self._certs, methods=["GET"]),
                Route(MESSAGES_PATH + "/{message_id}", self._gmail_message, methods=["GET"]),
            ]
        )

    # --- ID tokens --------------------------------------------------------------------------

    @property
    def key_id(self) -> str:
        """The id of the key new tokens are signed with."""
        return self._keys[-1].key_id

    def rotate_key(self, key_id: str) -> None:
        """Sign from now on with a new key; the certificates list the old and the new one."""
        self._keys.append(SigningKey.generate(key_id))

    def sign(self, claims: Mapping[str, Any]) -> str:
        """A JWT of `claims` signed (RS256) with the current key."""
        token: bytes = jwt.encode(self._keys[-1].signer, dict(claims))  # type: ignore[no-untyped-call]
        return token.decode()

    def system_token(self, audience: str, *, expires_in: int = 300, **overrides: Any) -> str:
        """The `Authorization: Bearer` token Google sends with a call to `audience`.

        `overrides` replace claims (a None value removes one), to forge bad tokens.
        """
        claims = {
            "iss": ISSUER,
            "aud": audience,
            "azp": "100000000000000000001",
            "sub": "100000000000000000001",
            "email": self.service_account,
            "email_verified": True,
            **self._times(expires_in),
        }
        return self.sign(_overridden(claims, overrides))

    def user_token(
        self, sub: str, email: str | None, *, expires_in: int = 3600, **overrides: Any
    ) -> str:
        """The `userIdToken` of the user `sub` (audience: the add-on's OAuth client id).

        Without `email` the token looks as it does when the user did not grant its scope.
        """
        claims = {
            "iss": ISSUER,
            "aud": self.oauth_client_id,
            "azp": self.oauth_client_id,
            "sub": sub,
            "email": email,
            "email_verified": True if email else None,
            **self._times(expires_in),
        }
        return self.sign(_overridden(claims, overrides))

    def authorization(self, audience: str) -> str:
        """The whole `Authorization` header value for a call to `audience`."""
        return f"Bearer {self.system_token(audience)}"

    def _times(self, expires_in: int) -> dict[str, int]:
        now = int(self._clock())
        return {"iat": now, "exp": now + expires_in}

    # --- Gmail ------------------------------------------------------------------------------

    def oauth_token(self, sub: str) -> str:
        """The user's OAuth access token (`userOAuthToken`) the Gmail stand-in accepts."""
        token = "ya29.local-" + self._digest("oauth", sub)
        self._oauth_users[token] = sub
        return token

    def message_token(self, message_id: str) -> str:
        """The per-message token (`gmail.accessToken`) that opens `message_id` only."""
        api_id = api_message_id(message_id)
        token = "AND7local-" + self._digest("message", api_id)
        self._message_tokens[token] = api_id
        return token

    def add_message(
        self,
        message_id: str,
        *,
        sender: str,
        to: str = "",
        cc: str = "",
        subject: str = "",
        labels: Sequence[str] = (),
        reply_to: str = "",
    ) -> None:
        """Hold a message under its API id (hex, or the add-on's "msg-f:<decimal>" form)."""
        fields = (("From", sender), ("To", to), ("Cc", cc), ("Reply-To", reply_to))
        headers = tuple((name, value) for name, value in fields if value)
        headers += (("Subject", subject),)
        api_id = api_message_id(message_id)
        self._messages[api_id] = _Message(api_id, headers, tuple(labels))

    def _digest(self, purpose: str, value: str) -> str:
        mac = hmac.new(self._secret, f"{purpose}:{value}".encode(), hashlib.sha256)
        return mac.hexdigest()[:32]

    async def _gmail_message(self, request: Request) -> JSONResponse:
        api_id = request.path_params["message_id"]
        authorization = request.headers.get("authorization")
        access_token = request.headers.get("x-goog-gmail-access-token")
        status, body = self._message_reply(request, api_id, authorization, access_token)
        call = GmailCall(
            api_id, tuple(request.query_params.multi_items()), authorization, access_token, status
        )
        self.gmail_calls.append(call)
        return JSONResponse(body, status_code=status)

    def _message_reply(
        self, request: Request, api_id: str, authorization: str | None, access_token: str | None
    ) -> tuple[int, dict[str, Any]]:
        token = (authorization or "").removeprefix("Bearer ")
        if token not in self._oauth_users:
            return _error(401)
        # a per-message scope opens only the message its token was issued for, metadata only
        if request.query_params.get("format") != "metadata":
            return _error(403)
        if access_token is None or self._message_tokens.get(access_token) != api_id:
            return _error(403)
        if _HEX_ID.fullmatch(api_id) is None:
            return _error(400)
        message = self._messages.get(api_id)
        if message is None:
            return _error(404)
        wanted = {name.lower() for name in request.query_params.getlist("metadataHeaders")}
        return 200, _message_resource(message, wanted)

    # --- certificates -----------------------------------------------------------------------

    async def _certs(self, _request: Request) -> JSONResponse:
        self.cert_fetches += 1
        if not self.certs_available:
            status, body = _error(503)
            return JSONResponse(body, status_code=status)
        certs = {key.key_id: key.certificate for key in self._keys}
        cache = f"public, max-age={self.cert_max_age}, must-revalidate, no-transform"
        return JSONResponse(certs, headers={"cache-control": cache})

    # --- events -----------------------------------------------------------------------------

    def event(
        self,
        *,
        sub: str,
        email: str,
        message_id: str | None = None,
        parameters: Mapping[str, str] | None = None,
        form_inputs: Mapping[str, Sequence[str]] | None = None,
        locale: str = "en-US",
        time_zone: str = "Europe/Berlin",
        audience: str | None = None,
    ) -> dict[str, Any]:
        """The event JSON Google would POST: the homepage when `message_id` is None.

        With `audience`, the body also carries the `systemIdToken` for that URL.
        """
        common: dict[str, Any] = {
            "hostApp": "GMAIL",
            "platform": "WEB",
            "userLocale": locale,
            "timeZone": {"id": time_zone, "offset": _offset_ms(time_zone, self._clock())},
        }
        if parameters:
            common["parameters"] = dict(parameters)
        if form_inputs:
            common["formInputs"] = {
                name: {"stringInputs": {"value": list(values)}}
                for name, values in form_inputs.items()
            }
        event: dict[str, Any] = {
            "commonEventObject": common,
            "authorizationEventObject": self._authorization(sub, email, audience),
        }
        if message_id is not None:
            event["gmail"] = self._gmail(message_id)
        return event

    def _authorization(self, sub: str, email: str, audience: str | None) -> dict[str, Any]:
        authorization: dict[str, Any] = {
            "userOAuthToken": self.oauth_token(sub),
            "userIdToken": self.user_token(sub, email),
            "authorizedScopes": list(SCOPES),
        }
        if audience is not None:
            authorization["systemIdToken"] = self.system_token(audience)
        return authorization

    def _gmail(self, message_id: str) -> dict[str, str]:
        api_id = api_message_id(message_id)
        decimal = str(int(api_id, 16)) if _HEX_ID.fullmatch(api_id) else None
        return {
            "messageId": f"msg-f:{decimal}" if decimal else api_id,
            "threadId": f"thread-f:{decimal}" if decimal else api_id,
            "accessToken": self.message_token(api_id),
        }


def _overridden(claims: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    merged = {**claims, **overrides}
    return {name: value for name, value in merged.items() if value is not None}


def _message_resource(message: _Message, wanted: set[str]) -> dict[str, Any]:
    headers = [
        {"name": name, "value": value}
        for name, value in message.headers
        if not wanted or name.lower() in wanted
    ]
    return {
        "id": message.api_id,
        "threadId": message.api_id,
        "labelIds": list(message.labels),
        "snippet": "",
        "payload": {"mimeType": "multipart/alternative", "headers": headers},
        "sizeEstimate": 4096,
        "historyId": "1000",
        "internalDate": "1767225600000",
    }


def _error(status: int) -> tuple[int, dict[str, Any]]:
    message, code = _ERRORS[status]
    return status, {"error": {"code": status, "message": message, "status": code}}


def _offset_ms(time_zone: str, now: float) -> int:
    try:
        offset = datetime.fromtimestamp(now, ZoneInfo(time_zone)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return 0
    return int(offset.total_seconds() * 1000) if offset is not None else 0
