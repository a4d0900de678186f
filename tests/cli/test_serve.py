"""`cardin serve`: the URL it says is the one it listens on, and a quiet schema upgrade."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from cardin.commands import ExitCode
from cardin.commands.serve import run_serve
from cardin.commands.workers import BALANCED
from cardin.metrics import MULTIPROC_VARIABLE
from cardin.settings import Settings
from cardin.store import (
    SCHEMA_HEAD,
    create_database_engine,
    database_revision,
    default_database_url,
    upgrade_database,
)


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[list[dict[str, object]]]:
    """uvicorn.run replaced: each call's options and the public URL the app would read. The
    database `cardin serve` prepares is in a folder of the test's (`CARDIN_DATA_DIR`)."""
    calls: list[dict[str, object]] = []
    monkeypatch.setenv("CARDIN_DATA_DIR", str(tmp_path / "data"))

    def record(app: str, **options: object) -> None:
        calls.append({**options, "public_url": os.environ.get("CARDIN_PUBLIC_URL")})

    class Workers:
        """The supervisor of several workers, given the sockets `cardin serve` bound."""

        def __init__(self, config: dict[str, object], sockets: list[object], count: int) -> None:
            assert len(sockets) == (count if BALANCED else 1)
            record(str(config.pop("app")), **config)

        def run(self) -> bool:
            return True

    # run_serve writes these to os.environ itself; monkeypatch.delenv of an absent variable
    # records nothing to undo, so they are put back here (else they leak into later tests)
    kept = {name: os.environ.get(name) for name in ("CARDIN_PUBLIC_URL", MULTIPROC_VARIABLE)}
    monkeypatch.setattr("uvicorn.run", record)
    # uvicorn.Config would configure this process's logging: the options are what is checked
    monkeypatch.setattr("uvicorn.Config", lambda app, **options: {"app": app, **options})
    monkeypatch.setattr("cardin.commands.serve.Workers", Workers)
    monkeypatch.delenv("CARDIN_PUBLIC_URL", raising=False)  # restored after the test
    alembic = logging.getLogger("alembic")
    level = alembic.level
    yield calls
    alembic.setLevel(level)
    for name, value in kept.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def google(public_url: str | None = None) -> Settings:
    """Settings with Google's two values, and the public URL only when given."""
    extra = {"public_url": public_url} if public_url else {}
    return Settings(
        google_service_account="sa@cardin.example", google_oauth_client_id="1234", **extra
    )


def serve(settings: Settings, port: int) -> None:
    assert run_serve(settings, host="127.0.0.1", port=port, workers=1) == 0


def test_without_a_public_url_the_service_links_to_where_it_listens(
    served: list[dict[str, object]], capsys: pytest.CaptureFixture[str]
) -> None:
    serve(google(), 9123)
    (call,) = served
    assert call["port"] == 9123
    assert call["public_url"] == "http://127.0.0.1:9123"
    said = capsys.readouterr().err
    assert "http://127.0.0.1:9123" in said
    assert "8000" not in said


def test_a_public_url_set_is_kept(
    served: list[dict[str, object]], capsys: pytest.CaptureFixture[str]
) -> None:
    serve(google("https://cardin.example"), 9124)
    (call,) = served
    assert call["public_url"] is None  # the app reads the settings' own value
    assert "public URL https://cardin.example" in capsys.readouterr().err


def test_the_schema_upgrade_at_start_logs_no_info(
    served: list[dict[str, object]], caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.INFO)
    serve(google(), 9125)
    engine = create_database_engine(f"sqlite:///{tmp_path / 'cardin.db'}")
    try:
        upgrade_database(engine)
    finally:
        engine.dispose()
    assert not [r for r in caplog.records if r.name.startswith("alembic")]


def test_metrics_with_several_workers_use_one_directory_for_all_of_them(
    served: list[dict[str, object]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)  # restored after the test
    settings = Settings(
        google_service_account="sa@cardin.example",
        google_oauth_client_id="1234",
        cache_url="redis://127.0.0.1:6379/0",
        metrics=True,
    )
    assert run_serve(settings, host="127.0.0.1", port=9126, workers=2) == 0
    directory = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    assert Path(directory).is_dir()  # made before the workers start; they inherit it
    (call,) = served
    assert call["access_log"] is False  # the service writes its own line per request
    assert call["log_config"]["root"]["handlers"] == ["stderr"]  # type: ignore[index]


def test_one_worker_or_no_metrics_need_no_directory(
    served: list[dict[str, object]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    with_metrics = Settings(
        google_service_account="sa@cardin.example", google_oauth_client_id="1234", metrics=True
    )
    serve(with_metrics, 9127)
    assert "PROMETHEUS_MULTIPROC_DIR" not in os.environ


def test_a_metrics_directory_that_is_not_empty_is_refused(
    served: list[dict[str, object]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "counter_123.db").write_bytes(b"an earlier run's values")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    settings = google().model_copy(
        update={"metrics": True, "cache_url": "redis://127.0.0.1:6379/0"}
    )
    assert run_serve(settings, host="127.0.0.1", port=9128, workers=2) == 2
    assert served == []  # nothing started
    error = capsys.readouterr().err
    assert f"PROMETHEUS_MULTIPROC_DIR {tmp_path} is not empty" in error
    assert error.count("\n") == 1  # one line
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "absent"))
    assert run_serve(settings, host="127.0.0.1", port=9128, workers=2) == 2
    assert "is not a directory" in capsys.readouterr().err
    # emptied, it is used as it is
    (tmp_path / "counter_123.db").unlink()
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    assert run_serve(settings, host="127.0.0.1", port=9128, workers=2) == 0
    assert len(served) == 1
    assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(tmp_path)


def test_the_database_is_upgraded_once_before_the_workers_start(
    served: list[dict[str, object]], tmp_path: Path
) -> None:
    assert run_serve(google(), host="127.0.0.1", port=9129, workers=2) == 0
    assert len(served) == 1
    engine = create_database_engine(default_database_url(tmp_path / "data"))
    try:
        assert database_revision(engine) == SCHEMA_HEAD  # the workers find it current
    finally:
        engine.dispose()


def test_an_unreachable_database_is_one_line_and_no_workers(
    served: list[dict[str, object]], capsys: pytest.CaptureFixture[str]
) -> None:
    settings = google().model_copy(update={"database_url": "postgresql://cardin@127.0.0.1:9/x"})
    assert run_serve(settings, host="127.0.0.1", port=9130, workers=2) == ExitCode.UNAVAILABLE
    assert served == []
    said = capsys.readouterr().err
    assert said.endswith("\n")
    *_, error = said.splitlines()  # after the line that says where it would listen
    assert error.startswith("The database cannot be read:")
    assert "Connection refused" in error
