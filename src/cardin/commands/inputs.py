"""Checks of the `cardin` options before anything runs: each refusal is one line that says why.

The CLI turns an `InputError` into its message on stderr and exit status 2 (usage), before any
request is made or any server is started.
"""

from __future__ import annotations

import functools
import math
import re
import zoneinfo

from babel import Locale, UnknownLocaleError

MAX_ADDRESS = 254  # RFC 5321
MIN_PORT, MAX_PORT = 1, 65535
# One @, no blanks, a dot in the domain: what a sender address in Gmail looks like.
_ADDRESS = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


class InputError(ValueError):
    """An option or argument that cannot be used; the message says what to pass instead."""


def checked_email(raw: str) -> str:
    """The address to look up, without surrounding blanks; InputError when it is not one."""
    email = raw.strip()
    if not email:
        raise InputError("The email address is empty: pass one like ada@example.com.")
    if len(email) > MAX_ADDRESS or _ADDRESS.fullmatch(email) is None:
        raise InputError(f"{email!r} is not an email address: pass one like ada@example.com.")
    return email


def checked_locale(raw: str | None) -> str | None:
    """A locale Babel knows ("de_DE", "de-AT", "fr"), or None for the account's; else InputError."""
    if raw is None:
        return None
    try:
        Locale.parse(raw.strip().replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        raise InputError(
            f"Unknown --locale {raw!r}: pass a language and region such as en_US, de_DE or fr."
        ) from None
    return raw.strip()


def checked_timezone(raw: str | None) -> str | None:
    """An IANA time zone name ("Europe/Berlin", "UTC"), or None for the default; else InputError."""
    if raw is None:
        return None
    name = raw.strip()
    if name in _zone_names():
        return name
    near = _zone_names_folded().get(name.casefold())
    hint = f" (did you mean {near}?)" if near else ""
    raise InputError(
        f"Unknown --timezone {raw!r}{hint}: pass an IANA time zone name such as Europe/Berlin "
        "or UTC."
    )


def checked_port(port: int) -> int:
    """A TCP port to listen on, 1 to 65535; InputError otherwise."""
    if not MIN_PORT <= port <= MAX_PORT:
        raise InputError(f"--port {port} is not a TCP port: pass a number from 1 to 65535.")
    return port


def checked_latency(latency: float) -> float:
    """An added latency in milliseconds, zero or more; InputError otherwise."""
    if not (math.isfinite(latency) and latency >= 0):
        raise InputError(f"--latency {latency:g} is not a delay: pass 0 or more milliseconds.")
    return latency


def checked_workers(workers: int) -> int:
    """A number of worker processes, 1 or more; InputError otherwise."""
    if workers < 1:
        raise InputError(f"--workers {workers} is not a number of processes: pass 1 or more.")
    return workers


def checked_shared_cache(
    cache_url: str, workers: int, *, allow_memory_cache: bool, signs_in: bool = False
) -> str:
    """The cache URL for `workers` processes: more than one share a cache (Redis), or each would
    look up again what another has cached, unless the in-process cache is asked for anyway.

    With Sign in with Pipedrive (`signs_in`) the flag does not do: a sign-in's link, outcome
    and refresh lock must be seen by every worker, or sign-ins fail at random."""
    if workers > 1 and cache_url.startswith("memory://"):
        if signs_in:
            raise InputError(
                f"--workers {workers} with Sign in with Pipedrive (CARDIN_PIPEDRIVE_CLIENT_ID) "
                "needs a shared cache: set CARDIN_CACHE_URL to redis://HOST:PORT/DB."
            )
        if not allow_memory_cache:
            raise InputError(
                f"--workers {workers} with the in-process cache: set CARDIN_CACHE_URL to "
                "redis://HOST:PORT/DB so the workers share one, or pass --allow-memory-cache."
            )
    return cache_url


@functools.cache
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@functools.cache
def _zone_names_folded() -> dict[str, str]:
    return {name.casefold(): name for name in sorted(_zone_names())}
