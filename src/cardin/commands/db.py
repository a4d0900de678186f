"""`cardin db upgrade` and `cardin db current`: the schema of the connector database."""

from __future__ import annotations

from rich.console import Console
from sqlalchemy.engine import make_url

from cardin.commands import ExitCode
from cardin.store import (
    StoreError,
    create_database_engine,
    database_revision,
    head_revision,
    upgrade_database,
)

NOT_AT_HEAD = 1
"""`cardin db current`'s status when the database needs `cardin db upgrade`."""


def run_db_upgrade(database_url: str, *, console: Console) -> int:
    """Migrate the database to the newest schema; 2 for a bad URL, 5 when the database fails."""
    try:
        engine = create_database_engine(database_url)
    except StoreError as exc:
        return _failed(console, exc, ExitCode.USAGE)
    try:
        before = database_revision(engine)
        upgrade_database(engine)
        after = database_revision(engine)
    except StoreError as exc:
        return _failed(console, exc, ExitCode.UNAVAILABLE)
    finally:
        engine.dispose()
    where = _shown(database_url)
    if before == after:
        console.print(f"{where}: already at {after} (newest).")
    else:
        console.print(f"{where}: upgraded from {before or 'an empty database'} to {after}.")
    return ExitCode.OK


def run_db_current(database_url: str, *, console: Console) -> int:
    """Print the schema revision; 1 when it needs an upgrade, 2 for a bad URL, 5 on failure."""
    try:
        engine = create_database_engine(database_url)
    except StoreError as exc:
        return _failed(console, exc, ExitCode.USAGE)
    try:
        current, head = database_revision(engine), head_revision()
    except StoreError as exc:
        return _failed(console, exc, ExitCode.UNAVAILABLE)
    finally:
        engine.dispose()
    where = _shown(database_url)
    if current == head:
        console.print(f"{where}: at {current} (newest).")
        return ExitCode.OK
    console.print(f"{where}: at {current or 'no schema'}, not {head}: run `cardin db upgrade`.")
    return NOT_AT_HEAD


def _shown(database_url: str) -> str:
    """The URL as it may be printed: without its password (only called once it parsed)."""
    return make_url(database_url).render_as_string(hide_password=True)


def _failed(console: Console, exc: StoreError, code: int) -> int:
    """Report a store failure in one line; return the exit status."""
    console.print(f"[red]{exc}[/red]", highlight=False)
    return code
