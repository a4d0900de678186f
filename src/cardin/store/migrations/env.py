"""Alembic's environment: runs the migrations on the connection `upgrade_database` hands in.

To change the schema, change `cardin/store/tables.py` and add the next numbered, named file in
`versions/` (`0002_what_it_does.py`, `revision = "0002_what_it_does"`, `down_revision` = the
previous one), and name it in `SCHEMA_HEAD` (`cardin/store/database.py`: a service that finds
its database at that revision skips the upgrade). Never edit a released migration.
`tests/store/test_migrations.py` fails until the migrations build exactly what `tables.py`
describes and `SCHEMA_HEAD` names the newest.
"""

from __future__ import annotations

from alembic import context

from cardin.store.tables import metadata


def run_migrations() -> None:
    """Migrate on the caller's connection, inside the caller's transaction."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("Run migrations with cardin.store.upgrade_database or `cardin db`.")
    # Batch mode: SQLite alters most things only by copying the table.
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
