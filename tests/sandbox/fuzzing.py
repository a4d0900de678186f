"""Schemathesis against the sandbox in-process: Pipedrive's OpenAPI files and the known gaps.

Each spec is read once, restricted to the operations the sandbox simulates, and the specs' known
gaps are patched into that copy (never into the files) by the allowlist below, so that every check
stays on: nulls the specs under-declare, v1's `YYYY-MM-DD HH:MM:SS` timestamps, and the 400 and
404 answers Pipedrive gives on every operation but lists on few. `tests/sandbox/test_fuzz.py` runs
a few examples per operation; `bench/sandbox_fuzz.py` runs many and prints the figures.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import schemathesis
from schemathesis import Config
from schemathesis.schemas import BaseSchema

from cardin.sandbox import DEMO_TOKEN
from cardin.sandbox.routes import ROUTES

from .conftest import raw_spec

JSON = dict[str, Any]
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
)
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class Spec:
    """One of Pipedrive's OpenAPI files and the path prefix of its server."""

    file: str
    prefix: str

    def simulated(self) -> set[tuple[str, str]]:
        """(method, spec path) of each operation of this spec that the sandbox simulates."""
        return {
            (route.method.lower(), route.template.removeprefix(self.prefix))
            for route in ROUTES
            if route.template.startswith(self.prefix + "/")
        }


SPECS = (Spec("openapi-v1.yaml", "/v1"), Spec("openapi-v2.yaml", "/api/v2"))


# --- the allowlist: known gaps of Pipedrive's specs, patched into the loaded copy --------------

# Properties Pipedrive answers `null` for although the specs do not declare them nullable
# (shared/pipedrive/README.md: "Nullability is under-declared"); each is null in real data for an
# absent optional value, as the specs' own examples show.
NULLABLE = frozenset(
    {
        # pagination: the last page
        "next_cursor",
        # links to objects that may be absent
        "org_id",
        "deal_id",
        "person_id",
        "user_id",
        "lead_id",
        "project_id",
        "task_id",
        "picture_id",
        "deal",
        "person",
        "project",
        "task",
        "organization",
        # optional values left empty
        "last_name",
        "birthday",
        "job_title",
        "notes",
        "postal_address",
        "icon_url",
        "won_time",
        "lost_time",
        "due_time",
        "duration",
        "location",
        "note",
        "public_description",
        "priority",
        "marked_as_done_time",
        "expected_close_date",
        "address",
        "attendees",
        "conference_meeting_client",
        "conference_meeting_id",
        "conference_meeting_url",
        # address parts a place does not have
        "subpremise",
        "sublocality",
        "admin_area_level_1",
        "admin_area_level_2",
    }
)
# v1 declares `format: date-time` but answers "2019-10-04 16:24:55" (UTC, no zone), as its own
# examples show (shared/pipedrive/README.md); such strings are checked against this pattern.
V1_TIMESTAMP = r"^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$"
# Pipedrive answers 400 ("Request not understood") to a bad parameter and 404 ("Resource
# unavailable") to an id that names nothing on every operation (its HTTP status code table,
# pipedrive.readme.io/docs/core-api-concepts-http-status-codes), but the specs list them on few
# operations. Where an operation lists neither, they are added with Pipedrive's error envelope.
UNLISTED_ERRORS = ("400", "404")
ERROR_ENVELOPE: JSON = {
    "type": "object",
    "required": ["success", "error"],
    "properties": {
        "success": {"type": "boolean", "enum": [False]},
        "error": {"type": "string"},
        "error_info": {"type": "string"},
        "data": {"type": "object", "nullable": True},
        "additional_data": {"type": "object", "nullable": True},
    },
}


def fuzz_document(spec: Spec) -> JSON:
    """A copy of `spec` with only the simulated operations, and the known gaps patched."""
    document = copy.deepcopy(raw_spec(spec.file))
    wanted = spec.simulated()
    paths: JSON = {}
    for path, item in document["paths"].items():
        operations = {m: op for m, op in item.items() if (m, path) in wanted}
        if operations:
            shared = {k: v for k, v in item.items() if k not in HTTP_METHODS}
            paths[path] = {**shared, **operations}
    document["paths"] = paths
    for operation in _operations(document):
        for status in UNLISTED_ERRORS:
            operation["responses"].setdefault(status, _error_response(status))
    for schema in _response_schemas(document):
        _patch(schema, v1=spec.prefix == "/v1")
    return document


def _operations(document: JSON) -> Iterator[JSON]:
    for item in document["paths"].values():
        yield from (op for method, op in item.items() if method in HTTP_METHODS)


def _error_response(status: str) -> JSON:
    content = {"application/json": {"schema": copy.deepcopy(ERROR_ENVELOPE)}}
    return {"description": f"Pipedrive's error envelope ({status})", "content": content}


def _response_schemas(document: JSON) -> Iterator[Any]:
    components = document.get("components", {})
    yield from components.get("schemas", {}).values()
    responses = list(components.get("responses", {}).values())
    for operation in _operations(document):
        responses.extend(operation["responses"].values())
    for response in responses:
        for media in (response.get("content") or {}).values():
            yield media.get("schema")


def _patch(schema: Any, *, v1: bool) -> None:
    """Apply the allowlist to `schema` and every schema inside it."""
    if not isinstance(schema, dict) or "$ref" in schema:
        return
    if v1 and schema.get("format") == "date-time":
        del schema["format"]
        schema["pattern"] = V1_TIMESTAMP
    for name, sub in (schema.get("properties") or {}).items():
        if name in NULLABLE and isinstance(sub, dict) and "$ref" not in sub:
            sub["nullable"] = True
        _patch(sub, v1=v1)
    for key in ("items", "additionalProperties", "not"):
        _patch(schema.get(key), v1=v1)
    for key in ("allOf", "oneOf", "anyOf"):
        for sub in schema.get(key) or ():
            _patch(sub, v1=v1)


def fuzz_config(*, examples: int, seed: int) -> Config:
    """The run: positive and negative data in every phase but the stateful one, our checks."""
    return Config.from_dict(
        {
            "seed": seed,
            "generation": {"max-examples": examples, "mode": "all", "database": "none"},
            "phases": {"stateful": {"enabled": False}},
            "continue-on-failure": True,
            "headers": {"x-api-token": DEMO_TOKEN},
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        }
    )


def fuzz_schemas(app: Any, *, examples: int, seed: int = 0) -> tuple[BaseSchema, ...]:
    """Both specs, patched and restricted, fuzzing `app` (the sandbox's ASGI app) in-process."""
    config = fuzz_config(examples=examples, seed=seed)
    schemas = []
    for spec in SPECS:
        schema = schemathesis.openapi.from_dict(fuzz_document(spec), config=config)
        schema.app = app
        schemas.append(schema)
    return tuple(schemas)
