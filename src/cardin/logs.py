"""The service's log: one JSON object per line, or readable text in a terminal.

A leaf (the standard library and orjson only): the edges configure it, every layer logs through
`logging` as before. What a line carries besides its message comes from the request it belongs
to (`RequestContext`, set by `cardin.addon.observe` per HTTP request: a request id, the Google
user's `sub` once verified, an outcome) and from the connector being looked up (`connector_scope`
in `cardin.usecases.runs`), and from a short list of `extra` fields (`FIELDS`). Nothing else of a
record is written: no token, ID token, authorization header, code or email body is ever passed
to a log call, and the HTTP libraries, whose debug lines show URLs with search terms, are kept
at WARNING.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

import orjson

LogFormat = Literal["auto", "json", "text"]
FIELDS = ("endpoint", "method", "status", "outcome", "duration_ms", "connector", "waited_ms")
"""The `extra` fields a line may carry."""
QUIET = ("httpx", "httpcore", "uvicorn.access", "alembic", "hpack")
"""Loggers kept at WARNING: their INFO lines repeat the request line or show URLs."""


@dataclass
class RequestContext:
    """What the log lines of one HTTP request share; filled in as the request goes on."""

    request_id: str
    sub: str | None = None
    outcome: str | None = None


_request: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "cardin_request", default=None
)
_connector: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "cardin_connector", default=None
)


def current_request() -> RequestContext | None:
    """The request being answered, if any."""
    return _request.get()


@contextlib.contextmanager
def request_scope(context: RequestContext) -> Iterator[RequestContext]:
    """Log lines written inside carry the request's id and, once known, the user's sub."""
    token = _request.set(context)
    try:
        yield context
    finally:
        _request.reset(token)


def set_user(sub: str) -> None:
    """The request's Google user, once the ID token is verified."""
    context = _request.get()
    if context is not None:
        context.sub = sub


def set_outcome(outcome: str) -> None:
    """How the request ended (ok, unauthorized, malformed, unavailable, failed)."""
    context = _request.get()
    if context is not None:
        context.outcome = outcome


@contextlib.contextmanager
def connector_scope(connector_id: str) -> Iterator[None]:
    """Log lines written inside carry the connector's id."""
    token = _connector.set(connector_id)
    try:
        yield
    finally:
        _connector.reset(token)


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    request = _request.get()
    if request is not None:
        fields["request_id"] = request.request_id
        if request.sub is not None:
            fields["sub"] = request.sub
    connector = _connector.get()
    if connector is not None:
        fields["connector"] = connector
    for name in FIELDS:
        value = record.__dict__.get(name)
        if value is not None:
            fields[name] = value
    return fields


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request's fields."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_fields(record),
        }
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return orjson.dumps(line, default=str).decode()


class TextFormatter(logging.Formatter):
    """Readable lines for a terminal: time, level, logger, message, then the fields."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        """The record as text, its fields as key=value after the message."""
        text = super().format(record)
        fields = " ".join(f"{key}={value}" for key, value in _fields(record).items())
        if not fields:
            return text
        head, _, tail = text.partition("\n")
        return f"{head} [{fields}]" + (f"\n{tail}" if tail else "")


def resolve(log_format: LogFormat) -> Literal["json", "text"]:
    """`auto`: text when stderr is a terminal, JSON otherwise."""
    if log_format == "auto":
        return "text" if sys.stderr.isatty() else "json"
    return log_format


def dict_config(log_format: LogFormat, level: str = "INFO") -> dict[str, Any]:
    """A `logging.config.dictConfig` for the format, as uvicorn applies it in every worker."""
    formatter = JsonFormatter if resolve(log_format) == "json" else TextFormatter
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"cardin": {"()": f"{formatter.__module__}.{formatter.__qualname__}"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "cardin",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {name: {"level": "WARNING"} for name in QUIET},
    }
