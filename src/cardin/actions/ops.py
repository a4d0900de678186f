"""Every card action: its `Op` and a frozen dataclass of what it carries, typed and documented.

A field annotated with `Param` is set by the card that renders the button; one annotated with
`Input` or `Inputs` is what the user typed or chose in that card's widgets (its default stands for
"left empty"). A field whose type is a dataclass (`Carried`) contributes that dataclass' fields.
Fields are written to the wire in the order declared here.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, ClassVar

from cardin.actions.codecs import (
    ADDRESS,
    DATE,
    DATE_TIME,
    FEATURE_CHOICES,
    FEATURE_LIST,
    HEX_KEY,
    IDENTIFIER,
    NUMBER,
    TEXT,
    TYPED,
    Choice,
    Flag,
    Input,
    Inputs,
    Param,
)
from cardin.actions.keys import (
    ACTIVITY_ID,
    BODY_INPUT,
    CLOSE_DATE_INPUT,
    COMMENT_INPUT,
    COMPANY_ID,
    CONNECTOR,
    CONNECTOR_NAME,
    CURRENCY_INPUT,
    DASHBOARD,
    DASHBOARD_INPUT,
    DASHBOARD_OFF,
    DASHBOARD_ON,
    DEAL_ID,
    DEAL_INPUT,
    DUE_INPUT,
    DURATION_INPUT,
    EMAIL,
    FEATURES,
    FEATURES_INPUT,
    JOB_TITLE_INPUT,
    NAME,
    NAME_INPUT,
    NOTE_ID,
    NOTE_INPUT,
    NOTE_PAGE,
    ORG_ID,
    ORG_INPUT,
    ORG_NAME,
    PAGE,
    PERSON_ID,
    PERSON_NAME_INPUT,
    PHONE_INPUT,
    REQUEST_KEY,
    RUN_MODE,
    RUN_MODE_INPUT,
    SEARCH_INPUT,
    SECTION,
    SETUP_KEY,
    STAGE_INPUT,
    SUBJECT_INPUT,
    SWITCH_ON,
    TITLE_INPUT,
    TOKEN_INPUT,
    TYPE_INPUT,
    USER_ID,
    VALUE_INPUT,
)
from cardin.connectors.features import Feature
from cardin.connectors.model import ConnectorSettings, RunMode


class Op(enum.StrEnum):
    """What a card action asks the service to do (the `op` parameter)."""

    SHOW_ALL = "show_all"
    RETRY = "retry"
    REFRESH = "refresh"
    ADD_CONTACT = "add_contact"
    CREATE_CONTACT = "create_contact"
    SEARCH_OTHER = "search_other"
    LOOKUP = "lookup"
    OPEN_CONNECTOR = "open_connector"
    RUN_CONNECTOR = "run_connector"
    HOME = "home"
    CANCEL = "cancel"
    SETUP_START = "setup_start"
    SETUP_NAME = "setup_name"
    SETUP_FEATURES = "setup_features"
    SETUP_TOKEN = "setup_token"  # noqa: S105 - an op name, not a secret
    SETUP_BEHAVIOUR = "setup_behaviour"
    EDIT = "edit"
    REAUTH = "reauth"
    REAUTH_TOKEN = "reauth_token"  # noqa: S105 - an op name, not a secret
    REAUTH_CONFIRM = "reauth_confirm"
    DELETE = "delete"
    DELETE_CONFIRM = "delete_confirm"
    LOG_EMAIL_FORM = "log_email_form"
    LOG_EMAIL = "log_email"
    NOTE_FORM = "note_form"
    ADD_NOTE = "add_note"
    ACTIVITY_FORM = "activity_form"
    SCHEDULE_ACTIVITY = "schedule_activity"
    DEAL_FORM = "deal_form"
    CREATE_DEAL = "create_deal"
    MARK_DONE = "mark_done"
    READ_NOTE = "read_note"
    OPEN_DEAL = "open_deal"


class ListSection(enum.StrEnum):
    """A list of the contact card that a "show all" card can show in full."""

    FIELDS = "fields"
    EMAILS = "emails"
    PHONES = "phones"
    OTHERS = "others"
    NOTES = "notes"
    DEALS = "deals"
    ACTIVITIES = "activities"


# --- the fields many actions share ----------------------------------------------------------

ConnectorId = Annotated[str, Param(CONNECTOR, IDENTIFIER)]
"""One of the user's connectors (the service looks it up among the user's own only)."""
Email = Annotated[str, Param(EMAIL, ADDRESS)]
"""The address the action is about (the sender, or whoever was looked up)."""
SenderName = Annotated[str, Param(NAME, TEXT)]
"""The display name the address came with."""
PersonId = Annotated[int, Param(PERSON_ID, NUMBER)]
"""The Pipedrive person the card shows (sent for the record: lookups go by address)."""
SetupKey = Annotated[str, Param(SETUP_KEY, HEX_KEY)]
"""Names a new connector's wizard from its first step on, so that a repeated step 3 finds the
connector that wizard already stored (32 random hex digits)."""
Token = Annotated[str, Input(TOKEN_INPUT, TYPED)]
"""The Pipedrive API token as typed (never carried in a parameter); "" when left empty."""
Page = Annotated[int, Param(PAGE, NUMBER)]
"""Which page of a paged card: 0 is the first. Sent by Previous and Next (then the page
replaces the card shown); absent when the card is first opened (then it is pushed)."""
RequestKey = Annotated[str, Param(REQUEST_KEY, HEX_KEY)]
"""A write form's idempotency key, issued when the form was rendered (32 random hex digits):
every submit of that form carries it, and the service writes at most once per key."""


@dataclass(frozen=True, kw_only=True)
class Action:
    """What one button asks the service to do, with everything it needs."""

    op: ClassVar[Op]


@dataclass(frozen=True, kw_only=True)
class Carried:
    """The set-up choices a wizard step carries from the other steps (so the service keeps no
    wizard state). None: not carried, because the step asks for it itself or it was never set."""

    name: Annotated[str | None, Param(CONNECTOR_NAME, TEXT)] = None
    """The connector's name as typed (may be empty: then it is "Pipedrive")."""
    features: Annotated[frozenset[Feature] | None, Param(FEATURES, FEATURE_LIST)] = None
    """The chosen features (sent in registry order; features since retired are dropped)."""
    run_mode: Annotated[RunMode | None, Param(RUN_MODE, Choice(RunMode))] = None
    show_in_dashboard: Annotated[
        bool | None, Param(DASHBOARD, Flag(DASHBOARD_ON, DASHBOARD_OFF))
    ] = None

    @classmethod
    def of(cls, settings: ConnectorSettings) -> Carried:
        """All of the settings, carried."""
        return cls(
            name=settings.name,
            features=settings.features,
            run_mode=settings.run_mode,
            show_in_dashboard=settings.show_in_dashboard,
        )

    def over(self, defaults: ConnectorSettings, *, name: str | None = None) -> ConnectorSettings:
        """The carried choices, `defaults` for those not carried; `name` (typed in this step)
        before the carried name."""
        if name is None:
            name = self.name
        return ConnectorSettings(
            name=defaults.name if name is None else name,
            features=defaults.features if self.features is None else self.features,
            run_mode=defaults.run_mode if self.run_mode is None else self.run_mode,
            show_in_dashboard=defaults.show_in_dashboard
            if self.show_in_dashboard is None
            else self.show_in_dashboard,
        )


