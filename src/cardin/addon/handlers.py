"""What the add-on answers to the homepage and to an opened message, and what every answer uses.

`AddOn` is one verified request: the event, the Google user, and the shared runtime. Its entry
points return the JSON Google expects (a trigger response); card actions are answered by the
handlers that `dispatch.ROUTES` names. Every action that names a connector looks it up among the
user's own connectors only.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cardin.actions import OP
from cardin.addon.auth import GoogleUser
from cardin.addon.events import Event
from cardin.addon.gmail import GmailError, api_message_id
from cardin.addon.participants import participants_to_look_up
from cardin.addon.runtime import Runtime
from cardin.cards import (
    CardContext,
    DashboardContact,
    DashboardEntry,
    Json,
    action_response,
    push,
    render_dashboard,
    render_homepage,
    render_outcome_card,
    trigger_response,
)
from cardin.cards.states import render_notice_card
from cardin.cards.writes import LoggedView, WriteOptions, WriteReceipt
from cardin.connectors import ALL_FEATURES
from cardin.connectors.model import Connector
from cardin.contact.model import Match
from cardin.contact.outcome import Failure, FailureKind, Outcome
from cardin.lookup.assemble import Links
from cardin.usecases import lookups
from cardin.usecases.connectors import own_connectors
from cardin.usecases.lookups import Dashboard, NoConnectors
from cardin.usecases.people import Participant
from cardin.usecases.runs import Run
from cardin.usecases.services import Services

log = logging.getLogger(__name__)
METADATA_SCOPE = "https://www.googleapis.com/auth/gmail.addons.current.message.metadata"


@dataclass
class AddOn:
    """One verified request to the add-on."""

    runtime: Runtime
    event: Event
    user: GoogleUser

    # --- contexts ------------------------------------------------------------------------------

    def context(self, connector: Connector | None = None) -> CardContext:
        """How cards are rendered for this user (Gmail's locale and zone first) and connector."""
        common = self.event.common
        account = connector.account if connector else None
        return CardContext(
            locale=common.locale or (account.locale if account else "en_US"),
            timezone=common.time_zone_id or (account.timezone if account else "UTC"),
            features=connector.features if connector else ALL_FEATURES,
            action_url=self.runtime.action_url,
            icon_base_url=f"{self.runtime.public_url}/static/icons",
            now=datetime.now(UTC),
            connector_id=connector.id if connector else None,
            signed_in=connector.signed_in if connector else False,
            chips=self.runtime.settings.card_chips,
        )

    @property
    def services(self) -> Services:
        """What the use cases work with."""
        return self.runtime.services

    # --- entry points ----------------------------------------------------------------------------

    async def homepage(self) -> Json:
        """No message open: the connector list, setup and a manual search."""
        return trigger_response(await self.homepage_card())

    async def homepage_card(self) -> Json:
        """The homepage card."""
        return render_homepage(
            self.context(),
            connectors=await own_connectors(self.services, self.user.sub),
            user_email=self.user.email,
        )

    async def message(self) -> Json | dict[str, Any]:
        """A message was opened: look its people up in every automatic connector."""
        gmail = self.event.gmail
        if gmail is None or not gmail.message_id:
            return await self.homepage()
        if self.lacks_metadata_scope():
            return scope_request()
        participants = await self.participants()
        if participants is None:
            return trigger_response(self.notice("notice.gmail_unreadable"))
        if not participants:
            return trigger_response(self.notice("notice.nobody"))
        first, *others = participants
        return trigger_response(await self.dashboard(first, others))

    def lacks_metadata_scope(self) -> bool:
        """Whether the user has not granted the scope that reads the open message's headers.

        With granular consent a user may grant some scopes and not others; an event without
        `authorizedScopes` proves nothing was granted, so it asks too.
        """
        return METADATA_SCOPE not in self.event.authorization.authorized_scopes

    async def participants(self) -> list[Participant] | None:
        """Who to look up in the open message; None when Gmail would not tell."""
        gmail, auth = self.event.gmail, self.event.authorization
        if gmail is None or not gmail.message_id or not auth.user_oauth_token:
            return None
        try:
            headers = await self.runtime.gmail.message_headers(
                gmail.message_id,
                oauth_token=auth.user_oauth_token,
                access_token=gmail.access_token,
                user=self.user.sub,
            )
        except GmailError as exc:
            log.warning("Gmail metadata unavailable: %s", exc)
            return None
        return participants_to_look_up(headers, user_email=self.user.email)

    def unexpected_error(self) -> Json:
        """The answer when a handler failed unexpectedly: a notice card, no details."""
        card = self.notice("notice.unexpected")
        if self.event.parameter(OP):
            return action_response(push(card))
        return trigger_response(card)

    # --- building blocks -----------------------------------------------------------------------

    def text(self, message_id: str, **values: str) -> str:
        """A catalog message in the user's language."""
        return self.context().msgs.text(message_id, **values)

    def notice(self, message_id: str) -> Json:
        """A small card that says one thing, with a way home."""
        return render_notice_card(self.context(), message_id)

    async def dashboard(
        self,
        person: Participant,
        others: list[Participant],
        *,
        refresh: str | None = None,
        receipt: WriteReceipt | None = None,
        known: Mapping[str, Outcome] | None = None,
    ) -> Json:
        """Every connector's answer for one person; the default connector's card in full
        (`known`: outcomes looked up just now, shown as they are, with what they cost)."""
        found = await lookups.dashboard(
            self.services, self.user.sub, person, others, refresh=refresh, known=known
        )
        return await self.dashboard_card(found, receipt=receipt)

    async def dashboard_card(
        self, found: Dashboard | NoConnectors, *, receipt: WriteReceipt | None = None
    ) -> Json:
        """The dashboard card; the homepage while there is no connector.

        A connector shown in the dashboard (step 4) is shown in full: the default one whatever
        its outcome, another one when it has a match. The others are rows with their state;
        the first connector shown in full (the default one when it is) leads the card.
        """
        if isinstance(found, NoConnectors):
            return await self.homepage_card()
        default = found.default
        runs = [default, *(r for r in found.runs if r is not default)]
        full = [r for r in runs if _in_full(r, is_default=r is default)]
        lead = full[0] if full else None
        main = None
        if lead is not None:
            writes = await self.write_options(lead.connector, receipt=receipt)
            main = self.run_card(lead, found.person, writes=writes)
        more = [
            DashboardContact(r.connector, card)
            for r in full[1:]
            if (card := self.run_card(r, found.person)) is not None
        ]
        extra = [(p.email, p.name) for p in found.others]
        return render_dashboard(
            self.context(lead.connector if lead else default.connector),
            email=found.person.email,
            sender_name=found.person.name,
            main=main,
            entries=[_entry(r) for r in runs if all(r is not f for f in full)],
            participants=extra,
            more=more,
        )

    def run_card(
        self, run: Run, person: Participant, *, writes: WriteOptions | None = None
    ) -> Json | None:
        """The card of one connector's run (with its warning), None when it has not run."""
        return self.outcome_card(
            run.connector, run.outcome, person, writes=writes, warning=run.warning
        )

    def outcome_card(
        self,
        connector: Connector,
        outcome: Outcome | None,
        person: Participant,
        *,
        writes: WriteOptions | None = None,
        warning: FailureKind | None = None,
    ) -> Json | None:
        """A connector's card for the person, None when it has not run (manual); with `writes`,
        the contact card offers the writes the connector's features allow. A contact card of a
        connector other than the default one names it; `warning` (a cached answer after a
        reauth or payment failure) puts that problem and its fix on top."""
        if outcome is None:
            return None
        return render_outcome_card(
            outcome,
            self.context(connector),
            email=person.email,
            connector_name=connector.name,
            sender_name=person.name,
            writes=writes,
            warning=warning,
            account_name=None if connector.is_default else connector.name,
        )

    async def write_options(
        self, connector: Connector, *, receipt: WriteReceipt | None = None
    ) -> WriteOptions:
        """What the contact card offers to write: Log email while a message is open (or the
        line saying when it was logged), and the receipt of the write just made."""
        gmail = self.event.gmail
        message_open = gmail is not None and bool(gmail.message_id)
        logged = None
        if message_open and gmail is not None and gmail.message_id:
            try:
                api_id = api_message_id(gmail.message_id)
            except ValueError:
                api_id = None
            found = (
                await self.services.logged.find(
                    owner=self.user.sub, connector_id=connector.id, message_id=api_id
                )
                if api_id
                else None
            )
            if found is not None:
                links = Links(connector.account.company_domain)
                url = links.deal(found.deal_id) if found.deal_id else links.person(found.person_id)
                logged = LoggedView(logged_at=found.logged_at, url=url)
        return WriteOptions(message_open=message_open, logged=logged, receipt=receipt)


def scope_request() -> Json:
    """Google's granular-consent answer: ask for the metadata scope; Google then repeats."""
    return {"requesting_google_scopes": {"scopes": [METADATA_SCOPE]}}


def _in_full(run: Run, *, is_default: bool) -> bool:
    """Whether the run is shown in full on the dashboard (else as a row with its state)."""
    if not run.connector.show_in_dashboard or run.outcome is None:
        return False
    return is_default or isinstance(run.outcome, Match)


def _entry(run: Run) -> DashboardEntry:
    outcome = run.outcome
    summary = None
    if isinstance(outcome, Match):
        org = outcome.contact.organization
        summary = outcome.contact.name + (f" · {org.name}" if org else "")
    retry_after = outcome.retry_after if isinstance(outcome, Failure) else None
    return DashboardEntry(run.connector, run.state, summary=summary, retry_after=retry_after)
