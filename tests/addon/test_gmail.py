"""The Gmail API client: message ids, the request as Google documents it, and every failure."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from cardin.addon.gmail import (
    READONLY_SCOPE,
    GmailAccessDenied,
    GmailBadReply,
    GmailClient,
    GmailError,
    GmailNotFound,
    GmailUnavailable,
    MessageHeaders,
    api_message_id,
    dump_headers,
    headers_key,
    load_headers,
)
from cardin.cache import MemoryCache
from cardin.preview.google import LocalGoogle

from .google_fixtures import GOOGLE_URL, USER_SUB, google_client

MESSAGE = "msg-f:1659728385805497086"
API_ID = "17088a2c5b91b2fe"
OTHER_API_ID = "17088a2c5b91b2ff"


@pytest.fixture
def google() -> LocalGoogle:
    google = LocalGoogle()
    google.add_message(
        API_ID,
        sender='"Lovelace, Ada" <ada@analytical.example>',
        to="Sam <sam@acme.example>",
        cc="=?utf-8?q?J=C3=B6rg?= <joerg@partner.example>",
        subject="Quote for Q3",
        labels=["INBOX", "IMPORTANT"],
        reply_to="sales@analytical.example",
    )
    google.add_message(OTHER_API_ID, sender="x@y.example")
    return google


@pytest.fixture
async def gmail(google: LocalGoogle) -> AsyncIterator[GmailClient]:
    async with google_client(google) as http:
        yield GmailClient(http, GOOGLE_URL)


def _gmail_behind(handler: Callable[[httpx.Request], Any], timeout: float = 5.0) -> GmailClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return GmailClient(http, "https://gmail.test", timeout=timeout)


async def _read(gmail: GmailClient, google: LocalGoogle, message_id: str = MESSAGE) -> Any:
    return await gmail.message_headers(
        message_id,
        oauth_token=google.oauth_token(USER_SUB),
        access_token=google.message_token(message_id),
    )


# --- message ids -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "api_id"),
    [
        (MESSAGE, API_ID),
        ("msg-a:1659728385805497086", API_ID),
        ("msg-f:1", "1"),
        ("msg-f:18446744073709551615", "ffffffffffffffff"),
        (API_ID, API_ID),
        ("FFEE01", "FFEE01"),
    ],
)
def test_add_on_message_ids_become_api_ids(raw: str, api_id: str) -> None:
    assert api_message_id(raw) == api_id


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "msg-f:",
        "msg-f:abc",
        "msg-f:-1",
        "msg-f:0",
        "msg-f:18446744073709551616",
        "msg-f:1 ",
        "msg-x:1",
        "thread-f:1659728385805497086",
        "../../users/me/profile",
        "a b",
        "x" * 129,
    ],
)
def test_anything_else_is_no_message_id(raw: str) -> None:
    with pytest.raises(ValueError, match="message id"):
        api_message_id(raw)


# --- reading the headers -----------------------------------------------------------------------


async def test_the_headers_and_labels_of_the_open_message(
    gmail: GmailClient, google: LocalGoogle
) -> None:
    headers = await _read(gmail, google)
    assert headers == MessageHeaders(
        sender='"Lovelace, Ada" <ada@analytical.example>',
        to="Sam <sam@acme.example>",
        cc="=?utf-8?q?J=C3=B6rg?= <joerg@partner.example>",
        reply_to="sales@analytical.example",
        subject="Quote for Q3",
        label_ids=("INBOX", "IMPORTANT"),
        date=headers.date,
        received=headers.received,
        api_id=API_ID,
    )
    assert not headers.is_sent


async def test_the_request_is_the_documented_one(gmail: GmailClient, google: LocalGoogle) -> None:
    await _read(gmail, google)
    [call] = google.gmail_calls
    assert call.message_id == API_ID
    assert call.query == (
        ("format", "metadata"),
        ("metadataHeaders", "From"),
        ("metadataHeaders", "To"),
        ("metadataHeaders", "Cc"),
        ("metadataHeaders", "Reply-To"),
        ("metadataHeaders", "Subject"),
        ("metadataHeaders", "Date"),
    )
    assert call.authorization == f"Bearer {google.oauth_token(USER_SUB)}"
    assert call.access_token == google.message_token(MESSAGE)


async def test_a_sent_message_says_so(gmail: GmailClient, google: LocalGoogle) -> None:
    google.add_message(API_ID, sender="sam@acme.example", to="ada@x.example", labels=["SENT"])
    headers = await _read(gmail, google)
    assert headers.is_sent
    assert headers.cc is None
    assert headers.subject == ""


async def test_without_a_message_token_the_header_is_not_sent() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": API_ID, "payload": {"headers": []}})

    headers = await _gmail_behind(handler).message_headers(
        API_ID, oauth_token="ya29.x", access_token=None
    )
    assert headers == MessageHeaders(None, None, None, None, None, (), api_id=API_ID)
    assert "x-goog-gmail-access-token" not in seen[0].headers
    assert seen[0].headers["authorization"] == "Bearer ya29.x"


async def test_header_names_are_case_insensitive_and_repeated_recipients_add_up() -> None:
    reply = {
        "id": API_ID,
        "labelIds": ["SENT"],
        "payload": {
            "headers": [
                {"name": "from", "value": "a@x.example"},
                {"name": "FROM", "value": "b@x.example"},
                {"name": "TO", "value": "c@y.example"},
                {"name": "To", "value": "d@y.example"},
                {"name": "X-Other", "value": "ignored"},
            ]
        },
    }
    gmail = _gmail_behind(lambda _: httpx.Response(200, json=reply))
    headers = await gmail.message_headers(API_ID, oauth_token="t", access_token="m")
    assert headers.sender == "a@x.example"
    assert headers.to == "c@y.example, d@y.example"
    assert headers.is_sent


# --- failures ----------------------------------------------------------------------------------


async def test_a_wrong_oauth_token_is_access_denied(
    gmail: GmailClient, google: LocalGoogle
) -> None:
    secret = "ya29.not-issued-by-google"
    with pytest.raises(GmailAccessDenied) as caught:
        await gmail.message_headers(
            MESSAGE, oauth_token=secret, access_token=google.message_token(MESSAGE)
        )
    assert caught.value.status == 401
    assert secret not in str(caught.value)
    assert "invalid authentication credentials" in str(caught.value)


@pytest.mark.parametrize("access_token", [None, "AND7-forged", "other-message"])
async def test_a_missing_or_foreign_message_token_is_access_denied(
    gmail: GmailClient, google: LocalGoogle, access_token: str | None
) -> None:
    if access_token == "other-message":
        access_token = google.message_token(OTHER_API_ID)
    with pytest.raises(GmailAccessDenied) as caught:
        await gmail.message_headers(
            MESSAGE, oauth_token=google.oauth_token(USER_SUB), access_token=access_token
        )
    assert caught.value.status == 403
    assert "insufficient authentication scopes" in str(caught.value)


async def test_a_vanished_message_is_not_found(gmail: GmailClient, google: LocalGoogle) -> None:
    with pytest.raises(GmailNotFound) as caught:
        await _read(gmail, google, "msg-f:1")
    assert caught.value.status == 404


async def test_a_garbage_message_id_is_not_found_without_a_request(google: LocalGoogle) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    gmail = _gmail_behind(handler)
    with pytest.raises(GmailNotFound, match="not a Gmail message id"):
        await gmail.message_headers("../profile", oauth_token="t", access_token="m")
    assert seen == []


async def test_the_error_message_never_quotes_a_token() -> None:
    oauth, message = "ya29.secret-oauth", "AND7secret-message"
    body = {"error": {"code": 401, "message": f"Token {oauth} / {message} rejected"}}
    gmail = _gmail_behind(lambda _: httpx.Response(401, json=body))
    with pytest.raises(GmailAccessDenied) as caught:
        await gmail.message_headers(API_ID, oauth_token=oauth, access_token=message)
    assert oauth not in str(caught.value)
    assert message not in str(caught.value)


def _refuse(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def _time_out(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("timed out", request=request)


@pytest.mark.parametrize(
    ("handler", "kind", "text"),
    [
        (lambda _: httpx.Response(500), GmailUnavailable, "HTTP 500"),
        (lambda _: httpx.Response(503, json={"error": {}}), GmailUnavailable, "HTTP 503"),
        (lambda _: httpx.Response(429), GmailUnavailable, "HTTP 429"),
        (lambda _: httpx.Response(400), GmailBadReply, "HTTP 400"),
        (lambda _: httpx.Response(302), GmailBadReply, "HTTP 302"),
        (lambda _: httpx.Response(403, text="<html>"), GmailAccessDenied, "HTTP 403"),
        (lambda _: httpx.Response(401, json=[1]), GmailAccessDenied, "HTTP 401"),
        (lambda _: httpx.Response(200, text="<html>"), GmailBadReply, "not a message"),
        (lambda _: httpx.Response(200, json=[]), GmailBadReply, "not a message"),
        (lambda _: httpx.Response(200, json={"payload": {}}), GmailBadReply, "not a message"),
        (
            lambda _: httpx.Response(200, json={"id": "1", "payload": {"headers": [{"n": 1}]}}),
            GmailBadReply,
            "not a message",
        ),
        (_refuse, GmailUnavailable, "cannot reach Gmail (ConnectError)"),
        (_time_out, GmailUnavailable, "did not answer within 5 s"),
    ],
)
async def test_failures_map_onto_gmail_errors(
    handler: Callable[[httpx.Request], httpx.Response], kind: type[GmailError], text: str
) -> None:
    with pytest.raises(kind) as caught:
        await _gmail_behind(handler).message_headers(API_ID, oauth_token="t", access_token="m")
    assert text in str(caught.value)
    assert isinstance(caught.value, GmailError)


async def test_a_slow_gmail_is_cut_off_at_the_deadline() -> None:
    async def hang(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return httpx.Response(200)

    gmail = _gmail_behind(hang, timeout=0.05)
    with pytest.raises(GmailUnavailable, match=r"did not answer within 0\.05 s"):
        await gmail.message_headers(API_ID, oauth_token="t", access_token="m")


async def test_a_failure_does_not_stick(gmail: GmailClient, google: LocalGoogle) -> None:
    with pytest.raises(GmailNotFound):
        await _read(gmail, google, "msg-f:2")
    google.add_message("msg-f:2", sender="late@x.example")
    assert (await _read(gmail, google, "msg-f:2")).sender == "late@x.example"


# --- the message text (opt-in, read-only scope) -------------------------------------------------


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


async def test_the_text_is_the_first_plain_part_of_a_full_message() -> None:
    seen: list[httpx.Request] = []
    reply = {
        "id": API_ID,
        "internalDate": "1767225600000",
        "payload": {
            "mimeType": "multipart/mixed",
            "parts": [
                {
                    "mimeType": "multipart/alternative",
                    "parts": [
                        {"mimeType": "text/html", "body": {"data": _b64("<p>Hi <b>Ann</b></p>")}},
                        {"mimeType": "text/plain", "body": {"data": _b64("Hi Ann\r\nGrüße")}},
                    ],
                },
                {"mimeType": "application/pdf", "body": {"attachmentId": "x"}},
            ],
        },
    }

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=reply)

    text = await _gmail_behind(handler).message_text(
        MESSAGE, oauth_token="ya29.x", access_token="AND7"
    )
    assert text == "Hi Ann\nGrüße"
    assert seen[0].url.params["format"] == "full"
    assert seen[0].url.path.endswith(f"/messages/{API_ID}")
    assert seen[0].headers["x-goog-gmail-access-token"] == "AND7"


async def test_an_html_only_message_is_read_as_text_and_none_is_empty() -> None:
    html_only = {
        "id": API_ID,
        "payload": {"mimeType": "text/html", "body": {"data": _b64("<p>One</p><p>Two</p>")}},
    }
    gmail = _gmail_behind(lambda _r: httpx.Response(200, json=html_only))
    text = await gmail.message_text(API_ID, oauth_token="t", access_token=None)
    assert text.split() == ["One", "Two"]
    empty = _gmail_behind(lambda _r: httpx.Response(200, json={"id": API_ID, "payload": {}}))
    assert await empty.message_text(API_ID, oauth_token="t", access_token=None) == ""


async def test_the_text_without_the_scope_is_access_denied() -> None:
    denied = {"error": {"code": 403, "message": "Request had insufficient authentication scopes."}}
    gmail = _gmail_behind(lambda _r: httpx.Response(403, json=denied))
    with pytest.raises(GmailAccessDenied, match="insufficient"):
        await gmail.message_text(API_ID, oauth_token="ya29.secret", access_token=None)


async def test_received_is_the_internal_date() -> None:
    reply = {"id": API_ID, "internalDate": "1767225600000", "payload": {"headers": []}}
    gmail = _gmail_behind(lambda _r: httpx.Response(200, json=reply))
    headers = await gmail.message_headers(API_ID, oauth_token="t", access_token=None)
    assert headers.received is not None
    assert headers.received.isoformat() == "2026-01-01T00:00:00+00:00"


# --- the headers cache ---------------------------------------------------------------------------


@pytest.fixture
async def cached_gmail(google: LocalGoogle) -> AsyncIterator[tuple[GmailClient, MemoryCache]]:
    cache = MemoryCache()
    async with google_client(google) as http:
        yield GmailClient(http, GOOGLE_URL, cache=cache), cache


async def _read_as(gmail: GmailClient, google: LocalGoogle, sub: str) -> MessageHeaders:
    return await gmail.message_headers(
        MESSAGE,
        oauth_token=google.oauth_token(sub),
        access_token=google.message_token(MESSAGE),
        user=sub,
    )


async def test_a_message_read_again_by_its_user_asks_gmail_once(
    cached_gmail: tuple[GmailClient, MemoryCache], google: LocalGoogle
) -> None:
    gmail, _cache = cached_gmail
    first = await _read_as(gmail, google, USER_SUB)
    again = await _read_as(gmail, google, USER_SUB)
    assert again == first
    assert again.subject == "Quote for Q3"
    assert len(google.gmail_calls) == 1


async def test_another_user_is_not_answered_from_the_first_users_cache(
    cached_gmail: tuple[GmailClient, MemoryCache], google: LocalGoogle
) -> None:
    gmail, _cache = cached_gmail
    await _read_as(gmail, google, USER_SUB)
    other = "208234567890123456789"
    google.grant(other, google.scopes(USER_SUB))
    with pytest.raises(GmailAccessDenied):
        # the other user's request carries a token Gmail refuses: no cached answer hides that
        await gmail.message_headers(
            MESSAGE, oauth_token="ya29.forged", access_token=None, user=other
        )
    await _read_as(gmail, google, other)
    assert len(google.gmail_calls) == 3


async def test_a_failed_read_is_not_cached(
    cached_gmail: tuple[GmailClient, MemoryCache], google: LocalGoogle
) -> None:
    gmail, cache = cached_gmail
    with pytest.raises(GmailAccessDenied):
        await gmail.message_headers(
            MESSAGE, oauth_token=google.oauth_token(USER_SUB), access_token=None, user=USER_SUB
        )
    assert not cache._entries
    await _read_as(gmail, google, USER_SUB)
    assert len(google.gmail_calls) == 2


async def test_the_key_names_neither_user_nor_message_and_garbage_is_a_miss(
    cached_gmail: tuple[GmailClient, MemoryCache], google: LocalGoogle
) -> None:
    gmail, cache = cached_gmail
    first = await _read_as(gmail, google, USER_SUB)
    (key,) = cache._entries
    assert key == headers_key(USER_SUB, API_ID)
    assert USER_SUB not in key
    assert API_ID not in key
    for garbage in (b"\xff", b"[]", b"{}", b'{"sender": 1}', dump_headers(first)[:-2]):
        await cache.set(key, garbage, 60)
        assert await _read_as(gmail, google, USER_SUB) == first
    assert len(google.gmail_calls) == 6
    assert load_headers(await cache.get(key) or b"") == first


def test_cached_headers_load_as_they_were_read() -> None:
    headers = MessageHeaders(
        sender="a@b.example",
        to=None,
        cc="c@d.example",
        reply_to=None,
        subject="Ü",
        label_ids=("SENT", "INBOX"),
        date="Tue, 4 Aug 2020 10:00:00 +0000",
        received=datetime(2020, 8, 4, 10, tzinfo=UTC),
        api_id=API_ID,
    )
    assert load_headers(dump_headers(headers)) == headers
    naive = dump_headers(headers).replace(b"+00:00", b"")
    assert load_headers(naive) is None


async def test_the_text_is_never_cached(
    cached_gmail: tuple[GmailClient, MemoryCache], google: LocalGoogle
) -> None:
    gmail, cache = cached_gmail
    google.grant(USER_SUB, [*google.scopes(USER_SUB), READONLY_SCOPE])
    for _ in range(2):
        await gmail.message_text(
            MESSAGE,
            oauth_token=google.oauth_token(USER_SUB),
            access_token=google.message_token(MESSAGE),
        )
    assert len(google.gmail_calls) == 2
    assert not cache._entries
