"""The feature registry and its rollout rule, and the connector's own rules (no I/O)."""

from __future__ import annotations

from datetime import date

import pytest

from cardin.connectors import (
    ALL_FEATURES,
    REGISTRY,
    Feature,
    FeatureInfo,
    default_features,
    effective_features,
)
from cardin.connectors.model import TYPE_NAME, ConnectorSettings, RunMode
from cardin.connectors.setup import offered_settings

FIRST = date(2026, 11, 1)
SECOND = date(2027, 3, 1)
# Two release dates: the reads shipped first, two later features shipped with a second release.
TWO_RELEASES = (
    FeatureInfo(Feature.NOTES, "feature.notes", FIRST),
    FeatureInfo(Feature.DEALS, "feature.deals", FIRST),
    FeatureInfo(Feature.ACTIVITIES, "feature.activities", SECOND),
    FeatureInfo(Feature.ADD_CONTACT, "feature.add_contact", SECOND),
)


def test_every_feature_has_one_registry_entry_and_a_message() -> None:
    assert [info.feature for info in REGISTRY] == list(Feature)
    assert all(info.message_id == f"feature.{info.feature.value}" for info in REGISTRY)
    assert frozenset(Feature) == ALL_FEATURES


@pytest.mark.parametrize(
    ("created", "expected"),
    [
        (date(2026, 10, 31), frozenset()),
        (FIRST, {Feature.NOTES, Feature.DEALS}),
        (date(2027, 2, 28), {Feature.NOTES, Feature.DEALS}),
        (SECOND, {Feature.NOTES, Feature.DEALS, Feature.ACTIVITIES, Feature.ADD_CONTACT}),
        (date(2030, 1, 1), {Feature.NOTES, Feature.DEALS, Feature.ACTIVITIES, Feature.ADD_CONTACT}),
    ],
)
def test_a_feature_released_after_a_connector_was_created_is_off_for_it(
    created: date, expected: set[Feature]
) -> None:
    assert default_features(created, TWO_RELEASES) == expected


def test_todays_registry_turns_everything_on_for_a_new_connector() -> None:
    assert default_features(date(2026, 11, 30)) == ALL_FEATURES


def test_stored_features_keep_what_this_version_knows() -> None:
    stored = ["notes", "deals", "a_feature_from_the_future", "NOTES", ""]
    assert effective_features(stored) == {Feature.NOTES, Feature.DEALS}
    assert effective_features([]) == frozenset()


def test_the_first_connector_runs_automatically_and_later_ones_manually() -> None:
    first = offered_settings(0, FIRST)
    later = offered_settings(2, FIRST)
    assert (first.run_mode, first.show_in_dashboard) == (RunMode.AUTOMATIC, True)
    assert (later.run_mode, later.show_in_dashboard) == (RunMode.MANUAL, False)
    assert first.name == later.name == TYPE_NAME
    assert first.features == default_features(FIRST)


@pytest.mark.parametrize(
    ("typed", "stored"), [("", "Pipedrive"), ("   ", "Pipedrive"), (" Sales ", "Sales")]
)
def test_an_empty_name_becomes_the_type_name(typed: str, stored: str) -> None:
    assert ConnectorSettings(name=typed).normalized().name == stored


def test_a_long_name_is_cut_to_100_characters() -> None:
    assert len(ConnectorSettings(name="x" * 500).normalized().name) == 100
