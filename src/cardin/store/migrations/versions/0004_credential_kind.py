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
    """Drop the OAuth connectors (an older Cardin cannot read a grant) with their logged emails
    and write requests, give each owner who lost the default connector the first one left as
    the default, then drop the column."""
    connectors = sa.table(
        "connectors",
        sa.column("id", sa.String(32)),
        sa.column("owner", sa.String(255)),
        sa.column("position", sa.Integer),
        sa.column("is_default", sa.Boolean),
        sa.column("credential_kind", sa.String(16)),
    )
    oauth = sa.select(connectors.c.id).where(connectors.c.credential_kind == "oauth")
    for name in ("logged_emails", "write_requests"):
        rows = sa.table(name, sa.column("connector_id", sa.String(32)))
        op.execute(rows.delete().where(rows.c.connector_id.in_(oauth)))
    bind = op.get_bind()
    owners = set(
        bind.execute(
            sa.select(connectors.c.owner)
            .where(connectors.c.credential_kind == "oauth")
            .where(connectors.c.is_default)
        ).scalars()
    )
    op.execute(connectors.delete().where(connectors.c.credential_kind == "oauth"))
    for owner in sorted(owners):
        first = bind.execute(
            sa.select(connectors.c.id)
            .where(connectors.c.owner == owner)
            .order_by(connectors.c.position)
            .limit(1)
        ).scalar_one_or_none()
        if first is not None:
            op.execute(connectors.update().where(connectors.c.id == first).values(is_default=True))
    op.drop_column("connectors", "credential_kind")  # SQLite 3.35+ drops it without a table copy