# --- the contact card and the dashboard (SPEC §2-§5) ----------------------------------------


@dataclass(frozen=True, kw_only=True)
class ShowAll(Action):
    """Push one of the contact card's lists in full ("Show all 12")."""

    op = Op.SHOW_ALL
    connector_id: ConnectorId
    section: Annotated[ListSection, Param(SECTION, Choice(ListSection))]
    email: Email
    person_id: PersonId | None = None
    name: SenderName | None = None
    page: Page | None = None
    """The page of the list (None: the first)."""


@dataclass(frozen=True, kw_only=True)
class OpenDeal(Action):
    """Push a deal's card, fetched on demand: its value, stage, dates, lost reason, and all of
    its notes and activities, paged."""

    op = Op.OPEN_DEAL
    connector_id: ConnectorId
    email: Email
    person_id: PersonId
    deal_id: Annotated[int, Param(DEAL_ID, NUMBER)]
    page: Page | None = None
    """The page of the deal's notes and activities (None: the first)."""


@dataclass(frozen=True, kw_only=True)
class Retry(Action):
    """Look up again after an error (the whole dashboard, when it is the default connector's
    card of the open message)."""

    op = Op.RETRY
    connector_id: ConnectorId
    email: Email | None = None
    person_id: PersonId | None = None
    name: SenderName | None = None


