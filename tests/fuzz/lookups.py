"""The real lookup engine over the fake Pipedrive, and every card its outcome can be shown on.

A probe's outcome is the engine's result or the Failure its PipedriveError stands for (as the
add-on settles it); any other exception is a crash. The cards are the outcome card, each "show
all" list of a match, and the dashboard that embeds the outcome card, all checked strictly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx

from cardin.cache import MemoryCache
from cardin.cards import (
    CardContext,
    DashboardEntry,
    ListSection,
    render_dashboard,
    render_list_card,
    render_outcome_card,
)
from cardin.connectors import ALL_FEATURES
from cardin.connectors.model import Connector, ConnectorState, RunMode
from cardin.contact.model import Account, Match
from cardin.contact.outcome import Outcome
from cardin.lookup import LookupEngine
from cardin.lookup.outcome import settle
from cardin.pipedrive import ApiToken, RetryPolicy
from cardin.usecases.runs import state_of
from tests.cards.fixtures import ACTION_URL, ICON_BASE_URL
from tests.conftest import NOW, FakeSleep
from tests.fuzz.checks import card_problem, first
from tests.fuzz.upstream import BASE_URL
from tests.fuzz.world import COMPANY_DOMAIN, COMPANY_ID, EMAIL, ME_ID

CONNECTOR_NAME = "Engines"
SENDER_NAME = "Ada Lovelace"
Card = dict[str, Any]


def context(locale: str = "en_US", connector_id: str | None = "c-1") -> CardContext:
    """A reader in Berlin with every feature on."""
    return CardContext(
        locale=locale,
        timezone="Europe/Berlin",
        features=ALL_FEATURES,
        action_url=ACTION_URL,
        icon_base_url=ICON_BASE_URL,
        now=NOW,
        connector_id=connector_id,
    )


def engine(http: httpx.AsyncClient) -> LookupEngine:
    """An engine with a fresh cache (metadata fetched every time) and no real sleeping."""
    retry = RetryPolicy(attempts=2, sleep=FakeSleep())
    return LookupEngine(
        http, MemoryCache(), timeout=0.5, api_base=BASE_URL, retry=retry, clock=lambda: NOW
    )


async def look_up(transport: httpx.AsyncBaseTransport, email: str = EMAIL) -> Outcome:
    """The engine's outcome for `email` (exceptions other than PipedriveError propagate)."""
    async with httpx.AsyncClient(transport=transport) as http:
        lookup = engine(http).lookup(email, credential=TOKEN, base_url=BASE_URL)
        return await settle(lookup)


@dataclass(frozen=True)
class Rendered:
    """The cards of one outcome, by what they are."""

    outcome: Card
    lists: dict[str, Card]
    dashboard: Card

    def all(self) -> list[Card]:
        """Every card."""
        return [self.outcome, *self.lists.values(), self.dashboard]


def render(outcome: Outcome, ctx: CardContext | None = None) -> Rendered:
    """Every card the add-on can show for the outcome (exceptions propagate)."""
    ctx = ctx or context()
    card = render_outcome_card(
        outcome, ctx, email=EMAIL, connector_name=CONNECTOR_NAME, sender_name=SENDER_NAME
    )
    lists = {}
    if isinstance(outcome, Match):
        lists = {s.value: render_list_card(outcome, s.value, ctx) for s in ListSection}
    dashboard = render_dashboard(
        ctx,
        email=EMAIL,
        sender_name=SENDER_NAME,
        main=card,
        entries=[DashboardEntry(connector(), _state(outcome), summary=_summary(outcome))],
    )
    return Rendered(card, lists, dashboard)


def cards_problem(rendered: Rendered) -> str | None:
    """The first problem of any of the cards."""
    return first(card_problem(card, ACTION_URL) for card in rendered.all())


TOKEN = ApiToken("fuzz-token")

ACCOUNT = Account(
    company_id=COMPANY_ID,
    company_name="Engines",
    company_domain=COMPANY_DOMAIN,
    user_id=ME_ID,
    user_name="Sam Seller",
    user_email="sam@engines.example",
    locale="en_US",
    timezone="Europe/Berlin",
)
"""The world's account as a connector stores it."""


def connector(name: str = "Other account") -> Connector:
    """A second connector for the dashboard's list."""
    return Connector(
        id="c-2",
        owner="google-sub-fuzz",
        name=name,
        features=ALL_FEATURES,
        run_mode=RunMode.AUTOMATIC,
        show_in_dashboard=True,
        is_default=False,
        base_url=BASE_URL,
        account=ACCOUNT,
        position=1,
        created_at=NOW - timedelta(days=3),
        updated_at=NOW - timedelta(days=1),
    )


def _state(outcome: Outcome) -> ConnectorState:
    return state_of(outcome)


def _summary(outcome: Outcome) -> str | None:
    if not isinstance(outcome, Match):
        return None
    org = outcome.contact.organization
    return outcome.contact.name + (f" · {org.name}" if org else "")
