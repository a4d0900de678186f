"""The demo's world: the Pipedrive sandbox, a local Google and the add-on service, wired together.

The service runs unchanged with real verification: Google's certificate URL and the Gmail API
point at `LocalGoogle`, and Pipedrive's base URL is the demo's own address, whose API paths the
preview app hands to the sandbox (so the pictures the sandbox links to load in the browser).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from starlette.applications import Starlette

from cardin.addon.app import create_app
from cardin.addon.runtime import Runtime
from cardin.connectors.setup import check_token, offered_settings
from cardin.pipedrive import ApiToken
from cardin.preview.client import GoogleUser
from cardin.preview.google import LocalGoogle
from cardin.preview.inbox import USER_EMAIL, USER_NAME
from cardin.preview.routing import HostRouter
from cardin.sandbox import (
    COLLEAGUE_TOKEN,
    DEMO_TOKEN,
    INACTIVE_TOKEN,
    SECOND_TOKEN,
    Company,
    Sandbox,
    build_sandbox,
)
from cardin.sandbox.oauth import DEMO_ACCESS_TTL, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from cardin.settings import Settings
from cardin.store import default_database_url

GOOGLE_HOST = "google.test"
DEMO_USER = GoogleUser(sub="demo-user", email=USER_EMAIL, name=USER_NAME)


@dataclass(frozen=True)
class DemoAccount:
    """A Pipedrive login of the sandbox that the page offers to paste into the setup."""

    key: str
    company: str
    user: str
    note: str


ACCOUNTS = (
    DemoAccount("demo", "Aurora Demo Trading", "Maria Svensson", "connected at start"),
    DemoAccount("second", "Second Sight Studio", "Ravi Patel", "a second company"),
    DemoAccount("colleague", "Aurora Demo Trading", "Jonas Becker", "a colleague's login"),
    DemoAccount("inactive", "Lapsed Trial Co", "Tina Trial", "trial expired"),
)
_FIRST_TOKENS = {
    "demo": DEMO_TOKEN,
    "second": SECOND_TOKEN,
    "colleague": COLLEAGUE_TOKEN,
    "inactive": INACTIVE_TOKEN,
}


def demo_settings(public_url: str, data_dir: Path, google: LocalGoogle) -> Settings:
    """The service's settings for the demo: every value given, none read from the environment."""
    return Settings(
        public_url=public_url,
        data_dir=data_dir,
        database_url=default_database_url(data_dir),
        secret_key=None,
        cache_url="memory://",
        google_service_account=google.service_account,
        google_oauth_client_id=google.oauth_client_id,
        google_certs_url=f"http://{GOOGLE_HOST}/oauth2/v1/certs",
        gmail_api_url=f"http://{GOOGLE_HOST}",
        PIPEDRIVE_BASE_URL=public_url,
        PIPEDRIVE_API_TOKEN=None,
        # the sandbox's OAuth server, on the demo's port: "Sign in with Pipedrive" works
        pipedrive_client_id=DEMO_CLIENT_ID,
        pipedrive_client_secret=DEMO_CLIENT_SECRET,
        pipedrive_oauth_url=public_url,
    )


class DemoEnvironment:
    """The sandbox, LocalGoogle and the add-on service of one demo, and its current tokens.

    A token can change in the sandbox behind the preview's back (`POST /_sandbox/rotate-token`
    is served on the demo's port too), so each account is kept as its sandbox login (company and
    user) and its token is read from the sandbox whenever it is needed.
    """

    def __init__(self, public_url: str, data_dir: Path, *, sandbox: Sandbox | None = None) -> None:
        self.public_url = public_url.rstrip("/")
        self.sandbox = sandbox or build_sandbox(access_ttl=DEMO_ACCESS_TTL)
        self.sandbox.oauth.register(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)
        self.google = LocalGoogle()
        self.settings = demo_settings(self.public_url, data_dir, self.google)
        host = urlsplit(self.public_url).hostname or "127.0.0.1"
        router = HostRouter({host: self.sandbox.app, GOOGLE_HOST: self.google.app})
        self.service: Starlette = create_app(self.settings, transport=router)
        self._logins = {key: self._login_of(token) for key, token in _FIRST_TOKENS.items()}

    @property
    def runtime(self) -> Runtime:
        """The service's runtime (open while its lifespan runs)."""
        runtime: Runtime = self.service.state.runtime
        return runtime

    @property
    def tokens(self) -> dict[str, str]:
        """The current token of every demo account, by account key."""
        return {key: self.token(key) for key in self._logins}

    def token(self, key: str) -> str:
        """The current token of the account `key` in the sandbox (KeyError: no such account)."""
        company, user_id = self._logins[key]
        # a rotated token is added last, so the newest token of the user is the last one
        owned = [token for token, owner in company.tokens.items() if owner == user_id]
        if not owned:
            raise KeyError(key)
        return owned[-1]

    def rotate(self, key: str) -> str:
        """Give the account `key` a new token in the sandbox (the old one stops working)."""
        return self.sandbox.rotate_token(self.token(key))

    def _login_of(self, token: str) -> tuple[Company, int]:
        for company in self.sandbox.dataset.companies:
            if token in company.tokens:
                return company, company.tokens[token]
        raise ValueError("the sandbox has no login for a demo account")

    async def connect_first_account(self) -> bool:
        """Create the demo user's first connector (Aurora Demo Trading) unless they have one."""
        store = self.runtime.store
        if await asyncio.to_thread(store.count, DEMO_USER.sub):
            return False
        credential = ApiToken(self.token("demo"))
        account = await check_token(self.runtime.engine.client(credential, self.public_url))
        settings = offered_settings(0, datetime.now(UTC).date())
        await asyncio.to_thread(
            store.create,
            DEMO_USER.sub,
            settings,
            credential=credential,
            base_url=self.public_url,
            account=account,
        )
        return True
