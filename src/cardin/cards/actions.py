"""The card actions the add-on's action endpoint routes on: op names, parameter keys, builders.

Every button that calls back sends `ctx.action_url` with string parameters; `op` says what to do.
The service (not this package) reads them from `commonEventObject.parameters`.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

from cardin.cards.context import CardContext
from cardin.cards.widgets import Json


class Op(enum.StrEnum):
    """What a card action asks the service to do (the `op` parameter)."""

    SHOW_ALL = "show_all"  # section, email, person_id, connector: push the section's full list
    RETRY = "retry"  # email, connector: run the lookup again after an error
    REFRESH = "refresh"  # email, person_id, connector: look up again, bypassing the cache
    ADD_CONTACT = "add_contact"  # email, name, connector: create the person in Pipedrive
    SEARCH_OTHER = "search_other"  # connector; form input SEARCH_INPUT: look up another address
    REAUTH = "reauth"  # connector: open the connector's token step


class ListSection(enum.StrEnum):
    """A list of the contact card that a "show all" card can show in full (the `section`)."""

    FIELDS = "fields"
    EMAILS = "emails"
    PHONES = "phones"
    OTHERS = "others"
    NOTES = "notes"
    DEALS = "deals"
    ACTIVITIES = "activities"


# Parameter keys (values are always strings).
OP = "op"
SECTION = "section"
EMAIL = "email"
NAME = "name"
PERSON_ID = "person_id"
CONNECTOR = "connector"

SEARCH_INPUT = "search_email"
"""Name of the no-match card's text input; its value arrives in `formInputs` with SEARCH_OTHER."""


def call(
    ctx: CardContext, op: Op, *, required: Sequence[str] = (), **params: str | int | None
) -> Json:
    """An onClick calling the action endpoint with `op`, the connector and the non-None params.

    `required` names input widgets that must be filled before the action is sent.
    """
    values: dict[str, str] = {OP: op.value}
    if ctx.connector_id is not None:
        values[CONNECTOR] = ctx.connector_id
    values.update({key: str(value) for key, value in params.items() if value is not None})
    action: Json = {
        "function": ctx.action_url,
        "parameters": [{"key": key, "value": value} for key, value in values.items()],
    }
    if required:
        action["requiredWidgets"] = list(required)
    return {"action": action}
