"""Sign in with Pipedrive: the consent link a set-up or reauth card offers, and its callback.

`begin` makes the link for one Google user and one wizard (or one connector to reauthorize): a
random nonce, kept in the cache for 10 minutes with who asked and the wizard's choices, travels
to Pipedrive as `state`, sealed by the store's Fernet key (signed, and dated: a sealed state
older than 10 minutes does not open). `finish` is the callback's work, and the callback is the one
endpoint Google does not call, so the state is its only proof: a state that does not open
(forged), that was used before (replayed: single use through `Cache.add`), or whose record is
gone (expired) is refused and nothing is stored. The user is the one the record names, so a
state cannot store a grant for anyone else.

A granted code is exchanged, the grant's account checked with `GET /v1/users/me`, and the
connector stored (a new one for the wizard, or the reauthorized one's credential replaced). The
outcome is left for the user's next card (`take_result`, once): Gmail reloads the add-on when
the consent window closes, and the reloaded card continues the wizard (step 4), says what went
wrong, or tells that the connector was reauthorized. Scopes are the least the connector's
features need (`scopes_for`).

Several workers must share the cache (Redis): the card that offers the link and the callback
may be served by different ones.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cardin.connectors.features import Feature
from cardin.connectors.model import Connector, ConnectorSettings, RunMode
from cardin.connectors.setup import (
    TokenProblem,
    TokenRejected,
    check_token,
    is_known,
    is_same_account,
)
from cardin.contact.model import Account
from cardin.pipedrive import OAuthGrant, PipedriveError
from cardin.pipedrive.oauth import GrantRevoked
from cardin.store import ConnectorNotFound, StoreError, TokenAlreadyConnected, TokenUnreadable
from cardin.usecases.services import Services

log = logging.getLogger(__name__)

STATE_TTL = 10 * 60.0
"""Seconds a sign-in link works."""
RESULT_TTL = 10 * 60.0
"""Seconds the outcome waits for the user's next card."""

_READ_SCOPES = ("base", "contacts:read", "deals:read", "activities:read", "users:read")
# The `…:full` scope each write feature needs (a full scope includes reading).
_WRITE_SCOPES: dict[Feature, str] = {
    Feature.ADD_CONTACT: "contacts:full",
    Feature.LOG_EMAILS: "deals:full",
    Feature.WRITE_NOTES: "deals:full",
    Feature.WRITE_ACTIVITIES: "activities:full",
    Feature.WRITE_DEALS: "deals:full",
}


def scopes_for(features: Iterable[Feature]) -> tuple[str, ...]:
    """The least scopes the features need: reading, plus a `…:full` scope per write feature.

    Notes are written with `deals:full` or `contacts:full` (either is enough for `POST
    /v1/notes`); logging an email and adding a note ask for `deals:full`.
    """
    on = frozenset(features)
    full = sorted({_WRITE_SCOPES[f] for f in on if f in _WRITE_SCOPES})
    kept = [s for s in _READ_SCOPES if s.replace(":read", ":full") not in full]
    return (*kept, *full)


async def needs_wider_scopes(services: Services, connector: Connector) -> bool:
    """Whether the connector's grant lacks scopes its features need now (a write feature turned
    on after the sign-in); False for a connector without a readable grant."""
    if not connector.signed_in:
        return False
    try:
        stored = await asyncio.to_thread(services.store.credential, connector.owner, connector.id)
    except (TokenUnreadable, ConnectorNotFound):
        return False
    if not isinstance(stored, OAuthGrant):
        return False
    granted = set(stored.scopes)
    return not all(
        scope in granted or scope.replace(":read", ":full") in granted
        for scope in scopes_for(connector.features)
    )


class Problem(StrEnum):
    """Why a sign-in did not store anything (a message id `signin.error.<value>`)."""

    FORGED = "forged"
    REPLAYED = "replayed"
    EXPIRED = "expired"
    DENIED = "denied"
    EXCHANGE = "exchange"
    UNREACHABLE = "unreachable"
    ACCOUNT = "account"
    ALREADY = "already"
    OTHER_ACCOUNT = "other_account"


