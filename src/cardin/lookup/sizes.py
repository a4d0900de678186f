"""Whether a company's deals, activities and notes each fit in one page, learned once a day.

A lookup in a company whose lists are small fetches each list's first page once (company-wide,
at the largest page size) instead of one call per person and per deal, and picks the items out
in code; in a larger company it never pages the company (see `cardin.lookup.engine`). What a
lookup learned (a page said it was the whole list, or that more items exist) is cached per
Pipedrive company and UTC day through the cache backend, so every worker shares it and a company
that grows is noticed on the next day at the latest (and at once when a page says more items
exist). The account's metadata is cached alike (`cardin.lookup.metadata`), per company and user.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, ConfigDict, ValidationError

from cardin.cache import Cache

_KEY_VERSION = "1"
MIN_TTL = 60.0


class ListSizes(BaseModel):
    """Per list: True when its first page was the whole list, False when more items existed,
    None when not known today."""

    model_config = ConfigDict(frozen=True)

    deals: bool | None = None
    activities: bool | None = None
    notes: bool | None = None


LARGE = ListSizes(deals=False, activities=False, notes=False)
"""What an account of unknown company is treated as: every list paged per person and deal."""


def sizes_key(company_id: int, now: datetime) -> str:
    """Cache key of a company's list sizes on the UTC day of `now`."""
    day = now.astimezone(UTC).date().isoformat()
    return f"cardin:sizes:{_KEY_VERSION}:{company_id}:{day}"


async def load_sizes(cache: Cache, key: str) -> ListSizes:
    """What is known today (nothing when the entry is absent or unreadable)."""
    raw = await cache.get(key)
    if raw is None:
        return ListSizes()
    try:
        return ListSizes.model_validate_json(raw)
    except ValidationError:
        await cache.delete(key)
        return ListSizes()


async def store_sizes(cache: Cache, key: str, sizes: ListSizes, now: datetime) -> None:
    """Keep `sizes` until the end of the UTC day of `now` (the key names that day)."""
    utc = now.astimezone(UTC)
    midnight = datetime(utc.year, utc.month, utc.day, tzinfo=UTC) + timedelta(days=1)
    ttl = max(MIN_TTL, (midnight - utc).total_seconds())
    await cache.set(key, sizes.model_dump_json().encode(), ttl)
