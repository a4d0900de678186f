"""Fault injection plan: which failure the sandbox answers a request with, parsed from a spec.

A spec is comma-separated rules `KIND[:RATE][@PATH_PREFIX]`, for example
`429:0.1,timeout@/v1/notes,malformed:0.05@/api/v2/persons`. KIND is one of 429, 500, 502, 503,
timeout, malformed, truncated, landed, dropped; RATE is a probability in 0..1 (default 1);
PATH_PREFIX limits the rule to request paths starting with it. Rules are tried in order; the first
that fires wins.

`timeout` holds the request before the API sees it: a client that gives up first changed nothing.
`landed` and `dropped` are the opposite, "the write landed but the reply never came": the sandbox
applies the write, records it, and then holds the answer for the sandbox's timeout (longer than any
client waits; `landed`) or closes the connection without an answer (`dropped`). They fire on
writes only (POST, PUT, PATCH, DELETE), so a client can still read under the same path prefix to
find out whether its write landed, e.g. `landed@/v1/notes`.
"""

from __future__ import annotations

import enum
import math
import random
from dataclasses import dataclass

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


class FaultKind(enum.StrEnum):
    """A way the sandbox can fail one request."""

    RATE_LIMITED = "429"
    SERVER_ERROR = "500"
    BAD_GATEWAY = "502"
    UNAVAILABLE = "503"
    TIMEOUT = "timeout"
    MALFORMED = "malformed"
    TRUNCATED = "truncated"
    LANDED = "landed"
    DROPPED = "dropped"

    @property
    def replaces_answer(self) -> bool:
        """Whether the fault answers instead of the API (True) or alters the API's answer."""
        return self not in (
            FaultKind.TIMEOUT,
            FaultKind.TRUNCATED,
            FaultKind.LANDED,
            FaultKind.DROPPED,
        )

    @property
    def writes_only(self) -> bool:
        """Whether the fault fires on writes only (it is about a write that landed)."""
        return self in (FaultKind.LANDED, FaultKind.DROPPED)


@dataclass(frozen=True, slots=True)
class FaultRule:
    """One rule of a plan: fail with `kind` with probability `rate` on paths under `path_prefix`."""

    kind: FaultKind
    rate: float = 1.0
    path_prefix: str = ""

    def applies_to(self, path: str, method: str = "GET") -> bool:
        """Whether this rule covers a request METHOD `path`."""
        if self.kind.writes_only and method.upper() not in WRITE_METHODS:
            return False
        return path.startswith(self.path_prefix)

    def __str__(self) -> str:
        text = self.kind.value
        if self.rate != 1.0:
            text += f":{self.rate:g}"
        if self.path_prefix:
            text += f"@{self.path_prefix}"
        return text


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """An ordered set of fault rules; the empty plan injects nothing."""

    rules: tuple[FaultRule, ...] = ()

    @classmethod
    def none(cls) -> FaultPlan:
        """The plan that never injects a fault."""
        return cls()

    @classmethod
    def parse(cls, spec: str | None) -> FaultPlan:
        """Parse `KIND[:RATE][@PATH_PREFIX],...`; raise ValueError naming the bad part."""
        if spec is None or not spec.strip():
            return cls()
        return cls(tuple(_parse_rule(part.strip()) for part in spec.split(",")))

    def pick(self, path: str, rng: random.Random, method: str = "GET") -> FaultKind | None:
        """The fault for one request METHOD `path`, drawing from `rng` once per matching rule."""
        for rule in self.rules:
            if not rule.applies_to(path, method):
                continue
            if rule.rate >= 1.0 or rng.random() < rule.rate:
                return rule.kind
        return None

    def __bool__(self) -> bool:
        return bool(self.rules)

    def __str__(self) -> str:
        return ",".join(str(rule) for rule in self.rules)


_KINDS = ", ".join(kind.value for kind in FaultKind)


def _parse_rule(text: str) -> FaultRule:
    if not text:
        raise ValueError("invalid fault spec: empty rule (two commas in a row or a trailing comma)")
    head, at, path = text.partition("@")
    if at and not path.startswith("/"):
        raise ValueError(f"invalid fault rule {text!r}: the path after '@' must start with '/'")
    kind_text, colon, rate_text = head.partition(":")
    kind = _parse_kind(kind_text.strip(), text)
    rate = _parse_rate(rate_text.strip(), text) if colon else 1.0
    return FaultRule(kind=kind, rate=rate, path_prefix=path.strip())


def _parse_kind(kind_text: str, rule: str) -> FaultKind:
    try:
        return FaultKind(kind_text.lower())
    except ValueError:
        raise ValueError(
            f"invalid fault rule {rule!r}: unknown kind {kind_text!r} (expected one of {_KINDS})"
        ) from None


def _parse_rate(rate_text: str, rule: str) -> float:
    try:
        rate = float(rate_text)
    except ValueError:
        raise ValueError(
            f"invalid fault rule {rule!r}: rate {rate_text!r} is not a number"
        ) from None
    if not math.isfinite(rate) or not 0.0 <= rate <= 1.0:
        raise ValueError(f"invalid fault rule {rule!r}: rate must be between 0 and 1")
    return rate
