"""Bad options and arguments: one line, exit status 2, no request sent, no server started."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from cardin.commands.servers import BackgroundServer
from cardin.sandbox import DEMO_TOKEN
from tests.cli.running import Answering, one_line, run


@pytest.fixture(scope="module")
def api() -> Iterator[tuple[BackgroundServer, Answering]]:
    """A base URL that counts what reaches it (the checks must send nothing)."""
    answering = Answering(200, b'{"success": true, "data": null}', "application/json")
    with BackgroundServer(answering) as running:
        yield running, answering


@pytest.fixture(autouse=True)
def no_servers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Starting a server here is a failure (the check should have refused the option first)."""

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a server was started")

    monkeypatch.setattr("uvicorn.run", refuse)
    monkeypatch.setattr("cardin.commands.serve.Workers", refuse)
    monkeypatch.setattr("cardin.commands.demo.BackgroundServer", refuse)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["not-an-email"], "is not an email address"),
        ([""], "The email address is empty"),
        (["   "], "The email address is empty"),
        (["ada@"], "is not an email address"),
        (["ada@example"], "is not an email address"),
        (["a b@example.com"], "is not an email address"),
        (["[red]x@y@z.example"], "is not an email address"),
        (["ada@example.com", "--locale", "xx_YY"], "Unknown --locale 'xx_YY'"),
        (["ada@example.com", "--locale", ""], "Unknown --locale ''"),
        (["ada@example.com", "--timezone", "Mars/Olympus"], "Unknown --timezone 'Mars/Olympus'"),
        (["ada@example.com", "--timezone", "../etc/passwd"], "Unknown --timezone"),
    ],
)
def test_lookup_refuses_bad_input_before_any_request(
    api: tuple[BackgroundServer, Answering], args: list[str], says: str
) -> None:
    server, answering = api
    before = len(answering.requests)
    code, out = run("lookup", *args, "--base-url", server.url, "--token", DEMO_TOKEN)
    assert code == 2
    assert says in one_line(out)
    assert len(answering.requests) == before


def test_a_bad_address_is_refused_even_without_a_token() -> None:
    code, out = run("lookup", "not-an-email")
    assert code == 2
    assert "is not an email address" in one_line(out)


def test_a_misspelt_zone_gets_a_suggestion() -> None:
    from cardin.commands.inputs import InputError, checked_timezone  # noqa: PLC0415

    with pytest.raises(InputError, match="did you mean Europe/Berlin"):
        checked_timezone("europe/berlin")
    assert checked_timezone(" Asia/Tokyo ") == "Asia/Tokyo"


@pytest.mark.parametrize("port", ["0", "-1", "65536", "70000", "99999999999999999999"])
@pytest.mark.parametrize("command", ["demo", "sandbox", "serve"])
def test_a_port_outside_1_to_65535_is_refused(command: str, port: str) -> None:
    code, out = run(command, "--port", port)
    assert code == 2
    line = one_line(out)
    assert f"--port {port} is not a TCP port" in line
    assert "Traceback" not in out


@pytest.mark.parametrize("latency", ["-1", "-0.5", "nan", "inf"])
def test_sandbox_refuses_a_latency_that_is_no_delay(latency: str) -> None:
    code, out = run("sandbox", "--latency", latency)
    assert code == 2
    assert "--latency" in one_line(out)


def test_serve_refuses_no_workers() -> None:
    code, out = run("serve", "--workers", "0")
    assert code == 2
    assert "--workers 0" in one_line(out)


def free_port() -> int:
    """A port nothing listens on now (`--workers 2` binds it before starting the workers)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.mark.parametrize("cache_url", ["memory://", "memory://any"])
def test_serve_refuses_several_workers_on_the_in_process_cache(cache_url: str) -> None:
    code, out = run("serve", "--workers", "2", env={"CARDIN_CACHE_URL": cache_url})
    assert code == 2
    line = one_line(out)
    assert "--workers 2" in line
    assert "CARDIN_CACHE_URL" in line
    assert "--allow-memory-cache" in line


@pytest.mark.parametrize("flags", [[], ["--allow-memory-cache"]])
def test_serve_refuses_several_workers_signing_in_without_a_shared_cache(
    flags: list[str],
) -> None:
    env = {
        "CARDIN_CACHE_URL": "memory://",
        "CARDIN_PIPEDRIVE_CLIENT_ID": "app",
        "CARDIN_PIPEDRIVE_CLIENT_SECRET": "app-secret",
    }
    code, out = run("serve", "--workers", "2", *flags, env=env)
    assert code == 2
    line = one_line(out)
    assert "Sign in with Pipedrive" in line
    assert "redis://" in line
    assert "app-secret" not in line


@pytest.mark.parametrize(
    ("workers", "env", "flags"),
    [
        ("1", {"CARDIN_CACHE_URL": "memory://"}, []),
        ("2", {"CARDIN_CACHE_URL": "memory://"}, ["--allow-memory-cache"]),
        ("2", {"CARDIN_CACHE_URL": "redis://127.0.0.1:6379/0"}, []),
        ("1", {"CARDIN_CACHE_URL": "memory://", "CARDIN_PIPEDRIVE_CLIENT_ID": "app"}, []),
        (
            "2",
            {"CARDIN_CACHE_URL": "redis://127.0.0.1:6379/0", "CARDIN_PIPEDRIVE_CLIENT_ID": "app"},
            [],
        ),
    ],
)
def test_serve_takes_one_worker_a_shared_cache_or_the_flag(
    workers: str, env: dict[str, str], flags: list[str]
) -> None:
    # past the checks the server starts, which this module's fixture turns into an AssertionError
    with pytest.raises(AssertionError, match="a server was started"):
        run("serve", "--workers", workers, "--port", str(free_port()), *flags, env={
            **env,
            "CARDIN_GOOGLE_SERVICE_ACCOUNT": "sa@cardin.example",
            "CARDIN_GOOGLE_OAUTH_CLIENT_ID": "1234",
            "CARDIN_PUBLIC_URL": "https://cardin.example",
        })  # fmt: skip


@pytest.mark.parametrize("locale", ["de_DE", "de-AT", "fr", "en_US"])
def test_known_locales_and_blanks_around_an_address_pass(
    api: tuple[BackgroundServer, Answering], locale: str
) -> None:
    server, answering = api
    before = len(answering.requests)
    run("lookup", " ada@example.com ", "--locale", locale, "--timezone", "UTC",
        "--base-url", server.url, "--token", DEMO_TOKEN)  # fmt: skip
    assert len(answering.requests) > before  # the lookup went ahead
