"""The demo mailbox: emails from the demo company's people, each showing one case of the add-on.

Known senders (a rich contact, a minimal one, a huge one, a Japanese one), an unknown sender, an
address two people share, a mail the user sent, a thread with several external people and a
colleague, and a sender found in two Pipedrive accounts once the second one is connected.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from email.utils import getaddresses, parseaddr
from zoneinfo import ZoneInfo

from cardin.preview.google import TIME_ZONE, LocalGoogle
from cardin.sandbox import (
    CROSS_ACCOUNT_EMAIL,
    HUGE_EMAIL,
    JAPANESE_EMAIL,
    MINIMAL_EMAIL,
    RICH_EMAIL,
    SHARED_EMAIL,
    UNKNOWN_EMAIL,
)

USER_NAME = "Maria Svensson"
USER_EMAIL = "maria.svensson@aurora-demo.example"
_ME = f"{USER_NAME} <{USER_EMAIL}>"
_FIRST_ID = 1_900_000_000_000_000_001
_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Mail:
    """One message of the demo mailbox; `case` says what it shows in the side panel.

    `received` is what the inbox shows ("10:42" today, "Yesterday", a weekday); `at` the time of
    day of a mail not from today.
    """

    key: str
    sender: str
    subject: str
    body: tuple[str, ...]
    received: str
    case: str
    to: str = _ME
    cc: str = ""
    unread: bool = False
    sent: bool = False
    at: str = "09:30"

    @property
    def sender_name(self) -> str:
        """The sender's display name (the address when there is none)."""
        name, address = parseaddr(self.sender)
        return name or address

    @property
    def sender_address(self) -> str:
        """The sender's address."""
        return parseaddr(self.sender)[1]

    @property
    def snippet(self) -> str:
        """The start of the body, as the inbox list shows it."""
        return " ".join(self.body)[:140]

    @property
    def recipients(self) -> list[tuple[str, str]]:
        """Every To and Cc recipient as (name, address)."""
        return [(n or a, a) for n, a in getaddresses([self.to, self.cc]) if a]

    @property
    def text(self) -> str:
        """The plain-text body: the paragraphs apart by a blank line."""
        return "\n\n".join(self.body)

    @property
    def correspondent(self) -> str:
        """Who the inbox list names: the sender, or "To: ..." for a sent mail."""
        if not self.sent:
            return self.sender_name
        return "To: " + ", ".join(name for name, _ in self.recipients)


