"""The demo mails' dates: as the inbox shows them, in the demo's zone, and in the local Gmail."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from cardin.addon.gmail import api_message_id
from cardin.preview.google import READONLY_SCOPE, LocalGoogle
from cardin.preview.inbox import MAILS, find_mail, install, message_id, received_at

BERLIN = ZoneInfo("Europe/Berlin")
# a Wednesday, 12:00 in Berlin
NOON = datetime(2026, 3, 4, 11, 0, tzinfo=UTC)
MAIL = MAILS[0]


@pytest.mark.parametrize(
    ("received", "at", "expected"),
    [
        ("10:42", "09:30", datetime(2026, 3, 4, 10, 42, tzinfo=BERLIN)),
        ("13:15", "09:30", datetime(2026, 3, 3, 13, 15, tzinfo=BERLIN)),  # not yet today
        ("Yesterday", "16:20", datetime(2026, 3, 3, 16, 20, tzinfo=BERLIN)),
        ("Mon", "11:30", datetime(2026, 3, 2, 11, 30, tzinfo=BERLIN)),
        ("Tue", "11:30", datetime(2026, 2, 24, 11, 30, tzinfo=BERLIN)),  # before yesterday
        ("Wed", "08:00", datetime(2026, 2, 25, 8, 0, tzinfo=BERLIN)),
        ("Sat", "10:03", datetime(2026, 2, 28, 10, 3, tzinfo=BERLIN)),
    ],
)
def test_a_mail_is_dated_as_the_inbox_shows_it(received: str, at: str, expected: datetime) -> None:
    assert received_at(replace(MAIL, received=received, at=at), NOON) == expected


def test_the_date_keeps_the_demo_zone_across_a_clock_change() -> None:
    sunday_after_the_change = datetime(2026, 3, 29, 12, 0, tzinfo=UTC)  # CEST from 02:00

    moment = received_at(replace(MAIL, received="Yesterday", at="09:30"), sunday_after_the_change)

    assert moment.isoformat() == "2026-03-28T09:30:00+01:00"


def test_a_label_that_is_no_date_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot date"):
        received_at(replace(MAIL, received="Last week"), NOON)


def test_every_demo_mail_has_a_date_in_the_past() -> None:
    assert all(received_at(mail, NOON) <= NOON for mail in MAILS)


async def test_the_local_gmail_holds_each_mail_with_its_date_and_text() -> None:
    google = LocalGoogle()
    install(google, now=NOON)
    mail = find_mail("solar-renewal")
    assert mail is not None
    google.grant("reader", [READONLY_SCOPE])
    transport = httpx.ASGITransport(app=google.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://google.test") as gmail:
        answer = await gmail.get(
            f"/gmail/v1/users/me/messages/{api_message_id(message_id(mail))}",
            params={"format": "full"},
            headers={
                "authorization": f"Bearer {google.oauth_token('reader')}",
                "x-goog-gmail-access-token": google.message_token(message_id(mail)),
            },
        )
    resource = answer.json()

    headers = {h["name"]: h["value"] for h in resource["payload"]["headers"]}
    assert headers["Date"] == "Wed, 04 Mar 2026 10:42:00 +0100"
    assert resource["internalDate"] == str(int(received_at(mail, NOON).timestamp() * 1000))
    assert mail.body[1][:100] in resource["snippet"]
    plain = resource["payload"]["parts"][0]["body"]["data"]
    assert base64.urlsafe_b64decode(plain).decode() == "\r\n\r\n".join(mail.body)