@dataclass(frozen=True, kw_only=True)
class Refresh(Action):
    """Look the contact up again, bypassing the result cache (the card's "Refresh")."""

    op = Op.REFRESH
    connector_id: ConnectorId
    email: Email
    person_id: PersonId | None = None
    name: SenderName | None = None


@dataclass(frozen=True, kw_only=True)
class AddContact(Action):
    """Push the add-contact form for the unknown sender: name, organization (preselected when
    the address' domain points at one), phone, job title; likely duplicates listed above it."""

    op = Op.ADD_CONTACT
    connector_id: ConnectorId
    email: Email
    name: SenderName | None = None


@dataclass(frozen=True, kw_only=True)
class CreateContact(Action):
    """The add-contact form's Add: create the person (and the organization when a new name was
    typed), then show their contact card."""

    op = Op.CREATE_CONTACT
    connector_id: ConnectorId
    email: Email
    name: SenderName | None = None
    request_key: RequestKey
    org_id: Annotated[int | None, Param(ORG_ID, NUMBER)] = None
    """The organization the form preselected (linked when its name is left as shown)."""
    org_name: Annotated[str | None, Param(ORG_NAME, TEXT)] = None
    """The preselected organization's name as the form showed it."""
    person_name: Annotated[str, Input(PERSON_NAME_INPUT, TYPED)] = ""
    organization: Annotated[str, Input(ORG_INPUT, TYPED)] = ""
    phone: Annotated[str, Input(PHONE_INPUT, TYPED)] = ""
    job_title: Annotated[str, Input(JOB_TITLE_INPUT, TYPED)] = ""


@dataclass(frozen=True, kw_only=True)
class SearchOther(Action):
    """The no-match card's search: the dashboard for the address typed in its field."""

    op = Op.SEARCH_OTHER
    connector_id: ConnectorId | None = None
    search: Annotated[str | None, Input(SEARCH_INPUT, TYPED)] = None


@dataclass(frozen=True, kw_only=True)
class Lookup(Action):
    """The dashboard for an address: another person of the thread (`email`, `name`), or the one
    typed in the homepage's search field (`search`, which comes first)."""

    op = Op.LOOKUP
    email: Email | None = None
    name: SenderName | None = None
    search: Annotated[str | None, Input(SEARCH_INPUT, TYPED)] = None


@dataclass(frozen=True, kw_only=True)
class OpenConnector(Action):
    """Push one connector's result for the address (a dashboard row, "Show everything")."""

    op = Op.OPEN_CONNECTOR
    connector_id: ConnectorId
    email: Email
    name: SenderName | None = None


@dataclass(frozen=True, kw_only=True)
class RunConnector(Action):
    """Search now with a connector that has not run (manual, or after an error), push its
    result."""

    op = Op.RUN_CONNECTOR
    connector_id: ConnectorId
    email: Email
    name: SenderName | None = None


@dataclass(frozen=True, kw_only=True)
class Home(Action):
    """Show the homepage in place of the top card (the connector list, set-up, search)."""

    op = Op.HOME


@dataclass(frozen=True, kw_only=True)
class Cancel(Action):
    """Pop the top card (Back in the wizard, Cancel on a confirmation)."""

    op = Op.CANCEL


@dataclass(frozen=True, kw_only=True)
class ReadNote(Action):
    """Show one note of the contact in full on a card of its own ("Read the whole note");
    a long note is paged. Without `page` the note card is pushed at its first page; with it
    (Next/Previous) that page replaces the note card. From a deal's card, `deal_id` names the
    deal."""

    op = Op.READ_NOTE
    connector_id: ConnectorId
    email: Email
    person_id: PersonId
    note_id: Annotated[int, Param(NOTE_ID, NUMBER)]
    page: Annotated[int | None, Param(NOTE_PAGE, NUMBER)] = None
    """The page to show, counted from 1."""
    deal_id: Annotated[int | None, Param(DEAL_ID, NUMBER)] = None
    """The deal whose card the note was read from: when the contact's result does not hold the
    note (a deal beyond the ones fetched with the contact), it is looked for on that deal,
    fetched now. None: the contact card or a list."""


# --- connector set-up (SPEC §1) -------------------------------------------------------------
# Every step's submit carries the choices of the other steps; the step's own choice arrives in
# its input. `connector_id` is set when editing, absent when creating; then `setup_key` names the
# wizard.


