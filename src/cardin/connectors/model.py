"""A connector: one configured Pipedrive account of one Google user (SPEC §1), as plain data.

The API token is not part of this object: the store keeps it encrypted and hands it out only to
the code that calls Pipedrive (`ConnectorStore.token`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from cardin.connectors.features import Feature
from cardin.contact.model import Account

TYPE_NAME = "Pipedrive"
"""The connector type's name: the pre-filled name, and the name stored for an empty one."""


class RunMode(enum.StrEnum):
    """Whether a connector searches when an email opens, or only after a click."""

    AUTOMATIC = "automatic"
    MANUAL = "manual"


class ConnectorState(enum.StrEnum):
    """The dashboard label of a connector for the open email (SPEC §2)."""

    HAS_MATCH = "has_match"
    NO_MATCH = "no_match"
    REAUTH = "reauth"
    MANUAL = "manual"
    ERROR = "error"
    PAYMENT = "payment"


@dataclass(frozen=True, slots=True)
class Connector:
    """A stored connector of one Google user (`owner` is the verified Google `sub`)."""

    id: str
    owner: str
    name: str
    features: frozenset[Feature]
    run_mode: RunMode
    show_in_dashboard: bool
    is_default: bool
    base_url: str
    account: Account
    position: int
    created_at: datetime
    updated_at: datetime
    # What was stored about its account cannot be trusted (a company domain that is not a DNS
    # label, saved before Cardin checked it): it is not used until the user reauthorizes.
    needs_reauth: bool = False
    # Signed in with Pipedrive (an OAuth grant) rather than given an API token: its
    # reauthorization is the same sign-in.
    signed_in: bool = False

    @property
    def is_automatic(self) -> bool:
        """Whether it searches as soon as an email opens."""
        return self.run_mode is RunMode.AUTOMATIC


@dataclass(frozen=True, slots=True)
class ConnectorSettings:
    """What a user chooses in the setup steps 1, 2 and 4 (the token is step 3)."""

    name: str = TYPE_NAME
    features: frozenset[Feature] = frozenset()
    run_mode: RunMode = RunMode.AUTOMATIC
    show_in_dashboard: bool = True

    def normalized(self) -> ConnectorSettings:
        """An empty or blank name becomes the type's name, 'Pipedrive'."""
        name = self.name.strip() or TYPE_NAME
        return ConnectorSettings(name[:100], self.features, self.run_mode, self.show_in_dashboard)
