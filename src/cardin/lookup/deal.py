"""One deal fetched on demand for its deal card: the deal, all its notes and its activities.

The three calls go out at once and end by the deadline; the deal itself is required (its
failure, a 404 included, is raised), while its notes or activities that fail are marked
unavailable on the deal and the rest is shown.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from cardin.connectors.setup import account_of
from cardin.contact.model import Deal
from cardin.lookup import assemble
from cardin.lookup.build import section
from cardin.lookup.metadata import AccountMetadata
from cardin.lookup.outcome import secondary_of
from cardin.lookup.tasks import gather_all
from cardin.pipedrive import NotFound, PipedriveClient
from cardin.pipedrive.models import DealInfo

DEAL_NOTES = 500
"""The most notes a deal card fetches (one page of `/v1/notes`)."""
DEAL_ACTIVITIES = 500
"""The most activities a deal card fetches (one page of `/api/v2/activities`)."""


async def fetch_deal(
    client: PipedriveClient, meta: AccountMetadata, deal_id: int, *, now: datetime
) -> Deal:
    """The deal with all its notes (newest first) and activities (most relevant first).

    Raises the client's error when the deal itself cannot be fetched, NotFound when it is gone
    or marked deleted.
    """
    info, notes, activities = await gather_all(
        client.deal(deal_id),
        secondary_of(client.notes, deal_id=deal_id, limit=DEAL_NOTES),
        secondary_of(client.activities, deal_id=deal_id, limit=DEAL_ACTIVITIES),
    )
    if info.is_deleted:  # Pipedrive still answers a deleted deal, marked so
        raise NotFound("the deal was deleted", path=f"/api/v2/deals/{deal_id}")
    account = account_of(meta.me)
    links = assemble.Links(account.company_domain)
    types = assemble.activity_types_by_key(meta.activity_types)
    titles = {info.id: info.title or f"#{info.id}"}
    ctx = assemble.ActivityContext(types, titles, links, now, assemble.zone(account.timezone))
    deal = assemble.to_deal(
        info,
        links=links,
        organization=None,  # the card shows the deal, not whom it is with
        notes=section(notes, assemble.notes_section),
        activities=section(activities, lambda a: assemble.activities_section(a, ctx)),
    )
    return _with_stage(deal, info, meta)


def _with_stage(deal: Deal, info: DealInfo, meta: AccountMetadata) -> Deal:
    """The deal with its stage's name, when the account's stages are known."""
    stage = next((s for s in meta.stages or [] if s.id == info.stage_id), None)
    if stage is None or not stage.name:
        return deal
    return dataclasses.replace(deal, stage=stage.name)
