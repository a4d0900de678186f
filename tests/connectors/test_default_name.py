"""The name a second or later connector gets when the user leaves the offered one (issue 11,
item 8): after its company, never a duplicate of an existing name."""

from __future__ import annotations

from dataclasses import replace

from cardin.connectors.setup import MAX_STORED_NAME, default_name, inactive_account
from tests.cards.fixtures import GLOBEX_ACCOUNT


def test_named_after_the_company() -> None:
    assert default_name(GLOBEX_ACCOUNT, ["Pipedrive"]) == "Pipedrive · Globex Corp"


def test_a_taken_company_name_adds_the_user_then_a_number() -> None:
    taken = ["Pipedrive", "pipedrive · globex corp"]  # names compare without case
    assert default_name(GLOBEX_ACCOUNT, taken) == "Pipedrive · Globex Corp · Gina Globex"
    taken.append("Pipedrive · Globex Corp · Gina Globex")
    assert default_name(GLOBEX_ACCOUNT, taken) == "Pipedrive · Globex Corp (2)"
    taken.append("Pipedrive · Globex Corp (2)")
    assert default_name(GLOBEX_ACCOUNT, taken) == "Pipedrive · Globex Corp (3)"


def test_without_a_company_name_the_domain_names_it() -> None:
    nameless = replace(GLOBEX_ACCOUNT, company_name=" ", user_name="")
    assert default_name(nameless, []) == "Pipedrive · globex"
    assert default_name(nameless, ["Pipedrive · globex"]) == "Pipedrive · globex (2)"


def test_a_long_company_name_fits_the_stored_name() -> None:
    long = replace(GLOBEX_ACCOUNT, company_name="C" * 300)
    first = default_name(long, [])
    assert len(first) == MAX_STORED_NAME
    numbered = default_name(long, [first])  # the user's name is cut off: the same name
    assert len(numbered) <= MAX_STORED_NAME
    assert numbered.endswith("C (2)")


def test_an_account_pipedrive_says_nothing_about_is_numbered() -> None:
    assert default_name(inactive_account(), ["Pipedrive"]) == "Pipedrive (2)"
    assert default_name(inactive_account(), ["Pipedrive", "Pipedrive (2)"]) == "Pipedrive (3)"
