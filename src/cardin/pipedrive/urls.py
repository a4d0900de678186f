"""Every Pipedrive address Cardin builds or trusts, built from parts in this one module.

Pipedrive names a company by its *company domain* (`acme` in `https://acme.pipedrive.com`),
reported by `GET /v1/users/me`. That text comes from upstream, so it is accepted only as a DNS
label (`[a-z0-9-]{1,63}`, no hyphen at either end) and a URL is never made by pasting it into a
string: the API base, the web app's pages ("open in Pipedrive", edit, search, settings, billing)
and the check of where an API token may go are all here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote, urlencode

import httpx

DEFAULT_BASE_URL = "https://api.pipedrive.com"
"""Pipedrive's public API base: the default `PIPEDRIVE_BASE_URL`."""
GENERIC_APP = "app"
"""The web app's host for whichever company the signed-in user is in (`app.pipedrive.com`)."""
_PARENT = "pipedrive.com"
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def is_company_domain(value: object) -> bool:
    """Whether `value` is a company domain: one lower-case DNS label."""
    return isinstance(value, str) and _LABEL.fullmatch(value) is not None


def company_domain(value: str) -> str:
    """`value` as a company domain (DNS labels ignore case); ValueError when it is not one."""
    label = value.strip().lower() if value.isascii() else value
    if not is_company_domain(label):
        raise ValueError("a Pipedrive company domain is one DNS label ([a-z0-9-], 1-63 chars)")
    return label


def web_app_host(domain: str) -> str:
    """The company's web app host, "acme.pipedrive.com"; "app.pipedrive.com" for a bad domain."""
    # Every boundary refuses a bad domain already: this is the last line, never a URL from it.
    label = domain if is_company_domain(domain) else GENERIC_APP
    return f"{label}.{_PARENT}"


def web_app_url(domain: str, *path: str | int, query: Mapping[str, str] | None = None) -> str:
    """A page of the company's Pipedrive web app: `https://<domain>.pipedrive.com/<path>?<query>`.

    Each path part is one segment (escaped), so no part can change the host or add a query.
    """
    segments = "/".join(quote(str(part), safe="") for part in path)
    url = f"https://{web_app_host(domain)}/{segments}"
    if query:
        url += "?" + urlencode(query, quote_via=quote, safe="")
    return url


TOKEN_PAGE_URL = web_app_url(GENERIC_APP, "settings", "api")
"""Where Pipedrive shows a user their API token."""
BILLING_PAGE_URL = web_app_url(GENERIC_APP, "settings", "billing")
"""Where a company subscribes or updates its payment details."""


def company_api_base(domain: str) -> str:
    """The company's own API base, `https://<domain>.pipedrive.com`; ValueError for a bad domain."""
    return f"https://{web_app_host(company_domain(domain))}"


def api_base_for(configured: str, domain: str) -> str:
    """The API base to store for an account whose token was checked at `configured`.

    Pipedrive answers faster on the company's own host, so Pipedrive's default base becomes
    that host; any other configured base (a proxy, the sandbox) is kept as it is, and so is the
    default when Pipedrive reported no domain of its own.
    """
    base = configured.rstrip("/")
    if base != DEFAULT_BASE_URL or domain == GENERIC_APP or not is_company_domain(domain):
        return base
    return company_api_base(domain)


def may_receive_token(url: httpx.URL, configured_base: str) -> bool:
    """Whether a request to `url` may carry the API token.

    Only to the configured API base's origin, or to `https://<label>.pipedrive.com`; never to a
    URL with credentials, a query of its own or a fragment (signs of text pasted into a base).
    """
    if url.userinfo or url.query or url.fragment or not url.is_absolute_url:
        return False
    return _is_company_host(url) or _is_same_origin(url, configured_base)


def _is_same_origin(url: httpx.URL, base: str) -> bool:
    """Same scheme, host and port as `base` (False when `base` is no URL)."""
    try:
        origin = httpx.URL(base)
    except httpx.InvalidURL:
        return False
    return (url.scheme, url.host, url.port) == (origin.scheme, origin.host, origin.port)


def _is_company_host(url: httpx.URL) -> bool:
    """`https://<label>.pipedrive.com` on the default port."""
    label, dot, parent = url.host.partition(".")
    return (
        url.scheme == "https"
        and url.port is None
        and dot == "."
        and parent == _PARENT
        and is_company_domain(label)
    )
