"""The connector setup cards: four steps, reauthorization, account change, delete (SPEC §1)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from cardin import cards
from cardin.cards import (
    DASHBOARD_INPUT,
    FEATURES_INPUT,
    NAME_INPUT,
    RUN_MODE_INPUT,
    TOKEN_INPUT,
    Op,
    action_response,
    decode_features,
    encode_features,
    push,
)
from cardin.connectors.features import ALL_FEATURES, REGISTRY, Feature
from cardin.connectors.model import Connector, ConnectorSettings, RunMode
from cardin.links import TOKEN_PAGE_URL
from tests.cards import fixtures
from tests.cards.golden_files import GOLDEN_ROOT, assert_matches_golden
from tests.cards.probe import actions, links, texts
from tests.cards.validate import assert_valid_card, html_fields, walk

Card = dict[str, Any]
GOLDEN = GOLDEN_ROOT / "setup"
EN = fixtures.context(connector_id=None)
DE = fixtures.context("de_DE", connector_id=None)
NEW = fixtures.new_settings()
SALES = fixtures.connector("conn-2", "Sales EU", account=fixtures.GLOBEX_ACCOUNT)
EDITED = fixtures.settings_of(SALES)
# Keys a setup action may send; anything else (a token above all) must not appear.
ALLOWED_KEYS = {"op", "connector", "connector_name", "features", "run_mode", "dashboard",
                "company_id", "user_id", "setup"}  # fmt: skip
SETUP_KEY = "0123456789abcdef0123456789abcdef"


def checked(card: Card) -> Card:
    """The card after the strict checks, its fixed footer included."""
    assert_valid_card(card)
    footer = card["fixedFooter"]
    for key in ("primaryButton", "secondaryButton"):
        assert footer[key]["text"], key
        assert set(footer[key]["color"]) == {"red", "green", "blue"}, key
        assert "onClick" in footer[key], key
    return card


def name_step(settings: ConnectorSettings = NEW, connector_id: str | None = None) -> Card:
    return checked(cards.render_name_step(EN, settings=settings, connector_id=connector_id))


def features_step(settings: ConnectorSettings = NEW, connector_id: str | None = None) -> Card:
    return checked(cards.render_features_step(EN, settings=settings, connector_id=connector_id))


def token_step(
    settings: ConnectorSettings = NEW,
    connector_id: str | None = None,
    *,
    error: str | None = None,
    reauth: bool = False,
    ctx: cards.CardContext = EN,
    setup_key: str | None = None,
    already: Connector | None = None,
) -> Card:
    card = cards.render_token_step(
        ctx,
        settings=settings,
        connector_id=connector_id,
        error=error,
        reauth=reauth,
        setup_key=setup_key,
        already=already,
    )
    return checked(card)


def behaviour_step(settings: ConnectorSettings = NEW) -> Card:
    provisional = fixtures.connector("conn-new", settings.name)
    return checked(cards.render_behaviour_step(EN, connector=provisional, settings=settings))


def delete_confirm(connector: Any = SALES) -> Card:
    return checked(cards.render_delete_confirm(EN, connector=connector))


def account_change(settings: ConnectorSettings | None = None) -> Card:
    stored = fixtures.connector("conn-1", "Pipedrive", is_default=True)
    card = cards.render_account_change_confirm(
        EN, connector=stored, new_account=fixtures.GLOBEX_ACCOUNT, settings=settings
    )
    return checked(card)


def footer_params(card: Card, which: str = "primaryButton") -> dict[str, str]:
    action = card["fixedFooter"][which]["onClick"]["action"]
    return {p["key"]: p["value"] for p in action["parameters"]}


def widgets(card: Card, kind: str) -> list[Card]:
    return [w[kind] for s in card["sections"] for w in s["widgets"] if kind in w]


ALL_FEATURE_VALUES = ",".join(info.feature.value for info in REGISTRY)


# --- golden files --------------------------------------------------------------------------

GOLDEN_CASES: dict[str, Callable[[], Card]] = {
    "name_step": name_step,
    "name_step_de": lambda: checked(cards.render_name_step(DE, settings=NEW, connector_id=None)),
    "features_step": features_step,
    "token_step": token_step,
    "token_step_invalid": lambda: token_step(error="setup.error.invalid_token"),
    "token_step_already_connected": lambda: token_step(setup_key=SETUP_KEY, already=SALES),
    "behaviour_step": behaviour_step,
    "reauth_token_step": lambda: token_step(EDITED, "conn-2", reauth=True),
    "account_change": account_change,
    "delete_confirm": delete_confirm,
}


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_card_matches_its_golden_file(name: str) -> None:
    assert_matches_golden(GOLDEN, name, action_response(push(GOLDEN_CASES[name]())))


def test_every_setup_golden_file_has_a_case() -> None:
    assert {p.stem for p in GOLDEN.glob("*.json")} == set(GOLDEN_CASES)


# --- step 1: name --------------------------------------------------------------------------


def test_name_step_is_prefilled_and_explains_names() -> None:
    card = name_step()
    assert card["header"] == {"title": "Name the connector", "subtitle": "Step 1 of 4"}
    [field] = widgets(card, "textInput")
    assert field["name"] == NAME_INPUT
    assert field["value"] == "Pipedrive"
    assert "Names need not be unique. Leave the name empty to use “Pipedrive”." in texts(card)


def test_name_step_carries_the_other_choices_to_step_2() -> None:
    card = name_step()
    assert footer_params(card) == {"op": "setup_name", "features": ALL_FEATURE_VALUES,
                                   "run_mode": "automatic", "dashboard": "true"}  # fmt: skip
    assert footer_params(card, "secondaryButton") == {"op": "cancel"}
    assert card["fixedFooter"]["secondaryButton"]["text"] == "Cancel"


def test_editing_names_the_connector_in_every_step_action() -> None:
    card = name_step(EDITED, "conn-2")
    assert widgets(card, "textInput")[0]["value"] == "Sales EU"
    assert footer_params(card)["connector"] == "conn-2"
    assert footer_params(card, "secondaryButton") == {"op": "cancel"}


# --- step 2: features ----------------------------------------------------------------------


def test_features_step_has_one_checkbox_per_feature_all_on_by_default() -> None:
    card = features_step()
    [choice] = widgets(card, "selectionInput")
    assert choice["name"] == FEATURES_INPUT
    assert choice["type"] == "CHECK_BOX"
    assert [i["value"] for i in choice["items"]] == [info.feature.value for info in REGISTRY]
    assert all(i["selected"] for i in choice["items"])
    assert choice["items"][1]["text"] == "Notes (Background)"
    assert card["header"]["subtitle"] == "Step 2 of 4"


def test_features_step_lists_the_writes_last_in_the_same_list_and_says_what_they_do() -> None:
    card = features_step()
    [choice] = widgets(card, "selectionInput")  # one list: one input name for every feature
    writes = ["Log emails", "Add notes", "Schedule activities", "Create deals"]

    assert [i["text"] for i in choice["items"]][-4:] == writes
    assert "add buttons to the contact card that write to Pipedrive" in texts(card)


def test_write_features_of_an_older_connector_show_unchecked() -> None:
    writes = {Feature.LOG_EMAILS, Feature.WRITE_NOTES, Feature.WRITE_ACTIVITIES,
              Feature.WRITE_DEALS}  # fmt: skip
    settings = replace(EDITED, features=ALL_FEATURES - writes)
    items = widgets(features_step(settings, "conn-2"), "selectionInput")[0]["items"]

    assert {i["value"] for i in items if not i["selected"]} == {f.value for f in writes}


def test_features_step_shows_the_settings_and_carries_the_rest() -> None:
    settings = replace(EDITED, features=frozenset({Feature.DEALS, Feature.NOTES}))
    card = features_step(settings, "conn-2")
    items = widgets(card, "selectionInput")[0]["items"]
    assert {i["value"] for i in items if i["selected"]} == {"deals", "notes"}
    assert footer_params(card) == {"op": "setup_features", "connector": "conn-2",
                                   "connector_name": "Sales EU", "run_mode": "automatic",
                                   "dashboard": "true"}  # fmt: skip
    assert card["fixedFooter"]["secondaryButton"]["text"] == "Back"


# --- step 3: token -------------------------------------------------------------------------


def test_token_step_links_to_the_token_and_requires_it() -> None:
    card = token_step()
    [field] = widgets(card, "textInput")
    assert field["name"] == TOKEN_INPUT
    assert "value" not in field
    assert TOKEN_PAGE_URL in links(card)
    assert "Where is my token?" in texts(card)
    action = card["fixedFooter"]["primaryButton"]["onClick"]["action"]
    assert action["requiredWidgets"] == [TOKEN_INPUT]
    assert footer_params(card) == {"op": "setup_token", "connector_name": "Pipedrive",
                                   "features": ALL_FEATURE_VALUES, "run_mode": "automatic",
                                   "dashboard": "true"}  # fmt: skip
    assert card["header"]["subtitle"] == "Step 3 of 4"


@pytest.mark.parametrize(
    ("error", "words"),
    [
        ("setup.error.invalid_token", "Pipedrive did not accept this token."),
        ("setup.error.inactive", "This Pipedrive account is inactive"),
        ("setup.error.unreachable", "Pipedrive could not be reached"),
        ("setup.error.empty", "Paste your API token first."),
        ("setup.error.unexpected_domain", "Pipedrive reported an unexpected company address"),
    ],
)
def test_token_errors_show_in_red_under_the_field(error: str, words: str) -> None:
    rows = token_step(error=error)["sections"][0]["widgets"]
    field = next(i for i, w in enumerate(rows) if "textInput" in w)
    shown = rows[field + 1]["decoratedText"]["text"]
    assert shown.startswith('<font color="#d93025">')
    assert words in shown


def test_a_connected_token_names_its_connector_and_offers_to_open_it() -> None:
    card = token_step(setup_key=SETUP_KEY, already=SALES)
    rows = card["sections"][0]["widgets"]
    field = next(i for i, w in enumerate(rows) if "textInput" in w)
    shown = rows[field + 1]["decoratedText"]
    assert shown["text"] == (
        '<font color="#d93025">This account is already set up as “Sales EU”.</font>'
    )
    opened = {p["key"]: p["value"] for p in shown["button"]["onClick"]["action"]["parameters"]}
    assert opened == {"op": "edit", "connector": "conn-2"}
    assert shown["button"]["text"] == "Open"
    assert footer_params(card)["setup"] == SETUP_KEY  # the wizard stays a create
    assert "connector" not in footer_params(card)


def test_a_connector_name_is_escaped_in_the_already_connected_row() -> None:
    named = fixtures.connector("conn-3", "<b>A&B</b>", account=fixtures.GLOBEX_ACCOUNT)
    text = texts(token_step(already=named))
    assert "&lt;b&gt;A&amp;B&lt;/b&gt;" in text
    assert "<b>A&B</b>" not in text


def test_a_new_wizard_carries_its_setup_key_through_steps_1_to_3() -> None:
    steps = [
        cards.render_name_step(EN, settings=NEW, connector_id=None, setup_key=SETUP_KEY),
        cards.render_features_step(EN, settings=NEW, connector_id=None, setup_key=SETUP_KEY),
        cards.render_token_step(EN, settings=NEW, connector_id=None, setup_key=SETUP_KEY),
    ]
    for card in steps:
        assert footer_params(checked(card))["setup"] == SETUP_KEY
    assert "setup" not in footer_params(name_step())


def test_editing_may_keep_the_saved_token() -> None:
    card = token_step(EDITED, "conn-2")
    assert widgets(card, "textInput")[0]["hintText"] == "Leave empty to keep the saved token"
    assert "requiredWidgets" not in card["fixedFooter"]["primaryButton"]["onClick"]["action"]
    assert footer_params(card)["connector"] == "conn-2"


def test_reauth_asks_only_for_the_new_token() -> None:
    card = token_step(EDITED, "conn-2", reauth=True)
    assert card["header"] == {"title": "Sales EU", "subtitle": "New API token needed"}
    assert [w["name"] for w in widgets(card, "textInput")] == [TOKEN_INPUT]
    assert not widgets(card, "selectionInput")
    assert footer_params(card) == {"op": "reauth_token", "connector": "conn-2"}
    assert card["fixedFooter"]["primaryButton"]["onClick"]["action"]["requiredWidgets"] == [
        TOKEN_INPUT
    ]
    assert "Step" not in texts(card)
    assert TOKEN_PAGE_URL in links(card)


def test_reauth_needs_a_connector() -> None:
    with pytest.raises(ValueError, match="connector"):
        cards.render_token_step(EN, settings=NEW, connector_id=None, reauth=True)


# --- step 4: behaviour ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("run_mode", "shown"), [(RunMode.AUTOMATIC, True), (RunMode.MANUAL, False)]
)
def test_behaviour_defaults_come_from_the_settings(run_mode: RunMode, shown: bool) -> None:
    card = behaviour_step(replace(NEW, run_mode=run_mode, show_in_dashboard=shown))
    [radio] = widgets(card, "selectionInput")
    assert radio["name"] == RUN_MODE_INPUT
    assert radio["type"] == "RADIO_BUTTON"
    assert [i["value"] for i in radio["items"] if i["selected"]] == [run_mode.value]
    [switch] = [w["switchControl"] for w in widgets(card, "decoratedText") if "switchControl" in w]
    assert switch == {"name": DASHBOARD_INPUT, "value": "true", "selected": shown,
                      "controlType": "SWITCH"}  # fmt: skip


def test_behaviour_step_names_the_verified_account_and_saves() -> None:
    card = behaviour_step()
    assert "Connected to Acme GmbH" in texts(card)
    assert "as Sam Seller · acme.pipedrive.com" in texts(card)
    assert card["header"]["subtitle"] == "Step 4 of 4"
    assert card["fixedFooter"]["primaryButton"]["text"] == "Save"
    assert footer_params(card) == {"op": "setup_behaviour", "connector": "conn-new",
                                   "connector_name": "Pipedrive",
                                   "features": ALL_FEATURE_VALUES}  # fmt: skip


# --- delete and account change -------------------------------------------------------------


def test_delete_asks_with_a_red_delete_and_cancel() -> None:
    card = delete_confirm()
    assert card["header"]["title"] == "Delete Sales EU?"
    primary = card["fixedFooter"]["primaryButton"]
    assert primary["text"] == "Delete"
    assert primary["color"] == {"red": 0.851, "green": 0.188, "blue": 0.145}
    assert footer_params(card) == {"op": "delete_confirm", "connector": "conn-2"}
    assert footer_params(card, "secondaryButton") == {"op": "cancel"}
    assert "Nothing changes in Pipedrive." in texts(card)
    assert "default" not in texts(card)


def test_deleting_the_default_says_what_becomes_default() -> None:
    card = delete_confirm(fixtures.connector(is_default=True))
    assert "the next account in your list becomes the default" in texts(card)


def test_account_change_says_which_account_it_was_and_will_be() -> None:
    card = account_change()
    text = texts(card)
    assert card["header"] == {"title": "Another Pipedrive account", "subtitle": "Pipedrive"}
    assert "Sam Seller" in text
    assert "sam@acme.example · Acme GmbH · acme.pipedrive.com" in text
    assert "gina@globex.example · Globex Corp · globex.pipedrive.com" in text
    assert footer_params(card) == {"op": "reauth_confirm", "connector": "conn-1",
                                   "company_id": "2", "user_id": "31"}  # fmt: skip
    assert footer_params(card, "secondaryButton") == {"op": "cancel"}


def test_account_change_in_the_edit_flow_carries_the_choices() -> None:
    params = footer_params(account_change(EDITED))
    assert params["connector_name"] == "Sales EU"
    assert params["features"] == ALL_FEATURE_VALUES
    assert params["op"] == "reauth_confirm"


# --- across the setup cards ----------------------------------------------------------------


def _every_setup_card() -> list[Card]:
    return [
        name_step(), name_step(EDITED, "conn-2"), features_step(), features_step(EDITED, "conn-2"),
        token_step(), token_step(EDITED, "conn-2"), token_step(error="setup.error.empty"),
        token_step(EDITED, "conn-2", reauth=True), behaviour_step(), delete_confirm(),
        account_change(), account_change(EDITED),
    ]  # fmt: skip


def test_no_action_carries_a_token_or_anything_unexpected() -> None:
    for card in _every_setup_card():
        for params in actions(card):
            assert set(params) <= ALLOWED_KEYS, params
            assert params["op"] in set(Op)
        for field in widgets(card, "textInput"):
            assert field["name"] != TOKEN_INPUT or "value" not in field


def test_hostile_connector_names_are_escaped() -> None:
    for hostile in ("<script>alert(1)</script>", "<b>bold</b>"):
        settings = replace(EDITED, name=hostile)
        stored = replace(SALES, name=hostile)
        rendered = [
            token_step(settings, "conn-2", reauth=True),
            checked(cards.render_delete_confirm(EN, connector=stored)),
            checked(cards.render_account_change_confirm(
                EN, connector=stored, new_account=fixtures.PD_ACCOUNT)),
        ]  # fmt: skip
        for card in rendered:
            html = "\n".join(text for _, text in html_fields(card))
            assert hostile not in html
            assert hostile.replace("<", "&lt;").replace(">", "&gt;") in html
        # Plain-text fields show the name as typed; parameters carry it unchanged.
        assert rendered[1]["header"]["title"] == f"Delete {hostile}?"
        assert widgets(name_step(settings, "conn-2"), "textInput")[0]["value"] == hostile
        assert footer_params(features_step(settings, "conn-2"))["connector_name"] == hostile


def test_a_german_step_speaks_german() -> None:
    card = checked(cards.render_features_step(DE, settings=NEW, connector_id=None))
    assert card["header"] == {"title": "Inhalte auswählen", "subtitle": "Schritt 2 von 4"}
    items = widgets(card, "selectionInput")[0]["items"]
    assert items[0]["text"] == "Benutzerdefinierte Felder"
    assert card["fixedFooter"]["primaryButton"]["text"] == "Weiter"
    assert card["fixedFooter"]["secondaryButton"]["text"] == "Zurück"
    token = token_step(ctx=DE, error="setup.error.invalid_token")
    assert "Wo finde ich meinen Token?" in texts(token)
    assert "Pipedrive hat diesen Token nicht akzeptiert." in texts(token)


def test_features_parameter_round_trips() -> None:
    some = frozenset({Feature.OWNER, Feature.CUSTOM_FIELDS})
    assert encode_features(some) == "custom_fields,owner"
    assert decode_features(encode_features(some)) == some
    assert decode_features(encode_features(ALL_FEATURES)) == ALL_FEATURES
    assert decode_features("") == frozenset()
    assert decode_features("deals,retired_feature") == {Feature.DEALS}


def test_every_card_names_itself_for_navigation() -> None:
    names = [card["name"] for card in _every_setup_card()]
    assert set(names) == {"setup_name", "setup_features", "setup_token", "setup_behaviour",
                          "reauth_token", "delete", "account_change"}  # fmt: skip
    assert all(key != "interaction" for card in _every_setup_card() for _, key, _ in walk(card))
