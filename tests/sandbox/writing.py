"""Sending writes to the sandbox with both sides checked against Pipedrive's OpenAPI files.

The body a test sends is validated against the operation's *request* schema (openapi-core, the
specs as published); the answer against its response schema for that status, with the fuzzing
allowlist's patches (`fuzzing.fuzz_document`: under-declared nulls, and Pipedrive's error
envelope for the 400 and 404 every operation can answer) plus that envelope for 403, which
Pipedrive's status table gives every write ("Request not allowed") and the specs list on none.
"""

from __future__ import annotations

import copy
import functools
import json
import warnings
from dataclasses import dataclass
from typing import Any

import httpx
from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest, MockResponse

from .conftest import API_HOST, raw_spec
from .fuzzing import ERROR_ENVELOPE, SPECS, fuzz_document

JSON = dict[str, Any]
WRITES = ("post", "put", "patch", "delete")


def _with_403(document: JSON) -> JSON:
    for item in document["paths"].values():
        for method, operation in item.items():
            if method in WRITES:
                schema = copy.deepcopy(ERROR_ENVELOPE)
                content = {"application/json": {"schema": schema}}
                operation["responses"].setdefault(
                    "403", {"description": "No permission", "content": content}
                )
    return document


@dataclass(frozen=True)
class WriteSpecs:
    """The published specs (for requests) and the allowlisted ones (for answers), v1 and v2."""

    requests: dict[str, OpenAPI]
    answers: dict[str, OpenAPI]

    @staticmethod
    def _version(path: str) -> str:
        return "v1" if path.startswith("/v1/") else "v2"

    def check_request(self, method: str, path: str, body: Any) -> None:
        """Raise when `body` does not match the request schema of METHOD PATH."""
        data = json.dumps(body).encode() if body is not None else None
        request = MockRequest(API_HOST, method.lower(), path, data=data)
        with warnings.catch_warnings():
            # the specs' OAuth scheme, which openapi-core cannot check (we send no credentials)
            warnings.filterwarnings("ignore", "Unsupported scheme type", UserWarning)
            self.requests[self._version(path)].validate_request(request)

    def request_is_valid(self, method: str, path: str, body: Any) -> bool:
        """Whether `body` matches the request schema of METHOD PATH."""
        try:
            self.check_request(method, path, body)
        except Exception:  # noqa: BLE001 - openapi-core raises several kinds of validation error
            return False
        return True

    def check_answer(self, response: httpx.Response) -> None:
        """Raise when the answer does not match its operation's response for its status."""
        method, path = response.request.method, response.request.url.path
        request = MockRequest(API_HOST, method.lower(), path)
        answer = MockResponse(response.content, response.status_code)
        self.answers[self._version(path)].validate_response(request, answer)


@functools.cache
def write_specs() -> WriteSpecs:
    """Both specs, loaded once per process."""
    # the specs are validated as OpenAPI documents where `spec_checker` loads them; not again here
    unchecked = Config(spec_validator_cls=None)
    requests = {
        version: OpenAPI.from_dict(copy.deepcopy(raw_spec(spec.file)), config=unchecked)
        for version, spec in zip(("v1", "v2"), SPECS, strict=True)
    }
    answers = {
        version: OpenAPI.from_dict(_with_403(fuzz_document(spec)), config=unchecked)
        for version, spec in zip(("v1", "v2"), SPECS, strict=True)
    }
    return WriteSpecs(requests, answers)


async def send(
    http: httpx.AsyncClient,
    method: str,
    path: str,
    body: Any = None,
    *,
    schema_valid: bool = True,
) -> httpx.Response:
    """Send one write: its body checked against the request schema first, its answer after.

    `schema_valid=False` is for a body the request schema itself refuses (a wrong type, a missing
    required property): the test then proves that the spec and the sandbox refuse it alike.
    """
    specs = write_specs()
    if schema_valid:
        specs.check_request(method, path, body)
    else:
        assert not specs.request_is_valid(method, path, body), f"the spec accepts {body!r}"
    response = await http.request(method, path, json=body)
    specs.check_answer(response)
    return response


def data(response: httpx.Response, status: int = 200) -> Any:
    """The `data` of a successful answer (after checking its status)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is True
    return body["data"]


def refusal(response: httpx.Response, status: int) -> str:
    """The error message of a refusal with `status` (after checking it is Pipedrive's envelope)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False
    assert body["data"] is None
    return str(body["error"])
