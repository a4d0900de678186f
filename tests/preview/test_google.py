"""LocalGoogle's Gmail: granular consent, the formats each scope allows, dates and the text."""

from __future__ import annotations

import base64
import email
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from email.policy import default
from typing import Any

import httpx
import pytest

from cardin.preview.google import (
    METADATA_SCOPE,
    READONLY_SCOPE,
    SCOPES,
    LocalGoogle,
)

SUB = "user-1"
MESSAGE = "msg-f:1900000000000000099"
API_ID = format(1900000000000000099, "x")
SENT_AT = datetime(2026, 3, 5, 10, 42, tzinfo=timezone(timedelta(hours=1)))
TEXT = "Hi Maria,\n\nit's about the <renewal> & the terms.\n\nBest, Élodie"


@pytest.fixture
def google() -> LocalGoogle:
    google = LocalGoogle()
    google.add_message(
        MESSAGE,
        sender="Élodie Marchand <elodie@solar.example>",
        to="maria@aurora.example",
        subject="Renewal",
        labels=["INBOX"],
        date=SENT_AT,
        text=TEXT,
    )
    return google


@pytest.fixture
async def gmail(google: LocalGoogle) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=google.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://google.test") as client:
        yield client


async def get(
    gmail: httpx.AsyncClient,
    google: LocalGoogle,
    message_format: str | None,
    *,
    token: str | None = None,
    headers: tuple[str, ...] = (),
) -> httpx.Response:
    """users.messages.get as the add-on sends it, with the user's current token by default."""
    query = [("format", message_format)] if message_format else []
    query += [("metadataHeaders", name) for name in headers]
    return await gmail.get(
        f"/gmail/v1/users/me/messages/{API_ID}",
        params=query,
        headers={
            "authorization": f"Bearer {token or google.oauth_token(SUB)}",
            "x-goog-gmail-access-token": google.message_token(MESSAGE),
        },
    )


def decoded(part: dict[str, Any]) -> str:
    """A part's body as Gmail sends it: URL-safe base64."""
    return base64.urlsafe_b64decode(part["body"]["data"]).decode()


def test_a_user_starts_with_the_metadata_scope_and_not_the_text(google: LocalGoogle) -> None:
    event = google.event(sub=SUB, email="u@x.example", message_id=MESSAGE)

    assert event["authorizationEventObject"]["authorizedScopes"] == list(SCOPES)
    assert METADATA_SCOPE in SCOPES
    assert READONLY_SCOPE not in google.scopes(SUB)


async def test_metadata_carries_the_date_header_and_internal_date(
    gmail: httpx.AsyncClient, google: LocalGoogle
) -> None:
    answer = await get(gmail, google, "metadata", headers=("From", "Date"))

    assert answer.status_code == 200
    message = answer.json()
    assert message["payload"]["headers"] == [
        {"name": "Date", "value": "Thu, 05 Mar 2026 10:42:00 +0100"},
        {"name": "From", "value": "Élodie Marchand <elodie@solar.example>"},
    ]
    assert message["internalDate"] == str(int(SENT_AT.timestamp() * 1000))
    assert (
        message["snippet"]
        == "Hi Maria, it&#39;s about the &lt;renewal&gt; &amp; the terms. Best, Élodie"
    )
    assert "parts" not in message["payload"]


@pytest.mark.parametrize("message_format", ["full", "raw", None])
async def test_the_text_is_refused_without_the_read_only_scope(
    gmail: httpx.AsyncClient, google: LocalGoogle, message_format: str | None
) -> None:
    answer = await get(gmail, google, message_format)

    assert answer.status_code == 403
    error = answer.json()["error"]
    shown = (message_format or "full").upper()
    assert error["message"] == f"Metadata scope doesn't allow format {shown}"
    assert error["status"] == "PERMISSION_DENIED"
    assert error["errors"][0]["reason"] == "forbidden"


