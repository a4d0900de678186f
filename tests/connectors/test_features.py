"""The feature registry and its rollout rule, and the connector's own rules (no I/O)."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from cardin.connectors import (
    ALL_FEATURES,
    REGISTRY,
    Feature,
    FeatureInfo,
    default_features,
    effective_features,
)
from cardin.connectors.model import TYPE_NAME, ConnectorSettings, RunMode
from cardin.connectors.setup import account_of, offered_settings
from cardin.pipedrive.models import CurrentUser

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


def _me(**overrides: object) -> CurrentUser:
    payload = {"id": 7, "company_id": 9, "company_domain": "acme", "locale": "de_DE",
               "timezone_name": "Europe/Berlin", "name": "Ada", "company_name": "Acme"}  # fmt: skip
    return CurrentUser.model_validate({**payload, **overrides})


def test_the_account_keeps_what_pipedrive_reported_when_it_fits() -> None:
    account = account_of(_me())
    assert (account.locale, account.timezone, account.user_name) == (
        "de_DE",
        "Europe/Berlin",
        "Ada",
    )


@pytest.mark.parametrize(
    ("overrides", "locale", "timezone"),
    [
        ({"locale": "x" * 40}, "en_US", "Europe/Berlin"),
        ({"locale": "<script>"}, "en_US", "Europe/Berlin"),
        ({"timezone_name": "Mars/Olympus_Mons"}, "de_DE", "UTC"),
        ({"timezone_name": "Europe/" + "x" * 80}, "de_DE", "UTC"),
        ({"timezone_name": "../../etc/passwd"}, "de_DE", "UTC"),
    ],
)
def test_a_preference_the_store_cannot_keep_falls_back(
    overrides: dict[str, object], locale: str, timezone: str
) -> None:
    account = account_of(_me(**overrides))
    assert (account.locale, account.timezone) == (locale, timezone)


def test_names_are_cut_to_what_the_store_keeps() -> None:
    assert len(account_of(_me(name="n" * 10_000, company_name="c" * 10_000)).user_name) == 255


@pytest.mark.parametrize("field", ["id", "company_id"])
@pytest.mark.parametrize("value", [2**63, -1])
def test_an_id_no_database_can_hold_is_no_account(field: str, value: int) -> None:
    with pytest.raises(ValidationError):
        _me(**{field: value})
