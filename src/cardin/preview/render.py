"""Card v1 JSON drawn as HTML the way Gmail's side panel draws it (Jinja2 templates).

Text fields that Google reads as HTML keep only Google's subset (b i u s font a br time), cleaned
by nh3; everything else is escaped by the templates. A widget or card field the preview cannot
draw is marked visibly on the card, or raises `UnknownWidget` when rendering strictly.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import nh3
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from cardin.preview.icons import CHROME_ICONS, KNOWN_ICONS, chrome_icon, known_icon, svg_icon

Json = dict[str, Any]
WIDGET_KINDS = frozenset(
    {
        "textParagraph",
        "decoratedText",
        "buttonList",
        "chipList",
        "divider",
        "image",
        "grid",
        "columns",
        "textInput",
        "selectionInput",
        "dateTimePicker",
    }
)
# The widgets that are form inputs (their `name` is what `allWidgetsAreRequired` requires).
INPUT_KINDS = frozenset({"textInput", "selectionInput", "dateTimePicker"})
# Widget fields that are not a widget of their own (alignment, Workspace Studio's ids).
WIDGET_EXTRAS = frozenset({"horizontalAlignment", "id", "visibility", "eventActions"})
CARD_KEYS = frozenset(
    {
        "header",
        "sections",
        "fixedFooter",
        "cardActions",
        "name",
        "peekCardHeader",
        "displayStyle",
        "sectionDividerStyle",
    }
)
ONCLICK_KINDS = frozenset({"action", "openLink", "openDynamicLinkAction", "card"})
LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_TAGS = {"b", "i", "u", "s", "font", "a", "br", "time"}
_ATTRIBUTES = {"font": {"color"}, "a": {"href"}}
_LIGHT = 0.6


class UnknownWidget(ValueError):
    """A card uses a widget, card field or click kind the preview cannot draw (strict mode)."""


@dataclass(frozen=True)
class RenderedCard:
    """A card's HTML parts and what its clickable elements do, by their `data-click` index.

    `fields` are the names of the card's input widgets, in drawing order.
    """

    body: Markup
    footer: Markup
    menu: Markup
    clicks: tuple[Json, ...]
    unknown: tuple[str, ...]
    fields: tuple[str, ...] = ()


def card_html(text: object) -> Markup:
    """Card text in Google's HTML subset, with everything else (scripts, handlers) removed."""
    cleaned = nh3.clean(
        str(text),
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=set(LINK_SCHEMES),
        link_rel="noopener noreferrer",
        set_tag_attribute_values={"a": {"target": "_blank"}},
    )
    return Markup(cleaned)  # noqa: S704 - nh3 has removed everything outside the subset


def safe_url(url: object) -> str | None:
    """The URL when a browser may open it from a card (http, https, mailto, tel), else None."""
    text = str(url or "").strip()
    scheme = urlsplit(text).scheme.lower()
    return text if scheme in LINK_SCHEMES else None


@dataclass(frozen=True)
class Click:
    """How one `onClick` behaves: open `href` in a new tab, or send click number `index`.

    `reload`: the link's `onClose` is RELOAD: when the window it opened closes, the add-on's
    trigger runs again (the page reloads), as Gmail does after a sign-in.
    """

    href: str | None = None
    index: int | None = None
    reload: bool = False

    @property
    def attrs(self) -> Markup:
        """The attributes that make an element clickable (empty when it is not)."""
        if self.href is not None and self.reload:
            return Markup(' data-href="{}" data-reload tabindex="0" role="link"').format(self.href)
        if self.href is not None:
            return Markup(' data-href="{}" tabindex="0" role="link"').format(self.href)
        if self.index is not None:
            return Markup(' data-click="{}" tabindex="0" role="button"').format(self.index)
        return Markup("")

    @property
    def active(self) -> bool:
        """Whether clicking does anything."""
        return self.href is not None or self.index is not None


