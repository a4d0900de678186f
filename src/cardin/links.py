"""Addresses in Pipedrive's web app ("open in Pipedrive", edit, search, settings, billing).

Pipedrive names a company by its *company domain* (`acme` in `https://acme.pipedrive.com`),
reported by `GET /v1/users/me`. That text comes from upstream, so it is accepted only as a DNS
label (`[a-z0-9-]{1,63}`, no hyphen at either end) and a URL is never made by pasting it into a
string. A pure leaf module: the cards, the contact model and the store build links with it;
where the API token may go is the client's own business (`cardin.pipedrive.urls`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote, urlencode

GENERIC_APP = "app"
"""The web app's host for whichever company the signed-in user is in (`app.pipedrive.com`)."""
_PARENT = "pipedrive.com"
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def is_company_domain(value: object) -> bool:
    """Whether `value` is a company domain: one lower-case DNS label."""
    return isinstance(value, str) and _LABEL.fullmatch(value) is not None


def web_app_host(domain: str) -> str:
    """The company's web app host, "acme.pipedrive.com"; "app.pipedrive.com" for a bad domain."""
    # Every boundary refuses a bad domain already: this is the last line, never a URL from it.
    label = domain if is_company_domain(domain) else GENERIC_APP
    return f"{label}.{_PARENT}"


def web_app_url(domain: str, *path: str | int, query: Mapping[str, str] | None = None) -> str:
    """A page of the company's Pipedrive web app: `https://<domain>.pipedrive.com/<path>?<query>`.

    Each path part is one segment (escaped), so no part can change the host or add a query.
    """
    # an integer's digits (and sign) need no escaping
    segments = "/".join(
        str(part) if type(part) is int else quote(str(part), safe="") for part in path
    )
    url = f"https://{web_app_host(domain)}/{segments}"
    if query:
        url += "?" + urlencode(query, quote_via=quote, safe="")
    return url


TOKEN_PAGE_URL = web_app_url(GENERIC_APP, "settings", "api")
"""Where Pipedrive shows a user their API token."""
BILLING_PAGE_URL = web_app_url(GENERIC_APP, "settings", "billing")
"""Where a company subscribes or updates its payment details."""