MAILS: tuple[Mail, ...] = (
    Mail(
        "solar-renewal",
        f"Élodie Marchand <{RICH_EMAIL}>",
        "Solar park: renewing the supply contract for 2027",
        (
            "Bonjour Maria,",
            (
                "our board approved the budget for the second phase. Could we go through the "
                "renewal terms on Thursday? I would also like to bring François from procurement."
            ),
            "Bien à vous, Élodie",
        ),
        "10:42",
        "Known sender · the full card",
        unread=True,
    ),
    Mail(
        "introduction",
        f"Robin Hale <{UNKNOWN_EMAIL}>",
        "Introduction: warehouse automation for Aurora",
        (
            "Hi Maria,",
            (
                "Jonas suggested I get in touch. We automate small and mid-sized warehouses and "
                "would love to show you what we did for a logistics firm in Gothenburg."
            ),
            "Best, Robin",
        ),
        "09:15",
        "Unknown sender · add to Pipedrive",
        unread=True,
    ),
    Mail(
        "container-rates",
        f"Olympia Shipping Sales <{SHARED_EMAIL}>",
        "Container rates for the first quarter",
        ("Dear partners,", "please find our updated container rates for Q1 attached."),
        "08:03",
        "Two people share this address",
    ),
    Mail(
        "fleet-order",
        f"Henrik Lindqvist <{HUGE_EMAIL}>",
        "Fleet order: status of every open item",
        (
            "Hej Maria,",
            (
                "before our yearly review, could you send me the status of all open orders? "
                "I know it is a long list."
            ),
        ),
        "Yesterday",
        "Hundreds of deals · show all",
        at="16:20",
    ),
    Mail(
        "quote-request",
        f"山田 太郎 <{JAPANESE_EMAIL}>",
        "お見積もりのお願い (quote request)",
        ("スヴェンソン様", "新しい生産ラインのお見積もりをお願いできますでしょうか。", "山田"),
        "Yesterday",
        "Japanese contact, amounts in JPY",
        at="07:55",
    ),
    Mail(
        "delivery-question",
        f"Sam Lee <{MINIMAL_EMAIL}>",
        "Quick question about delivery",
        ("Hi, do you deliver to Ireland as well? Thanks, Sam",),
        "Mon",
        "A contact with a name and one email",
        at="14:05",
    ),
    Mail(
        "analytics-kickoff",
        "Emily Chen <emily.chen@pinewood-analytics.example>",
        "Re: Analytics rollout kickoff",
        (
            "Hi all,",
            (
                "thanks for the call. Marcus will share the data model by Friday; Minjun is "
                "setting up the dashboards. Maria, Jonas: can your team join the review next week?"
            ),
        ),
        "Mon",
        "Thread with several people (To and Cc) and a colleague",
        at="11:30",
        to=f"{_ME}, Marcus Johnson <marcus@pinewood-analytics.example>",
        cc="김민준 <minjun.kim@pinewood-analytics.example>, "
        "Jonas Becker <jonas.becker@aurora-demo.example>",
    ),
    Mail(
        "crane-proposal",
        _ME,
        "Proposal: harbour crane maintenance",
        (
            "Hi Oliver,",
            (
                "as promised, here is our proposal for the maintenance contract of the harbour "
                "cranes. Happy to walk you through it."
            ),
            "Best regards, Maria",
        ),
        "Sun",
        "Sent by you: the recipient is looked up",
        at="18:12",
        to="Oliver Bennett <oliver.bennett@atlanticharbour.example>",
        sent=True,
    ),
    Mail(
        "joint-workshop",
        f"Katharina Weber <{CROSS_ACCOUNT_EMAIL}>",
        "Joint workshop with Second Sight",
        (
            "Hallo Maria,",
            (
                "Second Sight Studio will run the design part of the workshop. Ravi has my "
                "details as well."
            ),
            "Viele Grüße, Katharina",
        ),
        "Sat",
        "In two Pipedrive accounts (connect Second Sight Studio)",
        at="10:03",
    ),
)


def message_id(mail: Mail) -> str:
    """The Gmail event id ("msg-f:<decimal>") of a demo mail."""
    return f"msg-f:{_FIRST_ID + MAILS.index(mail)}"


def find_mail(key: str) -> Mail | None:
    """The demo mail with this URL key."""
    return next((mail for mail in MAILS if mail.key == key), None)


def received_at(mail: Mail, now: datetime, zone: str = TIME_ZONE) -> datetime:
    """When `mail` arrived, seen from `now` in the demo's zone, as the inbox shows it.

    "10:42" is today at 10:42 (yesterday when that is still ahead), "Yesterday" yesterday and a
    weekday that day at least two days back, both at the mail's `at`.
    """
    local = now.astimezone(ZoneInfo(zone))
    clock = _CLOCK.fullmatch(mail.received)
    if clock is not None:
        moment = _at(local, 0, clock[0])
        return moment if moment <= local else _at(local, 1, clock[0])
    if mail.received == "Yesterday":
        return _at(local, 1, mail.at)
    if mail.received in _WEEKDAYS:
        back = (local.weekday() - _WEEKDAYS.index(mail.received)) % 7
        return _at(local, back if back >= 2 else back + 7, mail.at)  # noqa: PLR2004
    raise ValueError(f"cannot date a mail received {mail.received!r}")


def _at(local: datetime, days_back: int, clock: str) -> datetime:
    hours, minutes = (int(part) for part in clock.split(":"))
    day = local.date() - timedelta(days=days_back)
    return datetime.combine(day, time(hours, minutes), tzinfo=local.tzinfo)


def install(
    google: LocalGoogle, mails: Iterable[Mail] = MAILS, *, now: datetime | None = None
) -> None:
    """Hold the mails in the local Gmail, so the add-on can read their headers and text.

    Each is dated as the inbox shows it, seen from `now` (the demo's start).
    """
    moment = now or datetime.now(UTC)
    for mail in mails:
        google.add_message(
            message_id(mail),
            sender=mail.sender,
            to=mail.to,
            cc=mail.cc,
            subject=mail.subject,
            labels=("SENT",) if mail.sent else ("INBOX", "UNREAD") if mail.unread else ("INBOX",),
            date=received_at(mail, moment),
            text=mail.text,
        )
