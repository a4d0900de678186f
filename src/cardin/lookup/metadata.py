"""Per-account metadata (user and company, person fields, activity types, users), cached.

It changes rarely and costs about 52 tokens to fetch, so it is fetched once per Pipedrive
company and user (`AccountKey`: whichever credential opens the account) and kept for hours.
The four calls go out concurrently. `/v1/users/me` is required (it proves the credential); a
failure of the others degrades the contact (no custom fields, plain activity icons) and is not
cached, so the next lookup tries again.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, ValidationError

from cardin.cache import Cache
from cardin.contact.model import SectionError
from cardin.lookup.outcome import secondary
from cardin.lookup.tasks import gather_all
from cardin.pipedrive import PipedriveClient
from cardin.pipedrive.models import ActivityTypeInfo, CurrentUser, PersonField, User

METADATA_TTL = 6 * 3600.0
_KEY_VERSION = "2"


@dataclass(frozen=True, slots=True)
class AccountKey:
    """Pipedrive's identity of a user: the company and the user in it."""

    company_id: int
    user_id: int


class AccountMetadata(BaseModel):
    """What every lookup of one account needs besides the person; None parts failed to load."""

    model_config = ConfigDict(frozen=True)

    me: CurrentUser
    person_fields: list[PersonField] | None = None
    activity_types: list[ActivityTypeInfo] | None = None
    users: list[User] | None = None
    fields_error: SectionError | None = None

    @property
    def is_complete(self) -> bool:
        """Whether every part loaded (only complete metadata is cached)."""
        return None not in (self.person_fields, self.activity_types, self.users)


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
    """Fetch the four parts concurrently; account errors (401, 402) and a failed `me` propagate.

    The three parts that may fail are fetched with `optional` (default: `client`).
    """
    others = optional or client
    me, fields, types, users = await gather_all(
        client.current_user(),
        secondary(others.person_fields()),
        secondary(others.activity_types()),
        secondary(others.users()),
    )
    fields_error = fields if isinstance(fields, SectionError) else None
    return AccountMetadata(
        me=me,
        person_fields=None if isinstance(fields, SectionError) else fields,
        activity_types=None if isinstance(types, SectionError) else types,
        users=None if isinstance(users, SectionError) else users,
        fields_error=fields_error,
    )
