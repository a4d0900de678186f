"""Step 4's "display data directly in the dashboard", the names of several connectors, and the
warning on a cached card after a connector's token stopped working (issue 11, items 7-9)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from cardin.connectors.model import Connector, ConnectorSettings
from cardin.sandbox import (
    CROSS_ACCOUNT_EMAIL,
    DEMO_TOKEN,
    MINIMAL_EMAIL,
    RICH_EMAIL,
    SECOND_TOKEN,
    Sandbox,
    demo_dataset,
)
from tests.cards.validate import assert_valid_response
from tests.conftest import TODAY
from tests.service.harness import (
    PUBLIC_URL,
    Harness,
    User,
    action,
    actions_of,
    running,
    text_of,
    top_card,
)

ANN = User("google-sub-ann", "ann@aurora-demo.example")
ACTION_URL = f"{PUBLIC_URL}/addon/action"
FEATURES = ["custom_fields", "notes", "deals", "deal_notes", "deal_activities"]
FEATURES += ["activities", "owner", "organization", "add_contact"]


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    sandbox = Sandbox(demo_dataset(TODAY), rate_limits=False)
    async with running(sandbox, tmp_path) as h:
        yield h


def valid(response: dict[str, Any]) -> dict[str, Any]:
    assert_valid_response(response, action_url=ACTION_URL)
    return response


async def add(h: Harness, token: str, name: str = "", *, shown: bool = True) -> Connector:
    """Drive the wizard by its own card actions; the connector it stored."""
    home = valid((await h.post("/addon/homepage", ANN)).json())
    step1 = valid(await h.act(ANN, action(home, "setup_start")))
    step2 = valid(await h.act(ANN, action(step1, "setup_name"), form={"name_input": [name]}))
    step3 = valid(
        await h.act(ANN, action(step2, "setup_features"), form={"features_input": FEATURES})
    )
    step4 = valid(await h.act(ANN, action(step3, "setup_token"), form={"token_input": [token]}))
    form = {"run_mode_input": ["automatic"]}
    if shown:  # an unchecked switch sends nothing
        form["dashboard_input"] = ["true"]
    done = valid(await h.act(ANN, action(step4, "setup_behaviour"), form=form))
    assert "notification" in done["renderActions"]["action"]
    saved: Connector = h.app.state.runtime.store.list(ANN.sub)[-1]
    assert saved.is_automatic
    assert saved.show_in_dashboard is shown
    return saved


def show(h: Harness, connector: Connector, *, shown: bool) -> None:
    settings = ConnectorSettings(connector.name, connector.features, connector.run_mode, shown)
    h.app.state.runtime.store.update_settings(ANN.sub, connector.id, settings)


def rows(response: dict[str, Any]) -> dict[str, str]:
    """The dashboard's rows: connector id → the op its click sends."""
    return {a["connector"]: a["op"] for a in actions_of(response) if a.get("op") in
            {"open_connector", "run_connector"} and a.get("connector")}  # fmt: skip


def headers(response: dict[str, Any]) -> list[str]:
    return [s.get("header", "") for s in top_card(response)["sections"]]


# --- item 8: names ---------------------------------------------------------------------------


async def test_a_second_connector_is_named_after_its_company(harness: Harness) -> None:
    first = await add(harness, DEMO_TOKEN)
    second = await add(harness, SECOND_TOKEN, shown=False)
    assert first.name == "Pipedrive"
    assert second.name == "Pipedrive · Second Sight Studio"


async def test_a_typed_name_is_kept_even_when_it_is_a_duplicate(harness: Harness) -> None:
    await add(harness, DEMO_TOKEN, name="Work")
    second = await add(harness, SECOND_TOKEN, name="Work")
    assert second.name == "Work"


async def test_a_contact_from_another_account_names_it(harness: Harness) -> None:
    await add(harness, DEMO_TOKEN)
    second = await add(harness, SECOND_TOKEN, shown=False)
    message = harness.message(sender=CROSS_ACCOUNT_EMAIL, to=ANN.email)
    dashboard = valid(await harness.open(ANN, message))
    assert headers(dashboard)[0] == "Other accounts"  # the rows come before the contact
    opened = valid(await harness.act(ANN, action(dashboard, "open_connector", connector=second.id)))
    subtitle = top_card(opened)["header"]["subtitle"]
    assert subtitle.startswith("Pipedrive · Second Sight Studio")
    default_card = top_card(dashboard)["header"]
    assert "Second Sight" not in default_card.get("subtitle", "")


