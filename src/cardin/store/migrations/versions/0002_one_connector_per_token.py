"""One connector per token and user; the setup wizard that created a connector.

Concurrent set-ups could store the same token several times for one user. A unique index on
(owner, token_fingerprint) now prevents it, so rows that already break it are resolved first,
without deleting anything a user configured: of each owner's connectors sharing one token, the
default one is kept as it is (else the oldest, by position); every other one keeps its name,
features and behaviour but gives up the token (ciphertext emptied, fingerprint replaced by a
unique marker). Such a connector reads as needing reauthorization, so its user sees it and can
give it another account's token or delete it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0002_one_connector_per_token"
down_revision = "0001_connectors"
branch_labels = None
depends_on = None

RELEASED_PREFIX = "released:"

connectors = sa.table(
    "connectors",
    sa.column("id", sa.String(32)),
    sa.column("owner", sa.String(255)),
    sa.column("position", sa.Integer()),
    sa.column("is_default", sa.Boolean()),
    sa.column("token_ciphertext", sa.Text()),
    sa.column("token_fingerprint", sa.String(64)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    """Release the duplicated tokens, then add the unique index and the setup key."""
    release_duplicated_tokens(op.get_bind())
    op.create_index(
        "uq_connectors_owner_token",
        "connectors",
        ["owner", "token_fingerprint"],
        unique=True,
    )
    op.add_column("connectors", sa.Column("setup_key", sa.String(32), nullable=True))


def downgrade() -> None:
    """Drop the setup key and the unique index (released tokens stay released)."""
    op.drop_index("uq_connectors_owner_token", table_name="connectors")
    op.drop_column("connectors", "setup_key")  # SQLite 3.35+ drops it without a table copy


def release_duplicated_tokens(bind: sa.Connection) -> list[str]:
    """Keep one connector per (owner, token); the others give up the token. Their ids."""
    c = connectors.c
    groups = (
        sa.select(c.owner, c.token_fingerprint)
        .group_by(c.owner, c.token_fingerprint)
        .having(sa.func.count() > 1)
    )
    released: list[str] = []
    for owner, fingerprint in bind.execute(groups).all():
        rows = sa.select(c.id).where(c.owner == owner, c.token_fingerprint == fingerprint)
        ordered = bind.execute(rows.order_by(c.is_default.desc(), c.position)).scalars().all()
        released.extend(ordered[1:])
    now = datetime.now(UTC)
    for connector_id in released:
        bind.execute(
            connectors.update()
            .where(c.id == connector_id)
            .values(
                token_ciphertext="",
                token_fingerprint=RELEASED_PREFIX + connector_id,
                updated_at=now,
            )
        )
    return released