@dataclass(frozen=True, kw_only=True)
class SetupStart(Action):
    """Push step 1 of a new connector with the service's defaults and a new setup key."""

    op = Op.SETUP_START


@dataclass(frozen=True, kw_only=True)
class SetupName(Action):
    """Step 1's Next: the typed name (normalised), then step 2."""

    op = Op.SETUP_NAME
    connector_id: ConnectorId | None = None
    carried: Carried
    setup_key: SetupKey | None = None
    name: Annotated[str | None, Input(NAME_INPUT, TYPED)] = None


@dataclass(frozen=True, kw_only=True)
class SetupFeatures(Action):
    """Step 2's Next: the checked features (none checked: none), then step 3."""

    op = Op.SETUP_FEATURES
    connector_id: ConnectorId | None = None
    carried: Carried
    setup_key: SetupKey | None = None
    features: Annotated[frozenset[Feature], Inputs(FEATURES_INPUT, FEATURE_CHOICES)] = frozenset()


@dataclass(frozen=True, kw_only=True)
class SetupToken(Action):
    """Step 3's Next: check the token with Pipedrive, store it, then step 4 (or step 3 again
    with the problem). Editing, an empty token keeps the saved one."""

    op = Op.SETUP_TOKEN
    connector_id: ConnectorId | None = None
    carried: Carried
    setup_key: SetupKey | None = None
    token: Token = ""


@dataclass(frozen=True, kw_only=True)
class SetupBehaviour(Action):
    """Step 4's Save: automatic or manual, whether to show in the dashboard; then home."""

    op = Op.SETUP_BEHAVIOUR
    connector_id: ConnectorId
    carried: Carried
    run_mode: Annotated[RunMode | None, Input(RUN_MODE_INPUT, Choice(RunMode))] = None
    show_in_dashboard: Annotated[bool, Input(DASHBOARD_INPUT, Flag(DASHBOARD_ON, None))] = False
    """The switch sends its value only when on."""


@dataclass(frozen=True, kw_only=True)
class Edit(Action):
    """Push step 1 with the connector's stored settings."""

    op = Op.EDIT
    connector_id: ConnectorId


@dataclass(frozen=True, kw_only=True)
class Reauth(Action):
    """Push the connector's token step alone (reauthorization)."""

    op = Op.REAUTH
    connector_id: ConnectorId


@dataclass(frozen=True, kw_only=True)
class ReauthToken(Action):
    """Check the new token; the same Pipedrive account: save it; another: ask first."""

    op = Op.REAUTH_TOKEN
    connector_id: ConnectorId
    token: Token = ""


@dataclass(frozen=True, kw_only=True)
class ReauthConfirm(Action):
    """Accept the held token of another Pipedrive account (company and user as shown)."""

    op = Op.REAUTH_CONFIRM
    connector_id: ConnectorId
    carried: Carried
    """The edit flow's choices, carried on to step 4 (nothing carried: reauthorization)."""
    company_id: Annotated[int, Param(COMPANY_ID, NUMBER)]
    user_id: Annotated[int, Param(USER_ID, NUMBER)]

    @property
    def from_edit(self) -> bool:
        """Whether the account change came from the edit flow (which carries the name)."""
        return self.carried.name is not None


@dataclass(frozen=True, kw_only=True)
class Delete(Action):
    """Push the delete confirmation."""

    op = Op.DELETE
    connector_id: ConnectorId


@dataclass(frozen=True, kw_only=True)
class DeleteConfirm(Action):
    """Delete the connector, back to the homepage."""

    op = Op.DELETE_CONFIRM
    connector_id: ConnectorId


# --- writes from the contact card (acting from the side panel) ------------------------------
# A form action pushes the form with a new request key; its submit carries that key, the typed
# inputs, and the contact it is about. Whether an input may be empty is the use case's call.


@dataclass(frozen=True, kw_only=True)
class About:
    """The contact a write is about: the connector, the address looked up and the person found."""

    connector_id: ConnectorId
    email: Email
    person_id: PersonId
    name: SenderName | None = None


DealChoice = Annotated[int, Input(DEAL_INPUT, NUMBER)]
"""The deal picked in a form's dropdown; 0 (or left empty): the person, no deal."""


