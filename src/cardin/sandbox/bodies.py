"""Reading a write's JSON body the way Pipedrive validates it: each bad property is a 400 naming it.

Every property an operation's request schema declares is either checked against its declared
type (a boolean is neither an integer nor a number) and kept, or refused with a 400 when the
sandbox does not simulate what it names (leads, projects, deal labels); none is silently dropped.
An id that names nothing of the company is a 400 too, as Pipedrive's validation answers it, but
for a deal: a write naming a deal that is deleted (or never was) gets the 404 of an object that is
gone (`errors.deal_not_found`), the answer the add-on must handle when a deal it shows was deleted
in the meantime. Pipedrive does not document which of the two it sends; this is the sandbox's
choice.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime
from typing import Any

from cardin.sandbox.data import Company
from cardin.sandbox.errors import ApiError, bad_request, deal_not_found

JSON = dict[str, Any]
VISIBILITIES = (1, 3, 5, 7)
ADDRESS_PARTS = (
    "value",
    "country",
    "admin_area_level_1",
    "admin_area_level_2",
    "locality",
    "sublocality",
    "route",
    "street_number",
    "subpremise",
    "postal_code",
)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CLOCK = re.compile(r"([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?")
_SIXTY = 60


def refused(name: str, reason: str) -> ApiError:
    """The 400 for a body property `name` Pipedrive would refuse."""
    return bad_request(f"Validation failed: {name}: {reason}")


def now_v2() -> str:
    """The current time as v2 writes it: `YYYY-MM-DDTHH:MM:SSZ` (UTC)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_int(value: Any) -> bool:
    """Whether `value` is a JSON integer (not a boolean, not a float)."""
    return type(value) is int


def integer(body: JSON, name: str) -> int | None:
    """An integer property, None when absent or null."""
    value = body.get(name)
    if value is None:
        return None
    if not is_int(value):
        raise refused(name, "Must be an integer")
    return int(value)


def number(body: JSON, name: str) -> float | int | None:
    """A finite number property (integer or decimal), None when absent or null."""
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise refused(name, "Must be a number")
    return value


def text(body: JSON, name: str) -> str | None:
    """A string property, None when absent or null."""
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise refused(name, "Must be a string")
    return value


def required_text(body: JSON, name: str, label: str) -> str:
    """A string property that must be there and not blank, stripped."""
    value = text(body, name)
    if value is None or not value.strip():
        raise refused(name, f"{label} is required")
    return value.strip()


def boolean(body: JSON, name: str) -> bool | None:
    """A boolean property, None when absent or null."""
    value = body.get(name)
    if value is not None and not isinstance(value, bool):
        raise refused(name, "Must be a boolean")
    return value


def choice(body: JSON, name: str, choices: tuple[str, ...]) -> str | None:
    """A string property that must be one of `choices`, None when absent or null."""
    value = text(body, name)
    if value is not None and value not in choices:
        raise refused(name, f"Must be one of {', '.join(choices)}")
    return value


def day(body: JSON, name: str) -> str | None:
    """A `YYYY-MM-DD` date property, None when absent or null."""
    value = text(body, name)
    if value is None:
        return None
    reason = "Must be a date in the format YYYY-MM-DD"
    if not _DATE.fullmatch(value):
        raise refused(name, reason)
    try:
        date.fromisoformat(value)
    except ValueError:
        raise refused(name, reason) from None
    return value


def clock(body: JSON, name: str, *, max_hours: int = 23) -> str | None:
    """An `HH:MM` (or `HH:MM:SS`) property as `HH:MM:SS`, the way v2 answers it."""
    value = text(body, name)
    if value is None:
        return None
    found = _CLOCK.fullmatch(value)
    if found is None:
        raise refused(name, "Must be a time in the format HH:MM")
    hours, minutes, seconds = (int(part or 0) for part in found.groups())
    if hours > max_hours or minutes >= _SIXTY or seconds >= _SIXTY:
        raise refused(name, "Must be a time in the format HH:MM")
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}"


def timestamp(body: JSON, name: str, *, v1: bool = False) -> str | None:
    """A date-time property in UTC, as v2 (`...Z`) or v1 (`YYYY-MM-DD HH:MM:SS`) writes it."""
    value = text(body, name)
    if value is None:
        return None
    reason = "Must be a date-time such as " + (
        "2025-01-01 10:20:00" if v1 else "2025-01-01T10:20:00Z"
    )
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise refused(name, reason) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S" if v1 else "%Y-%m-%dT%H:%M:%SZ")


def visibility(body: JSON, default: int = 3) -> int:
    """`visible_to`: one of 1, 3, 5, 7 (the default when absent)."""
    value = body.get("visible_to", default)
    if not is_int(value) or value not in VISIBILITIES:
        raise refused("visible_to", "Must be one of 1, 3, 5, 7")
    return int(value)


def address(body: JSON, name: str) -> JSON | None:
    """An address object of strings; the parts not given are null, `value` is the whole."""
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, dict) or not all(
        isinstance(value.get(part, ""), str) for part in ADDRESS_PARTS
    ):
        raise refused(name, "Must be an object of strings")
    return {part: value.get(part) for part in ADDRESS_PARTS}


def not_simulated(body: JSON, name: str, what: str, *, empty: Any = None) -> None:
    """Refuse `name` unless it is absent, null or `empty`: the sandbox has no `what`."""
    value = body.get(name)
    if value is not None and value != empty:
        raise refused(name, f"{what} are not simulated by the sandbox")


def user(company: Company, body: JSON, name: str, default: int | None = None) -> int | None:
    """A user id property that must name one of the company's users."""
    value = body.get(name)
    if value is None:
        value = default
    if value is None:
        return None
    if not is_int(value) or company.get("users", value) is None:
        raise refused(name, "User not found")
    return int(value)


def live(company: Company, collection: str, name: str, value: Any, label: str) -> int | None:
    """An id property that must name an object of `collection` that is not deleted."""
    if value is None:
        return None
    found = company.get(collection, value) if is_int(value) else None
    if found is None or found.get("is_deleted"):
        raise refused(name, f"{label} not found")
    return int(value)


def live_deal(company: Company, body: JSON, *, v1: bool = False) -> int | None:
    """`deal_id`: an integer naming a deal that is not deleted; else the 404 of a gone deal."""
    value = body.get("deal_id")
    if value is None:
        return None
    if not is_int(value):
        raise refused("deal_id", "Must be an integer")
    found = company.get("deals", value)
    if found is None or found["is_deleted"]:
        raise deal_not_found(v1=v1)
    return int(value)
