"""Sign in with Pipedrive: the consent link a set-up or reauth card offers, and its callback.

`begin` makes the link for one Google user and one wizard (or one connector to reauthorize): a
random nonce, kept in the cache a little longer than the link works with who asked and the
wizard's choices, travels to Pipedrive as `state`, sealed by the store's Fernet key under a
purpose prefix of its own (so that no other text of that key, a stored grant say, opens as a
state) and dated. `finish` is the callback's work, and the callback is the one endpoint Google
does not call, so the state is its only proof: a state that does not open (forged), whose
record was taken before (replayed: the record is taken with `Cache.pop`, one atomic step, and
Redis away takes nothing), or that is older than 10 minutes (expired; the record still says
whose wizard it was, so the wizard says so too) is refused and nothing is stored. Key names
hold a hash of the nonce, never the nonce itself.

A granted code is exchanged and the grant's account checked with `GET /v1/users/me`; then the
user's browser is asked to confirm: "Connect Pipedrive <company> (<user>) to Cardin for <Google
account>?" (`AwaitingConfirmation`). The grant waits, encrypted, under a fresh single-use value
the page's Connect button posts back with the state (`confirm`), so that a link someone else
completed in their own browser stores nothing unless they connect their CRM to an account the
page names, and no other site can post the confirmation. Only then is the connector stored (a
new one for the wizard, or the reauthorized one's credential replaced). The outcome is left for
the user's next card (`take_result`, once): Gmail reloads the add-on when the consent window
closes, and the reloaded card continues the wizard (step 4), says what went wrong, or tells that
the connector was reauthorized. Scopes are the least the connector's features need
(`scopes_for`).

Several workers must share the cache (Redis): the card that offers the link and the callback
may be served by different ones.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import logging
import secrets
import time
from collections.abc import Callable, Iterable
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
RECORD_TTL = STATE_TTL + 5 * 60.0
"""Seconds the link's record is kept: longer than the link works, so that a late callback can
still tell the user's wizard that the link expired."""
CONFIRM_TTL = STATE_TTL
"""Seconds the confirmation page's Connect button works."""
STATE_PURPOSE = "cardin-oauth-state:"
"""What a sealed state's text starts with: no other text sealed by the store's key opens as one."""
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
    google_email: str | None = None
    """The Google account's address (when Google tells it): the confirmation page names it."""

    def to_json(self) -> bytes:
        """The record kept in the cache (no secret in it)."""
        s = self.settings
        return json.dumps(
            {
                "sub": self.sub,
                "setup_key": self.setup_key,
                "connector_id": self.connector_id,
                "locale": self.locale,
                "google_email": self.google_email,
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
                data.get("google_email"),
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


@dataclass(frozen=True, slots=True)
class AwaitingConfirmation:
    """The grant works and opens `account`; it is stored once the page posts `confirm` back."""

    started: SignInStarted
    account: Account
    confirm: str


SignInOutcome = SignedIn | NotSignedIn


def _hashed(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _state_key(nonce: str) -> str:
    return f"cardin:oauth-state:{_hashed(nonce)}"


def _used_key(nonce: str) -> str:
    return f"cardin:oauth-state-used:{_hashed(nonce)}"


def _pending_key(confirm: str) -> str:
    return f"cardin:oauth-pending:{_hashed(confirm)}"


def _result_key(sub: str) -> str:
    return f"cardin:oauth-result:{sub}"


async def begin(services: Services, started: SignInStarted) -> str | None:
    """The consent page's URL for this user and wizard; None when the deployment has no app."""
    grants = services.grants
    if grants is None:
        return None
    nonce = secrets.token_urlsafe(24)
    await services.cache.set(_state_key(nonce), started.to_json(), RECORD_TTL)
    state = services.cipher.encrypt(STATE_PURPOSE + nonce)
    return grants.app.authorize_url(
        grants.redirect_uri, state, scopes_for(started.settings.features)
    )


def _sealed(services: Services, state: str | None) -> tuple[str, int] | None:
    """The nonce a genuine state seals and when it was sealed; None when it is not one."""
    if not state or not state.isascii():
        return None
    try:
        text, sealed_at = services.cipher.decrypt_dated(state)
    except (TokenUnreadable, UnicodeError):
        return None
    if not text.startswith(STATE_PURPOSE) or len(text) == len(STATE_PURPOSE):
        return None
    return text.removeprefix(STATE_PURPOSE), sealed_at


async def _opened(
    services: Services, state: str | None, now: Callable[[], float]
) -> tuple[str, SignInStarted] | NotSignedIn:
    """The nonce and record of a genuine, fresh, unused state; else the refusal."""
    sealed = _sealed(services, state)
    if sealed is None:
        return NotSignedIn(Problem.FORGED)
    nonce, sealed_at = sealed
    raw = await services.cache.pop(_state_key(nonce))
    if raw is None:
        if await services.cache.get(_used_key(nonce)) is not None:
            return NotSignedIn(Problem.REPLAYED)
        return NotSignedIn(Problem.EXPIRED)
    # Only to tell a replay from an expiry: the record taken above is what refuses a replay.
    await services.cache.set(_used_key(nonce), b"1", RECORD_TTL)
    try:
        started = SignInStarted.from_json(raw)
    except ValueError:
        return NotSignedIn(Problem.EXPIRED)
    if now() - sealed_at > STATE_TTL:
        return NotSignedIn(Problem.EXPIRED, started)
    return nonce, started


async def finish(  # noqa: PLR0911 - one return per refusal
    services: Services,
    *,
    state: str | None,
    code: str | None,
    error: str | None,
    now: Callable[[], float] = time.time,
) -> SignInOutcome | AwaitingConfirmation:
    """The callback's work: check the state, exchange the code, check the account; the grant
    then waits for the user's confirmation (`confirm`)."""
    grants = services.grants
    if grants is None:
        return NotSignedIn(Problem.FORGED)
    opened = await _opened(services, state, now)
    if isinstance(opened, NotSignedIn):
        log.warning("sign-in callback refused: %s state", opened.problem.value)
        return await _remember(services, opened)
    nonce, started = opened
    if error or not code:
        problem = Problem.DENIED if error == "access_denied" else Problem.EXCHANGE
        return await _remember(services, NotSignedIn(problem, started))
    try:
        grant = await grants.endpoint.exchange_code(code, grants.redirect_uri)
    except GrantRevoked:
        return await _remember(services, NotSignedIn(Problem.EXCHANGE, started))
    except PipedriveError as exc:
        log.warning("sign-in: the code exchange failed (%s)", type(exc).__name__)
        return await _remember(services, NotSignedIn(Problem.UNREACHABLE, started))
    try:
        account = await _account(services, grant)
    except TokenRejected:
        return await _remember(services, NotSignedIn(Problem.ACCOUNT, started))
    confirm = secrets.token_urlsafe(24)
    pending = {
        "state": _hashed(nonce),
        "started": started.to_json().decode(),
        "grant": services.cipher.encrypt(grant.to_json()),
        "account": dataclasses.asdict(account),
    }
    await services.cache.set(_pending_key(confirm), json.dumps(pending).encode(), CONFIRM_TTL)
    return AwaitingConfirmation(started, account, confirm)


async def confirm(services: Services, *, state: str | None, confirm: str | None) -> SignInOutcome:
    """The confirmation page's Connect: store the grant the callback checked, once.

    `confirm` is the single-use value that page was given, `state` the sign-in's own: both must
    match. Nothing is stored otherwise."""
    sealed = _sealed(services, state)
    if sealed is None or not confirm or not confirm.isascii():
        return NotSignedIn(Problem.FORGED)
    raw = await services.cache.pop(_pending_key(confirm))
    if raw is None:
        return NotSignedIn(Problem.EXPIRED)
    try:
        pending = json.loads(raw)
        if pending["state"] != _hashed(sealed[0]):
            return NotSignedIn(Problem.FORGED)
        started = SignInStarted.from_json(pending["started"].encode())
        grant = OAuthGrant.from_json(services.cipher.decrypt(pending["grant"]))
        account = Account(**pending["account"])
    except (KeyError, TypeError, ValueError, TokenUnreadable):
        return NotSignedIn(Problem.EXPIRED)
    return await _remember(services, await _store(services, started, grant, account))


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
    raw = await services.cache.pop(_result_key(sub))
    if raw is None:
        return None
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
