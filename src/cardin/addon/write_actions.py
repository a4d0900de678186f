"""The writes from the contact card: the forms, their submits, and Mark as done.

Being built: until the forms land, these actions answer with the "unknown action" notice (no card
offers them yet).
"""

from __future__ import annotations

from cardin.actions import Action
from cardin.addon.handlers import AddOn
from cardin.cards import Json, action_response


async def not_yet(addon: AddOn, _action: Action) -> Json:
    """The notice for an action no card offers yet."""
    return action_response(notification=addon.text("notice.unknown_action"))
