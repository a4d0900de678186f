"""A local stand-in for Google, for the tests and the browser demo.

`LocalGoogle` signs ID tokens with its own RSA key and serves the matching certificates at
Google's path, so the real verifier runs unchanged against it; it also answers the Gmail API's
`users.messages.get` for the messages it holds, checking the tokens it issued the way Google does.
Point `CARDIN_GOOGLE_CERTS_URL` and `CARDIN_GMAIL_API_URL` at its app.

Consent is granular, as in Gmail: each user starts with `SCOPES` (the message's metadata, not its
text); `grant` and `revoke` change what a user allowed, and the events and OAuth tokens issued
afterwards carry the user's scopes then. The metadata and minimal formats need one of the
per-message scopes, the full and raw formats the read-only one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import re
import secrets
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
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
EXECUTE_SCOPE = "https://www.googleapis.com/auth/gmail.addons.execute"
METADATA_SCOPE = "https://www.googleapis.com/auth/gmail.addons.current.message.metadata"
READONLY_SCOPE = "https://www.googleapis.com/auth/gmail.addons.current.message.readonly"
EMAIL_SCOPE = "https://www.googleapis.com/auth/userinfo.email"
LOCALE_SCOPE = "https://www.googleapis.com/auth/script.locale"
# what a user has allowed at installation: the open message's headers, never its text
SCOPES = (EXECUTE_SCOPE, METADATA_SCOPE, EMAIL_SCOPE, LOCALE_SCOPE)
# what the add-on's manifest lists, so what it may ask for later (granular consent)
MANIFEST_SCOPES = (*SCOPES, READONLY_SCOPE)
# the words of Google's consent screen for each scope
SCOPE_DESCRIPTIONS = {
    EXECUTE_SCOPE: "Run as a Gmail add-on",
    METADATA_SCOPE: "View your email message metadata when the add-on is running",
    READONLY_SCOPE: "View your email messages when the add-on is running",
    EMAIL_SCOPE: "See your primary Google Account email address",
    LOCALE_SCOPE: "View your country, language, and time zone",
}
TIME_ZONE = "Europe/Berlin"  # the demo user's zone, as the events carry it
DEFAULT_DATE = datetime(2026, 1, 1, tzinfo=UTC)
FORMATS = ("minimal", "full", "raw", "metadata")
_MESSAGE_SCOPES = frozenset({METADATA_SCOPE, READONLY_SCOPE})
_HEX_ID = re.compile(r"[0-9a-f]{1,16}")
_SNIPPET_LENGTH = 200
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
    date: datetime
    text: str
    html: str

    @property
    def boundary(self) -> str:
        return _boundary(self.api_id)


@dataclass(frozen=True)
class _Grant:
    """Who an OAuth access token belongs to and the scopes it was issued with."""

    sub: str
    scopes: frozenset[str]


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
        manifest_scopes: Sequence[str] = MANIFEST_SCOPES,
    ) -> None:
        self.service_account = service_account
        self.oauth_client_id = oauth_client_id
        self.manifest_scopes = tuple(manifest_scopes)
        self._clock = clock
        self._keys = [SigningKey.generate(key_id)]
        self._secret = secrets.token_bytes(32)
        self._granted: dict[str, tuple[str, ...]] = {}
        self._oauth_users: dict[str, _Grant] = {}
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

    # --- consent ----------------------------------------------------------------------------

    def scopes(self, sub: str) -> tuple[str, ...]:
        """The scopes the user `sub` has allowed (at first `SCOPES`)."""
        return self._granted.get(sub, SCOPES)

    def grant(self, sub: str, scopes: Iterable[str]) -> tuple[str, ...]:
        """The user allows `scopes` on Google's consent screen; their scopes now.

        ValueError for a scope the manifest does not list (Google would not ask for it).
        """
        asked = list(dict.fromkeys(scopes))
        unlisted = [scope for scope in asked if scope not in self.manifest_scopes]
        if unlisted:
            raise ValueError(f"not in the add-on's manifest: {', '.join(unlisted)}")
        current = self.scopes(sub)
        self._granted[sub] = (*current, *(scope for scope in asked if scope not in current))
        return self._granted[sub]

    def revoke(self, sub: str, scopes: Iterable[str]) -> tuple[str, ...]:
        """The user withdraws `scopes` in their Google Account; their scopes now.

        Tokens issued before keep the scopes they were issued with until they expire, as Google's
        do; the next event carries a token without them.
        """
        dropped = set(scopes)
        self._granted[sub] = tuple(scope for scope in self.scopes(sub) if scope not in dropped)
        return self._granted[sub]

    # --- Gmail ------------------------------------------------------------------------------

    def oauth_token(self, sub: str) -> str:
        """The user's OAuth access token (`userOAuthToken`) for the scopes they allowed now."""
        scopes = frozenset(self.scopes(sub))
        token = "ya29.local-" + self._digest("oauth", f"{sub} {' '.join(sorted(scopes))}")
        self._oauth_users[token] = _Grant(sub, scopes)
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
        date: datetime = DEFAULT_DATE,
        text: str = "",
        html_body: str | None = None,
    ) -> None:
        """Hold a message under its API id (hex, or the add-on's "msg-f:<decimal>" form).

        `date` (timezone-aware) is its `Date` header and `internalDate`; `text` its plain-text
        body (paragraphs apart by a blank line) and `html_body` its HTML part (by default the
        text's paragraphs).
        """
        if date.tzinfo is None:
            raise ValueError("a message's date needs a time zone")
        api_id = api_message_id(message_id)
        fields = (("From", sender), ("To", to), ("Cc", cc), ("Reply-To", reply_to))
        headers = (
            ("MIME-Version", "1.0"),
            ("Date", format_datetime(date)),
            ("Message-ID", f"<{api_id}@mail.gmail.test>"),
            *((name, value) for name, value in fields if value),
            ("Subject", subject),
            ("Content-Type", f'multipart/alternative; boundary="{_boundary(api_id)}"'),
        )
        body = html_body if html_body is not None else _paragraphs_html(text)
        self._messages[api_id] = _Message(api_id, headers, tuple(labels), date, text, body)

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
        grant = self._oauth_users.get((authorization or "").removeprefix("Bearer "))
        if grant is None:
            return _error(401)
        wanted_format = request.query_params.get("format", "full").lower()
        refused = _refused_format(grant, wanted_format)
        if refused is not None:
            return refused
        # a per-message scope opens only the message its token was issued for
        if access_token is None or self._message_tokens.get(access_token) != api_id:
            return _error(403)
        if _HEX_ID.fullmatch(api_id) is None:
            return _error(400)
        message = self._messages.get(api_id)
        if message is None:
            return _error(404)
        wanted = {name.lower() for name in request.query_params.getlist("metadataHeaders")}
        return 200, _message_resource(message, wanted_format, wanted)

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
        time_zone: str = TIME_ZONE,
        audience: str | None = None,
    ) -> dict[str, Any]:
        """The event JSON Google would POST: the homepage when `message_id` is None.

        With `audience`, the body also carries the `systemIdToken` for that URL. The user's
        OAuth token and `authorizedScopes` are those of the scopes the user has allowed now.
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
            "authorizedScopes": list(self.scopes(sub)),
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


def _refused_format(grant: _Grant, wanted_format: str) -> tuple[int, dict[str, Any]] | None:
    if wanted_format not in FORMATS:
        return _error(400, f"Invalid value at 'format' (\"{wanted_format}\")")
    if not grant.scopes & _MESSAGE_SCOPES:
        return _error(403)
    # the metadata scope reads headers only; the text needs the read-only scope
    if wanted_format in {"full", "raw"} and READONLY_SCOPE not in grant.scopes:
        return _forbidden(f"Metadata scope doesn't allow format {wanted_format.upper()}")
    return None


def _message_resource(message: _Message, wanted_format: str, wanted: set[str]) -> dict[str, Any]:
    raw = _raw(message)
    resource: dict[str, Any] = {
        "id": message.api_id,
        "threadId": message.api_id,
        "labelIds": list(message.labels),
        "snippet": _snippet(message.text),
        "sizeEstimate": len(raw),
        "historyId": "1000",
        "internalDate": str(_ms(message.date)),
    }
    if wanted_format == "raw":
        return {**resource, "raw": _base64url(raw)}
    if wanted_format == "minimal":
        return resource
    headers = [
        {"name": name, "value": value}
        for name, value in message.headers
        if wanted_format == "full" or not wanted or name.lower() in wanted
    ]
    payload: dict[str, Any] = {"mimeType": "multipart/alternative", "headers": headers}
    if wanted_format == "full":
        payload = {
            "partId": "",
            **payload,
            "filename": "",
            "body": {"size": 0},
            "parts": [
                _part("0", "text/plain", _crlf(message.text)),
                _part("1", "text/html", _crlf(message.html)),
            ],
        }
    return {**resource, "payload": payload}


def _boundary(api_id: str) -> str:
    return f"000000000000cardin{api_id}"


def _part(part_id: str, mime_type: str, content: str) -> dict[str, Any]:
    data = content.encode()
    return {
        "partId": part_id,
        "mimeType": mime_type,
        "filename": "",
        "headers": [
            {"name": "Content-Type", "value": f'{mime_type}; charset="UTF-8"'},
            {"name": "Content-Transfer-Encoding", "value": "quoted-printable"},
        ],
        "body": {"size": len(data), "data": _base64url(data)},
    }


def _raw(message: _Message) -> bytes:
    mime = EmailMessage(policy=SMTP)
    for name, value in message.headers:
        if name not in {"MIME-Version", "Content-Type"}:
            mime[name] = value
    mime.set_content(message.text or "\n")
    mime.add_alternative(message.html, subtype="html")
    mime.set_boundary(message.boundary)
    return mime.as_bytes()


def _paragraphs_html(text: str) -> str:
    paragraphs = [part.strip() for part in re.split(r"\n\s*\n", text) if part.strip()]
    inner = "".join(f"<p>{html.escape(part)}</p>".replace("\n", "<br>") for part in paragraphs)
    return f'<div dir="ltr">{inner}</div>'


def _snippet(text: str) -> str:
    # Gmail's snippet: the start of the text on one line, HTML-escaped
    flat = " ".join(text.split())[:_SNIPPET_LENGTH]
    return html.escape(flat).replace("&#x27;", "&#39;")


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def _base64url(data: bytes) -> str:
    # Gmail's body.data and raw: URL-safe base64, padded
    return base64.urlsafe_b64encode(data).decode()


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _error(status: int, message: str | None = None) -> tuple[int, dict[str, Any]]:
    default, code = _ERRORS[status]
    return status, {"error": {"code": status, "message": message or default, "status": code}}


def _forbidden(message: str) -> tuple[int, dict[str, Any]]:
    # as Gmail words a format the token's scope does not allow
    status, body = _error(403, message)
    body["error"]["errors"] = [{"message": message, "domain": "global", "reason": "forbidden"}]
    return status, body


def _offset_ms(time_zone: str, now: float) -> int:
    try:
        offset = datetime.fromtimestamp(now, ZoneInfo(time_zone)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return 0
    return int(offset.total_seconds() * 1000) if offset is not None else 0
