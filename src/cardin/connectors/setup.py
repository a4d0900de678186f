"""The rules of the setup steps: checking a token with a real call, and the offered defaults."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cardin.connectors.features import default_features
from cardin.connectors.model import (
    TYPE_NAME,
    Connector,
    ConnectorSettings,
    RunMode,
)
from cardin.contact.model import Account
from cardin.links import GENERIC_APP
from cardin.pipedrive import (
    InvalidToken,
    PaymentRequired,
    PipedriveClient,
    PipedriveError,
    UnexpectedCompanyDomain,
)
from cardin.pipedrive.models import CurrentUser


class TokenProblem(enum.StrEnum):
    """Why a token was refused at setup: the message id shown under the token field."""

    EMPTY = "setup.error.empty"
    INVALID = "setup.error.invalid_token"
    INACTIVE = "setup.error.inactive"
    UNREACHABLE = "setup.error.unreachable"
    UNEXPECTED_DOMAIN = "setup.error.unexpected_domain"


class TokenRejected(Exception):
    """The token cannot be saved; `problem` says why (nothing stored was changed)."""

    def __init__(self, problem: TokenProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def offered_settings(existing_connectors: int, today: date) -> ConnectorSettings:
    """The wizard's defaults: the first connector runs automatically and shows in the dashboard."""
    first = existing_connectors == 0
    return ConnectorSettings(
        name=TYPE_NAME,
        features=default_features(today),
        run_mode=RunMode.AUTOMATIC if first else RunMode.MANUAL,
        show_in_dashboard=first,
    )


def default_name(account: Account, taken: Iterable[str]) -> str:
    """The name of a second or later connector left with the type's name: "Pipedrive · <company
    name>", then with the user's name, then numbered, whichever is not `taken` (names need not
    be unique, but the default should not make duplicates)."""
    used = {name.casefold() for name in taken}
    domain = account.company_domain if account.company_domain != GENERIC_APP else ""
    company = account.company_name.strip() or domain  # an inactive account has neither
    first = f"{TYPE_NAME} · {company}" if company else TYPE_NAME
    candidates = [first]
    if company and account.user_name.strip():
        candidates.append(f"{first} · {account.user_name.strip()}")
    for name in candidates:
        if name[:MAX_STORED_NAME].casefold() not in used:
            return name[:MAX_STORED_NAME]
    number = 2
    while f"{first[: MAX_STORED_NAME - 8]} ({number})".casefold() in used:
        number += 1
    return f"{first[: MAX_STORED_NAME - 8]} ({number})"


def settings_of(connector: Connector) -> ConnectorSettings:
    """A stored connector's choices, to pre-fill the steps when editing."""
    return ConnectorSettings(
        connector.name, connector.features, connector.run_mode, connector.show_in_dashboard
    )


MAX_NAME = 255
MAX_STORED_NAME = 100
"""A connector name's length (as `ConnectorSettings.normalized` cuts it)."""
# "en_US", "de", "pt-BR", "zh_Hant_TW": what Babel reads; the store keeps 32 characters
_LOCALE = re.compile(r"[A-Za-z]{2,3}(?:[_-][A-Za-z0-9]{1,8}){0,3}")


def _zone_or_utc(name: str | None) -> str:
    """`name` if it is an IANA time zone this machine knows, else UTC (the store keeps 64)."""
    if not name or len(name) > 64 or not name.isascii():  # noqa: PLR2004 - the column's size
        return "UTC"
    try:
        ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError):
        return "UTC"
    return name


def account_of(me: CurrentUser) -> Account:
    """The account a credential opens, with safe defaults for missing preferences.

    Recorded with a connector at setup, and read by every lookup.
    """
    language = me.language.language_code if me.language and me.language.language_code else "en"
    return Account(
        company_id=me.company_id,
        company_name=(me.company_name or "")[:MAX_NAME],
        company_domain=me.company_domain or GENERIC_APP,
        user_id=me.id,
        user_name=(me.name or "")[:MAX_NAME],
        user_email=(me.email or "")[:MAX_NAME],
        locale=me.locale if me.locale and _LOCALE.fullmatch(me.locale) else "en_US",
        timezone=_zone_or_utc(me.timezone_name),
        language=language,
        default_currency=me.default_currency or "USD",
    )


async def check_token(client: PipedriveClient) -> Account:
    """Prove the token with `GET /v1/users/me`; TokenRejected says why it cannot be used."""
    try:
        me = await client.current_user()
    except InvalidToken as exc:
        raise TokenRejected(TokenProblem.INVALID) from exc
    except PaymentRequired as exc:
        raise TokenRejected(TokenProblem.INACTIVE) from exc
    except UnexpectedCompanyDomain as exc:
        raise TokenRejected(TokenProblem.UNEXPECTED_DOMAIN) from exc
    except PipedriveError as exc:
        raise TokenRejected(TokenProblem.UNREACHABLE) from exc
    return account_of(me)


def inactive_account() -> Account:
    """The account of a token Pipedrive answers 402 for (trial ended, payment failed).

    Pipedrive tells nothing about an account that is not open, so who the token opens is unknown
    (company and user 0, no names, the generic web app) until a token check succeeds again. A
    connector is stored with it anyway, so its cards can show the Payment state (SPEC §2, §5).
    """
    return Account(
        company_id=0,
        company_name="",
        company_domain=GENERIC_APP,
        user_id=0,
        user_name="",
        user_email="",
        locale="en_US",
        timezone="UTC",
    )


def is_known(account: Account) -> bool:
    """Whether a token check reported who the account is (not `inactive_account`)."""
    return (account.company_id, account.user_id) != (0, 0)


async def check_token_or_inactive(client: PipedriveClient) -> Account:
    """`check_token`, with an inactive account (402) answered by `inactive_account`."""
    try:
        return await check_token(client)
    except TokenRejected as exc:
        if exc.problem is TokenProblem.INACTIVE:
            return inactive_account()
        raise


def is_same_account(a: Account, b: Account) -> bool:
    """Same Pipedrive company and user (Pipedrive's own identity of a user)."""
    return (a.company_id, a.user_id) == (b.company_id, b.user_id)