@dataclass(frozen=True, slots=True)
class SignInStarted:
    """Who asked for a sign-in link, for which wizard or connector, with which choices."""

    sub: str
    settings: ConnectorSettings
    setup_key: str | None = None
    connector_id: str | None = None
    locale: str | None = None
    """Gmail's locale when the link was made: the callback page speaks it."""

    def to_json(self) -> bytes:
        """The record kept in the cache (no secret in it)."""
        s = self.settings
        return json.dumps(
            {
                "sub": self.sub,
                "setup_key": self.setup_key,
                "connector_id": self.connector_id,
                "locale": self.locale,
                "name": s.name,
                "features": sorted(f.value for f in s.features),
                "run_mode": s.run_mode.value,
                "show_in_dashboard": s.show_in_dashboard,
            }
        ).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> SignInStarted:
        """The record `to_json` wrote; ValueError when it is not one."""
        try:
            data: dict[str, Any] = json.loads(raw)
            settings = ConnectorSettings(
                name=str(data["name"]),
                features=frozenset(Feature(f) for f in data["features"]),
                run_mode=RunMode(data["run_mode"]),
                show_in_dashboard=bool(data["show_in_dashboard"]),
            )
            return cls(
                str(data["sub"]),
                settings,
                data["setup_key"],
                data["connector_id"],
                data.get("locale"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError("not a sign-in record") from exc


@dataclass(frozen=True, slots=True)
class SignedIn:
    """The grant is stored: `connector` (new when `created`)."""

    connector: Connector
    started: SignInStarted
    created: bool


@dataclass(frozen=True, slots=True)
class NotSignedIn:
    """Nothing was stored, and why; `started` is None when the state proved nothing."""

    problem: Problem
    started: SignInStarted | None = None
    holder: Connector | None = None


SignInOutcome = SignedIn | NotSignedIn


def _state_key(nonce: str) -> str:
    return f"cardin:oauth-state:{nonce}"


def _used_key(nonce: str) -> str:
    return f"cardin:oauth-state-used:{nonce}"


def _result_key(sub: str) -> str:
    return f"cardin:oauth-result:{sub}"


async def begin(services: Services, started: SignInStarted) -> str | None:
    """The consent page's URL for this user and wizard; None when the deployment has no app."""
    grants = services.grants
    if grants is None:
        return None
    nonce = secrets.token_urlsafe(24)
    await services.cache.set(_state_key(nonce), started.to_json(), STATE_TTL)
    state = services.cipher.encrypt(nonce)
    return grants.app.authorize_url(
        grants.redirect_uri, state, scopes_for(started.settings.features)
    )


async def _opened(services: Services, state: str) -> SignInStarted | NotSignedIn:
    """The record of a genuine, fresh, unused state; else the refusal."""
    try:
        nonce = services.cipher.decrypt(state, ttl=int(STATE_TTL))
    except (TokenUnreadable, UnicodeError):
        return NotSignedIn(Problem.FORGED)
    if not await services.cache.add(_used_key(nonce), b"1", STATE_TTL):
        return NotSignedIn(Problem.REPLAYED)
    raw = await services.cache.get(_state_key(nonce))
    await services.cache.delete(_state_key(nonce))
    if raw is None:
        return NotSignedIn(Problem.EXPIRED)
    try:
        return SignInStarted.from_json(raw)
    except ValueError:
        return NotSignedIn(Problem.EXPIRED)


async def finish(  # noqa: PLR0911 - one return per refusal
    services: Services, *, state: str | None, code: str | None, error: str | None
) -> SignInOutcome:
    """The callback's work: check the state, exchange the code, check the account, store."""
    grants = services.grants
    if grants is None or not state or not state.isascii():
        return NotSignedIn(Problem.FORGED)
    opened = await _opened(services, state)
    if isinstance(opened, NotSignedIn):
        log.warning("sign-in callback refused: %s state", opened.problem.value)
        return opened
    if error or not code:
        problem = Problem.DENIED if error == "access_denied" else Problem.EXCHANGE
        return await _remember(services, NotSignedIn(problem, opened))
    try:
        grant = await grants.endpoint.exchange_code(code, grants.redirect_uri)
    except GrantRevoked:
        return await _remember(services, NotSignedIn(Problem.EXCHANGE, opened))
    except PipedriveError as exc:
        log.warning("sign-in: the code exchange failed (%s)", type(exc).__name__)
        return await _remember(services, NotSignedIn(Problem.UNREACHABLE, opened))
    try:
        account = await _account(services, grant)
    except TokenRejected:
        return await _remember(services, NotSignedIn(Problem.ACCOUNT, opened))
    return await _remember(services, await _store(services, opened, grant, account))


async def _account(services: Services, grant: OAuthGrant) -> Account:
    """Whose account the grant opens (`GET /v1/users/me` at its api_domain)."""
    client = services.engine.client(grant, grant.api_domain)
    try:
        async with asyncio.timeout(services.lookup_deadline):
            return await check_token(client)
    except TimeoutError as exc:
        raise TokenRejected(TokenProblem.UNREACHABLE) from exc


async def _store(
    services: Services, started: SignInStarted, grant: OAuthGrant, account: Account
) -> SignInOutcome:
    """A new connector for the wizard, or the reauthorized one's credential replaced."""
    sub = started.sub
    try:
        if started.connector_id is not None:
            connector = await asyncio.to_thread(services.store.get, sub, started.connector_id)
            if is_known(connector.account) and not is_same_account(connector.account, account):
                return NotSignedIn(Problem.OTHER_ACCOUNT, started)
            saved = await asyncio.to_thread(
                services.store.update_credential,
                sub,
                connector.id,
                credential=grant,
                account=account,
                base_url=grant.api_domain,
            )
            return SignedIn(saved, started, created=False)
        created = await asyncio.to_thread(
            services.store.create,
            sub,
            started.settings,
            credential=grant,
            base_url=grant.api_domain,
            account=account,
            setup_key=started.setup_key,
        )
    except TokenAlreadyConnected as exc:
        return NotSignedIn(Problem.ALREADY, started, holder=exc.connector)
    except ConnectorNotFound:
        return NotSignedIn(Problem.EXPIRED, started)
    except StoreError:
        log.exception("sign-in: the grant could not be stored")
        return NotSignedIn(Problem.UNREACHABLE, started)
    return SignedIn(created, started, created=True)


async def _remember(services: Services, outcome: SignInOutcome) -> SignInOutcome:
    """Leave the outcome for the user's next card (the one Gmail reloads)."""
    started = outcome.started
    if started is None:
        return outcome
    record: dict[str, Any] = {"started": started.to_json().decode()}
    if isinstance(outcome, SignedIn):
        record |= {"connector_id": outcome.connector.id, "created": outcome.created}
    else:
        record |= {"problem": outcome.problem.value}
        if outcome.holder is not None:
            record["holder_id"] = outcome.holder.id
    await services.cache.set(_result_key(started.sub), json.dumps(record).encode(), RESULT_TTL)
    return outcome


async def take_result(services: Services, sub: str) -> SignInOutcome | None:
    """The outcome of this user's last sign-in, once; None when there is none (or it expired)."""
    key = _result_key(sub)
    raw = await services.cache.get(key)
    if raw is None:
        return None
    await services.cache.delete(key)
    try:
        record = json.loads(raw)
        started = SignInStarted.from_json(record["started"].encode())
        if started.sub != sub:
            return None
        if "connector_id" in record:
            connector = await asyncio.to_thread(services.store.get, sub, record["connector_id"])
            return SignedIn(connector, started, created=bool(record["created"]))
        holder = None
        if record.get("holder_id"):
            holder = await asyncio.to_thread(services.store.get, sub, record["holder_id"])
        return NotSignedIn(Problem(record["problem"]), started, holder)
    except (KeyError, TypeError, ValueError, ConnectorNotFound):
        return None
