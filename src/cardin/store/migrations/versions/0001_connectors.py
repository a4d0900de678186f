"""Connectors: one row per Pipedrive account a Google user configured."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_connectors"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the connectors table."""
    op.create_table(
        "connectors",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("owner", sa.String(255), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("run_mode", sa.String(16), nullable=False),
        sa.Column("show_in_dashboard", sa.Boolean(), nullable=False),
        sa.Column("base_url", sa.Text(), nullable=False),
        sa.Column("token_ciphertext", sa.Text(), nullable=False),
        sa.Column("token_fingerprint", sa.String(64), nullable=False),
        sa.Column("pipedrive_company_id", sa.BigInteger(), nullable=False),
        sa.Column("pipedrive_company_name", sa.Text(), nullable=False),
        sa.Column("pipedrive_company_domain", sa.Text(), nullable=False),
        sa.Column("pipedrive_user_id", sa.BigInteger(), nullable=False),
        sa.Column("pipedrive_user_name", sa.Text(), nullable=False),
        sa.Column("pipedrive_user_email", sa.Text(), nullable=False),
        sa.Column("pipedrive_locale", sa.String(32), nullable=False),
        sa.Column("pipedrive_timezone", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_connectors"),
        sa.UniqueConstraint("owner", "position", name="uq_connectors_owner_position"),
    )
    op.create_index(
        "uq_connectors_owner_default",
        "connectors",
        ["owner"],
        unique=True,
        sqlite_where=sa.text("is_default"),
        postgresql_where=sa.text("is_default"),
    )


def downgrade() -> None:
    """Drop the connectors table."""
    op.drop_index("uq_connectors_owner_default", table_name="connectors")
    op.drop_table("connectors")
