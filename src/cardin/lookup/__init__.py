"""Email → Match | NoMatch in one Pipedrive account: the call plan, caching, partial results."""

from cardin.lookup.engine import Limits, LookupEngine, Parts
from cardin.lookup.metadata import AccountMetadata, load_metadata, metadata_key

__all__ = ["AccountMetadata", "Limits", "LookupEngine", "Parts", "load_metadata", "metadata_key"]