# --- item 7: the setting -----------------------------------------------------------------------


async def test_on_shows_each_match_in_full_under_its_account(harness: Harness) -> None:
    first = await add(harness, DEMO_TOKEN)
    second = await add(harness, SECOND_TOKEN, name="Studio")
    show(harness, second, shown=True)
    message = harness.message(sender=CROSS_ACCOUNT_EMAIL, to=ANN.email)
    response = valid(await harness.open(ANN, message))
    assert first.id not in rows(response)
    assert "Has match" not in text_of(response)  # no row: both contacts are shown in full
    assert top_card(response)["header"]["title"] == "Katharina Weber"
    assert action(response, "open_connector", connector=second.id)  # the second's heading
    names = headers(response)
    assert "Studio" in names  # the second contact, under its account's name
    assert "Other accounts" not in names  # nobody is left as a row


async def test_off_leaves_one_row_that_opens_the_contact(harness: Harness) -> None:
    first = await add(harness, DEMO_TOKEN)
    second = await add(harness, SECOND_TOKEN, name="Studio", shown=False)
    show(harness, first, shown=False)
    message = harness.message(sender=CROSS_ACCOUNT_EMAIL, to=ANN.email)
    response = valid(await harness.open(ANN, message))
    assert rows(response) == {first.id: "open_connector", second.id: "open_connector"}
    card = top_card(response)
    assert card["name"] == "dashboard"  # no contact in full: the sender's card with the rows
    assert "Has match" in text_of(response)
    opened = valid(await harness.act(ANN, action(response, "open_connector", connector=first.id)))
    assert top_card(opened)["name"] == "contact"


async def test_off_default_and_on_other_leads_with_the_others_contact(harness: Harness) -> None:
    first = await add(harness, DEMO_TOKEN)
    second = await add(harness, SECOND_TOKEN, name="Studio")
    show(harness, first, shown=False)
    show(harness, second, shown=True)
    message = harness.message(sender=CROSS_ACCOUNT_EMAIL, to=ANN.email)
    response = valid(await harness.open(ANN, message))
    card = top_card(response)
    assert card["name"] == "contact"
    assert card["header"]["subtitle"].startswith("Studio")
    assert rows(response) == {first.id: "open_connector"}


# --- item 9: a cached card after the token stopped working ---------------------------------------


async def test_a_cached_card_carries_the_reauth_warning(harness: Harness) -> None:
    first = await add(harness, DEMO_TOKEN)
    rich = harness.message(sender=RICH_EMAIL, to=ANN.email)
    fresh = valid(await harness.open(ANN, rich))
    assert "may be out of date" not in text_of(fresh)
    harness.sandbox.rotate_token(DEMO_TOKEN)
    # Another sender: this run finds the token refused.
    other = valid(await harness.open(ANN, harness.message(sender=MINIMAL_EMAIL, to=ANN.email)))
    assert top_card(other)["name"] == "reauth"
    harness.sandbox.reset_log()
    cached = valid(await harness.open(ANN, rich))
    assert harness.sandbox.requests == []  # still the cached card
    assert top_card(cached)["name"] == "contact"
    assert "may be out of date" in text_of(cached)
    assert action(cached, "reauth", connector=first.id)


async def test_the_warning_goes_once_the_connector_answers_again(harness: Harness) -> None:
    first = await add(harness, DEMO_TOKEN)
    second = await add(harness, SECOND_TOKEN, name="Studio", shown=False)
    cross = harness.message(sender=CROSS_ACCOUNT_EMAIL, to=ANN.email)
    valid(await harness.open(ANN, cross))
    new_token = harness.sandbox.rotate_token(SECOND_TOKEN)
    valid(await harness.open(ANN, harness.message(sender=MINIMAL_EMAIL, to=ANN.email)))
    response = valid(await harness.open(ANN, cross))
    assert rows(response)[second.id] == "open_connector"
    assert "Reauth" in text_of(response)  # the row's label over the cached match
    opened = valid(await harness.act(ANN, action(response, "open_connector", connector=second.id)))
    assert "may be out of date" in text_of(opened)
    # A new token (reauthorization) makes the connector new to the cache: no warning.
    reauth = valid(await harness.act(ANN, action(opened, "reauth", connector=second.id)))
    valid(await harness.act(ANN, action(reauth, "reauth_token"), form={"token_input": [new_token]}))
    again = valid(await harness.open(ANN, cross))
    assert "Reauth" not in text_of(again)
    assert first.id not in rows(again)
