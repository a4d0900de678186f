"""Pipedrive's error answers: the JSON bodies (and HTML pages) the real API sends, and ApiError.

Bodies come from the OpenAPI examples where Pipedrive documents them (401, v1 user 404, generic v1
404, v2 404, and the 403 of the old v1 spec); the 400, 402, 405, 429 and 5xx bodies and the 404 of
an unknown route are undocumented, so these follow the same envelope.
"""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]

GATEWAY_401: JSON = {
    "success": False,
    "error": "unauthorized access",
    "errorCode": 401,
    "error_info": "Please check developers.pipedrive.com",
}

_INFO = "Please check developers.pipedrive.com for more information about Pipedrive API."


class ApiError(Exception):
    """A handler's refusal, carried to the gateway as an HTTP status and a Pipedrive body."""

    def __init__(self, status: int, body: JSON) -> None:
        super().__init__(f"{status}: {body.get('error')}")
        self.status = status
        self.body = body


def envelope(error: str, info: str = _INFO, **extra: Any) -> JSON:
    """The generic Pipedrive error envelope with `data` and `additional_data` null."""
    return {
        "success": False,
        "error": error,
        "error_info": info,
        **extra,
        "data": None,
        "additional_data": None,
    }


def payment_required() -> JSON:
    """The 402 body of a company whose account is not open."""
    return envelope(
        "Company account is not open (possible reason: trial expired, payment details not entered)",
        errorCode=402,
    )


def rate_limited(reason: str) -> JSON:
    """The 429 body; `reason` is `burst`, `budget` or `fault`."""
    detail = {
        "budget": "Daily API token budget has been exhausted",
        "burst": "Rate limit has been exceeded",
    }.get(reason, "Rate limit has been exceeded")
    return envelope(detail, "Please check developers.pipedrive.com", errorCode=429)


def v1_not_found() -> ApiError:
    """The generic v1 404."""
    return ApiError(404, envelope("A resource required for this operation was not found."))


def v1_user_not_found() -> ApiError:
    """The 404 of `GET /v1/users/{id}`, exactly as the v1 spec shows it."""
    return ApiError(404, {"success": False, "error": "User not found or not accessible."})


def v2_not_found() -> ApiError:
    """The v2 404, exactly as the v2 spec shows it."""
    return ApiError(404, envelope("Entity was not found", "Object was not found."))


def deal_not_found(*, v1: bool = False) -> ApiError:
    """The 404 of a write naming a deal that is deleted or does not exist, in v1's or v2's words."""
    if v1:
        return ApiError(404, envelope("Deal not found."))
    return ApiError(404, envelope("Deal not found", "Object was not found."))


def forbidden() -> ApiError:
    """The 403 of a user whose permission set does not allow the write (old v1 spec example)."""
    return ApiError(
        403,
        envelope(
            "You do not have permissions to do this.", "Please check developers.pipedrive.com"
        ),
    )


def v1_bad_request(message: str) -> ApiError:
    """A v1 400 in the generic v1 envelope (as `Deal title must be given.` comes back)."""
    return ApiError(400, envelope(message))


def v2_bad_id() -> ApiError:
    """The 400 of a v2 operation whose path id is not an integer."""
    return bad_request("Validation failed: id: Parameter must be an integer")


def unknown_route(method: str, path: str) -> JSON:
    """The 404 body for a path that no simulated operation has."""
    return envelope(f"Unknown route: {method} {path}")


def method_not_allowed(method: str, path: str) -> JSON:
    """The 405 body for a method that the path's operations do not take."""
    return envelope(f"Method not allowed: {method} {path}")


def bad_request(message: str) -> ApiError:
    """A 400 for a parameter or body Pipedrive would refuse."""
    return ApiError(400, envelope(message, code="ERR_SCHEMA_VALIDATION_FAILED"))


def server_error_json() -> JSON:
    """The 500 body."""
    return envelope("Internal server error", errorCode=500)


def gateway_html(status: int) -> str:
    """An HTML page like the ones a CDN or load balancer sends for 502 and 503."""
    title = {502: "502 Bad Gateway", 503: "503 Service Temporarily Unavailable"}.get(
        status, f"{status} Error"
    )
    return (
        f"<!DOCTYPE html>\n<html><head><title>{title}</title></head>\n"
        f"<body><center><h1>{title}</h1></center>\n<hr><center>sandbox</center>\n"
        "</body></html>\n"
    )
