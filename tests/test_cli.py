"""`cardin lookup` and friends end to end: a real sandbox server on loopback, real HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from cardin.cli import app
from cardin.commands.servers import BackgroundServer
from cardin.sandbox import (
    DEMO_TOKEN,
    INACTIVE_TOKEN,
    RICH_EMAIL,
    UNKNOWN_EMAIL,
    Sandbox,
    demo_dataset,
)
from tests.cards.validate import assert_valid_response, cards_of
from tests.conftest import TODAY

runner = CliRunner()


@pytest.fixture(scope="module")
def server() -> Iterator[BackgroundServer]:
    sandbox = Sandbox(demo_dataset(TODAY), rate_limits=False)
    with BackgroundServer(sandbox.app) as running:
        yield running


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=env or {}, catch_exceptions=False)
    return result.exit_code, result.output


def test_lookup_shows_the_full_contact(server: BackgroundServer) -> None:
    code, out = run("lookup", RICH_EMAIL, "--base-url", server.url, "--token", DEMO_TOKEN)
    assert code == 0
    for text in ("Élodie Marchand", "VIP", "Custom fields", "Background", "Deals", "Activities"):
        assert text in out
    assert "Contact owner" in out
    assert "<script" not in out


def test_lookup_reads_token_and_base_url_from_the_environment(server: BackgroundServer) -> None:
    env = {"PIPEDRIVE_API_TOKEN": DEMO_TOKEN, "PIPEDRIVE_BASE_URL": server.url}
    code, out = run("lookup", RICH_EMAIL, "--locale", "de_DE", env=env)
    assert code == 0
    assert "Élodie Marchand" in out
    assert "€" in out


def test_lookup_of_an_unknown_address_says_no_match(server: BackgroundServer) -> None:
    code, out = run("lookup", UNKNOWN_EMAIL, "--base-url", server.url, "--token", DEMO_TOKEN)
    assert code == 0
    assert "No match" in out


@pytest.mark.parametrize(
    ("token", "code", "says"),
    [
        ("not-a-token", 3, "refused the API token"),
        (INACTIVE_TOKEN, 4, "inactive"),
    ],
)
def test_account_problems_give_one_line_and_a_status(
    server: BackgroundServer, token: str, code: int, says: str
) -> None:
    status, out = run("lookup", RICH_EMAIL, "--base-url", server.url, "--token", token)
    assert status == code
    assert says in out
    assert token not in out


def test_unreachable_api_says_what_to_do() -> None:
    status, out = run(
        "lookup", RICH_EMAIL, "--base-url", "http://127.0.0.1:9", "--token", DEMO_TOKEN
    )
    assert status == 5
    assert "--base-url" in out


def test_a_base_url_that_is_not_pipedrives_api_says_so(server: BackgroundServer) -> None:
    base_url = f"{server.url}/nonsense"
    status, out = run("lookup", RICH_EMAIL, "--base-url", base_url, "--token", DEMO_TOKEN)
    assert status == 5
    assert "does not look like Pipedrive's API" in " ".join(out.split())
    assert "refused the API token" not in out


def test_missing_token_is_a_usage_error() -> None:
    status, out = run("lookup", RICH_EMAIL)
    assert status == 2
    assert "PIPEDRIVE_API_TOKEN" in out


def test_sandbox_refuses_a_bad_fault_spec() -> None:
    status, out = run("sandbox", "--faults", "418:2")
    assert status == 2
    assert "Cannot start the sandbox" in out


def json_of(out: str) -> dict[str, object]:
    return json.loads(out)  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("token", "email", "title_or_name"),
    [
        (DEMO_TOKEN, RICH_EMAIL, "Élodie Marchand"),
        (DEMO_TOKEN, UNKNOWN_EMAIL, "nobody@unknown.example"),
        ("not-a-token", RICH_EMAIL, "Pipedrive"),
        (INACTIVE_TOKEN, RICH_EMAIL, "Pipedrive"),
    ],
    ids=["match", "no-match", "reauth", "payment"],
)
def test_lookup_json_prints_the_contextual_trigger_response(
    server: BackgroundServer, token: str, email: str, title_or_name: str
) -> None:
    env = {"CARDIN_PUBLIC_URL": "https://cardin.example"}
    code, out = run("lookup", email, "--base-url", server.url, "--token", token, "--json", env=env)
    assert code == 0
    response = json_of(out)
    assert_valid_response(response, action_url="https://cardin.example/addon/action")
    (card,) = cards_of(response)
    assert title_or_name in json.dumps(card, ensure_ascii=False)
    assert token not in out


def test_lookup_json_of_an_unreachable_api_is_an_error_card() -> None:
    env = {"CARDIN_PUBLIC_URL": "https://cardin.example/"}
    args = ("--base-url", "http://127.0.0.1:9", "--token", DEMO_TOKEN, "--json")
    code, out = run("lookup", RICH_EMAIL, *args, env=env)
    assert code == 0
    response = json_of(out)
    assert_valid_response(response, action_url="https://cardin.example/addon/action")
    assert "retry" in json.dumps(response)
