"""`cardin db upgrade` and `cardin db current`, on every database."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from sqlalchemy.engine import make_url

from cardin.commands import ExitCode
from cardin.commands.db import NOT_AT_HEAD, run_db_current, run_db_upgrade


def _console() -> tuple[Console, io.StringIO]:
    output = io.StringIO()
    return Console(file=output, width=300, color_system=None), output


def test_upgrade_then_current(database_url: str) -> None:
    console, output = _console()
    assert run_db_current(database_url, console=console) == NOT_AT_HEAD
    assert "no schema" in output.getvalue()
    assert "cardin db upgrade" in output.getvalue()

    console, output = _console()
    assert run_db_upgrade(database_url, console=console) == ExitCode.OK
    assert "upgraded from an empty database to 0004_credential_kind" in output.getvalue()

    console, output = _console()
    assert run_db_upgrade(database_url, console=console) == ExitCode.OK
    assert "already at 0004_credential_kind" in output.getvalue()

    console, output = _console()
    assert run_db_current(database_url, console=console) == ExitCode.OK
    assert "at 0004_credential_kind (newest)" in output.getvalue()


def test_an_unreachable_database_fails_without_showing_its_password() -> None:
    url = "postgresql://cardin:hunter2@127.0.0.1:1/cardin"
    for command in (run_db_upgrade, run_db_current):
        console, output = _console()
        assert command(url, console=console) == ExitCode.UNAVAILABLE
        assert "hunter2" not in output.getvalue()
        assert "127.0.0.1" in output.getvalue()


@pytest.mark.postgres
def test_a_password_is_never_printed(postgres_url: str) -> None:
    with_password = make_url(postgres_url).set(password="hunter2")
    with_password = with_password.render_as_string(hide_password=False)
    console, output = _console()
    assert run_db_upgrade(with_password, console=console) == ExitCode.OK
    assert "hunter2" not in output.getvalue()
    assert "***" in output.getvalue()


def test_a_malformed_url_is_a_clear_failure() -> None:
    console, output = _console()
    assert run_db_upgrade("hunter2", console=console) == ExitCode.USAGE
    assert "cannot be parsed" in output.getvalue()
    assert "hunter2" not in output.getvalue()
