"""Verifies that a request comes from Google: the ID token of the call and the user's ID token.

The RS256 signature is checked (with `cryptography`) against Google's certificates, which
`GoogleCertificates` fetches with the shared httpx client, caches as Google's `Cache-Control`
allows and parses once per certificate set (google-auth's `jwt.decode` parsed the PEM on every
call); audience, issuer and times are checked here, as google-auth's
`id_token.verify_oauth2_token` does. There
is deliberately no switch that turns any of this off.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

GOOGLE_ISSUERS = frozenset({"accounts.google.com", "https://accounts.google.com"})
DEFAULT_MAX_AGE = 3600.0
MAX_MAX_AGE = 86400.0
MAX_TOKEN_LENGTH = 16 * 1024
FAILED_FETCH_PAUSE = 5.0
_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)", re.IGNORECASE)
_CERTIFICATE_MARKER = b"-----BEGIN CERTIFICATE-----"


class AuthError(Exception):
    """A request is not proven to come from Google; the message says what failed, not the token."""


class CertificatesUnavailable(Exception):
    """Google's certificates could not be fetched: our outage (503), not a forged request (401)."""


@dataclass(frozen=True)
class GoogleUser:
    """The Google user a request is made for: `sub` is stable, `email` only with its scope."""

    sub: str
    email: str | None


class GoogleCertificates:
    """Google's signing certificates ({kid: PEM}), fetched with a timeout and cached."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        certs_url: str,
        *,
        clock: Callable[[], float] = time.time,
        timeout: float = 5.0,
        min_refetch_interval: float = 30.0,
    ) -> None:
        self._http = http
        self._url = certs_url
        self._clock = clock
        self._timeout = timeout
        # an unknown kid triggers at most one refetch per interval, so forged kids cannot
        # make every request hit Google
        self._min_refetch_interval = min_refetch_interval
        self._certs: dict[str, str] = {}
        # the public keys parsed from `_certs`, by kid; emptied when the certificates change
        self._keys: dict[str, rsa.RSAPublicKey] = {}
        self._fetched_at: float | None = None
        self._expires_at = 0.0
        # after a failed fetch, requests fail fast for a moment instead of queueing for timeouts
        self._failure: tuple[float, str] | None = None
        self._lock = asyncio.Lock()

    async def certificate(self, key_id: str) -> str:
        """The PEM certificate of `key_id`; refetches when the cache is stale or lacks the kid."""
        async with self._lock:
            stale = self._clock() >= self._expires_at
            if stale or (key_id not in self._certs and self._may_refetch()):
                try:
                    await self._refresh()
                except CertificatesUnavailable:
                    # Google rotates keys slowly: an expired copy that has the key still proves
                    # the signature better than refusing every request while Google is away.
                    if key_id not in self._certs:
                        raise
            try:
                return self._certs[key_id]
            except KeyError:
                raise AuthError("token signed with an unknown key") from None

    async def public_key(self, key_id: str) -> rsa.RSAPublicKey:
        """The RSA public key of `key_id`'s certificate, parsed once per certificate set.

        AuthError when the kid is unknown or its certificate holds no RSA key.
        """
        certificate = await self.certificate(key_id)
        key = self._keys.get(key_id)
        if key is None:
            key = self._keys[key_id] = _rsa_key(certificate)
        return key

    def _may_refetch(self) -> bool:
        fetched_at = self._fetched_at
        return fetched_at is None or self._clock() - fetched_at >= self._min_refetch_interval

    async def _refresh(self) -> None:
        if self._failure is not None and self._clock() - self._failure[0] < FAILED_FETCH_PAUSE:
            raise CertificatesUnavailable(self._failure[1])
        try:
            response = await self._fetch()
            certs = _cert_map(response)
        except CertificatesUnavailable as exc:
            self._failure = (self._clock(), str(exc))
            raise
        now = self._clock()
        if certs != self._certs:
            self._keys = {}
        self._certs, self._fetched_at, self._failure = certs, now, None
        self._expires_at = now + max_age(response.headers.get("cache-control"))

    async def _fetch(self) -> httpx.Response:
        try:
            async with asyncio.timeout(self._timeout):
                response = await self._http.get(self._url, timeout=self._timeout)
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise CertificatesUnavailable(
                f"Google's certificates did not arrive within {self._timeout:g} s"
            ) from exc
        except httpx.HTTPError as exc:
            raise CertificatesUnavailable(
                f"cannot fetch Google's certificates ({type(exc).__name__})"
            ) from exc
        if response.status_code != 200:  # noqa: PLR2004 - only a full answer carries the certs
            raise CertificatesUnavailable(
                f"Google's certificates answered HTTP {response.status_code}"
            )
        return response


def _rsa_key(pem: str) -> rsa.RSAPublicKey:
    """The RSA public key of a PEM certificate (or of a PEM public key)."""
    data = pem.encode()
    key: object
    try:
        if _CERTIFICATE_MARKER in data:
            key = x509.load_pem_x509_certificate(data).public_key()
        else:
            key = serialization.load_pem_public_key(data)
    except ValueError as exc:
        raise AuthError(f"invalid token ({type(exc).__name__}: unreadable certificate)") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise AuthError("invalid token (the signing certificate holds no RSA key)")
    return key


def _cert_map(response: httpx.Response) -> dict[str, str]:
    try:
        body = response.json()
    except ValueError as exc:
        raise CertificatesUnavailable("Google's certificates are not JSON") from exc
    if not isinstance(body, dict) or not body:
        raise CertificatesUnavailable("Google's certificates are not a map of key ids to PEM texts")
    certs = {k: v for k, v in body.items() if isinstance(k, str) and isinstance(v, str)}
    if len(certs) != len(body):
        raise CertificatesUnavailable("Google's certificates are not a map of key ids to PEM texts")
    return certs


def max_age(cache_control: str | None) -> float:
    """Seconds to cache a reply by its Cache-Control header: max-age, else 1 h; at most a day."""
    if cache_control is None:
        return DEFAULT_MAX_AGE
    if "no-store" in cache_control.lower() or "no-cache" in cache_control.lower():
        return 0.0
    found = _MAX_AGE.search(cache_control)
    if found is None:
        return DEFAULT_MAX_AGE
    return min(float(found.group(1)), MAX_MAX_AGE)


class RequestVerifier:
    """Checks the ID tokens Google sends with each add-on request."""

    def __init__(
        self,
        certs: GoogleCertificates,
        *,
        service_account: str,
        oauth_client_id: str,
        clock: Callable[[], float] = time.time,
        clock_skew: int = 10,
    ) -> None:
        self._certs = certs
        self._service_account = service_account.casefold()
        self._oauth_client_id = oauth_client_id
        self._clock = clock
        self._clock_skew = clock_skew

    async def verify_request(self, authorization: str | None, audience: str) -> dict[str, Any]:
        """The claims of the `Authorization: Bearer` token Google signed for calling `audience`."""
        claims = await self._verify(_bearer_token(authorization), audience)
        email = claims.get("email")
        if not isinstance(email, str) or email.casefold() != self._service_account:
            raise AuthError("token not issued to the add-on's service account")
        if claims.get("email_verified") not in (True, "true"):
            raise AuthError("service account email not verified")
        return claims

    async def verify_user(self, user_id_token: str | None) -> GoogleUser:
        """The user of a `userIdToken` issued for the add-on's OAuth client."""
        if not user_id_token:
            raise AuthError("missing user ID token")
        claims = await self._verify(user_id_token, self._oauth_client_id)
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub:
            raise AuthError("user ID token has no subject")
        email = claims.get("email")
        verified = claims.get("email_verified") in (True, "true")
        return GoogleUser(sub=sub, email=email if isinstance(email, str) and verified else None)

    async def _verify(self, token: str, audience: str) -> dict[str, Any]:
        parsed = _parsed(token)
        _verify_signature(parsed, await self._certs.public_key(_key_id(parsed)))
        claims = parsed.claims
        if claims.get("aud") != audience:
            raise AuthError("wrong audience")
        return self._checked(claims)

    def _checked(self, claims: dict[str, Any]) -> dict[str, Any]:
        if claims.get("iss") not in GOOGLE_ISSUERS:
            raise AuthError("wrong issuer")
        now = self._clock()
        exp, iat = _number(claims.get("exp")), _number(claims.get("iat"))
        if exp is None or iat is None:
            raise AuthError("token lacks iat or exp")
        if exp + self._clock_skew < now:
            raise AuthError("token expired")
        if iat - self._clock_skew > now:
            raise AuthError("token issued in the future")
        # google-auth ignores `nbf`; Google's tokens carry none, so one in the future is forged
        nbf = claims.get("nbf")
        if nbf is not None and (_number(nbf) is None or float(nbf) - self._clock_skew > now):
            raise AuthError("token not valid yet")
        return claims


