"""Credentials of two kinds: an API token or an OAuth grant ("Sign in with Pipedrive").

A new column, `credential_kind`, says which one `token_ciphertext` holds: the token itself
("api_token", every existing row) or the grant's JSON ("oauth": access token, refresh token,
expiry, scopes, api_domain), both encrypted alike. A grant's fingerprint is taken of its
Pipedrive company and user (the tokens in it change at every refresh), so one user's sign-ins
to one Pipedrive account are still one connector. Nothing else changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_credential_kind"
down_revision = "0003_writes_and_logged_emails"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add credential_kind; every connector so far has an API token."""
    op.add_column(
        "connectors",
        sa.Column("credential_kind", sa.String(16), nullable=False, server_default="api_token"),
    )


def downgrade() -> None:
    """Drop the OAuth connectors (an older Cardin cannot read a grant), then the column."""
    connectors = sa.table("connectors", sa.column("credential_kind", sa.String(16)))
    op.execute(connectors.delete().where(connectors.c.credential_kind == "oauth"))
    op.drop_column("connectors", "credential_kind")  # SQLite 3.35+ drops it without a table copy
