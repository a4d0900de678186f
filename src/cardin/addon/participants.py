"""Who to look up for an open message: its external participants, the most relevant first.

Pure: takes the message's raw headers and the user's address, returns addresses. The user's own
address (with or without a +tag) is never looked up; colleagues (the user's own domain) only when
nobody else took part. Public mailbox domains such as gmail.com are nobody's own domain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.utils import getaddresses

from cardin.addon.gmail import MessageHeaders
from cardin.usecases.people import Participant

MAX_PARTICIPANTS = 10
MAX_HEADER_CHARS = 16 * 1024
_LOCAL = r"[^\s@<>()\[\]\\,;:\"\x00-\x1f\x7f]{1,64}"
_DOMAIN = r"(?:[\w-]{1,63}\.)+[\w-]{2,63}"
_ADDRESS = re.compile(f"{_LOCAL}@{_DOMAIN}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
PUBLIC_DOMAINS = frozenset(
    {
        *_GMAIL_DOMAINS,
        "aol.com",
        "gmx.com",
        "gmx.de",
        "gmx.net",
        "hotmail.com",
        "icloud.com",
        "live.com",
        "mac.com",
        "mail.com",
        "mail.ru",
        "me.com",
        "msn.com",
        "outlook.com",
        "pm.me",
        "proton.me",
        "protonmail.com",
        "t-online.de",
        "web.de",
        "yahoo.com",
        "yandex.ru",
        "zoho.com",
    }
)


def participants_to_look_up(
    headers: MessageHeaders, *, user_email: str | None, limit: int = MAX_PARTICIPANTS
) -> list[Participant]:
    """The message's participants worth a lookup, most relevant first, at most `limit`."""
    me = _Me.of(user_email)
    senders = _addresses(headers.sender, "from")
    sent = headers.is_sent or any(me.is_me(p) for p in senders)
    recipients = [*_addresses(headers.to, "to"), *_addresses(headers.cc, "cc")]
    # the user's own message: the From is the user (or one of their send-as aliases)
    ordered = recipients if sent else [*senders, *recipients]
    others = [p for p in _unique(ordered) if not me.is_me(p)]
    external = [p for p in others if not me.is_colleague(p)]
    return (external or others[:1])[:limit]


@dataclass(frozen=True)
class _Me:
    """The user's identity: a mailbox key and, for a company address, the company's domain."""

    key: str | None
    domain: str | None

    @classmethod
    def of(cls, email: str | None) -> _Me:
        address = _valid_address(email or "")
        if address is None:
            return cls(key=None, domain=None)
        domain = address.rpartition("@")[2]
        return cls(key=_mailbox_key(address), domain=None if domain in PUBLIC_DOMAINS else domain)

    def is_me(self, participant: Participant) -> bool:
        """Whether the address reaches the user's own mailbox."""
        return self.key is not None and _mailbox_key(participant.email) == self.key

    def is_colleague(self, participant: Participant) -> bool:
        """Whether the address belongs to the user's company domain (or a subdomain of it)."""
        if self.domain is None:
            return False
        domain = participant.domain
        return domain == self.domain or domain.endswith("." + self.domain)


def _addresses(header: str | None, role: str) -> list[Participant]:
    """The valid addresses of an address-list header, with decoded display names."""
    if not header:
        return []
    found = []
    for raw_name, raw_address in _parsed(header[:MAX_HEADER_CHARS]):
        address = _valid_address(raw_address)
        if address is not None:
            found.append(Participant(address, _display_name(raw_name, address), role))
    return found


def _parsed(header: str) -> list[tuple[str, str]]:
    try:
        return getaddresses([header])
    # the stdlib parser trips on some broken input, and recurses once per nested comment
    except (ValueError, IndexError, TypeError, RecursionError):
        return []


def _valid_address(raw: str) -> str | None:
    address = raw.strip().lower()
    if len(address) > 254 or _ADDRESS.fullmatch(address) is None:  # noqa: PLR2004 - RFC 5321
        return None
    local = address.rpartition("@")[0]
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return None
    return address


def _display_name(raw: str, address: str) -> str | None:
    name = _CONTROL.sub(" ", _decoded(raw))
    name = " ".join(name.split()).strip("'\" ")
    return name if name and name.lower() != address else None


def _decoded(raw: str) -> str:
    """A display name with its RFC 2047 encoded words decoded; the raw text if they are broken."""
    if "=?" not in raw:
        return raw
    try:
        return str(make_header(decode_header(raw)))
    except (HeaderParseError, LookupError, ValueError):
        return raw


def _mailbox_key(address: str) -> str:
    """What identifies a mailbox: no +tag, and for Gmail no dots and one domain."""
    local, _, domain = address.rpartition("@")
    local = local.partition("+")[0] or local
    if domain in _GMAIL_DOMAINS:
        return local.replace(".", "") + "@gmail.com"
    return f"{local}@{domain}"


def _unique(participants: list[Participant]) -> list[Participant]:
    """The first occurrence of each mailbox (case, +tags and Gmail's dots ignored)."""
    seen: set[str] = set()
    unique = []
    for participant in participants:
        key = _mailbox_key(participant.email)
        if key not in seen:
            seen.add(key)
            unique.append(participant)
    return unique