async def test_after_consent_the_full_message_has_its_text_and_html_parts(
    gmail: httpx.AsyncClient, google: LocalGoogle
) -> None:
    before = google.oauth_token(SUB)

    assert google.grant(SUB, [READONLY_SCOPE]) == (*SCOPES, READONLY_SCOPE)
    answer = await get(gmail, google, "full")

    assert answer.status_code == 200
    message = answer.json()
    payload = message["payload"]
    assert payload["mimeType"] == "multipart/alternative"
    assert {"name": "Subject", "value": "Renewal"} in payload["headers"]
    plain, rich = payload["parts"]
    assert [plain["mimeType"], rich["mimeType"]] == ["text/plain", "text/html"]
    assert decoded(plain) == TEXT.replace("\n", "\r\n")
    assert plain["body"]["size"] == len(TEXT.replace("\n", "\r\n").encode())
    assert "<p>it&#x27;s about the &lt;renewal&gt; &amp; the terms.</p>" in decoded(rich)
    assert message["internalDate"] == str(int(SENT_AT.timestamp() * 1000))
    # the token issued before the consent keeps its scopes, as Google's do
    assert (await get(gmail, google, "full", token=before)).status_code == 403


async def test_the_raw_message_is_the_whole_mime_message(
    gmail: httpx.AsyncClient, google: LocalGoogle
) -> None:
    google.grant(SUB, [READONLY_SCOPE])

    answer = await get(gmail, google, "raw")

    raw = base64.urlsafe_b64decode(answer.json()["raw"])
    parsed = email.message_from_bytes(raw, policy=default)
    assert parsed["Subject"] == "Renewal"
    assert parsed["Date"] == "Thu, 05 Mar 2026 10:42:00 +0100"
    body = parsed.get_body(("plain",))
    assert body is not None
    assert body.get_content().replace("\r\n", "\n") == TEXT + "\n"
    assert answer.json()["sizeEstimate"] == len(raw)


async def test_minimal_needs_only_the_metadata_scope(
    gmail: httpx.AsyncClient, google: LocalGoogle
) -> None:
    message = (await get(gmail, google, "minimal")).json()

    assert message["labelIds"] == ["INBOX"]
    assert "payload" not in message


async def test_the_per_message_token_still_limits_the_full_format(
    gmail: httpx.AsyncClient, google: LocalGoogle
) -> None:
    google.grant(SUB, [READONLY_SCOPE])
    google.add_message("msg-f:7", sender="other@x.example")

    answer = await gmail.get(
        f"/gmail/v1/users/me/messages/{API_ID}",
        params={"format": "full"},
        headers={
            "authorization": f"Bearer {google.oauth_token(SUB)}",
            "x-goog-gmail-access-token": google.message_token("msg-f:7"),
        },
    )

    assert answer.status_code == 403
    assert answer.json()["error"]["message"] == "Request had insufficient authentication scopes."


async def test_without_any_message_scope_even_metadata_is_refused(
    gmail: httpx.AsyncClient, google: LocalGoogle
) -> None:
    google.revoke(SUB, [METADATA_SCOPE])

    answer = await get(gmail, google, "metadata")

    assert answer.status_code == 403
    event = google.event(sub=SUB, email="u@x.example", message_id=MESSAGE)
    assert METADATA_SCOPE not in event["authorizationEventObject"]["authorizedScopes"]
    google.grant(SUB, [METADATA_SCOPE])
    assert (await get(gmail, google, "metadata")).status_code == 200


async def test_an_unknown_format_is_a_bad_request(
    gmail: httpx.AsyncClient, google: LocalGoogle
) -> None:
    answer = await get(gmail, google, "everything")

    assert answer.status_code == 400
    assert "format" in answer.json()["error"]["message"]


def test_only_the_manifests_scopes_can_be_granted(google: LocalGoogle) -> None:
    with pytest.raises(ValueError, match="manifest"):
        google.grant(SUB, ["https://mail.google.com/"])

    assert google.scopes(SUB) == SCOPES
    assert google.grant(SUB, [READONLY_SCOPE, READONLY_SCOPE]).count(READONLY_SCOPE) == 1


def test_a_message_date_needs_a_time_zone(google: LocalGoogle) -> None:
    with pytest.raises(ValueError, match="time zone"):
        google.add_message("msg-f:8", sender="a@x.example", date=datetime(2026, 1, 1))  # noqa: DTZ001


async def test_a_message_without_a_date_keeps_the_old_default(
    gmail: httpx.AsyncClient, google: LocalGoogle
) -> None:
    google.add_message(MESSAGE, sender="a@x.example")

    message = (await get(gmail, google, "metadata", headers=("Date",))).json()

    assert message["internalDate"] == str(int(datetime(2026, 1, 1, tzinfo=UTC).timestamp() * 1000))
    assert message["payload"]["headers"] == [
        {"name": "Date", "value": "Thu, 01 Jan 2026 00:00:00 +0000"}
    ]
