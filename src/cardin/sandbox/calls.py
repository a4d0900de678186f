"""What an API handler receives: the authenticated company and user, and the request's parts."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cardin.sandbox.data import Company
from cardin.sandbox.errors import bad_request

JSON = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Call:
    """One authenticated API request, as a handler sees it."""

    company: Company
    user_id: int
    query: dict[str, str]
    ids: tuple[int, ...] = ()
    body: bytes = b""
    base_url: str = "http://sandbox"

    @property
    def id(self) -> int:
        """The id in the path (`/api/v2/persons/{id}`)."""
        return self.ids[0]

    def json_body(self) -> JSON:
        """The request body as a JSON object; a 400 when it is not one."""
        try:
            body = json.loads(self.body or b"{}")
        except ValueError:
            raise bad_request("Validation failed: body: Malformed JSON") from None
        if not isinstance(body, dict):
            raise bad_request("Validation failed: body: Must be a JSON object")
        return body


Handler = Callable[[Call], JSON]


@dataclass(frozen=True, slots=True)
class ApiRequest:
    """The parts of an HTTP request the gateway looks at."""

    method: str
    path: str
    query: dict[str, str]
    token: str | None
    body: bytes = b""
    base_url: str = "http://sandbox"
    bearer: str | None = None
    """The access token of an `Authorization: Bearer` header (an OAuth app's request)."""


@dataclass(frozen=True, slots=True)
class Answer:
    """An HTTP answer before it is sent; `dropped`: close the connection instead of sending it."""

    status: int
    body: bytes
    headers: dict[str, str]
    media_type: str = "application/json"
    dropped: bool = False


def ok(data: Any, additional_data: JSON | None = None) -> JSON:
    """A success envelope; `additional_data` only when the endpoint has one."""
    body: JSON = {"success": True, "data": data}
    if additional_data is not None:
        body["additional_data"] = additional_data
    return body
