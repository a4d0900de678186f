"""Small typed builders of Card v1 widget dicts, and the HTML escaping rule they enforce.

Fields that Google renders as simple HTML (decoratedText text, textParagraph text, section
headers) take `str | Html`: a plain `str` is escaped here, an `Html` is trusted as is. Plain-text
fields (titles, decoratedText's top and bottom labels, button and chip labels, input labels) get
plain text: Google documents no markup there, so any `Html` handed to a label is reduced to its
text. Every string is capped (with an ellipsis) so no value from Pipedrive can make a card
outgrow Google's limits. Only card-v1 features available to Gmail add-ons are produced.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from typing import Any

Json = dict[str, Any]

# Google grey 700: secondary text, as Gmail draws its own secondary labels.
GREY = "#5f6368"
GREEN = "#188038"
RED = "#d93025"
# Button fill for the one main action of a prompt card (Google blue).
PRIMARY_COLOR = {"red": 0.102, "green": 0.451, "blue": 0.91}
# Caps on one rendered string, in characters: a few screens of text, a line of a label.
MAX_TEXT = 2_000
MAX_LABEL = 300
MAX_URL = 2_048
# Cap on a value put back into an input: far above anything typed by hand, so nothing is lost.
MAX_INPUT = 20_000
ELLIPSIS = "…"
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
ZERO_WIDTH_SPACE = "\u200b"
WORD_JOINER = "\u2060"
# after "@" and before each "." (not at either end): where an address may wrap
_ADDRESS_BREAKS = re.compile(r"(?<=@)(?=.)|(?<=.)(?=\.)")


class Html(str):
    """Markup that is safe in a card's HTML field: escaped text or markup built from it."""

    __slots__ = ()


def breakable_email(address: str) -> str:
    """An email address to show: a zero-width space after "@" and before each ".", a word
    joiner after each "-".

    A narrow side panel then wraps a long address at those points ("maria.svensson@" /
    "aurora-demo" / ".example") instead of in the middle of a word, as the preview's CSS and
    Gmail break a word that does not fit; a browser would rather break after a hyphen
    ("cotedazur-" / "energies"), which the word joiner forbids. Links (mailto) take the
    address itself. Also for headers that hold addresses ("Ada <ada@engines.example>"). The
    price: a hyphenated word wider than the panel ("Marie-Claire" in a narrow column) breaks
    inside a word instead of at its hyphen.
    """
    plain = address.replace(ZERO_WIDTH_SPACE, "").replace(WORD_JOINER, "")  # shown once
    return _ADDRESS_BREAKS.sub(ZERO_WIDTH_SPACE, plain).replace("-", "-" + WORD_JOINER)


