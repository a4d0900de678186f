"""Which icon stands for what: Google's knownIcon where one fits, else our PNGs.

Our icons live in `cardin/cards/static/icons/NAME.png` (Material icons, Apache-2.0, built by
`tools/build_icons.py`) and are served under `ctx.icon_base_url`.
"""

from __future__ import annotations

from pathlib import Path

from cardin.cards.context import CardContext
from cardin.cards.widgets import Json, plain
from cardin.contact.model import ActivityState, DealStatus

ICON_DIR = Path(__file__).parent / "static" / "icons"

# Pipedrive's ActivityType.icon_key enum (v1 spec): one of our files per value.
ACTIVITY_ICON_KEYS: tuple[str, ...] = (
    "task", "email", "meeting", "deadline", "call", "lunch", "calendar", "downarrow",
    "document", "smartphone", "camera", "scissors", "cogs", "bubble", "uparrow", "checkbox",
    "signpost", "shuffle", "addressbook", "linegraph", "picture", "car", "world", "search",
    "clip", "sound", "brush", "key", "padlock", "pricetag", "suitcase", "finish", "plane",
    "loop", "wifi", "truck", "cart", "bulb", "bell", "presentation",
)  # fmt: skip
_FALLBACK_ACTIVITY = "task"
# Activity types that Google's own icon set draws well enough; the rest use our files.
_KNOWN_ACTIVITY: dict[str, str] = {
    "email": "EMAIL",
    "call": "PHONE",
    "meeting": "MULTIPLE_PEOPLE",
    "lunch": "RESTAURANT_ICON",
    "calendar": "INVITE",
    "document": "DESCRIPTION",
    "car": "CAR",
    "plane": "AIRPLANE",
    "cart": "SHOPPING_CART",
    "camera": "VIDEO_CAMERA",
    "pricetag": "OFFER",
}
EMAIL_TYPES = ("work", "home", "other")
PHONE_TYPES = ("work", "home", "mobile", "other")
# Pipedrive's label colour names (the lead-label palette) with a tag icon of that colour.
LABEL_COLORS = (
    "blue", "brown", "dark-gray", "gray", "green", "orange", "pink", "purple", "red", "yellow",
)  # fmt: skip

ICON_FILES: frozenset[str] = frozenset(
    [f"activity_{key}" for key in ACTIVITY_ICON_KEYS]
    + [f"email_{kind}" for kind in EMAIL_TYPES]
    + [f"phone_{kind}" for kind in PHONE_TYPES]
    + [f"deal_{status.value}" for status in DealStatus]
    + [f"state_{state.value}" for state in ActivityState]
    + ["label"]
    + [f"label_{color}" for color in LABEL_COLORS]
    + ["logo"]
)
"""Every icon file this package refers to (without `.png`)."""


def known(name: str, alt: str | None = None) -> Json:
    """One of Google's built-in icons (knownIcon)."""
    icon: Json = {"knownIcon": name}
    if alt:
        icon["altText"] = plain(alt)
    return icon


def served(ctx: CardContext, name: str, alt: str) -> Json:
    """One of our icon files, by URL."""
    return {"iconUrl": f"{ctx.icon_base_url.rstrip('/')}/{name}.png", "altText": plain(alt)}


def activity_icon(ctx: CardContext, icon_key: str, alt: str) -> Json:
    """The icon of an activity type; an unknown key gets the task icon."""
    if icon_key in _KNOWN_ACTIVITY:
        return known(_KNOWN_ACTIVITY[icon_key], alt)
    key = icon_key if icon_key in ACTIVITY_ICON_KEYS else _FALLBACK_ACTIVITY
    return served(ctx, f"activity_{key}", alt)


def email_icon(ctx: CardContext, label: str, alt: str) -> Json:
    """The icon of an email type (work, home, other; anything else is other)."""
    return served(ctx, f"email_{label if label in EMAIL_TYPES else 'other'}", alt)


def phone_icon(ctx: CardContext, label: str, alt: str) -> Json:
    """The icon of a phone type (work, home, mobile, other; anything else is other)."""
    return served(ctx, f"phone_{label if label in PHONE_TYPES else 'other'}", alt)


def deal_icon(ctx: CardContext, status: DealStatus, alt: str) -> Json:
    """The icon of a deal status."""
    return served(ctx, f"deal_{status.value}", alt)


def state_icon(ctx: CardContext, state: ActivityState, alt: str) -> Json:
    """The icon of an activity's state (done, overdue, planned)."""
    return served(ctx, f"state_{state.value}", alt)


def label_icon(ctx: CardContext, color: str | None, alt: str) -> Json:
    """A tag icon in the label's Pipedrive colour; grey when it has none we know."""
    name = (color or "").strip().lower().replace("_", "-").replace(" ", "-")
    return served(ctx, f"label_{name}" if name in LABEL_COLORS else "label", alt)
