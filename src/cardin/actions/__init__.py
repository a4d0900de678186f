"""The registry of card actions: every button's operation as a typed, frozen dataclass.

Pure: it imports the standard library and `cardin.connectors` only, so the cards use it to build
buttons (`cardin.cards.actions.call`) and the add-on to read events (`parse_action`, called once
in `cardin.addon.events`). A parameter that is missing, unknown or of the wrong form is a
`BadAction`, which the add-on answers with the "unknown action" notice.

Adding an action (say "Log email", a form with a subject, a due date-time and a deal to pick,
sent at most once) is adding:

1. an `Op` member and its dataclass in `ops.py`, listed in `ACTIONS`. Fields the button carries
   are `Param`s, the form's widgets are `Input`s (new names go to `keys.py`)::

       @dataclass(frozen=True, kw_only=True)
       class LogEmail(Action):
           \"""Log the open email in Pipedrive as an activity of the person.\"""

           op = Op.LOG_EMAIL
           connector_id: ConnectorId
           person_id: PersonId
           request_key: Annotated[str, Param(REQUEST_KEY, HEX_KEY)]  # the idempotency key
           subject: Annotated[str, Input(SUBJECT_INPUT, TYPED)] = ""
           due: Annotated[datetime | None, Input(DUE_INPUT, DATE_TIME)] = None
           deal_id: Annotated[int | None, Input(DEAL_INPUT, NUMBER)] = None

   An input field's default stands for "left empty"; whether empty is acceptable is the use
   case's decision (a message in the form), not a BadAction;
2. a use case in `cardin.usecases` that takes the action, the user's `sub` and the `Services`
   it needs, and returns domain results (no cards, no HTTP);
3. a handler in `cardin.addon` (`contact_actions.py`, `setup_actions.py`, or a module of its
   own) that calls the use case and renders its result into cards, and one entry in the
   dispatch table, `cardin.addon.dispatch.ROUTES`: `route(LogEmail, log_email)`;
4. the card that offers it: `call(ctx, LogEmail(...), required=[SUBJECT_INPUT])`.

The tests check that every `Op` has one dataclass and one route, and that every action survives
the trip through the wire.
"""

from cardin.actions.codecs import decode_features, encode_features
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
    OP,
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
from cardin.actions.ops import (
    ACTIONS,
    BY_OP,
    About,
    Action,
    ActivityForm,
    AddContact,
    AddNote,
    Cancel,
    Carried,
    CreateContact,
    CreateDeal,
    DealChoice,
    DealForm,
    Delete,
    DeleteConfirm,
    Edit,
    Home,
    ListSection,
    LogEmail,
    LogEmailForm,
    Lookup,
    MarkDone,
    NoteForm,
    Op,
    OpenConnector,
    OpenDeal,
    ReadNote,
    Reauth,
    ReauthConfirm,
    ReauthToken,
    Refresh,
    Retry,
    RunConnector,
    ScheduleActivity,
    SearchOther,
    SetupBehaviour,
    SetupFeatures,
    SetupName,
    SetupStart,
    SetupToken,
    ShowAll,
)
from cardin.actions.wire import BadAction, parameters_of, parse_action, parse_fields

__all__ = [
    "ACTIONS",
    "ACTIVITY_ID",
    "BODY_INPUT",
    "BY_OP",
    "CLOSE_DATE_INPUT",
    "COMMENT_INPUT",
    "COMPANY_ID",
    "CONNECTOR",
    "CONNECTOR_NAME",
    "CURRENCY_INPUT",
    "DASHBOARD",
    "DASHBOARD_INPUT",
    "DASHBOARD_OFF",
    "DASHBOARD_ON",
    "DEAL_ID",
    "DEAL_INPUT",
    "DUE_INPUT",
    "DURATION_INPUT",
    "EMAIL",
    "FEATURES",
    "FEATURES_INPUT",
    "JOB_TITLE_INPUT",
    "NAME",
    "NAME_INPUT",
    "NOTE_ID",
    "NOTE_INPUT",
    "NOTE_PAGE",
    "OP",
    "ORG_ID",
    "ORG_INPUT",
    "ORG_NAME",
    "PAGE",
    "PERSON_ID",
    "PERSON_NAME_INPUT",
    "PHONE_INPUT",
    "REQUEST_KEY",
    "RUN_MODE",
    "RUN_MODE_INPUT",
    "SEARCH_INPUT",
    "SECTION",
    "SETUP_KEY",
    "STAGE_INPUT",
    "SUBJECT_INPUT",
    "SWITCH_ON",
    "TITLE_INPUT",
    "TOKEN_INPUT",
    "TYPE_INPUT",
    "USER_ID",
    "VALUE_INPUT",
    "About",
    "Action",
    "ActivityForm",
    "AddContact",
    "AddNote",
    "BadAction",
    "Cancel",
    "Carried",
    "CreateContact",
    "CreateDeal",
    "DealChoice",
    "DealForm",
    "Delete",
    "DeleteConfirm",
    "Edit",
    "Home",
    "ListSection",
    "LogEmail",
    "LogEmailForm",
    "Lookup",
    "MarkDone",
    "NoteForm",
    "Op",
    "OpenConnector",
    "OpenDeal",
    "ReadNote",
    "Reauth",
    "ReauthConfirm",
    "ReauthToken",
    "Refresh",
    "Retry",
    "RunConnector",
    "ScheduleActivity",
    "SearchOther",
    "SetupBehaviour",
    "SetupFeatures",
    "SetupName",
    "SetupStart",
    "SetupToken",
    "ShowAll",
    "decode_features",
    "encode_features",
    "parameters_of",
    "parse_action",
    "parse_fields",
]
