"""Where the API token may go, and the API base stored for a company: built from parts here.

Pipedrive names a company by its *company domain* (`acme` in `https://acme.pipedrive.com`),
reported by `GET /v1/users/me`. That text comes from upstream, so it is accepted only as a DNS
label (`[a-z0-9-]{1,63}`, no hyphen at either end) and a URL is never made by pasting it into a
string. The web app's pages are built by `cardin.links`, which applies the same rule (the
client imports nothing else of Cardin; a test keeps the two rules equal).
"""

from __future__ import annotations

import re

import httpx

DEFAULT_BASE_URL = "https://api.pipedrive.com"
"""Pipedrive's public API base: the default `PIPEDRIVE_BASE_URL`."""
NO_COMPANY = "app"
"""The domain Pipedrive's generic host uses: no company of its own."""
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


def company_api_base(domain: str) -> str:
    """The company's own API base, `https://<domain>.pipedrive.com`; ValueError for a bad domain."""
    return f"https://{company_domain(domain)}.{_PARENT}"


def api_base_for(configured: str, domain: str) -> str:
    """The API base to store for an account whose token was checked at `configured`.

    Pipedrive answers faster on the company's own host, so Pipedrive's default base becomes
    that host; any other configured base (a proxy, the sandbox) is kept as it is, and so is the
    default when Pipedrive reported no domain of its own.
    """
    base = configured.rstrip("/")
    if base != DEFAULT_BASE_URL or domain == NO_COMPANY or not is_company_domain(domain):
        return base
    return company_api_base(domain)


def may_receive_token(url: httpx.URL, configured_base: str) -> bool:
    """Whether a request to `url` may carry the API token.

    Only to the configured API base's origin, or to `https://<label>.pipedrive.com`; never to a
    URL with credentials, a query of its own or a fragment (signs of text pasted into a base).
    """
    if url.userinfo or url.query or url.fragment or not url.is_absolute_url:
        return False
    try:
        return _is_company_host(url) or _is_same_origin(url, configured_base)
    except UnicodeError:  # a host of "xn--" labels that are no IDNA: its name cannot be read
        return False


def is_api_domain(value: str, configured_base: str) -> bool:
    """Whether an OAuth token response's `api_domain` may be kept and sent access tokens.

    Only `https://<label>.pipedrive.com`, or the configured API base when it is not Pipedrive's
    default (the sandbox, a test server); nothing with a path, query, credentials or fragment.
    """
    try:
        url = httpx.URL(value)
    except httpx.InvalidURL:
        return False
    if url.userinfo or url.query or url.fragment or not url.is_absolute_url:
        return False
    if url.path not in ("", "/"):
        return False
    try:
        if _is_company_host(url):
            return True
        return configured_base.rstrip("/") != DEFAULT_BASE_URL and _is_same_origin(
            url, configured_base
        )
    except UnicodeError:  # as in may_receive_token
        return False


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
