"""The registry of connector features (SPEC §1 step 2): one entry per feature, with its rollout.

A connector created before a feature's rollout date has that feature off until the user turns it
on; a newer connector has every feature on. Adding a feature is adding one entry here.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date


class Feature(enum.StrEnum):
    """An advanced feature a user can switch off per connector (stable ids, stored as text)."""

    CUSTOM_FIELDS = "custom_fields"
    NOTES = "notes"
    DEALS = "deals"
    DEAL_NOTES = "deal_notes"
    DEAL_ACTIVITIES = "deal_activities"
    ACTIVITIES = "activities"
    OWNER = "owner"
    ORGANIZATION = "organization"
    ADD_CONTACT = "add_contact"
    # Writes from the side panel (released after the first features: off on older connectors).
    LOG_EMAILS = "log_emails"
    WRITE_NOTES = "write_notes"
    WRITE_ACTIVITIES = "write_activities"
    WRITE_DEALS = "write_deals"


@dataclass(frozen=True, slots=True)
class FeatureInfo:
    """A feature's message id (for its checkbox label) and the day it rolled out."""

    feature: Feature
    message_id: str
    rollout: date


# Cardin's first release had every feature but those with a later date.
FIRST_RELEASE = date(2026, 11, 1)
# Acting from the side panel: log the email, add notes, schedule and complete activities, create
# deals. Connectors stored before this day keep them off until the user turns them on in edit.
WRITES_RELEASE = date(2026, 11, 30)
REGISTRY: tuple[FeatureInfo, ...] = (
    FeatureInfo(Feature.CUSTOM_FIELDS, "feature.custom_fields", FIRST_RELEASE),
    FeatureInfo(Feature.NOTES, "feature.notes", FIRST_RELEASE),
    FeatureInfo(Feature.DEALS, "feature.deals", FIRST_RELEASE),
    FeatureInfo(Feature.DEAL_NOTES, "feature.deal_notes", FIRST_RELEASE),
    FeatureInfo(Feature.DEAL_ACTIVITIES, "feature.deal_activities", FIRST_RELEASE),
    FeatureInfo(Feature.ACTIVITIES, "feature.activities", FIRST_RELEASE),
    FeatureInfo(Feature.OWNER, "feature.owner", FIRST_RELEASE),
    FeatureInfo(Feature.ORGANIZATION, "feature.organization", FIRST_RELEASE),
    FeatureInfo(Feature.ADD_CONTACT, "feature.add_contact", FIRST_RELEASE),
    FeatureInfo(Feature.LOG_EMAILS, "feature.log_emails", WRITES_RELEASE),
    FeatureInfo(Feature.WRITE_NOTES, "feature.write_notes", WRITES_RELEASE),
    FeatureInfo(Feature.WRITE_ACTIVITIES, "feature.write_activities", WRITES_RELEASE),
    FeatureInfo(Feature.WRITE_DEALS, "feature.write_deals", WRITES_RELEASE),
)
ALL_FEATURES = frozenset(info.feature for info in REGISTRY)


def default_features(
    created: date, registry: Iterable[FeatureInfo] = REGISTRY
) -> frozenset[Feature]:
    """Features on for a connector created on `created`: those rolled out by then."""
    return frozenset(info.feature for info in registry if info.rollout <= created)


def effective_features(enabled: Iterable[str]) -> frozenset[Feature]:
    """A stored connector's features: those the user enabled that this version knows.

    Connectors store the features that were on when saved, so a feature rolled out later is
    simply absent, hence off, until the user turns it on.
    """
    known = {f.value for f in Feature}
    return frozenset(Feature(f) for f in enabled if f in known)
