"""What Cardin writes into notes: typed text kept as typed, a logged email with its headers."""

from __future__ import annotations

from cardin.contact.compose import MAX_BODY, LoggedMessage, email_note_html, plain_to_html
from cardin.contact.notes import note_plain_text


def test_typed_text_keeps_its_lines_and_paragraphs_and_is_escaped() -> None:
    typed = "Call back <Monday>\r\nask for Ann & Bob\n\n\nSecond paragraph\n"
    assert plain_to_html(typed) == (
        "<p>Call back &lt;Monday&gt;<br>ask for Ann &amp; Bob</p><p>Second paragraph</p>"
    )
    assert note_plain_text(plain_to_html(typed)).splitlines()[0] == "Call back <Monday>"


def test_blank_text_is_no_html() -> None:
    assert plain_to_html("\n \n") == ""


def test_a_logged_email_holds_headers_comment_link_and_optional_text() -> None:
    message = LoggedMessage(
        subject="Email: Rates <Q1>",
        lines=(("From", "Ann <ann@x.example>"), ("Cc", " "), ("Date", "2026-11-30 10:00")),
        link_text="Open the email in Gmail",
        gmail_url='https://mail.google.com/mail/u/0/#all/abc"onload=1',
        comment="Looks good\nwill call",
        body="x" * (MAX_BODY + 50),
    )
    html = email_note_html(message)
    assert html.startswith("<p><b>Email: Rates &lt;Q1&gt;</b></p>")
    assert "From: Ann &lt;ann@x.example&gt;<br>Date: 2026-11-30 10:00" in html
    assert "Cc:" not in html  # empty header lines are left out
    assert "<p>Looks good<br>will call</p>" in html
    assert 'href="https://mail.google.com/mail/u/0/#all/abc&quot;onload=1"' in html
    body = html.split("<hr>", 1)[1]
    assert body.count("x") == MAX_BODY - 1
    assert body.endswith("…</p>")


def test_a_logged_email_without_comment_or_text_has_no_rule() -> None:
    message = LoggedMessage(
        subject="S", lines=(), link_text="Open", gmail_url="https://mail.google.com/"
    )
    assert email_note_html(message) == (
        '<p><b>S</b></p><p><a href="https://mail.google.com/">Open</a></p>'
    )
