"""Email → Match | NoMatch in one Pipedrive account: the call plan, caching, partial results."""

from cardin.lookup.engine import LookupEngine
from cardin.lookup.metadata import AccountKey, AccountMetadata, load_metadata, metadata_key
from cardin.lookup.plan import Limits, Parts, calls_deadline

__all__ = [
    "AccountKey",
    "AccountMetadata",
    "Limits",
    "LookupEngine",
    "Parts",
    "calls_deadline",
    "load_metadata",
    "metadata_key",
]
