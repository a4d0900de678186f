"""The store's errors, shaped by what the caller does next."""

from __future__ import annotations


class StoreError(Exception):
    """The store cannot do what was asked: report it (database down, schema or key trouble)."""


class ConnectorNotFound(StoreError):
    """No such connector for this user (absent, or another user's: the two are not told apart)."""

    def __init__(self, connector_id: str) -> None:
        super().__init__(f"No connector {connector_id!r} for this user.")
        self.connector_id = connector_id


class TokenUnreadable(StoreError):
    """A stored token cannot be decrypted: the secret key changed; ask the user to reauthorize."""