@dataclass
class _Scope:
    """The state of one rendering: registered clicks, input names, unknown parts, element ids."""

    strict: bool
    values: Mapping[str, Sequence[str]]
    clicks: list[Json] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    _ids: Iterator[int] = field(default_factory=itertools.count)

    def uid(self, prefix: str = "w") -> str:
        """An element id unique within the page."""
        return f"{prefix}{next(self._ids)}"

    def kind(self, widget: Mapping[str, Any]) -> str:
        """The widget's kind (its one key), noting a kind the preview cannot draw or an input."""
        keys = [key for key in widget if key not in WIDGET_EXTRAS]
        kind = keys[0] if len(keys) == 1 else "+".join(keys) or "(empty)"
        if kind not in WIDGET_KINDS:
            self.mark(f"widget {kind}")
        elif kind in INPUT_KINDS and isinstance(widget[kind], Mapping):
            name = str(widget[kind].get("name") or "")
            if name and name not in self.fields:
                self.fields.append(name)
        return kind

    def mark(self, what: str) -> Markup:
        """Note an unknown part (raise when strict); the visible marker for the card."""
        if self.strict:
            raise UnknownWidget(what)
        self.unknown.append(what)
        return Markup('<div class="unknown">Cannot draw: {}</div>').format(what)

    def check_card(self, card: Mapping[str, Any]) -> Markup:
        """Markers for card fields the preview does not know."""
        return Markup("").join(self.mark(f"card field {k}") for k in card if k not in CARD_KEYS)

    def on(self, on_click: Mapping[str, Any] | None, **extra: str) -> Click:
        """Register an `onClick`; `extra` parameters are added to its action (grid items)."""
        if not on_click:
            return Click()
        kinds = [key for key in on_click if key in ONCLICK_KINDS]
        if not kinds:
            self.mark(f"onClick {'+'.join(on_click) or '(empty)'}")
            return Click()
        if kinds[0] == "openLink":
            link = on_click["openLink"]
            reload = link.get("onClose") == "RELOAD"
            return Click(href=safe_url(link.get("url")), reload=reload)
        registered = dict(on_click)
        if extra and "action" in registered:
            action = dict(registered["action"])
            action["parameters"] = [
                *action.get("parameters", []),
                *({"key": k, "value": v} for k, v in extra.items()),
            ]
            registered["action"] = action
        self.clicks.append(registered)
        return Click(index=len(self.clicks) - 1)

    def change(self, action: Mapping[str, Any] | None) -> Markup:
        """Attributes that send an input's `onChangeAction` when its value changes."""
        if not action:
            return Markup("")
        self.clicks.append({"action": dict(action)})
        return Markup(' data-change="{}"').format(len(self.clicks) - 1)

    def text_value(self, widget: Mapping[str, Any]) -> str:
        """A text input's value: what the user typed before an updateCard, else the card's."""
        kept = self.values.get(str(widget.get("name", "")))
        return kept[0] if kept else str(widget.get("value", ""))


def rgb(color: Mapping[str, Any] | None) -> str | None:
    """A Card v1 colour (floats 0 to 1) as CSS."""
    if not color:
        return None
    parts = [round(float(color.get(c, 0)) * 255) for c in ("red", "green", "blue")]
    return "rgb({}, {}, {})".format(*parts)


def on_color(color: Mapping[str, Any] | None) -> str:
    """A readable text colour on a button filled with `color`."""
    if not color:
        return "#fff"
    red, green, blue = (float(color.get(c, 0)) for c in ("red", "green", "blue"))
    return "#1f1f1f" if 0.299 * red + 0.587 * green + 0.114 * blue > _LIGHT else "#fff"


def icon(value: Mapping[str, Any] | None, size: int = 20) -> Markup:
    """A Card v1 icon (known, Material or URL) at `size` pixels."""
    if not value:
        return Markup("")
    label = str(value.get("altText", ""))
    shape = " circle" if value.get("imageType") == "CIRCLE" else ""
    if value.get("iconUrl"):
        url = safe_url(value["iconUrl"]) or ""
        return Markup(
            '<img class="ic{}" src="{}" alt="{}" width="{}" height="{}" loading="lazy">'
        ).format(shape, url, label, size, size)
    if value.get("knownIcon"):
        return known_icon(str(value["knownIcon"]), size=size, label=label)
    material = str((value.get("materialIcon") or {}).get("name", ""))
    path = KNOWN_ICONS.get(material.upper()) or CHROME_ICONS.get(material.lower())
    return svg_icon(path, size=size, label=label) if path else known_icon("", size=size)


def picker_value(widget: Mapping[str, Any]) -> str:
    """A date/time picker's `valueMsEpoch` in the format of the matching HTML input."""
    value = widget.get("valueMsEpoch")
    if value is None:
        return ""
    kind = widget.get("type", "DATE_AND_TIME")
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=int(value))
    if kind == "TIME_ONLY":
        return moment.strftime("%H:%M")
    moment += timedelta(minutes=int(widget.get("timezoneOffsetDate") or 0))
    return moment.strftime("%Y-%m-%d" if kind == "DATE_ONLY" else "%Y-%m-%dT%H:%M")


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("cardin.preview", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        card_html=card_html,
        icon=icon,
        chrome_icon=chrome_icon,
        rgb=rgb,
        on_color=on_color,
        picker_value=picker_value,
        url=lambda value: safe_url(value) or "",
    )
    return env


class CardRenderer:
    """Draws cards; `strict` raises UnknownWidget instead of marking what it cannot draw."""

    def __init__(self, *, strict: bool = False, environment: Environment | None = None) -> None:
        self.strict = strict
        self.environment = environment or _environment()
        self._template = self.environment.get_template("card.html")

    def render(
        self, card: Mapping[str, Any], *, values: Mapping[str, Sequence[str]] | None = None
    ) -> RenderedCard:
        """The card's body, fixed footer and toolbar menu; `values` refill text inputs."""
        scope = _Scope(self.strict, values or {})
        module: Any = self._template.make_module({"r": scope})
        body = Markup(module.card_body(card))  # noqa: S704 - the template escaped its input
        footer = Markup(module.card_footer(card))  # noqa: S704
        menu = Markup(module.card_menu(card))  # noqa: S704
        clicks, unknown, fields = tuple(scope.clicks), tuple(scope.unknown), tuple(scope.fields)
        return RenderedCard(body, footer, menu, clicks, unknown, fields)
