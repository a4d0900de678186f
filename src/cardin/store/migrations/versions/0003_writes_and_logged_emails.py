"""The writes from the side panel: their idempotency keys, and the emails logged to Pipedrive.

Two new tables, no change to `connectors`. Neither refers to `connectors` by a foreign key:
`ConnectorStore.delete` deletes a connector's rows in its own transaction (on SQLite a later
migration that copies `connectors` would otherwise cascade into them).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_writes_and_logged_emails"
down_revision = "0002_one_connector_per_token"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create write_requests (with its expiry index) and logged_emails."""
    op.create_table(
        "write_requests",
        sa.Column("owner", sa.String(255), nullable=False),
        sa.Column("request_key", sa.String(32), nullable=False),
        sa.Column("connector_id", sa.String(32), nullable=False),
        sa.Column("op", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("owner", "request_key", name="pk_write_requests"),
    )
    op.create_index("ix_write_requests_expires_at", "write_requests", ["expires_at"])
    op.create_table(
        "logged_emails",
        sa.Column("owner", sa.String(255), nullable=False),
        sa.Column("connector_id", sa.String(32), nullable=False),
        sa.Column("message_id", sa.String(128), nullable=False),
        sa.Column("note_id", sa.BigInteger(), nullable=False),
        sa.Column("deal_id", sa.BigInteger(), nullable=True),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("logged_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("owner", "connector_id", "message_id", name="pk_logged_emails"),
    )


def downgrade() -> None:
    """Drop both tables (what was logged is forgotten: the notes stay in Pipedrive)."""
    op.drop_table("logged_emails")
    op.drop_index("ix_write_requests_expires_at", table_name="write_requests")
    op.drop_table("write_requests")
