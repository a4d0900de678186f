"""Google's requests: the system ID token, the user's ID token, and Google's certificates."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from cardin.addon import auth
from cardin.addon.auth import (
    AuthError,
    CertificatesUnavailable,
    GoogleCertificates,
    GoogleUser,
    RequestVerifier,
    max_age,
)
from cardin.preview.google import LocalGoogle

from .google_fixtures import (
    AUDIENCE,
    CERTS_URL,
    USER_EMAIL,
    USER_SUB,
    FakeClock,
    google_client,
    unsigned_token,
    valid_claims,
)


@pytest.fixture
def google() -> LocalGoogle:
    return LocalGoogle()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def google_http(google: LocalGoogle) -> AsyncIterator[httpx.AsyncClient]:
    async with google_client(google) as client:
        yield client


@pytest.fixture
def certs(google_http: httpx.AsyncClient, clock: FakeClock) -> GoogleCertificates:
    return GoogleCertificates(google_http, CERTS_URL, clock=clock)


@pytest.fixture
def verifier(google: LocalGoogle, certs: GoogleCertificates, clock: FakeClock) -> RequestVerifier:
    return RequestVerifier(
        certs,
        service_account=google.service_account,
        oauth_client_id=google.oauth_client_id,
        clock=clock,
    )


async def _rejected(verifier: RequestVerifier, authorization: str | None) -> str:
    with pytest.raises(AuthError) as caught:
        await verifier.verify_request(authorization, AUDIENCE)
    message = str(caught.value)
    token = (authorization or "").removeprefix("Bearer ").strip()
    if len(token) > 8:
        assert token not in message
    return message


async def _unavailable(verifier: RequestVerifier, authorization: str) -> str:
    with pytest.raises(CertificatesUnavailable) as caught:
        await verifier.verify_request(authorization, AUDIENCE)
    return str(caught.value)


# --- the system ID token -----------------------------------------------------------------------


async def test_a_good_system_token_is_accepted(
    google: LocalGoogle, verifier: RequestVerifier
) -> None:
    claims = await verifier.verify_request(google.authorization(AUDIENCE), AUDIENCE)
    assert claims["aud"] == AUDIENCE
    assert claims["email"] == google.service_account


async def test_the_audience_is_the_exact_url_called(
    google: LocalGoogle, verifier: RequestVerifier
) -> None:
    url = "https://cardin.test/addon/action?op=save_note"
    await verifier.verify_request(google.authorization(url), url)
    message = await _rejected(verifier, google.authorization(url + "&x=1"))
    assert message == "wrong audience"


async def test_the_scheme_is_case_insensitive_and_spaces_are_tolerated(
    google: LocalGoogle, verifier: RequestVerifier
) -> None:
    token = google.system_token(AUDIENCE)
    await verifier.verify_request(f"  bearer {token} ", AUDIENCE)


async def test_the_short_issuer_is_accepted(google: LocalGoogle, verifier: RequestVerifier) -> None:
    token = google.system_token(AUDIENCE, iss="accounts.google.com")
    await verifier.verify_request(f"Bearer {token}", AUDIENCE)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.mark.parametrize("authorization", [None, "", "Bearer", "Bearer   ", "Basic dXNlcjpwYXNz"])
async def test_a_missing_bearer_token_is_refused(
    verifier: RequestVerifier, authorization: str | None
) -> None:
    assert await _rejected(verifier, authorization) == "missing bearer token"


@pytest.mark.parametrize(
    "token",
    [
        "not-a-jwt",
        "a.b.c",
        "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln",
        "eyJhbGciOiJSUzI1NiIsImtpZCI6ImxvY2FsLTEifQ.WzFd.c2ln",
        "x" * 20_000,
        # a header nested deeper than the JSON parser recurses
        _b64(b"[" * 5000 + b"]" * 5000) + ".e30.c2ln",
    ],
)
async def test_garbage_is_refused_without_quoting_it(verifier: RequestVerifier, token: str) -> None:
    message = await _rejected(verifier, f"Bearer {token}")
    assert message in {"malformed token", "token too long"}


async def test_an_unsigned_token_is_refused(google: LocalGoogle, verifier: RequestVerifier) -> None:
    token = unsigned_token(valid_claims(google))
    assert await _rejected(verifier, f"Bearer {token}") == "token not signed with RS256"


async def test_an_hmac_token_is_refused(google: LocalGoogle, verifier: RequestVerifier) -> None:
    token = unsigned_token(valid_claims(google), alg="HS256") + "c2lnbmF0dXJl"
    assert await _rejected(verifier, f"Bearer {token}") == "token not signed with RS256"


async def test_a_token_without_key_id_is_refused(verifier: RequestVerifier) -> None:
    token = unsigned_token({"iss": "x"}, alg="RS256", kid="") + "c2ln"
    assert await _rejected(verifier, f"Bearer {token}") == "token names no signing key"


async def test_a_token_signed_with_another_key_is_refused(
    google: LocalGoogle, verifier: RequestVerifier
) -> None:
    forger = LocalGoogle(service_account=google.service_account)  # same key id, other key
    token = forger.system_token(AUDIENCE)
    assert await _rejected(verifier, f"Bearer {token}") == "bad signature"


async def test_a_token_signed_with_an_unknown_key_is_refused(
    google: LocalGoogle, verifier: RequestVerifier
) -> None:
    forger = LocalGoogle(service_account=google.service_account, key_id="forged")
    token = forger.system_token(AUDIENCE)
    assert await _rejected(verifier, f"Bearer {token}") == "token signed with an unknown key"


async def test_a_token_whose_payload_was_changed_is_refused(
    google: LocalGoogle, verifier: RequestVerifier
) -> None:
    header, _, signature = google.system_token("https://other.test/").split(".")
    payload = unsigned_token(valid_claims(google)).split(".")[1]
    token = f"{header}.{payload}.{signature}"
    assert await _rejected(verifier, f"Bearer {token}") == "bad signature"


NOW = int(time.time())


@pytest.mark.parametrize(
    ("overrides", "failure"),
    [
        ({"iat": NOW - 1000, "exp": NOW - 600}, "token expired"),
        ({"iat": NOW + 3600, "exp": NOW + 4000}, "token issued in the future"),
        ({"nbf": NOW + 3600}, "token not valid yet"),
        ({"nbf": "soon"}, "token not valid yet"),
        ({"aud": "https://cardin.test/addon/homepage"}, "wrong audience"),
        ({"iss": "https://evil.example"}, "wrong issuer"),
        ({"iss": None}, "wrong issuer"),
        ({"email": "someone@gcp-sa-gsuiteaddons.iam.gserviceaccount.com"}, "service account"),
        ({"email": None}, "service account"),
        ({"email_verified": False}, "not verified"),
        ({"email_verified": None}, "not verified"),
        ({"exp": None}, "token lacks iat or exp"),
    ],
)
async def test_a_forged_claim_is_refused(
    google: LocalGoogle, verifier: RequestVerifier, overrides: dict[str, Any], failure: str
) -> None:
    token = google.system_token(AUDIENCE, **overrides)
    assert failure in await _rejected(verifier, f"Bearer {token}")


async def test_a_token_expired_by_the_injected_clock_is_refused(
    google: LocalGoogle, verifier: RequestVerifier, clock: FakeClock
) -> None:
    token = google.system_token(AUDIENCE, expires_in=300)
    clock.advance(300 + 11)
    clock_bound = await _rejected(verifier, f"Bearer {token}")
    assert clock_bound == "token expired"


async def test_clock_skew_is_tolerated(google: LocalGoogle, verifier: RequestVerifier) -> None:
    now = int(time.time())
    token = google.system_token(AUDIENCE, iat=now + 5, exp=now - 5 + 300)
    await verifier.verify_request(f"Bearer {token}", AUDIENCE)


async def test_the_user_token_is_no_system_token(
    google: LocalGoogle, verifier: RequestVerifier
) -> None:
    token = google.user_token(USER_SUB, USER_EMAIL)
    assert await _rejected(verifier, f"Bearer {token}") == "wrong audience"


async def test_a_service_account_email_differing_in_case_is_accepted(
    google: LocalGoogle, verifier: RequestVerifier
) -> None:
    token = google.system_token(AUDIENCE, email=google.service_account.upper())
    await verifier.verify_request(f"Bearer {token}", AUDIENCE)


# --- the user's ID token -----------------------------------------------------------------------


async def test_the_user_token_gives_sub_and_email(
    google: LocalGoogle, verifier: RequestVerifier
) -> None:
    user = await verifier.verify_user(google.user_token(USER_SUB, USER_EMAIL))
    assert user == GoogleUser(sub=USER_SUB, email=USER_EMAIL)


async def test_the_email_needs_its_scope_and_verification(
    google: LocalGoogle, verifier: RequestVerifier
) -> None:
    without_scope = google.user_token(USER_SUB, None)
    unverified = google.user_token(USER_SUB, USER_EMAIL, email_verified=False)
    assert await verifier.verify_user(without_scope) == GoogleUser(USER_SUB, None)
    assert await verifier.verify_user(unverified) == GoogleUser(USER_SUB, None)


@pytest.mark.parametrize(
    ("overrides", "failure"),
    [
        ({"aud": "someone-else.apps.googleusercontent.com"}, "wrong audience"),
        ({"iss": "https://login.example"}, "wrong issuer"),
        ({"exp": int(time.time()) - 100}, "token expired"),
        ({"nbf": int(time.time()) + 600}, "token not valid yet"),
    ],
)
async def test_a_forged_user_token_is_refused(
    google: LocalGoogle, verifier: RequestVerifier, overrides: dict[str, Any], failure: str
) -> None:
    with pytest.raises(AuthError, match=failure):
        await verifier.verify_user(google.user_token(USER_SUB, USER_EMAIL, **overrides))


@pytest.mark.parametrize("sub", [None, "", 1234])
async def test_a_user_token_without_subject_is_refused(
    google: LocalGoogle, verifier: RequestVerifier, sub: object
) -> None:
    claims = {**valid_claims(google, google.oauth_client_id), "sub": sub}
    with pytest.raises(AuthError, match="user ID token has no subject"):
        await verifier.verify_user(google.sign({k: v for k, v in claims.items() if v is not None}))


@pytest.mark.parametrize("token", [None, ""])
async def test_a_missing_user_token_is_refused(
    verifier: RequestVerifier, token: str | None
) -> None:
    with pytest.raises(AuthError, match="missing user ID token"):
        await verifier.verify_user(token)


async def test_a_system_token_is_no_user_token(
    google: LocalGoogle, verifier: RequestVerifier
) -> None:
    with pytest.raises(AuthError, match="wrong audience"):
        await verifier.verify_user(google.system_token(AUDIENCE))


async def test_a_user_token_of_another_signer_is_refused(verifier: RequestVerifier) -> None:
    forger = LocalGoogle()
    with pytest.raises(AuthError, match="bad signature"):
        await verifier.verify_user(forger.user_token(USER_SUB, USER_EMAIL))


# --- Google's certificates ---------------------------------------------------------------------


async def test_the_certificates_are_fetched_once_for_many_verifications(
    google: LocalGoogle, verifier: RequestVerifier
) -> None:
    for _ in range(5):
        await verifier.verify_request(google.authorization(AUDIENCE), AUDIENCE)
        await verifier.verify_user(google.user_token(USER_SUB, USER_EMAIL))
    assert google.cert_fetches == 1


async def test_concurrent_first_verifications_share_one_fetch(
    google: LocalGoogle, verifier: RequestVerifier
) -> None:
    token = google.authorization(AUDIENCE)
    await asyncio.gather(*(verifier.verify_request(token, AUDIENCE) for _ in range(20)))
    assert google.cert_fetches == 1


async def test_the_certificates_are_refetched_after_their_max_age(
    google: LocalGoogle, verifier: RequestVerifier, clock: FakeClock
) -> None:
    google.cert_max_age = 600
    token = f"Bearer {google.system_token(AUDIENCE, expires_in=3600)}"
    await verifier.verify_request(token, AUDIENCE)
    clock.advance(599)
    await verifier.verify_request(token, AUDIENCE)
    assert google.cert_fetches == 1
    clock.advance(1)
    await verifier.verify_request(token, AUDIENCE)
    assert google.cert_fetches == 2


async def test_a_rotated_key_is_fetched_when_it_first_signs(
    google: LocalGoogle, verifier: RequestVerifier, clock: FakeClock
) -> None:
    await verifier.verify_request(google.authorization(AUDIENCE), AUDIENCE)
    clock.advance(60)
    google.rotate_key("local-2")
    claims = await verifier.verify_request(google.authorization(AUDIENCE), AUDIENCE)
    assert claims["aud"] == AUDIENCE
    assert google.cert_fetches == 2


async def test_each_certificate_is_parsed_once_until_the_set_changes(
    google: LocalGoogle,
    verifier: RequestVerifier,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parsed: list[str] = []
    parse = auth._rsa_key

    def counting(pem: str) -> rsa.RSAPublicKey:
        parsed.append(pem)
        return parse(pem)

    monkeypatch.setattr(auth, "_rsa_key", counting)
    google.cert_max_age = 600
    old = f"Bearer {google.system_token(AUDIENCE, expires_in=3600)}"
    for _ in range(5):
        await verifier.verify_request(old, AUDIENCE)
    assert len(parsed) == 1
    clock.advance(600)  # refetched, the same certificates: nothing to parse again
    await verifier.verify_request(old, AUDIENCE)
    assert (google.cert_fetches, len(parsed)) == (2, 1)
    clock.advance(60)
    google.rotate_key("local-2")
    new = f"Bearer {google.system_token(AUDIENCE, expires_in=3600)}"
    for _ in range(3):
        await verifier.verify_request(new, AUDIENCE)
        await verifier.verify_request(old, AUDIENCE)
    assert google.cert_fetches == 3
    assert len(parsed) == 3  # the new set: each of its two keys once
    assert len(set(parsed)) == 2


async def test_a_certificate_replaced_under_its_key_id_is_parsed_anew(
    google: LocalGoogle, clock: FakeClock
) -> None:
    forger = LocalGoogle(service_account=google.service_account)  # same key id, other key
    served = [google, forger]

    def certs(_request: httpx.Request) -> httpx.Response:
        body = {"local-1": served[0]._keys[0].certificate}
        return httpx.Response(200, json=body, headers={"cache-control": "max-age=60"})

    verifier = RequestVerifier(
        _certs_behind(httpx.MockTransport(certs), clock),
        service_account=google.service_account,
        oauth_client_id=google.oauth_client_id,
    )
    await verifier.verify_request(google.authorization(AUDIENCE), AUDIENCE)
    served.pop(0)
    clock.advance(60)
    await verifier.verify_request(forger.authorization(AUDIENCE), AUDIENCE)
    assert await _rejected(verifier, google.authorization(AUDIENCE)) == "bad signature"


async def test_unknown_key_ids_cannot_make_every_request_fetch(
    google: LocalGoogle, verifier: RequestVerifier, clock: FakeClock
) -> None:
    await verifier.verify_request(google.authorization(AUDIENCE), AUDIENCE)
    clock.advance(60)
    forger = LocalGoogle(service_account=google.service_account, key_id="forged")
    for _ in range(5):
        await _rejected(verifier, forger.authorization(AUDIENCE))
    assert google.cert_fetches == 2


async def test_certificates_that_are_down_refuse_the_request_and_recover(
    google: LocalGoogle, verifier: RequestVerifier, clock: FakeClock
) -> None:
    google.certs_available = False
    assert "503" in await _unavailable(verifier, google.authorization(AUDIENCE))
    google.certs_available = True
    clock.advance(5)
    await verifier.verify_request(google.authorization(AUDIENCE), AUDIENCE)
    assert google.cert_fetches == 2


async def test_after_a_failed_fetch_requests_fail_fast_for_a_moment(
    google: LocalGoogle, verifier: RequestVerifier, clock: FakeClock
) -> None:
    google.certs_available = False
    for _ in range(5):
        assert "503" in await _unavailable(verifier, google.authorization(AUDIENCE))
    assert google.cert_fetches == 1
    clock.advance(4.9)
    await _unavailable(verifier, google.authorization(AUDIENCE))
    assert google.cert_fetches == 1
    clock.advance(0.1)
    await _unavailable(verifier, google.authorization(AUDIENCE))
    assert google.cert_fetches == 2


async def test_a_failed_refresh_falls_back_to_the_known_keys_only(
    google: LocalGoogle, verifier: RequestVerifier, clock: FakeClock
) -> None:
    token = f"Bearer {google.system_token(AUDIENCE, expires_in=7200)}"
    await verifier.verify_request(token, AUDIENCE)
    google.certs_available = False
    clock.advance(3600)
    # Google is away after the copy expired: a key it had is still good...
    claims = await verifier.verify_request(token, AUDIENCE)
    assert claims["aud"] == AUDIENCE
    assert google.cert_fetches == 2
    # ...but a key it never had is not.
    google.rotate_key("local-2")
    clock.advance(60)
    assert "503" in await _unavailable(verifier, google.authorization(AUDIENCE))


def _certs_behind(handler: httpx.MockTransport, clock: FakeClock) -> GoogleCertificates:
    return GoogleCertificates(
        httpx.AsyncClient(transport=handler), CERTS_URL, clock=clock, timeout=0.05
    )


def _refuse(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def _time_out(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("timed out", request=request)


async def _hang(request: httpx.Request) -> httpx.Response:
    await asyncio.sleep(5)
    return httpx.Response(200, json={})


@pytest.mark.parametrize(
    ("handler", "failure"),
    [
        (_refuse, "cannot fetch Google's certificates (ConnectError)"),
        (_time_out, "did not arrive within 0.05 s"),
        (_hang, "did not arrive within 0.05 s"),
        (lambda _: httpx.Response(200, text="<html>"), "not JSON"),
        (lambda _: httpx.Response(200, json=["pem"]), "not a map"),
        (lambda _: httpx.Response(200, json={}), "not a map"),
        (lambda _: httpx.Response(200, json={"k": 1}), "not a map"),
        (lambda _: httpx.Response(500), "HTTP 500"),
    ],
)
async def test_a_failed_certificate_fetch_is_our_outage_not_a_forgery(
    google: LocalGoogle, clock: FakeClock, handler: Any, failure: str
) -> None:
    certs = _certs_behind(httpx.MockTransport(handler), clock)
    verifier = RequestVerifier(
        certs, service_account=google.service_account, oauth_client_id=google.oauth_client_id
    )
    with pytest.raises(
        CertificatesUnavailable, match=failure.replace("(", r"\(").replace(")", r"\)")
    ):
        await verifier.verify_request(google.authorization(AUDIENCE), AUDIENCE)


async def test_a_malformed_certificate_is_an_auth_error(
    google: LocalGoogle, clock: FakeClock
) -> None:
    transport = httpx.MockTransport(lambda _: httpx.Response(200, json={"local-1": "not a PEM"}))
    verifier = RequestVerifier(
        _certs_behind(transport, clock),
        service_account=google.service_account,
        oauth_client_id=google.oauth_client_id,
    )
    with pytest.raises(AuthError, match="invalid token"):
        await verifier.verify_request(google.authorization(AUDIENCE), AUDIENCE)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, 3600),
        ("public, max-age=21447, must-revalidate, no-transform", 21447),
        ("max-age=0", 0),
        ("MAX-AGE = 120", 120),
        ('max-age="30"', 30),
        ("public", 3600),
        ("no-store", 0),
        ("private, no-cache", 0),
        ("s-maxage=99", 3600),
        ("max-age=99999999", 86400),
    ],
)
def test_max_age_reads_cache_control(header: str | None, seconds: float) -> None:
    assert max_age(header) == seconds
