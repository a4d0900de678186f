"""The names on the wire: action parameter keys and the names of the cards' input widgets.

A button sends its action's parameters in `commonEventObject.parameters` (every value a string);
what the user typed or chose arrives in `commonEventObject.formInputs`, keyed by widget name.
"""

from __future__ import annotations

# Parameter keys.
OP = "op"
SECTION = "section"
EMAIL = "email"
NAME = "name"
PERSON_ID = "person_id"
CONNECTOR = "connector"
CONNECTOR_NAME = "connector_name"
FEATURES = "features"
RUN_MODE = "run_mode"
DASHBOARD = "dashboard"
SETUP_KEY = "setup"
COMPANY_ID = "company_id"
USER_ID = "user_id"

# Names of input widgets.
SEARCH_INPUT = "search_email"
"""The no-match card's and the homepage's address field (textInput)."""
NAME_INPUT = "name_input"
"""Setup step 1: the connector's name (textInput)."""
FEATURES_INPUT = "features_input"
"""Setup step 2: the checked features (selectionInput CHECK_BOX; values are Feature values)."""
TOKEN_INPUT = "token_input"  # noqa: S105 - a widget name, not a secret
"""Setup step 3 and reauthorization: the Pipedrive API token (textInput, never pre-filled)."""
RUN_MODE_INPUT = "run_mode_input"
"""Setup step 4: automatic or manual (selectionInput RADIO_BUTTON; values are RunMode values)."""
DASHBOARD_INPUT = "dashboard_input"
"""Setup step 4: show in the dashboard (switchControl; present with value "true" only when on)."""

DASHBOARD_ON = "true"
"""The value of DASHBOARD_INPUT when on, and of the DASHBOARD parameter for on ("false": off)."""
DASHBOARD_OFF = "false"
"""The value of the DASHBOARD parameter for off."""
