"""Pipedrive's addresses: company domains as DNS labels, web app links and API bases from parts.

The web app's links (`cardin.links`, pure) and the client's API bases (`cardin.pipedrive.urls`)
each check the company domain; these tests hold both to the same rule.
"""

from __future__ import annotations

import httpx
import pytest

from cardin import links
from cardin.links import BILLING_PAGE_URL, TOKEN_PAGE_URL, web_app_host, web_app_url
from cardin.pipedrive.urls import (
    DEFAULT_BASE_URL,
    api_base_for,
    company_api_base,
    company_domain,
    is_api_domain,
    is_company_domain,
    may_receive_token,
)

GOOD = ["acme", "a", "0", "acme-gmbh", "x" * 63, "xn--mnchen-3ya", "7seas"]
BAD = [
    "",
    "x" * 64,
    "-acme",
    "acme-",
    "acme.example",
    "evil.example/#",
    "evil.example/?",
    "acme/",
    "acme pipedrive",
    "ac_me",
    "acmé",
    "user@evil",
    "ACME\u212a",  # a Kelvin sign, which lower-cases to an ASCII "k"
]


@pytest.mark.parametrize("label", GOOD)
def test_dns_labels_are_company_domains(label: str) -> None:
    assert is_company_domain(label)
    assert links.is_company_domain(label)  # the client's rule and the links' rule agree
    assert company_domain(label) == label


@pytest.mark.parametrize("text", BAD)
def test_anything_else_is_refused(text: str) -> None:
    assert not is_company_domain(text)
    assert not links.is_company_domain(text)
    with pytest.raises(ValueError, match="DNS label"):
        company_domain(text)


def test_case_and_surrounding_blanks_do_not_matter() -> None:
    assert company_domain(" Acme-GmbH ") == "acme-gmbh"
    assert company_domain("acme\n") == "acme"
    assert not is_company_domain("Acme")  # only the normalised form is one


def test_web_app_urls_are_built_from_escaped_parts() -> None:
    assert web_app_url("acme", "person", 12) == "https://acme.pipedrive.com/person/12"
    assert (
        web_app_url("acme", "users", "details", 7) == "https://acme.pipedrive.com/users/details/7"
    )
    assert web_app_url("acme") == "https://acme.pipedrive.com/"
    search = web_app_url("acme", "search", query={"term": "a+b@x.example"})
    assert search == "https://acme.pipedrive.com/search?term=a%2Bb%40x.example"
    # A part can never add a segment, a query, a fragment or another host.
    assert web_app_url("acme", "../x?y#z") == "https://acme.pipedrive.com/..%2Fx%3Fy%23z"
    assert httpx.URL(web_app_url("acme", "//evil.example")).host == "acme.pipedrive.com"


@pytest.mark.parametrize("text", BAD)
def test_a_bad_domain_never_reaches_a_url(text: str) -> None:
    assert web_app_host(text) == "app.pipedrive.com"
    assert web_app_url(text, "person", 1) == "https://app.pipedrive.com/person/1"


def test_the_generic_pages() -> None:
    assert TOKEN_PAGE_URL == "https://app.pipedrive.com/settings/api"
    assert BILLING_PAGE_URL == "https://app.pipedrive.com/settings/billing"


def test_the_api_base_of_an_account() -> None:
    assert company_api_base("acme") == "https://acme.pipedrive.com"
    with pytest.raises(ValueError, match="DNS label"):
        company_api_base("evil.example/#")
    # Pipedrive's default base becomes the company's host; any other base stays as configured.
    assert api_base_for(DEFAULT_BASE_URL, "acme") == "https://acme.pipedrive.com"
    assert api_base_for(DEFAULT_BASE_URL + "/", "acme") == "https://acme.pipedrive.com"
    assert api_base_for("http://127.0.0.1:8765/", "acme") == "http://127.0.0.1:8765"
    # No domain of its own (the generic one), or a bad one: the default base, never a built one.
    assert api_base_for(DEFAULT_BASE_URL, "app") == DEFAULT_BASE_URL
    assert api_base_for(DEFAULT_BASE_URL, "evil.example/#") == DEFAULT_BASE_URL


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://api.pipedrive.com/v1/users/me", True),
        ("https://acme.pipedrive.com/api/v2/persons/1", True),
        ("https://ACME.Pipedrive.com/v1/users/me", True),
        ("https://acme.pipedrive.com:443/v1/users/me", True),
        ("http://proxy.internal:8080/pipedrive/v1/users/me", True),  # the configured base
        ("https://evil.example/#.pipedrive.com/v1/users/me", False),
        ("https://evil.example/?.pipedrive.com/v1/users/me", False),
        ("https://evil.example/v1/users/me", False),
        ("https://acme.pipedrive.com.evil.example/v1", False),
        ("https://evilpipedrive.com/v1", False),
        ("https://a.b.pipedrive.com/v1", False),
        ("https://-x.pipedrive.com/v1", False),
        ("http://acme.pipedrive.com/v1", False),
        ("https://acme.pipedrive.com:8443/v1", False),
        ("https://user@acme.pipedrive.com/v1", False),
        ("https://evil.example\\@acme.pipedrive.com/v1", False),
        ("http://proxy.internal:8081/v1", False),
        ("https://proxy.internal:8080/v1", False),
        ("/v1/users/me", False),
        ("https://xn--acme.pipedrive.com/v1", False),  # no IDNA: its name cannot be read
    ],
)
def test_where_a_token_may_go(url: str, allowed: bool) -> None:
    configured = "http://proxy.internal:8080/pipedrive"
    assert may_receive_token(httpx.URL(url), configured) is allowed


def test_a_configured_base_that_is_no_url_trusts_only_pipedrive() -> None:
    assert may_receive_token(httpx.URL("https://acme.pipedrive.com/v1"), "http://[::1")
    assert not may_receive_token(httpx.URL("http://[::1]/v1"), "http://[::1")


def test_an_api_domain_of_labels_that_are_no_idna_is_refused() -> None:
    assert not is_api_domain("https://xn--acme.pipedrive.com", DEFAULT_BASE_URL)