@dataclass(frozen=True, kw_only=True)
class LogEmailForm(Action):
    """Push the Log email form for the open message."""

    op = Op.LOG_EMAIL_FORM
    about: About


@dataclass(frozen=True, kw_only=True)
class LogEmail(Action):
    """Log the open message as a note on the person or the picked deal, once per message."""

    op = Op.LOG_EMAIL
    about: About
    request_key: RequestKey
    deal_id: DealChoice = 0
    comment: Annotated[str, Input(COMMENT_INPUT, TYPED)] = ""
    include_body: Annotated[bool, Input(BODY_INPUT, Flag(SWITCH_ON, None))] = False
    """Also log the message text (asks for Gmail's read-only message scope at that moment)."""


@dataclass(frozen=True, kw_only=True)
class NoteForm(Action):
    """Push the Add note form."""

    op = Op.NOTE_FORM
    about: About


@dataclass(frozen=True, kw_only=True)
class AddNote(Action):
    """Add the typed note (line breaks kept) to the person or the picked deal."""

    op = Op.ADD_NOTE
    about: About
    request_key: RequestKey
    content: Annotated[str, Input(NOTE_INPUT, TYPED)] = ""
    deal_id: DealChoice = 0


@dataclass(frozen=True, kw_only=True)
class ActivityForm(Action):
    """Push the Schedule activity form (subject from the open message, due next working day)."""

    op = Op.ACTIVITY_FORM
    about: About


@dataclass(frozen=True, kw_only=True)
class ScheduleActivity(Action):
    """Create the activity through API v2 with the person as participant."""

    op = Op.SCHEDULE_ACTIVITY
    about: About
    request_key: RequestKey
    subject: Annotated[str, Input(SUBJECT_INPUT, TYPED)] = ""
    activity_type: Annotated[str, Input(TYPE_INPUT, TYPED)] = ""
    """The type's key_string (the company's types, checked against the metadata)."""
    due: Annotated[datetime | None, Input(DUE_INPUT, DATE_TIME)] = None
    duration_minutes: Annotated[int, Input(DURATION_INPUT, NUMBER)] = 0
    deal_id: DealChoice = 0
    note: Annotated[str, Input(NOTE_INPUT, TYPED)] = ""


@dataclass(frozen=True, kw_only=True)
class DealForm(Action):
    """Push the Create deal form."""

    op = Op.DEAL_FORM
    about: About


@dataclass(frozen=True, kw_only=True)
class CreateDeal(Action):
    """Create a deal linked to the person and their organization."""

    op = Op.CREATE_DEAL
    about: About
    request_key: RequestKey
    title: Annotated[str, Input(TITLE_INPUT, TYPED)] = ""
    value: Annotated[str, Input(VALUE_INPUT, TYPED)] = ""
    """As typed: a number in the user's notation, or empty (checked by the use case)."""
    currency: Annotated[str, Input(CURRENCY_INPUT, TYPED)] = ""
    stage_id: Annotated[int | None, Input(STAGE_INPUT, NUMBER)] = None
    expected_close: Annotated[date | None, Input(CLOSE_DATE_INPUT, DATE)] = None


@dataclass(frozen=True, kw_only=True)
class MarkDone(Action):
    """Mark an open activity done (one click; doing it twice changes nothing)."""

    op = Op.MARK_DONE
    about: About
    activity_id: Annotated[int, Param(ACTIVITY_ID, NUMBER)]
    section: Annotated[ListSection | None, Param(SECTION, Choice(ListSection))] = None
    """Set when the button is on a show-all list: that list comes back, else the contact card."""


ACTIONS: tuple[type[Action], ...] = (
    ShowAll,
    Retry,
    Refresh,
    AddContact,
    CreateContact,
    SearchOther,
    Lookup,
    OpenConnector,
    RunConnector,
    Home,
    Cancel,
    SetupStart,
    SetupName,
    SetupFeatures,
    SetupToken,
    SetupBehaviour,
    Edit,
    Reauth,
    ReauthToken,
    ReauthConfirm,
    Delete,
    DeleteConfirm,
    LogEmailForm,
    LogEmail,
    NoteForm,
    AddNote,
    ActivityForm,
    ScheduleActivity,
    DealForm,
    CreateDeal,
    MarkDone,
    ReadNote,
    OpenDeal,
)
"""Every action, one per `Op`."""
BY_OP: Mapping[Op, type[Action]] = {kind.op: kind for kind in ACTIONS}
