"""Schemathesis fuzzes the sandbox with Pipedrive's own OpenAPI files, a few examples per operation.

Every operation the sandbox simulates, in both specs, goes through Schemathesis's examples,
coverage and fuzzing phases with valid and invalid data, and every answer through the checks in
`fuzzing.CHECKS`; the specs' known gaps are patched by the allowlist in `fuzzing.py`, which the
tests below show still rejects what it should. `bench/sandbox_fuzz.py` runs many more examples.
Every other operation of the specs is sent once: not simulated, it answers 404 (405 for another
method of a simulated path), never the 401 that would make a client blame its token.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import httpx
from schemathesis import Case
from schemathesis.schemas import BaseSchema

from cardin.sandbox import Sandbox, demo_dataset
from cardin.sandbox.routes import ROUTES

from .conftest import TODAY, client_for, raw_spec
from .fuzzing import HTTP_METHODS, SPECS, Spec, fuzz_schemas

EXAMPLES = 3  # per operation in the fuzzing phase; the coverage phase adds its own cases
SANDBOX = Sandbox(demo_dataset(TODAY), rate_limits=False)
V1, V2 = fuzz_schemas(SANDBOX.app, examples=EXAMPLES)


@V1.parametrize()
def test_v1_operations_hold_up_under_the_fuzzer(case: Case) -> None:
    case.call_and_validate()


@V2.parametrize()
def test_v2_operations_hold_up_under_the_fuzzer(case: Case) -> None:
    case.call_and_validate()


def test_the_fuzzer_covers_every_simulated_operation() -> None:
    operations = set()
    for spec, schema in zip(SPECS, (V1, V2), strict=True):
        for result in schema.get_all_operations():
            method, path = result.ok().label.split(" ", 1)
            operations.add(f"{method} {spec.prefix}{path}")
    assert operations == {f"{route.method} {route.template}" for route in ROUTES}


def _unsimulated(spec: Spec) -> list[tuple[str, str]]:
    document = raw_spec(spec.file)
    simulated = spec.simulated()
    return [
        (method.upper(), spec.prefix + path)
        for path, item in document["paths"].items()
        for method in item
        if method in HTTP_METHODS and (method, path) not in simulated
    ]


async def test_every_other_operation_is_a_404_or_405_never_a_401(sandbox: Sandbox) -> None:
    unsimulated = [operation for spec in SPECS for operation in _unsimulated(spec)]
    simulated_paths = {route.template for route in ROUTES}
    async with client_for(sandbox) as http:
        for method, template in unsimulated:
            path = re.sub(r"\{[^}]+\}", "1", template)
            response = await http.request(method, path)
            expected = 405 if template in simulated_paths else 404
            assert response.status_code == expected, f"{method} {path}: {response.text}"
    assert len(unsimulated) + len(ROUTES) == 371  # every operation of both specs, once


def _conforms(schema: BaseSchema, method: str, path: str, status: int, body: Any) -> bool:
    """Whether the patched spec accepts `body` as the answer `status` to METHOD PATH."""
    operation = schema[path.removeprefix("/v1").removeprefix("/api/v2")][method]
    url = f"http://sandbox{path}"
    response = httpx.Response(
        status,
        content=json.dumps(body).encode(),
        headers={"content-type": "application/json"},
        request=httpx.Request(method, url),
    )
    response.elapsed = timedelta(0)
    return operation.is_valid_response(response)


async def test_the_allowlist_lets_only_the_known_gaps_through(client: httpx.AsyncClient) -> None:
    person = (await client.get("/api/v2/persons/1")).json()
    assert _conforms(V2, "GET", "/api/v2/persons/{id}", 200, person)
    # an allowlisted property may be null, but not of another type
    assert _conforms(V2, "GET", "/api/v2/persons/{id}", 200, _with(person, org_id=None))
    assert not _conforms(V2, "GET", "/api/v2/persons/{id}", 200, _with(person, org_id="2"))
    # a property off the list may not be null
    assert not _conforms(V2, "GET", "/api/v2/persons/{id}", 200, _with(person, name=None))
    assert not _conforms(V2, "GET", "/api/v2/persons/{id}", 200, _with(person, visible_to="3"))


async def test_v1_timestamps_are_checked_in_their_own_format(client: httpx.AsyncClient) -> None:
    types = (await client.get("/v1/activityTypes")).json()
    assert _conforms(V1, "GET", "/v1/activityTypes", 200, types)
    types["data"][0]["add_time"] = "2022-10-23T09:00:00Z"
    assert not _conforms(V1, "GET", "/v1/activityTypes", 200, types)


async def test_unlisted_400_and_404_must_still_be_pipedrives_envelope(
    client: httpx.AsyncClient,
) -> None:
    refused = (await client.get("/api/v2/deals", params={"limit": "many"})).json()
    assert _conforms(V2, "GET", "/api/v2/deals", 400, refused)
    assert not _conforms(V2, "GET", "/api/v2/deals", 400, {"message": "bad limit"})
    missing = (await client.get("/api/v2/deals/999999")).json()
    assert _conforms(V2, "GET", "/api/v2/deals/{id}", 404, missing)
    assert not _conforms(V2, "GET", "/api/v2/deals/{id}", 404, _with(missing, success=True))


def _with(body: dict[str, Any], **changes: Any) -> dict[str, Any]:
    if isinstance(body.get("data"), dict):
        return {**body, "data": {**body["data"], **changes}}
    return {**body, **changes}
