"""Where a token may go and which connector it belongs to, through the add-on end to end.

A token is sent only to the configured API base or `https://<label>.pipedrive.com`, and a company
domain that is not a DNS label is refused at setup and reauthorization (issue 8, defect 1). A
token is one connector per user, also when set-ups race (issue 8, defect 2).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cardin.connectors.model import Connector
from cardin.sandbox import (
    DEMO_COMPANY_DOMAIN,
    DEMO_TOKEN,
    RICH_EMAIL,
    SECOND_TOKEN,
    Sandbox,
    demo_dataset,
)
from cardin.sandbox.data import Company
from cardin.store import create_database_engine
from cardin.store.tables import connectors as table
from tests.conftest import TODAY
from tests.service.harness import (
    SANDBOX_URL,
    Harness,
    User,
    action,
    actions_of,
    running,
    text_of,
    top_card,
)
from tests.service.test_flow import ANN, add_connector, seed, valid
from tests.store.conftest import postgres_url  # noqa: F401 - a fixture the tests below use

DEFAULT_BASE = "https://api.pipedrive.com"
HOSTILE_DOMAIN = "evil.example/#"
UNEXPECTED = "Pipedrive reported an unexpected company address"
ALL_FEATURES_INPUT = [
    "custom_fields",
    "notes",
    "deals",
    "deal_notes",
    "deal_activities",
    "activities",
    "owner",
    "organization",
    "add_contact",
]


@dataclass
class Recorder:
    """An HTTP server that notes every request (and passes it on to `app`, if any)."""

    app: Any = None
    seen: list[tuple[str, dict[bytes, bytes]]] = field(default_factory=list)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.seen.append((scope["path"], dict(scope["headers"])))
        if self.app is not None:
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":
            return
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"success": true, "data": []}'})


def demo_company(sandbox: Sandbox) -> Company:
    """The demo company, whose facts a test may change."""
    return next(c for c in sandbox.dataset.companies if DEMO_TOKEN in c.tokens)


async def token_step(h: Harness, user: User, *, name: str = "", features: Any = None) -> Any:
    """A new wizard driven to its token step (step 3)."""
    home = valid((await h.post("/addon/homepage", user)).json())
    step1 = valid(await h.act(user, action(home, "setup_start")))
    step2 = valid(await h.act(user, action(step1, "setup_name"), form={"name_input": [name]}))
    chosen = ALL_FEATURES_INPUT if features is None else features
    return valid(
        await h.act(user, action(step2, "setup_features"), form={"features_input": chosen})
    )


async def submit_token(h: Harness, user: User, step: Any, token: str) -> Any:
    """Press Next on a token step with this token."""
    return valid(await h.act(user, action(step, "setup_token"), form={"token_input": [token]}))


def connectors(h: Harness, user: User = ANN) -> list[Connector]:
    return h.app.state.runtime.store.list(user.sub)  # type: ignore[no-any-return]


def store_domain(data_dir: Path, connector_id: str, domain: str) -> None:
    """Write a company domain into the service's database, unchecked."""
    engine = create_database_engine(f"sqlite:///{data_dir / 'cardin.sqlite3'}")
    try:
        with engine.begin() as connection:
            statement = table.update().where(table.c.id == connector_id)
            connection.execute(statement.values(pipedrive_company_domain=domain))
    finally:
        engine.dispose()


# --- defect 1: the token goes to Pipedrive only ----------------------------------------------


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(demo_dataset(TODAY), rate_limits=False)


@pytest.fixture
def foreign() -> Recorder:
    """A host that is not Pipedrive's."""
    return Recorder()


@pytest.fixture
def company_host(sandbox: Sandbox) -> Recorder:
    """The demo company's own Pipedrive host, served by the sandbox."""
    return Recorder(sandbox.app)


@pytest.fixture
async def public(
    sandbox: Sandbox, tmp_path: Path, foreign: Recorder, company_host: Recorder
) -> AsyncIterator[Harness]:
    """The add-on with Pipedrive's default API base (the sandbox answers for api.pipedrive.com)."""
    apps = {
        "api.pipedrive.com": sandbox.app,
        f"{DEMO_COMPANY_DOMAIN}.pipedrive.com": company_host,
        "evil.example": foreign,
    }
    async with running(sandbox, tmp_path, extra_apps=apps, PIPEDRIVE_BASE_URL=DEFAULT_BASE) as h:
        yield h


