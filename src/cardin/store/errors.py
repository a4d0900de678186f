"""The store's errors, shaped by what the caller does next."""

from __future__ import annotations

from cardin.connectors.model import Connector


class StoreError(Exception):
    """The store cannot do what was asked: report it (database down, schema or key trouble)."""


class ConnectorNotFound(StoreError):
    """No such connector for this user (absent, or another user's: the two are not told apart)."""

    def __init__(self, connector_id: str) -> None:
        super().__init__(f"No connector {connector_id!r} for this user.")
        self.connector_id = connector_id


class TokenAlreadyConnected(StoreError):
    """The token is already another of this user's connectors; show that one, change nothing.

    `same_setup`: that connector was created by the same setup wizard (its own earlier step).
    """

    def __init__(self, connector: Connector, *, same_setup: bool = False) -> None:
        super().__init__("This token is already one of the user's connectors.")
        self.connector = connector
        self.same_setup = same_setup


class TokenUnreadable(StoreError):
    """A stored token cannot be decrypted: the secret key changed; ask the user to reauthorize."""
