"""Fixtures of the sandbox tests: the demo sandbox, clients, and Pipedrive's OpenAPI files."""

from __future__ import annotations

import copy
import functools
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from cardin.sandbox import DEMO_TOKEN, Dataset, Sandbox, demo_dataset

# CI clones the repository with shared/ beside it, so resolve from the repository root
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "pipedrive"
TODAY = date(2026, 3, 16)
API_HOST = "https://api.pipedrive.com"
_COMPOSITES = ("allOf", "oneOf", "anyOf")


def _nullable(schema: Any, *, drop_date_time: bool) -> None:
    """Mark a schema and every schema inside it nullable (the specs under-declare nulls)."""
    if not isinstance(schema, dict) or "$ref" in schema:
        return
    schema["nullable"] = True
    if drop_date_time and schema.get("format") == "date-time":
        # v1 declares date-time but answers "YYYY-MM-DD HH:MM:SS" (shared/pipedrive/README.md)
        del schema["format"]
    for sub in (schema.get("properties") or {}).values():
        _nullable(sub, drop_date_time=drop_date_time)
    for key in ("items", "additionalProperties", "not"):
        _nullable(schema.get(key), drop_date_time=drop_date_time)
    for key in _COMPOSITES:
        for sub in schema.get(key) or ():
            _nullable(sub, drop_date_time=drop_date_time)


def _response_schemas(spec: dict[str, Any]) -> Iterator[Any]:
    yield from spec.get("components", {}).get("schemas", {}).values()
    responses = list(spec.get("components", {}).get("responses", {}).values())
    for item in spec["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict):
                responses.extend((operation.get("responses") or {}).values())
    for response in responses:
        for media in (response.get("content") or {}).values():
            yield media.get("schema")


@functools.cache
def raw_spec(name: str) -> dict[str, Any]:
    """One of Pipedrive's OpenAPI files as parsed, read once per process; callers copy it."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with (SHARED / name).open(encoding="utf-8") as handle:
        spec: dict[str, Any] = yaml.load(handle, Loader=loader)  # noqa: S506 - safe loaders only
    return spec


def load_patched_spec(name: str) -> OpenAPI:
    """One of Pipedrive's OpenAPI files with every response schema made nullable."""
    spec = copy.deepcopy(raw_spec(name))
    for schema in _response_schemas(spec):
        _nullable(schema, drop_date_time=name == "openapi-v1.yaml")
    return OpenAPI.from_dict(spec)


@dataclass(frozen=True)
class SpecChecker:
    """Validates sandbox answers against the v1 or v2 spec, by the request's path."""

    v1: OpenAPI
    v2: OpenAPI

    def check(self, response: httpx.Response) -> None:
        """Raise when the response does not match its operation's declared response."""
        self.check_body(response.request.method, response.request.url.path, response)

    def check_body(self, method: str, path: str, response: httpx.Response) -> None:
        """Validate `response` as the answer to METHOD PATH."""
        api = self.v1 if path.startswith("/v1/") else self.v2
        request = MockRequest(API_HOST, method.lower(), path)
        answer = MockResponse(response.content, response.status_code)
        api.validate_response(request, answer)


@pytest.fixture(scope="session")
def spec_checker() -> SpecChecker:
    """Both specs, loaded and patched once per session."""
    return SpecChecker(
        v1=load_patched_spec("openapi-v1.yaml"), v2=load_patched_spec("openapi-v2.yaml")
    )


@pytest.fixture
def dataset() -> Dataset:
    """Fresh demo data for a fixed today (tests may mutate it)."""
    return demo_dataset(TODAY)


@pytest.fixture
def sandbox(dataset: Dataset) -> Sandbox:
    """A sandbox over the demo data, no latency, no faults."""
    return Sandbox(dataset)


def client_for(sandbox: Sandbox, token: str | None = DEMO_TOKEN) -> httpx.AsyncClient:
    """An in-process client of `sandbox` sending `token` (none when None)."""
    headers = {"x-api-token": token} if token is not None else {}
    transport = httpx.ASGITransport(app=sandbox.app)
    return httpx.AsyncClient(transport=transport, base_url="http://sandbox", headers=headers)


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the demo sandbox with the demo user's token."""
    async with client_for(sandbox) as http:
        yield http


async def get_all_v2(http: httpx.AsyncClient, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a v2 list, following cursors."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = await http.get(path, params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["data"])
        cursor = body["additional_data"]["next_cursor"]
        if cursor is None:
            return items