async def test_a_checked_token_is_stored_with_the_company_host(
    public: Harness, company_host: Recorder
) -> None:
    await add_connector(public, ANN)
    (connector,) = connectors(public)
    assert connector.base_url == f"https://{DEMO_COMPANY_DOMAIN}.pipedrive.com"
    opened = valid(await public.open(ANN, public.message(sender=RICH_EMAIL, to=ANN.email)))
    assert top_card(opened)["header"]["title"] == "Élodie Marchand"
    assert company_host.seen  # the lookup went to the company's own host
    assert f"https://{DEMO_COMPANY_DOMAIN}.pipedrive.com/person/" in text_of(opened)


async def test_an_unexpected_company_domain_at_setup_stores_nothing(
    public: Harness, sandbox: Sandbox, foreign: Recorder
) -> None:
    demo_company(sandbox).info["domain"] = HOSTILE_DOMAIN
    refused = await submit_token(public, ANN, await token_step(public, ANN), DEMO_TOKEN)
    assert connectors(public) == []
    assert UNEXPECTED in text_of(refused)
    assert action(refused, "setup_token")  # the same step again, to try again later
    assert foreign.seen == []
    demo_company(sandbox).info["domain"] = DEMO_COMPANY_DOMAIN  # Pipedrive is sane again
    saved = await submit_token(public, ANN, refused, DEMO_TOKEN)
    assert action(saved, "setup_behaviour")
    assert [c.base_url for c in connectors(public)] == [
        f"https://{DEMO_COMPANY_DOMAIN}.pipedrive.com"
    ]


async def test_an_unexpected_company_domain_at_reauth_changes_nothing(
    public: Harness, sandbox: Sandbox, foreign: Recorder
) -> None:
    await add_connector(public, ANN)
    (before,) = connectors(public)
    demo_company(sandbox).info["domain"] = HOSTILE_DOMAIN
    prompt = valid(await public.act(ANN, {"op": "reauth", "connector": before.id}))
    refused = valid(
        await public.act(ANN, action(prompt, "reauth_token"), form={"token_input": [DEMO_TOKEN]})
    )
    assert UNEXPECTED in text_of(refused)
    assert connectors(public) == [before]
    assert foreign.seen == []


@pytest.mark.parametrize(
    "stored_as",
    [
        ("https://evil.example/#.pipedrive.com", HOSTILE_DOMAIN),  # what the old code stored
        ("https://evil.example", DEMO_COMPANY_DOMAIN),
        (f"http://{DEMO_COMPANY_DOMAIN}.pipedrive.com", DEMO_COMPANY_DOMAIN),
        ("https://evil.example\\@aurora-demo.pipedrive.com", DEMO_COMPANY_DOMAIN),
    ],
)
async def test_a_stored_foreign_host_is_never_sent_the_token_and_asks_for_reauth(
    public: Harness,
    foreign: Recorder,
    company_host: Recorder,
    tmp_path: Path,
    stored_as: tuple[str, str],
) -> None:
    base_url, domain = stored_as
    stored = seed(public, ANN, "Old", DEMO_TOKEN, base_url=base_url)
    store_domain(tmp_path, stored.id, domain)  # as a version without the checks stored it
    opened = valid(await public.open(ANN, public.message(sender=RICH_EMAIL, to=ANN.email)))
    assert foreign.seen == company_host.seen == []
    # Seeded not shown in the dashboard: one row with its state, which opens the reauth card.
    assert "Reauth" in text_of(opened)
    row = valid(await public.act(ANN, action(opened, "open_connector", connector=stored.id)))
    assert action(row, "reauth", connector=stored.id)
    assert "evil.example" not in text_of(opened) + text_of(row)
    # Reauthorizing stores what the checked parts say, and the connector works again.
    prompt = valid(await public.act(ANN, {"op": "reauth", "connector": stored.id}))
    await public.act(ANN, action(prompt, "reauth_token"), form={"token_input": [DEMO_TOKEN]})
    (repaired,) = connectors(public)
    assert repaired.base_url == f"https://{DEMO_COMPANY_DOMAIN}.pipedrive.com"
    assert not repaired.needs_reauth
    again = valid(await public.open(ANN, public.message(sender=RICH_EMAIL, to=ANN.email)))
    assert "Has match" in text_of(again)
    assert "Reauth" not in text_of(again)
    assert foreign.seen == []