def clip(text: str, limit: int = MAX_TEXT) -> str:
    """The text cut to `limit` characters, ending in an ellipsis when it was longer."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + ELLIPSIS


def esc(text: str | Html) -> Html:
    """The text escaped for an HTML field; markup that is already `Html` is kept as it is."""
    # Quotes matter only inside attributes, which build their values with quote=True.
    if isinstance(text, Html):
        return text
    return Html(html.escape(clip(text), quote=False))


def plain(text: str | Html, limit: int = MAX_LABEL) -> str:
    """Text for a plain-text field: markup reduced to its words (line breaks become " · ")."""
    if isinstance(text, Html):
        text = html.unescape(_TAG.sub("", _BREAK.sub(" · ", text)))
    return clip(text, limit)


def join(parts: Iterable[str | Html | None], sep: str = " · ") -> Html:
    """The non-empty parts, each escaped unless already Html, joined by a plain separator."""
    return Html(html.escape(sep, quote=False).join(esc(part) for part in parts if part))


def lines(parts: Iterable[str | Html | None]) -> Html:
    """The non-empty parts on separate lines."""
    return Html("<br>".join(esc(part) for part in parts if part))


def bold(text: str | Html) -> Html:
    """The text in bold."""
    return Html(f"<b>{esc(text)}</b>")


def colored(text: str | Html, color: str) -> Html:
    """The text in a colour ("#rrggbb")."""
    return Html(f'<font color="{html.escape(color)}">{esc(text)}</font>')


def link(text: str | Html, url: str) -> Html:
    """A hyperlink with the text as its label; a URL too long to be real leaves just the text."""
    if len(url) > MAX_URL:
        return esc(text)
    return Html(f'<a href="{html.escape(url)}">{esc(text)}</a>')


def multiline(text: str) -> Html:
    """Plain text whose line breaks are kept."""
    return Html("<br>".join(html.escape(line, quote=False) for line in clip(text).splitlines()))


# --- actions -------------------------------------------------------------------------------


def open_link(url: str) -> Json:
    """An onClick that opens the URL (https, mailto: or tel:)."""
    return {"openLink": {"url": url}}


def open_sign_in(url: str) -> Json:
    """An onClick that opens a sign-in page in a window over Gmail and reloads the add-on when
    that window closes (Google's custom authorization card: `onClose: RELOAD`)."""
    return {"openLink": {"url": url, "openAs": "OVERLAY", "onClose": "RELOAD"}}


# --- widgets -------------------------------------------------------------------------------


def decorated(
    text: str | Html,
    *,
    top: str | Html | None = None,
    bottom: str | Html | None = None,
    start_icon: Json | None = None,
    on_click: Json | None = None,
    button: Json | None = None,
    end_icon: Json | None = None,
    wrap: bool = True,
) -> Json:
    """A decoratedText widget; at most one of `button` and `end_icon`."""
    body: Json = {"text": esc(text)}
    if top:
        body["topLabel"] = plain(top)
    if bottom:
        body["bottomLabel"] = plain(bottom)
    if wrap:
        body["wrapText"] = True
    if start_icon is not None:
        body["startIcon"] = start_icon
    if on_click is not None:
        body["onClick"] = on_click
    if button is not None:
        body["button"] = button
    elif end_icon is not None:
        body["endIcon"] = end_icon
    return {"decoratedText": body}


def paragraph(text: str | Html, *, max_lines: int | None = None) -> Json:
    """A textParagraph; `max_lines` hides the rest behind "show more"."""
    body: Json = {"text": esc(text)}
    if max_lines:
        body["maxLines"] = max_lines
    return {"textParagraph": body}


def button(
    text: str,
    on_click: Json,
    *,
    primary: bool = False,
    disabled: bool = False,
    icon: Json | None = None,
) -> Json:
    """A button; `primary` fills it with the main action colour."""
    body: Json = {"text": plain(text), "onClick": on_click}
    if primary:
        body["color"] = PRIMARY_COLOR
    if disabled:
        body["disabled"] = True
    if icon is not None:
        body["icon"] = icon
    return body


def button_list(*buttons: Json) -> Json:
    """Buttons side by side, as one widget."""
    return {"buttonList": {"buttons": list(buttons)}}


def chip(label: str, *, icon: Json | None = None, on_click: Json | None = None) -> Json:
    """A chip (tag) with an optional icon and action."""
    body: Json = {"label": plain(label)}
    if icon is not None:
        body["icon"] = icon
    if on_click is not None:
        body["onClick"] = on_click
    return body


def chip_list(chips: Sequence[Json]) -> Json:
    """Chips wrapped over as many lines as they need, as one widget."""
    return {"chipList": {"layout": "WRAPPED", "chips": list(chips)}}


def text_input(
    name: str,
    label: str,
    *,
    value: str | None = None,
    hint: str | None = None,
    multiline: bool = False,
) -> Json:
    """A text input whose value is sent in formInputs under `name`; `multiline`: a text area."""
    body: Json = {"name": name, "label": plain(label)}
    if multiline:
        body["type"] = "MULTIPLE_LINE"
    if value:
        body["value"] = clip(value, MAX_INPUT)
    if hint:
        body["hintText"] = plain(hint)
    return {"textInput": body}


def dropdown(
    name: str,
    label: str,
    items: Sequence[tuple[str, str]],
    *,
    selected: str | None = None,
    icon_urls: Sequence[str | None] = (),
) -> Json:
    """A dropdown of (text, value) items sending the chosen value under `name`; the item whose
    value is `selected` is chosen, else the first. `icon_urls` go with the items in order."""
    values = [value for _, value in items]
    chosen = selected if selected in values else (values[0] if values else None)
    rows: list[Json] = []
    for i, (text, value) in enumerate(items):
        row: Json = {"text": plain(text), "value": value, "selected": value == chosen}
        url = icon_urls[i] if i < len(icon_urls) else None
        if url:
            row["startIconUri"] = url
        rows.append(row)
    return {
        "selectionInput": {"name": name, "label": plain(label), "type": "DROPDOWN", "items": rows}
    }


def date_time_picker(
    name: str,
    label: str,
    *,
    kind: str,
    value_ms: int | None = None,
    offset_minutes: int | None = None,
) -> Json:
    """A DATE_AND_TIME or DATE_ONLY picker; `value_ms` is UTC milliseconds (a date: its
    midnight UTC) shown `offset_minutes` east of UTC (unset: the reader's own zone)."""
    body: Json = {"name": name, "label": plain(label), "type": kind}
    if value_ms is not None:
        body["valueMsEpoch"] = str(value_ms)
    if offset_minutes is not None:
        body["timezoneOffsetDate"] = offset_minutes
    return {"dateTimePicker": body}


def switch(
    text: str | Html, *, name: str, value: str, selected: bool, bottom: str | None = None
) -> Json:
    """A decoratedText with a switch; formInputs has `name` = `value` only while it is on."""
    row = decorated(text, bottom=bottom)
    row["decoratedText"]["switchControl"] = {
        "name": name,
        "value": value,
        "selected": selected,
        "controlType": "SWITCH",
    }
    return row


def divider() -> Json:
    """A horizontal line."""
    return {"divider": {}}


# --- structure -----------------------------------------------------------------------------


def section(
    widgets: Sequence[Json], *, header: str | Html | None = None, visible: int | None = None
) -> Json:
    """A card section; with `visible`, only the first that many widgets show until expanded."""
    body: Json = {}
    if header:
        body["header"] = esc(header)
    body["widgets"] = list(widgets)
    if visible is not None and 0 < visible < len(widgets):
        body["collapsible"] = True
        body["uncollapsibleWidgetsCount"] = visible
    return body


def card_action(label: str, on_click: Json) -> Json:
    """An entry of the card's toolbar menu."""
    return {"actionLabel": plain(label), "onClick": on_click}


def card(
    *,
    title: str,
    sections: Sequence[Json],
    subtitle: str | None = None,
    image_url: str | None = None,
    image_alt: str | None = None,
    name: str | None = None,
    actions: Sequence[Json] = (),
) -> Json:
    """A card: header (plain-text title, optional circular picture), sections, menu actions."""
    header: Json = {"title": plain(title)}
    if subtitle:
        header["subtitle"] = plain(subtitle)
    if image_url:
        header["imageUrl"] = image_url
        header["imageType"] = "CIRCLE"
        header["imageAltText"] = plain(image_alt or title)
    body: Json = {"header": header, "sections": list(sections)}
    if actions:
        body["cardActions"] = list(actions)
    if name:
        body["name"] = name
    return body
