"""The one typed Settings object, read once from the environment and passed down.

Variables carry the prefix `CARDIN_`, except the two Pipedrive ones the command line shares with
other Pipedrive tools: `PIPEDRIVE_API_TOKEN` and `PIPEDRIVE_BASE_URL`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    # XDG data home, read here because this module is the one place that reads the environment.
    import os  # noqa: PLC0415

    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "cardin"


class Settings(BaseSettings):
    """Configuration of every Cardin process."""

    model_config = SettingsConfigDict(env_prefix="CARDIN_", extra="ignore", frozen=True)

    pipedrive_api_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("PIPEDRIVE_API_TOKEN")
    )
    # None: Pipedrive's public API (the client's default); set for the sandbox or a proxy
    pipedrive_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("PIPEDRIVE_BASE_URL")
    )
    # A Pipedrive Marketplace app's OAuth client ("Sign in with Pipedrive"); both or neither
    pipedrive_client_id: str | None = None
    pipedrive_client_secret: SecretStr | None = None
    pipedrive_oauth_url: str = "https://oauth.pipedrive.com"
    pipedrive_timeout: float = Field(default=8.0, gt=0, le=60)
    lookup_deadline: float = Field(default=6.0, gt=0, le=25)
    result_ttl: float = Field(default=600.0, ge=0)
    data_dir: Path = Field(default_factory=_default_data_dir)
    database_url: str | None = None
    secret_key: SecretStr | None = None
    cache_url: str = "memory://"
    public_url: str = "http://127.0.0.1:8000"
    google_service_account: str | None = None
    google_oauth_client_id: str | None = None
    google_certs_url: str = "https://www.googleapis.com/oauth2/v1/certs"
    gmail_api_url: str = "https://gmail.googleapis.com"
    card_chips: bool = True
    # /metrics in Prometheus' format; off by default, as it is not behind Google's authentication
    metrics: bool = False
    # auto: readable text when stderr is a terminal, one JSON object per line otherwise
    log_format: Literal["auto", "json", "text"] = "auto"


def oauth_redirect_uri(settings: Settings) -> str:
    """Where Pipedrive sends the user back: `<public_url>/oauth/pipedrive/callback`."""
    return settings.public_url.rstrip("/") + "/oauth/pipedrive/callback"


def load_settings() -> Settings:
    """Read the environment once."""
    return Settings()
