"""The client's new calls against the sandbox, where it serves them already: pipelines, stages,
the user's default currency, and a person with organization, phone and job title.

(The other writes are checked against MockTransport and the OpenAPI files in test_writes.py
until the sandbox serves them.) The requests of these calls are also checked against their
operations' spec (not the person read: the spec declares its comma-separated `include_fields`
as one enum value).
"""

from __future__ import annotations

import httpx
import pytest

from cardin.pipedrive import ApiToken, BadResponse, PipedriveClient
from cardin.sandbox import DEMO_TOKEN, MINIMAL_EMAIL, Sandbox
from tests.conftest import SANDBOX_URL

from .openapi import assert_valid_request

CHECKED = {
    ("GET", "/api/v2/pipelines"),
    ("GET", "/api/v2/stages"),
    ("GET", "/v1/users/me"),
    ("POST", "/api/v2/persons"),
}


class Checked(httpx.AsyncBaseTransport):
    """The sandbox, the requests in CHECKED first checked against Pipedrive's OpenAPI files."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.inner = httpx.ASGITransport(app=sandbox.app)
        self.seen: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        if (request.method, request.url.path) in CHECKED:
            assert_valid_request(request)
            self.seen.append(request)
        return await self.inner.handle_async_request(request)


@pytest.fixture
def checked(sandbox: Sandbox) -> Checked:
    return Checked(sandbox)


@pytest.fixture
def client(checked: Checked) -> PipedriveClient:
    http = httpx.AsyncClient(transport=checked)
    return PipedriveClient(
        http,
        auth=ApiToken(DEMO_TOKEN).auth(),
        base_url=SANDBOX_URL,
        configured_base=SANDBOX_URL,
    )


async def test_pipelines_and_stages_are_the_companys(
    client: PipedriveClient, sandbox: Sandbox, checked: Checked
) -> None:
    company = sandbox.dataset.companies[0]
    pipelines = await client.pipelines()
    stages = await client.stages()
    assert [(p.id, p.name, p.order_nr) for p in pipelines] == [
        (p["id"], p["name"], p["order_nr"]) for p in company.pipelines
    ]
    assert not any(p.is_deleted for p in pipelines)
    assert [(s.id, s.name, s.pipeline_id, s.order_nr) for s in stages] == [
        (s["id"], s["name"], s["pipeline_id"], s["order_nr"]) for s in company.stages
    ]
    assert client.meter.tokens == 5 + 5
    assert len(checked.seen) == 2


async def test_the_user_has_a_default_currency(client: PipedriveClient) -> None:
    assert (await client.current_user()).default_currency == "EUR"


async def test_a_person_with_organization_phone_and_title_is_stored(
    client: PipedriveClient, sandbox: Sandbox, checked: Checked
) -> None:
    org_id = sandbox.dataset.companies[0].organizations[0]["id"]
    created = await client.create_person(
        name="Nora Quist",
        email="nora@quist.example",
        owner_id=None,
        org_id=org_id,
        phone="+46 8 123 456",
        job_title="Head of Purchasing",
    )
    assert created.org_id == org_id
    stored = await client.person(created.id)
    assert stored.org_id == org_id
    assert [(p.value, p.primary, p.label) for p in stored.phones or []] == [
        ("+46 8 123 456", True, "work")
    ]
    assert [(e.value, e.primary) for e in stored.emails or []] == [("nora@quist.example", True)]
    assert stored.job_title == "Head of Purchasing"
    found = await client.search_persons_by_email("nora@quist.example")
    assert [p.id for p in found] == [created.id]
    assert [r.method for r in checked.seen] == ["POST"]


async def test_a_person_refused_by_pipedrive_says_why(client: PipedriveClient) -> None:
    with pytest.raises(BadResponse, match="Organization not found"):
        await client.create_person(
            name="Nora Quist", email=MINIMAL_EMAIL, owner_id=None, org_id=999_999
        )
