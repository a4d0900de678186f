"""The client sends the token only to Pipedrive, and refuses a company domain that is no label."""

from __future__ import annotations

import json

import httpx
import pytest

from cardin.pipedrive import (
    ApiTokenAuth,
    BadResponse,
    InvalidToken,
    PipedriveClient,
    UnexpectedCompanyDomain,
    UntrustedHost,
)
from cardin.pipedrive.models import CurrentUser

TOKEN = "secret-token-0123456789"


def me(domain: object) -> dict[str, object]:
    return {"success": True, "data": {"id": 7, "company_id": 1, "company_domain": domain}}


def client_for(
    base_url: str, *, configured: str = "https://api.pipedrive.com", domain: object = "acme"
) -> tuple[PipedriveClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=json.dumps(me(domain)).encode())

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    client = PipedriveClient(
        http, auth=ApiTokenAuth(TOKEN), base_url=base_url, configured_base=configured
    )
    return client, seen


@pytest.mark.parametrize(
    "base_url",
    [
        "https://evil.example/#.pipedrive.com",  # a company domain of "evil.example/#"
        "https://evil.example/?.pipedrive.com",
        "https://evil.example",
        "https://acme.pipedrive.com.evil.example",
        "http://acme.pipedrive.com",
        "https://acme.pipedrive.com:8443",
        "https://x@acme.pipedrive.com",
        "https://evil.example\\@acme.pipedrive.com",
        "https://[::1",
        "",
    ],
)
async def test_the_token_is_never_sent_to_a_host_that_is_not_pipedrive(base_url: str) -> None:
    client, seen = client_for(base_url)
    with pytest.raises(UntrustedHost) as raised:
        await client.current_user()
    assert seen == []
    assert isinstance(raised.value, InvalidToken)  # the connector needs reauthorization
    assert "evil" not in str(raised.value)
    assert client.meter.requests == 0


@pytest.mark.parametrize(
    ("base_url", "configured"),
    [
        ("https://api.pipedrive.com", "https://api.pipedrive.com"),
        ("https://acme.pipedrive.com", "https://api.pipedrive.com"),
        ("https://acme.pipedrive.com/", "http://127.0.0.1:8765"),
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765/"),
        ("http://proxy.internal/pipedrive", "http://proxy.internal"),
    ],
)
async def test_the_configured_base_and_company_hosts_get_it(base_url: str, configured: str) -> None:
    client, seen = client_for(base_url, configured=configured)
    assert (await client.current_user()).company_domain == "acme"
    (request,) = seen
    assert request.headers["x-api-token"] == TOKEN
    assert str(request.url).startswith(base_url.rstrip("/") + "/v1/users/me")


@pytest.mark.parametrize(
    "domain", ["evil.example/#", "evil.example", "-acme", "x" * 64, "acme/", 42, ["acme"], {}]
)
async def test_a_company_domain_that_is_no_dns_label_is_refused(domain: object) -> None:
    client, _ = client_for("https://api.pipedrive.com", domain=domain)
    with pytest.raises(UnexpectedCompanyDomain) as raised:
        await client.current_user()
    assert isinstance(raised.value, BadResponse)


@pytest.mark.parametrize(("domain", "parsed"), [(None, None), ("", None), ("Acme", "acme")])
def test_a_missing_domain_is_none_and_case_does_not_matter(
    domain: object, parsed: str | None
) -> None:
    user = CurrentUser.model_validate({"id": 1, "company_id": 2, "company_domain": domain})
    assert user.company_domain == parsed
