"""The add-on end to end: Google's signed events in, cards out, against the sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cardin.connectors import ALL_FEATURES
from cardin.connectors.model import Connector, ConnectorSettings, RunMode
from cardin.connectors.setup import inactive_account
from cardin.contact.model import Account
from cardin.contact.outcome import Failure, FailureKind
from cardin.pipedrive import ApiToken
from cardin.sandbox import (
    COLLEAGUE_TOKEN,
    DEMO_COMPANY_ID,
    DEMO_TOKEN,
    INACTIVE_COMPANY_ID,
    INACTIVE_TOKEN,
    RICH_EMAIL,
    SECOND_COMPANY_ID,
    SECOND_TOKEN,
    FaultPlan,
    Sandbox,
    demo_dataset,
)
from cardin.usecases.runs import look_up
from tests.cards.validate import assert_valid_response
from tests.conftest import TODAY
from tests.service.harness import (
    PUBLIC_URL,
    SANDBOX_URL,
    Harness,
    User,
    action,
    actions_of,
    running,
    text_of,
    top_card,
)

ANN = User("google-sub-ann", "ann@aurora-demo.example")
# A token no sandbox company has, for a connector that never reaches the sandbox (a user's
# tokens are one connector each).
UNUSED_TOKEN = "unused-0123456789abcdef0123456789abcdef"
ACTION_URL = f"{PUBLIC_URL}/addon/action"


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    sandbox = Sandbox(demo_dataset(TODAY), rate_limits=False)
    async with running(sandbox, tmp_path) as h:
        yield h


def valid(response: dict[str, object]) -> dict[str, object]:
    assert_valid_response(response, action_url=ACTION_URL)
    return response


WRITES = ["log_emails", "write_notes", "write_activities", "write_deals"]


async def add_connector(
    h: Harness, user: User, token: str = DEMO_TOKEN, name: str = "", *, writes: bool = False
) -> None:
    """Drive the setup wizard by its own card actions (the writes checked only with `writes`)."""
    home = valid((await h.post("/addon/homepage", user)).json())
    step1 = valid(await h.act(user, action(home, "setup_start")))
    step2 = valid(await h.act(user, action(step1, "setup_name"), form={"name_input": [name]}))
    features = ["custom_fields", "notes", "deals", "deal_notes", "deal_activities"]
    features += ["activities", "owner", "organization", "add_contact"]
    features += WRITES if writes else []
    step3 = valid(
        await h.act(user, action(step2, "setup_features"), form={"features_input": features})
    )
    step4 = valid(await h.act(user, action(step3, "setup_token"), form={"token_input": [token]}))
    assert action(step4, "setup_behaviour")
    done = valid(
        await h.act(
            user,
            action(step4, "setup_behaviour"),
            form={"run_mode_input": ["automatic"], "dashboard_input": ["true"]},
        )
    )
    assert "notification" in done["renderActions"]["action"]


async def test_homepage_without_connectors_offers_setup(harness: Harness) -> None:
    response = valid((await harness.post("/addon/homepage", ANN)).json())
    assert action(response, "setup_start")


async def test_wizard_then_a_known_sender_shows_the_contact(harness: Harness) -> None:
    await add_connector(harness, ANN)
    message = harness.message(sender=f"Élodie Marchand <{RICH_EMAIL}>", to=ANN.email)
    response = valid(await harness.open(ANN, message))
    card = top_card(response)
    assert card["header"]["title"] == "Élodie Marchand"
    assert "Énergies Côte d'Azur" in text_of(response)


def account(company_id: int, user_id: int = 1) -> Account:
    return Account(
        company_id=company_id,
        company_name="Co",
        company_domain="aurora-demo",
        user_id=user_id,
        user_name="Maria",
        user_email="maria@aurora-demo.example",
        locale="en_US",
        timezone="Europe/Berlin",
    )


def seed(
    h: Harness,
    user: User,
    name: str,
    token: str,
    *,
    run_mode: RunMode = RunMode.AUTOMATIC,
    base_url: str = SANDBOX_URL,
    company_id: int = DEMO_COMPANY_ID,
) -> Connector:
    """Store a connector directly (as if its setup had happened)."""
    settings = ConnectorSettings(name, ALL_FEATURES, run_mode, show_in_dashboard=False)
    store = h.app.state.runtime.store
    return store.create(
        user.sub,
        settings,
        credential=ApiToken(token),
        base_url=base_url,
        account=account(company_id),
    )  # type: ignore[no-any-return]


async def test_the_dashboard_shows_every_state(harness: Harness) -> None:
    await add_connector(harness, ANN, name="Aurora")
    colleague = seed(harness, ANN, "Colleague", COLLEAGUE_TOKEN)
    harness.sandbox.rotate_token(COLLEAGUE_TOKEN)
    seed(harness, ANN, "Second", SECOND_TOKEN, company_id=SECOND_COMPANY_ID)
    later = seed(harness, ANN, "Later", UNUSED_TOKEN, run_mode=RunMode.MANUAL)
    down = seed(harness, ANN, "Down", UNUSED_TOKEN[::-1], base_url="https://down.pipedrive.com")
    seed(harness, ANN, "Lapsed", INACTIVE_TOKEN, company_id=INACTIVE_COMPANY_ID)
    message = harness.message(sender=RICH_EMAIL, to=ANN.email)
    response = valid(await harness.open(ANN, message))
    rows = {a["connector"]: a["op"] for a in actions_of(response) if a.get("connector")}
    assert rows[later.id] == "run_connector"
    assert rows[down.id] == "run_connector"
    assert rows[colleague.id] == "open_connector"
    text = text_of(response)
    for label in ("No match", "Reauth", "Manual", "Error", "Payment"):
        assert label in text, label
    assert top_card(response)["header"]["title"] == "Élodie Marchand"


async def test_a_manual_connector_runs_on_click(harness: Harness) -> None:
    await add_connector(harness, ANN)
    manual = seed(harness, ANN, "Manual", COLLEAGUE_TOKEN, run_mode=RunMode.MANUAL)
    message = harness.message(sender=RICH_EMAIL, to=ANN.email)
    response = await harness.open(ANN, message)
    harness.sandbox.reset_log()
    clicked = valid(await harness.act(ANN, action(response, "run_connector", connector=manual.id)))
    assert top_card(clicked)["header"]["title"] == "Élodie Marchand"
    assert harness.sandbox.requests  # it did search Pipedrive now


async def test_the_stored_token_is_encrypted(harness: Harness, tmp_path: Path) -> None:
    await add_connector(harness, ANN)
    raw = (tmp_path / "cardin.sqlite3").read_bytes()
    assert DEMO_TOKEN.encode() not in raw
    runtime = harness.app.state.runtime
    (connector,) = runtime.store.list(ANN.sub)
    assert runtime.store.credential(ANN.sub, connector.id).token == DEMO_TOKEN


async def test_a_bad_token_at_setup_stores_nothing(harness: Harness) -> None:
    home = (await harness.post("/addon/homepage", ANN)).json()
    step1 = await harness.act(ANN, action(home, "setup_start"))
    step2 = await harness.act(ANN, action(step1, "setup_name"), form={"name_input": ["X"]})
    step3 = await harness.act(
        ANN, action(step2, "setup_features"), form={"features_input": ["notes"]}
    )
    again = valid(
        await harness.act(ANN, action(step3, "setup_token"), form={"token_input": ["bogus"]})
    )
    assert "updateCard" in text_of(again)
    assert harness.app.state.runtime.store.count(ANN.sub) == 0
    assert "setup_token" in text_of(again)
    ok = valid(
        await harness.act(ANN, action(again, "setup_token"), form={"token_input": [DEMO_TOKEN]})
    )
    assert harness.app.state.runtime.store.count(ANN.sub) == 1
    assert action(ok, "setup_behaviour")


async def wizard_token_step(harness: Harness, user: User) -> dict[str, object]:
    """The set-up wizard of a new connector, up to its token step."""
    home = (await harness.post("/addon/homepage", user)).json()
    step1 = await harness.act(user, action(home, "setup_start"))
    step2 = await harness.act(user, action(step1, "setup_name"), form={"name_input": ["Lapsed"]})
    return await harness.act(user, action(step2, "setup_features"), form={"features_input": []})  # type: ignore[no-any-return]


async def test_an_inactive_accounts_token_is_stored_and_its_cards_say_payment(
    harness: Harness,
) -> None:
    await add_connector(harness, ANN)
    store = harness.app.state.runtime.store
    step3 = await wizard_token_step(harness, ANN)

    created = valid(
        await harness.act(ANN, action(step3, "setup_token"), form={"token_input": [INACTIVE_TOKEN]})
    )

    assert "is inactive for now" in created["renderActions"]["action"]["notification"]["text"]  # type: ignore[index]
    assert action(created, "setup_behaviour")
    lapsed = next(c for c in store.list(ANN.sub) if c.name == "Lapsed")
    assert lapsed.account == inactive_account()
    assert store.credential(ANN.sub, lapsed.id).token == INACTIVE_TOKEN
    message = harness.message(sender=RICH_EMAIL, to=ANN.email)
    opened = valid(await harness.open(ANN, message))
    ran = valid(await harness.act(ANN, action(opened, "run_connector", connector=lapsed.id)))
    assert "This Pipedrive account is inactive" in text_of(ran)


async def test_an_inactive_accounts_token_does_not_replace_a_known_accounts(
    harness: Harness,
) -> None:
    await add_connector(harness, ANN)
    store = harness.app.state.runtime.store
    (connector,) = store.list(ANN.sub)
    prompt = await harness.act(ANN, {"op": "reauth", "connector": connector.id})

    form = {"token_input": [INACTIVE_TOKEN]}
    refused = valid(await harness.act(ANN, action(prompt, "reauth_token"), form=form))

    assert "This Pipedrive account is inactive" in text_of(refused)
    assert store.get(ANN.sub, connector.id) == connector
    assert store.credential(ANN.sub, connector.id).token == DEMO_TOKEN


async def test_a_connector_of_an_unknown_account_takes_a_working_token_without_asking(
    harness: Harness,
) -> None:
    step3 = await wizard_token_step(harness, ANN)
    await harness.act(ANN, action(step3, "setup_token"), form={"token_input": [INACTIVE_TOKEN]})
    store = harness.app.state.runtime.store
    (lapsed,) = store.list(ANN.sub)
    prompt = await harness.act(ANN, {"op": "reauth", "connector": lapsed.id})

    valid(
        await harness.act(ANN, action(prompt, "reauth_token"), form={"token_input": [SECOND_TOKEN]})
    )

    saved = store.get(ANN.sub, lapsed.id)
    assert saved.account.company_id == SECOND_COMPANY_ID
    assert store.credential(ANN.sub, lapsed.id).token == SECOND_TOKEN


async def test_a_bad_token_at_reauth_changes_nothing(harness: Harness) -> None:
    await add_connector(harness, ANN)
    store = harness.app.state.runtime.store
    (connector,) = store.list(ANN.sub)
    prompt = await harness.act(ANN, {"op": "reauth", "connector": connector.id})
    refused = valid(
        await harness.act(ANN, action(prompt, "reauth_token"), form={"token_input": ["nope"]})
    )
    assert "reauth_token" in text_of(refused)
    assert store.credential(ANN.sub, connector.id).token == DEMO_TOKEN
    assert store.get(ANN.sub, connector.id) == connector


async def test_reauth_after_the_token_changed_in_pipedrive(harness: Harness) -> None:
    await add_connector(harness, ANN)
    store = harness.app.state.runtime.store
    (connector,) = store.list(ANN.sub)
    new_token = harness.sandbox.rotate_token(DEMO_TOKEN)
    message = harness.message(sender=RICH_EMAIL, to=ANN.email)
    stale = valid(await harness.open(ANN, message))
    prompt = valid(await harness.act(ANN, action(stale, "reauth", connector=connector.id)))
    saved = valid(
        await harness.act(ANN, action(prompt, "reauth_token"), form={"token_input": [new_token]})
    )
    assert "notification" in text_of(saved)
    assert store.credential(ANN.sub, connector.id).token == new_token
    fresh = valid(
        await harness.act(
            ANN,
            {"op": "refresh", "connector": connector.id, "email": RICH_EMAIL},
            message_id=message,
        )
    )
    assert "Élodie Marchand" in text_of(fresh)


async def test_a_token_of_another_account_asks_first(harness: Harness) -> None:
    await add_connector(harness, ANN)
    store = harness.app.state.runtime.store
    (connector,) = store.list(ANN.sub)
    prompt = await harness.act(ANN, {"op": "reauth", "connector": connector.id})
    ask = valid(
        await harness.act(ANN, action(prompt, "reauth_token"), form={"token_input": [SECOND_TOKEN]})
    )
    assert store.credential(ANN.sub, connector.id).token == DEMO_TOKEN  # not yet
    accepted = valid(await harness.act(ANN, action(ask, "reauth_confirm")))
    assert "notification" in text_of(accepted)
    assert store.credential(ANN.sub, connector.id).token == SECOND_TOKEN
    assert store.get(ANN.sub, connector.id).account.company_id == SECOND_COMPANY_ID


async def test_connectors_survive_a_restart(tmp_path: Path) -> None:
    sandbox = Sandbox(demo_dataset(TODAY), rate_limits=False)
    from cryptography.fernet import Fernet  # noqa: PLC0415

    key = Fernet.generate_key().decode()
    async with running(sandbox, tmp_path, secret_key=key) as first:
        await add_connector(first, ANN, name="Kept")
    async with running(sandbox, tmp_path, secret_key=key) as second:
        home = valid((await second.post("/addon/homepage", ANN)).json())
        assert "Kept" in text_of(home)
        message = second.message(sender=RICH_EMAIL, to=ANN.email)
        assert "Élodie Marchand" in text_of(await second.open(ANN, message))


async def test_a_changed_secret_key_asks_for_reauthorization(tmp_path: Path) -> None:
    from cryptography.fernet import Fernet  # noqa: PLC0415

    sandbox = Sandbox(demo_dataset(TODAY), rate_limits=False)
    async with running(sandbox, tmp_path, secret_key=Fernet.generate_key().decode()) as first:
        await add_connector(first, ANN)
    async with running(sandbox, tmp_path, secret_key=Fernet.generate_key().decode()) as second:
        message = second.message(sender=RICH_EMAIL, to=ANN.email)
        response = valid(await second.open(ANN, message))
        assert action(response, "reauth")
        assert "Traceback" not in text_of(response)


async def test_an_unreadable_token_is_a_reauth_failure_not_a_pipedrive_error(
    tmp_path: Path,
) -> None:
    from cryptography.fernet import Fernet  # noqa: PLC0415

    sandbox = Sandbox(demo_dataset(TODAY), rate_limits=False)
    async with running(sandbox, tmp_path, secret_key=Fernet.generate_key().decode()) as first:
        await add_connector(first, ANN)
    async with running(sandbox, tmp_path, secret_key=Fernet.generate_key().decode()) as second:
        runtime = second.app.state.runtime
        [connector] = runtime.store.list(ANN.sub)
        sandbox.reset_log()
        outcome = await look_up(runtime.services, connector, RICH_EMAIL)
        assert outcome == Failure(
            FailureKind.REAUTH, "the stored token cannot be read: please reauthorize"
        )
        assert sandbox.requests == []  # decided by the store: Pipedrive was never asked


async def test_a_manual_default_connector_is_listed_to_run(harness: Harness) -> None:
    store = harness.app.state.runtime.store
    only = seed(harness, ANN, "Only", DEMO_TOKEN, run_mode=RunMode.MANUAL)
    assert store.get(ANN.sub, only.id).is_default
    message = harness.message(sender=RICH_EMAIL, to=ANN.email)
    response = valid(await harness.open(ANN, message))
    assert harness.sandbox.requests == []  # manual: nothing searched yet
    clicked = valid(await harness.act(ANN, action(response, "run_connector", connector=only.id)))
    assert top_card(clicked)["header"]["title"] == "Élodie Marchand"


async def test_a_changed_connector_is_not_answered_from_the_cache(harness: Harness) -> None:
    await add_connector(harness, ANN)
    store = harness.app.state.runtime.store
    (connector,) = store.list(ANN.sub)
    message = harness.message(sender=RICH_EMAIL, to=ANN.email)
    await harness.open(ANN, message)
    settings = ConnectorSettings(
        connector.name, frozenset(), connector.run_mode, connector.show_in_dashboard
    )
    store.update_settings(ANN.sub, connector.id, settings)
    harness.sandbox.reset_log()
    again = valid(await harness.open(ANN, message))
    assert harness.sandbox.requests  # looked up afresh with the new features
    assert "Background" not in text_of(again)


async def test_a_partial_answer_is_not_kept(harness: Harness) -> None:
    await add_connector(harness, ANN)
    harness.sandbox.set_faults(FaultPlan.parse("503@/v1/notes"))
    message = harness.message(sender=RICH_EMAIL, to=ANN.email)
    await harness.open(ANN, message)
    harness.sandbox.set_faults(FaultPlan.none())
    harness.sandbox.reset_log()
    again = valid(await harness.open(ANN, message))
    assert any(r.path == "/v1/notes" for r in harness.sandbox.requests)
    assert "could not be loaded" not in text_of(again)


async def test_back_from_step_4_cannot_save_the_connector_twice(harness: Harness) -> None:
    store = harness.app.state.runtime.store
    home = (await harness.post("/addon/homepage", ANN)).json()
    step1 = await harness.act(ANN, action(home, "setup_start"))
    step2 = await harness.act(ANN, action(step1, "setup_name"), form={"name_input": ["EU"]})
    step3 = await harness.act(
        ANN, action(step2, "setup_features"), form={"features_input": ["notes"]}
    )
    step4 = valid(
        await harness.act(ANN, action(step3, "setup_token"), form={"token_input": [DEMO_TOKEN]})
    )
    assert store.count(ANN.sub) == 1
    # Back shows step 3 again as the card the answer updated: it now edits the saved connector.
    step3_again = step4["renderActions"]["action"]["navigations"][0]["updateCard"]
    again = await harness.act(
        ANN,
        action({"action": {"navigations": [{"pushCard": step3_again}]}}, "setup_token"),
        form={"token_input": [DEMO_TOKEN]},
    )
    assert store.count(ANN.sub) == 1
    assert action(again, "setup_behaviour")
    # Even the create-mode step 3 further down the stack only updates the same connector.
    replay = await harness.act(
        ANN, action(step3, "setup_token"), form={"token_input": [DEMO_TOKEN]}
    )
    assert store.count(ANN.sub) == 1
    assert action(replay, "setup_behaviour")
