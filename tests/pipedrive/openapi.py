"""Requests the client sends, checked against the operation they call in Pipedrive's OpenAPI files.

openapi-core validates the path, query, headers and body of a request (types, enums, required
properties); since Pipedrive's request schemas allow properties they do not declare, the body is
also checked for properties its operation does not declare at all (a misspelt name would else be
ignored by Pipedrive without a word).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import httpx
import yaml
from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest

# CI clones the repository with shared/ beside it, so resolve from the repository root
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "pipedrive"
API_HOST = "https://api.pipedrive.com"
_COMPOSITES = ("allOf", "anyOf", "oneOf")


@functools.cache
def raw_spec(name: str) -> dict[str, Any]:
    """One of Pipedrive's OpenAPI files as parsed, read once per process (do not change it)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with (SHARED / name).open(encoding="utf-8") as handle:
        spec: dict[str, Any] = yaml.load(handle, Loader=loader)  # noqa: S506 - safe loaders only
    return spec


def _spec_name(path: str) -> tuple[str, str]:
    """(file, path inside it) of a request path."""
    if path.startswith("/v1/"):
        return "openapi-v1.yaml", path.removeprefix("/v1")
    return "openapi-v2.yaml", path.removeprefix("/api/v2")


@functools.cache
def _api(name: str) -> OpenAPI:
    # Pipedrive's files are taken as they are: validating the whole file takes seconds.
    return OpenAPI.from_dict(raw_spec(name), config=Config(spec_validator_cls=None))


def _resolve(spec: dict[str, Any], schema: Any) -> Any:
    while isinstance(schema, dict) and "$ref" in schema:
        target: Any = spec
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        schema = target
    return schema


def _declared(spec: dict[str, Any], schema: Any) -> tuple[dict[str, Any], Any]:
    """(properties, items) a schema declares, through allOf/anyOf/oneOf."""
    schema = _resolve(spec, schema)
    if not isinstance(schema, dict):
        return {}, None
    properties = dict(schema.get("properties") or {})
    items = schema.get("items")
    for key in _COMPOSITES:
        for sub in schema.get(key) or ():
            more, more_items = _declared(spec, sub)
            properties.update(more)
            items = items or more_items
    return properties, items


def undeclared(spec: dict[str, Any], schema: Any, value: Any, where: str = "") -> list[str]:
    """Where `value` has a property that `schema` does not declare (recursively)."""
    properties, items = _declared(spec, schema)
    found: list[str] = []
    if isinstance(value, dict):
        for key, inner in value.items():
            if key not in properties:
                found.append(f"{where}.{key}")
            else:
                found.extend(undeclared(spec, properties[key], inner, f"{where}.{key}"))
    elif isinstance(value, list) and items is not None:
        for index, inner in enumerate(value):
            found.extend(undeclared(spec, items, inner, f"{where}[{index}]"))
    return found


def _operation(spec: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    segments = path.strip("/").split("/")
    for template, item in spec["paths"].items():
        parts = template.strip("/").split("/")
        if len(parts) == len(segments) and all(
            p == s or (p.startswith("{") and s.isdigit())
            for p, s in zip(parts, segments, strict=True)
        ):
            operation: dict[str, Any] = item[method.lower()]
            return operation
    raise AssertionError(f"no operation {method} {path} in the spec")


def request_schema(path: str, method: str) -> Any:
    """The JSON request body schema of the operation METHOD PATH (a full path, /v1/... or
    /api/v2/...)."""
    name, inner = _spec_name(path)
    spec = raw_spec(name)
    body = _resolve(spec, _operation(spec, inner, method)["requestBody"])
    return body["content"]["application/json"]["schema"]


def assert_valid_request(request: httpx.Request) -> None:
    """Raise when `request` does not match its operation's declared parameters and body."""
    name, inner = _spec_name(request.url.path)
    spec = raw_spec(name)
    content_type = request.headers.get("content-type", "application/json")
    mock = MockRequest(
        API_HOST,
        request.method.lower(),
        request.url.path,
        args=dict(request.url.params),
        headers=dict(request.headers),
        data=request.content or None,
        content_type=content_type,
    )
    _api(name).validate_request(mock)
    if request.content:
        schema = request_schema(request.url.path, request.method)
        extra = undeclared(spec, schema, json.loads(request.content))
        assert extra == [], f"{request.method} {request.url.path}: undeclared {extra}"
    else:
        _operation(spec, inner, request.method)  # the operation exists
