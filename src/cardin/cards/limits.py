"""Google's card limits and how many items of each list the contact card previews.

Google ignores the section that pushes a card past 100 widgets and every section after it, so
the contact card previews each list up to a cap chosen so that even a contact with every list
full stays well below the limit; `fit` is the last guard for any card.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cardin.cards.widgets import Json

MAX_WIDGETS = 100


@dataclass(frozen=True, slots=True)
class Caps:
    """How many items of each list a card shows before offering "show all"."""

    fields: int = 20
    emails: int = 5
    phones: int = 5
    others: int = 3
    notes: int = 3
    deals: int = 3
    deal_notes: int = 1
    deal_activities: int = 2
    activities: int = 5


CONTACT_CAPS = Caps()
# A "show all" card lists one deal per few widgets: a little more of each deal than the preview.
LIST_DEAL_NOTES = 2
LIST_DEAL_ACTIVITIES = 3


def count_widgets(sections: Sequence[Json]) -> int:
    """Widgets in all the sections (what Google counts against the limit)."""
    return sum(len(section["widgets"]) for section in sections)


def fit(sections: list[Json], limit: int = MAX_WIDGETS) -> list[Json]:
    """The sections trimmed to `limit` widgets: the biggest section loses its next-to-last ones.

    Keeping each section's last widget keeps its "show all" or refresh button; the caps make
    this a no-op for every card we build, it only guards against a future cap mistake.
    """
    while count_widgets(sections) > limit:
        biggest = max(sections, key=lambda s: len(s["widgets"]))
        if len(biggest["widgets"]) < 2:  # noqa: PLR2004 - one widget is the least a section holds
            sections = sections[:limit]
            break
        del biggest["widgets"][-2]
        _clamp_collapsed(biggest)
    return sections


def _clamp_collapsed(section: Json) -> None:
    """Keep the collapsible count valid after widgets were removed."""
    visible = section.get("uncollapsibleWidgetsCount")
    if visible is not None and visible >= len(section["widgets"]):
        section.pop("collapsible", None)
        section.pop("uncollapsibleWidgetsCount", None)
