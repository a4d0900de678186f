"""Per-account metadata (user and company, person fields, activity types, users, pipelines and
stages), cached.

It changes rarely and costs about 62 tokens to fetch, so it is fetched once per Pipedrive
company and user (`AccountKey`: whichever credential opens the account) and kept for hours.
The six calls go out concurrently. `/v1/users/me` is required (it proves the credential); a
failure of the others degrades the contact (no custom fields, plain activity icons) or the forms
(no pipeline to pick) and is not cached, so the next lookup tries again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from cardin.cache import Cache
from cardin.contact.model import SectionError
from cardin.lookup.outcome import secondary_of
from cardin.lookup.tasks import gather_all
from cardin.pipedrive import PipedriveClient
from cardin.pipedrive.models import (
    ActivityTypeInfo,
    CurrentUser,
    PersonField,
    Pipeline,
    Stage,
    User,
)

T = TypeVar("T")
METADATA_TTL = 6 * 3600.0
_KEY_VERSION = "3"


@dataclass(frozen=True, slots=True)
class AccountKey:
    """Pipedrive's identity of a user: the company and the user in it."""

    company_id: int
    user_id: int


class AccountMetadata(BaseModel):
    """What every lookup of one account needs besides the person; None parts failed to load.

    `me.default_currency` is the user's default currency (for a new deal).
    """

    model_config = ConfigDict(frozen=True)

    me: CurrentUser
    person_fields: list[PersonField] | None = None
    activity_types: list[ActivityTypeInfo] | None = None
    users: list[User] | None = None
    pipelines: list[Pipeline] | None = None
    stages: list[Stage] | None = None
    fields_error: SectionError | None = None

    @property
    def is_complete(self) -> bool:
        """Whether every part loaded (only complete metadata is cached)."""
        parts = (self.person_fields, self.activity_types, self.users, self.pipelines, self.stages)
        return None not in parts


def metadata_key(account: AccountKey) -> str:
    """Cache key of an account's metadata: per company and user, whatever the credential."""
    return f"cardin:meta:{_KEY_VERSION}:{account.company_id}:{account.user_id}"


async def load_metadata(
    client: PipedriveClient,
    cache: Cache,
    key: str | None,
    *,
    refresh: bool = False,
    optional: PipedriveClient | None = None,
) -> AccountMetadata:
    """The account's metadata from the cache, else from Pipedrive (then cached if complete).

    With no `key` (an account not yet known), it is fetched and not kept.

    `optional`, when given, fetches the parts the lookup can do without (a client with an
    earlier deadline, so that a hanging part leaves time for the rest of the lookup).
    """
    if key is not None and not refresh:
        cached = await _cached(cache, key)
        if cached is not None:
            return cached
    metadata = await fetch_metadata(client, optional)
    if key is not None and metadata.is_complete:
        await cache.set(key, metadata.model_dump_json().encode(), METADATA_TTL)
    return metadata


async def _cached(cache: Cache, key: str) -> AccountMetadata | None:
    raw = await cache.get(key)
    if raw is None:
        return None
    try:
        return AccountMetadata.model_validate_json(raw)
    except ValidationError:
        # An entry written by an older version: fetch afresh.
        await cache.delete(key)
        return None


async def fetch_metadata(
    client: PipedriveClient, optional: PipedriveClient | None = None
) -> AccountMetadata:
    """Fetch the six parts concurrently; account errors (401, 402) and a failed `me` propagate.

    The five parts that may fail are fetched with `optional` (default: `client`).
    """
    others = optional or client
    me, fields, types, users, pipelines, stages = await gather_all(
        client.current_user(),
        secondary_of(others.person_fields),
        secondary_of(others.activity_types),
        secondary_of(others.users),
        secondary_of(others.pipelines),
        secondary_of(others.stages),
    )
    fields_error = fields if isinstance(fields, SectionError) else None
    return AccountMetadata(
        me=me,
        person_fields=_loaded(fields),
        activity_types=_loaded(types),
        users=_loaded(users),
        pipelines=_loaded(pipelines),
        stages=_loaded(stages),
        fields_error=fields_error,
    )


def _loaded(part: list[T] | SectionError) -> list[T] | None:
    return None if isinstance(part, SectionError) else part
