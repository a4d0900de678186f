"""Card v1 JSON for the Gmail side panel: pure builders from the contact model to dicts."""

from cardin.cards.actions import SEARCH_INPUT, ListSection, Op
from cardin.cards.contact import render_contact_card
from cardin.cards.context import CardContext
from cardin.cards.icons import ICON_DIR, ICON_FILES
from cardin.cards.limits import MAX_WIDGETS
from cardin.cards.lists import render_list_card
from cardin.cards.outcome import render_outcome_card
from cardin.cards.responses import (
    action_response,
    pop,
    pop_to_root,
    push,
    trigger_response,
    update,
)
from cardin.cards.states import (
    render_error_card,
    render_no_match_card,
    render_payment_card,
    render_reauth_card,
)
from cardin.cards.widgets import Json

__all__ = [
    "ICON_DIR",
    "ICON_FILES",
    "MAX_WIDGETS",
    "SEARCH_INPUT",
    "CardContext",
    "Json",
    "ListSection",
    "Op",
    "action_response",
    "pop",
    "pop_to_root",
    "push",
    "render_contact_card",
    "render_error_card",
    "render_list_card",
    "render_no_match_card",
    "render_outcome_card",
    "render_payment_card",
    "render_reauth_card",
    "trigger_response",
    "update",
]
