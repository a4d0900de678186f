"""Person pictures: the stored picture objects and the SVG avatars the sandbox serves for them."""

from __future__ import annotations

import hashlib
from html import escape
from typing import Any

from cardin.sandbox.data import Company

JSON = dict[str, Any]
SIZES = (128, 512)
_COLOURS = ("#2e7d32", "#c62828", "#f9a825", "#1565c0", "#6a1b9a", "#00838f", "#ef6c00", "#4e342e")


def picture_object(company_id: int, picture_id: int, person_id: int, user_id: int) -> JSON:
    """A v2 person picture whose URLs (relative to the sandbox) serve SVG avatars."""
    return {
        "id": picture_id,
        "item_type": "person",
        "item_id": person_id,
        "added_by_user_id": user_id,
        "active_flag": True,
        "file_size": 2048,
        "pictures": {
            str(size): f"/_sandbox/pictures/{company_id}/{picture_id}_{size}.svg" for size in SIZES
        },
    }


def avatar_svg(company: Company, picture_id: int, size: int) -> str:
    """An SVG avatar with the person's initials; KeyError when there is no such picture."""
    picture = company.get("person_pictures", picture_id)
    person = company.get("persons", (picture or {}).get("item_id"))
    if picture is None or person is None or size not in SIZES:
        raise KeyError(picture_id)
    initials = "".join(part[:1] for part in str(person["name"]).split()[:2]).upper()
    digest = hashlib.sha256(str(person["id"]).encode()).digest()
    colour = _COLOURS[digest[0] % len(_COLOURS)]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 100 100"><rect width="100" height="100" fill="{colour}"/>'
        f'<text x="50" y="50" dy=".35em" text-anchor="middle" font-family="sans-serif" '
        f'font-size="40" fill="#fff">{escape(initials)}</text></svg>'
    )
