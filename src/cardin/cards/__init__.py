"""Card v1 JSON for the Gmail side panel: pure builders from the contact model to dicts."""

from cardin.cards.actions import (
    DASHBOARD_INPUT,
    DASHBOARD_ON,
    FEATURES_INPUT,
    NAME_INPUT,
    RUN_MODE_INPUT,
    SEARCH_INPUT,
    TOKEN_INPUT,
    ListSection,
    Op,
    decode_features,
    encode_features,
)
from cardin.cards.contact import render_contact_card
from cardin.cards.context import CardContext
from cardin.cards.dashboard import (
    DUPLICATE_SAME_DOMAIN,
    DUPLICATE_SAME_NAME,
    DashboardContact,
    DashboardEntry,
    render_dashboard,
)
from cardin.cards.deal_card import render_deal_card
from cardin.cards.forms import (
    ActivityView,
    ContactFormView,
    DealOption,
    DealView,
    DuplicateView,
    EmailSummary,
    FieldProblem,
    FormState,
    LogEmailView,
    NoteView,
    StageOption,
    TypeOption,
    render_activity_form,
    render_contact_form,
    render_deal_form,
    render_log_email_form,
    render_note_form,
)
from cardin.cards.home import render_homepage
from cardin.cards.icons import ICON_DIR, ICON_FILES
from cardin.cards.limits import MAX_WIDGETS
from cardin.cards.lists import render_list_card
from cardin.cards.notes import render_note_card
from cardin.cards.outcome import render_outcome_card
from cardin.cards.responses import (
    action_response,
    pop,
    pop_to_root,
    push,
    trigger_response,
    update,
)
from cardin.cards.setup import (
    render_account_change_confirm,
    render_behaviour_step,
    render_delete_confirm,
    render_features_step,
    render_name_step,
    render_sign_in_reauth,
    render_token_step,
)
from cardin.cards.states import (
    render_error_card,
    render_no_match_card,
    render_payment_card,
    render_reauth_card,
)
from cardin.cards.widgets import Json
from cardin.cards.writes import LoggedView, WriteOptions, WriteReceipt

__all__ = [
    "DASHBOARD_INPUT",
    "DASHBOARD_ON",
    "DUPLICATE_SAME_DOMAIN",
    "DUPLICATE_SAME_NAME",
    "FEATURES_INPUT",
    "ICON_DIR",
    "ICON_FILES",
    "MAX_WIDGETS",
    "NAME_INPUT",
    "RUN_MODE_INPUT",
    "SEARCH_INPUT",
    "TOKEN_INPUT",
    "ActivityView",
    "CardContext",
    "ContactFormView",
    "DashboardContact",
    "DashboardEntry",
    "DealOption",
    "DealView",
    "DuplicateView",
    "EmailSummary",
    "FieldProblem",
    "FormState",
    "Json",
    "ListSection",
    "LogEmailView",
    "LoggedView",
    "NoteView",
    "Op",
    "StageOption",
    "TypeOption",
    "WriteOptions",
    "WriteReceipt",
    "action_response",
    "decode_features",
    "encode_features",
    "pop",
    "pop_to_root",
    "push",
    "render_account_change_confirm",
    "render_activity_form",
    "render_behaviour_step",
    "render_contact_card",
    "render_contact_form",
    "render_dashboard",
    "render_deal_card",
    "render_deal_form",
    "render_delete_confirm",
    "render_error_card",
    "render_features_step",
    "render_homepage",
    "render_list_card",
    "render_log_email_form",
    "render_name_step",
    "render_no_match_card",
    "render_note_card",
    "render_note_form",
    "render_outcome_card",
    "render_payment_card",
    "render_reauth_card",
    "render_sign_in_reauth",
    "render_token_step",
    "trigger_response",
    "update",
]
