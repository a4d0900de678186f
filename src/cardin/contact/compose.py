"""What Cardin writes into Pipedrive notes: plain text typed in a form, and a logged email.

Pipedrive stores a note's content as HTML. What a user types is plain text: it is escaped, and
its line breaks and paragraphs are kept as `<br>` and `<p>`. Pure: no I/O.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

MAX_BODY = 20_000
"""The most characters of a message's text logged with it (the rest is cut with an ellipsis)."""
_PARAGRAPHS = re.compile(r"\n\s*\n")


def plain_to_html(text: str) -> str:
    """Typed text as note HTML: escaped, blank lines between paragraphs, line breaks kept.

    Line endings of every kind become one; leading and trailing blank lines are dropped.
    """
    tidy = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    paragraphs = [p.strip("\n") for p in _PARAGRAPHS.split(tidy) if p.strip()]
    return "".join(
        "<p>" + "<br>".join(html.escape(line) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )


@dataclass(frozen=True, kw_only=True)
class LoggedMessage:
    """An email as a note logs it: the headers as shown, the link back, what the user added."""

    subject: str
    lines: Sequence[tuple[str, str]]
    """Labelled header lines in order, e.g. ("From", "Ann <ann@x.example>"); empty values are
    left out."""
    link_text: str
    gmail_url: str
    comment: str = ""
    body: str | None = None


def email_note_html(message: LoggedMessage) -> str:
    """The note that logs an email: the subject in bold, the header lines, the user's comment,
    a link back to the message in Gmail, and the message text when the user chose to add it."""
    parts = [f"<p><b>{html.escape(message.subject)}</b></p>"]
    shown = [(label, value) for label, value in message.lines if value.strip()]
    if shown:
        parts.append(
            "<p>"
            + "<br>".join(f"{html.escape(label)}: {html.escape(value)}" for label, value in shown)
            + "</p>"
        )
    if message.comment.strip():
        parts.append(plain_to_html(message.comment))
    url = html.escape(message.gmail_url, quote=True)
    parts.append(f'<p><a href="{url}">{html.escape(message.link_text)}</a></p>')
    if message.body and message.body.strip():
        body = message.body
        if len(body) > MAX_BODY:
            body = body[: MAX_BODY - 1] + "…"
        parts.append("<hr>" + plain_to_html(body))
    return "".join(parts)
