"""Cards built from real lookups of every demo person (through the engine and the sandbox)."""

from __future__ import annotations

import json

import pytest

from cardin.cards import CardContext, render_list_card, render_outcome_card, trigger_response
from cardin.connectors import ALL_FEATURES
from cardin.contact.model import Match
from cardin.lookup import AccountKey, LookupEngine
from cardin.pipedrive import ApiToken
from cardin.sandbox import DEMO_COMPANY_ID, DEMO_TOKEN, DEMO_USER_ID, FaultPlan, Sandbox
from tests.cards.fixtures import ACTION_URL
from tests.cards.validate import assert_valid_card, assert_valid_response, count_widgets
from tests.conftest import NOW, SANDBOX_URL

# The demo account, as a connector records it: its metadata is cached under it.
DEMO_ACCOUNT = AccountKey(DEMO_COMPANY_ID, DEMO_USER_ID)


def context(locale: str) -> CardContext:
    return CardContext(
        locale=locale,
        timezone="Europe/Berlin",
        features=ALL_FEATURES,
        action_url=ACTION_URL,
        icon_base_url="https://cardin.example/static/icons",
        now=NOW,
        connector_id="c-1",
    )


def demo_emails(sandbox: Sandbox) -> list[str]:
    company = sandbox.dataset.companies[0]
    return sorted({e["value"] for p in company.persons for e in p.get("emails") or []})


@pytest.mark.parametrize("locale", ["en_US", "de_DE", "ja_JP"])
async def test_every_demo_person_renders_a_valid_card(
    engine: LookupEngine, sandbox: Sandbox, locale: str
) -> None:
    ctx = context(locale)
    emails = demo_emails(sandbox)
    assert len(emails) > 40
    for email in emails:
        outcome = await engine.lookup(
            email, credential=ApiToken(DEMO_TOKEN), account=DEMO_ACCOUNT, base_url=SANDBOX_URL
        )
        card = render_outcome_card(outcome, ctx, email=email, connector_name="Pipedrive")
        assert_valid_response(trigger_response(card))
        if isinstance(outcome, Match):
            for section in ("deals", "activities", "notes"):
                assert_valid_card(render_list_card(outcome, section, ctx))


async def test_partial_lookup_card_says_what_is_missing(
    engine: LookupEngine, sandbox: Sandbox
) -> None:
    from cardin.sandbox import RICH_EMAIL  # noqa: PLC0415

    sandbox.set_faults(FaultPlan.parse("429@/v1/notes,503@/api/v2/activities"))
    outcome = await engine.lookup(RICH_EMAIL, credential=ApiToken(DEMO_TOKEN), base_url=SANDBOX_URL)
    card = render_outcome_card(outcome, context("en_US"), email=RICH_EMAIL, connector_name="P")
    assert_valid_card(card)
    text = json.dumps(card)
    assert "Élodie" in json.dumps(card, ensure_ascii=False)
    assert '"retry"' in text
    assert count_widgets(card) <= 100
