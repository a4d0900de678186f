"""The card actions the add-on's action endpoint routes on: op names, parameter keys, builders.

Every button that calls back sends `ctx.action_url` with string parameters; `op` says what to do.
The service (not this package) reads them from `commonEventObject.parameters`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence

from cardin.cards.context import CardContext
from cardin.cards.widgets import Json
from cardin.connectors.features import REGISTRY, Feature


class Op(enum.StrEnum):
    """What a card action asks the service to do (the `op` parameter)."""

    SHOW_ALL = "show_all"  # section, email, person_id, connector: push the section's full list
    RETRY = "retry"  # email, connector: run the lookup again after an error
    REFRESH = "refresh"  # email, person_id, connector: look up again, bypassing the cache
    ADD_CONTACT = "add_contact"  # email, name, connector: create the person in Pipedrive
    SEARCH_OTHER = "search_other"  # connector; form input SEARCH_INPUT: look up another address
    REAUTH = "reauth"  # connector: open the connector's token step
    # Connector setup (SPEC §1). Every step's submit carries the choices of the other steps
    # (CONNECTOR_NAME, FEATURES, RUN_MODE, DASHBOARD) so the service keeps no wizard state; the
    # step's own choice arrives in formInputs. CONNECTOR is set when editing, absent when creating;
    # then SETUP_KEY names the wizard, so that a repeated step finds the connector it created.
    SETUP_START = "setup_start"  # -: push step 1 of a new connector with the service's defaults
    SETUP_NAME = "setup_name"  # [connector], features, run_mode, dashboard; NAME_INPUT → step 2
    SETUP_FEATURES = "setup_features"  # [connector], connector_name, run_mode, dashboard;
    # FEATURES_INPUT (absent = none checked) → step 3
    # [connector], connector_name, features, run_mode, dashboard; TOKEN_INPUT (editing: empty
    # keeps the saved token) → check it with Pipedrive → step 4, or step 3 again with the error
    SETUP_TOKEN = "setup_token"  # noqa: S105 - an op name, not a secret
    SETUP_BEHAVIOUR = "setup_behaviour"  # connector, connector_name, features; RUN_MODE_INPUT,
    # DASHBOARD_INPUT (absent = off) → save, back to the homepage
    EDIT = "edit"  # connector: push step 1 with the connector's stored settings
    # connector; TOKEN_INPUT: check it; same account: save; another: push the account change
    REAUTH_TOKEN = "reauth_token"  # noqa: S105 - an op name, not a secret
    REAUTH_CONFIRM = "reauth_confirm"  # connector, company_id, user_id [+ the carried choices
    # when it came from the edit flow]: accept the pending token of another Pipedrive account
    DELETE = "delete"  # connector: push the delete confirmation
    DELETE_CONFIRM = "delete_confirm"  # connector: delete it, back to the homepage
    # Dashboard and homepage (SPEC §2).
    OPEN_CONNECTOR = "open_connector"  # connector, email, [name]: push that connector's result
    RUN_CONNECTOR = "run_connector"  # connector, email, [name]: search now (manual, or retry after
    # an error), push its result
    LOOKUP = "lookup"  # [email], [name]; else form input SEARCH_INPUT: the dashboard for an address
    HOME = "home"  # -: push the homepage (connector list, add/edit/delete, search)
    CANCEL = "cancel"  # -: pop the top card (Back in the wizard, Cancel on a confirmation)
    ADD_CONTACT_CONFIRM = "add_contact_confirm"  # connector, email, [name]: add despite duplicates


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
CONNECTOR_NAME = "connector_name"  # the connector's name as typed (may be empty: "Pipedrive")
FEATURES = "features"  # Feature values joined by "," in registry order ("" = none)
RUN_MODE = "run_mode"  # a RunMode value
DASHBOARD = "dashboard"  # "true" or "false": show the connector's result in the dashboard
SETUP_KEY = "setup"  # a new connector's wizard: 32 random hex digits from SETUP_START on
COMPANY_ID = "company_id"  # the Pipedrive company of a pending account change
USER_ID = "user_id"  # the Pipedrive user of a pending account change

SEARCH_INPUT = "search_email"
"""Name of the no-match card's text input; its value arrives in `formInputs` with SEARCH_OTHER."""

# Names of the setup steps' input widgets; values arrive in `commonEventObject.formInputs`.
NAME_INPUT = "name_input"
"""Step 1: the connector's name (textInput)."""
FEATURES_INPUT = "features_input"
"""Step 2: the checked features (selectionInput CHECK_BOX; values are Feature values)."""
TOKEN_INPUT = "token_input"  # noqa: S105 - a widget name, not a secret
"""Step 3 and reauth: the Pipedrive API token (textInput, never pre-filled)."""
RUN_MODE_INPUT = "run_mode_input"
"""Step 4: automatic or manual (selectionInput RADIO_BUTTON; values are RunMode values)."""
DASHBOARD_INPUT = "dashboard_input"
"""Step 4: show in the dashboard (switchControl; present with value "true" only when on)."""
DASHBOARD_ON = "true"
"""The value of DASHBOARD_INPUT when on, and of the DASHBOARD parameter for on ("false": off)."""


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


def encode_features(features: Iterable[Feature]) -> str:
    """The FEATURES parameter: the features' values in registry order, joined by ","."""
    on = frozenset(features)
    return ",".join(info.feature.value for info in REGISTRY if info.feature in on)


def decode_features(text: str) -> frozenset[Feature]:
    """The features of a FEATURES parameter (or form values joined by ","); unknown ones dropped."""
    known = {feature.value: feature for feature in Feature}
    return frozenset(known[value] for value in text.split(",") if value in known)