def _bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise AuthError("missing bearer token")
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("missing bearer token")
    return token.strip()


@dataclass(frozen=True)
class _Token:
    """A compact JWS taken apart, its signature not checked yet."""

    header: object
    claims: dict[str, Any]
    signed: bytes
    signature: bytes


def _parsed(token: str) -> _Token:
    """Header, claims, signed part and signature; AuthError("malformed token") when the token
    is not three base64url segments of which the first two are JSON objects."""
    if len(token) > MAX_TOKEN_LENGTH:
        raise AuthError("token too long")
    segments = token.split(".")
    if len(segments) != 3:  # noqa: PLR2004 - header, payload, signature
        raise AuthError("malformed token")
    header, payload, signature = segments
    try:
        parsed = _Token(
            json.loads(_base64url(header)),
            json.loads(_base64url(payload)),
            f"{header}.{payload}".encode("ascii"),
            _base64url(signature),
        )
    except (ValueError, binascii.Error, RecursionError):  # RecursionError: JSON nested deep
        raise AuthError("malformed token") from None
    if not isinstance(parsed.claims, dict):
        raise AuthError("malformed token")
    return parsed


def _key_id(token: _Token) -> str:
    header = token.header
    if not isinstance(header, Mapping) or header.get("alg") != "RS256":
        raise AuthError("token not signed with RS256")
    key_id = header.get("kid")
    if not isinstance(key_id, str) or not key_id:
        raise AuthError("token names no signing key")
    return key_id


def _verify_signature(token: _Token, key: rsa.RSAPublicKey) -> None:
    """RS256 (RFC 7518): PKCS #1 v1.5 with SHA-256 over the signed part."""
    try:
        key.verify(token.signature, token.signed, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise AuthError("bad signature") from None


def _base64url(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