# --- defect 2: one connector per token -------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The service's database: an SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cardin.sqlite3'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
async def harness(sandbox: Sandbox, tmp_path: Path, database_url: str) -> AsyncIterator[Harness]:
    async with running(sandbox, tmp_path, database_url=database_url) as h:
        yield h


async def test_token_steps_of_several_wizards_at_once_store_one_connector(
    harness: Harness,
) -> None:
    steps = [await token_step(harness, ANN, name=f"Wizard {n}") for n in range(6)]
    answers = await asyncio.gather(*(submit_token(harness, ANN, s, DEMO_TOKEN) for s in steps))
    (stored,) = connectors(harness)
    went_on = [a for a in answers if any(x.get("op") == "setup_behaviour" for x in actions_of(a))]
    assert len(went_on) == 1
    for answer in answers:
        if answer is not went_on[0]:
            assert f"This account is already set up as “{stored.name}”" in text_of(answer)
            assert action(answer, "edit", connector=stored.id)


async def test_one_token_step_submitted_several_times_at_once_goes_on_every_time(
    harness: Harness,
) -> None:
    step = await token_step(harness, ANN, name="Twice")
    answers = await asyncio.gather(
        *(submit_token(harness, ANN, step, DEMO_TOKEN) for _ in range(4))
    )
    (stored,) = connectors(harness)
    for answer in answers:
        assert action(answer, "setup_behaviour", connector=stored.id)


async def test_a_new_wizard_never_rewrites_the_connector_that_has_the_token(
    harness: Harness,
) -> None:
    await add_connector(harness, ANN, name="EU")
    (before,) = connectors(harness)
    step = await token_step(harness, ANN, name="Other", features=["notes"])
    answer = await submit_token(harness, ANN, step, DEMO_TOKEN)
    assert "This account is already set up as “EU”" in text_of(answer)
    assert connectors(harness) == [before]
    opened = valid(await harness.act(ANN, action(answer, "edit", connector=before.id)))
    assert action(opened, "setup_name", connector=before.id)
    assert '"value": "EU"' in text_of(opened)


async def test_back_to_step_2_and_another_token_edits_the_wizards_own_connector(
    harness: Harness,
) -> None:
    home = valid((await harness.post("/addon/homepage", ANN)).json())
    step1 = valid(await harness.act(ANN, action(home, "setup_start")))
    step2 = valid(await harness.act(ANN, action(step1, "setup_name"), form={"name_input": ["EU"]}))
    step3 = valid(
        await harness.act(ANN, action(step2, "setup_features"), form={"features_input": ["notes"]})
    )
    await submit_token(harness, ANN, step3, DEMO_TOKEN)
    (own,) = connectors(harness)
    # Back twice (to step 2, still the create card), Next, and another account's token.
    step3_again = valid(
        await harness.act(ANN, action(step2, "setup_features"), form={"features_input": ["deals"]})
    )
    ask = await submit_token(harness, ANN, step3_again, SECOND_TOKEN)
    assert action(ask, "reauth_confirm", connector=own.id)  # the own connector's account change
    assert [c.id for c in connectors(harness)] == [own.id]


async def test_reauth_or_edit_with_another_connectors_token_changes_nothing(
    harness: Harness,
) -> None:
    await add_connector(harness, ANN, name="EU")
    second = seed(harness, ANN, "Second", SECOND_TOKEN, base_url=SANDBOX_URL)
    before = connectors(harness)
    prompt = valid(await harness.act(ANN, {"op": "reauth", "connector": second.id}))
    refused = valid(
        await harness.act(ANN, action(prompt, "reauth_token"), form={"token_input": [DEMO_TOKEN]})
    )
    assert "This account is already set up as “EU”" in text_of(refused)
    assert action(refused, "reauth_token", connector=second.id)
    step1 = valid(await harness.act(ANN, {"op": "edit", "connector": second.id}))
    step2 = valid(await harness.act(ANN, action(step1, "setup_name"), form={"name_input": ["S"]}))
    step3 = valid(
        await harness.act(ANN, action(step2, "setup_features"), form={"features_input": ["notes"]})
    )
    edited = await submit_token(harness, ANN, step3, DEMO_TOKEN)
    assert "This account is already set up as “EU”" in text_of(edited)
    assert connectors(harness) == before
    assert harness.app.state.runtime.store.credential(ANN.sub, second.id).token == SECOND_TOKEN
