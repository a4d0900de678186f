"""`cardin lookup` and friends end to end: a real sandbox server on loopback, real HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

import pytest
from typer.testing import CliRunner

from cardin.cli import app
from cardin.commands.servers import BackgroundServer
from cardin.i18n.format import Formatter
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
    assert "Not in Pipedrive" in out
    assert "Nobody in Aurora Demo Trading has this address." in out


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
    assert "is not a Pipedrive API" in out
    assert "refused the API token" not in out


@pytest.mark.parametrize(
    "base_url", ["api.pipedrive.com", "not-a-url", "http://u:p@127.0.0.1:9", "http://h.test?x=1"]
)
def test_a_base_url_the_token_may_not_go_to_is_a_usage_error(base_url: str) -> None:
    status, out = run("lookup", RICH_EMAIL, "--base-url", base_url, "--token", DEMO_TOKEN)
    assert status == 2
    assert "not an address the API token may be sent to" in out
    assert "refused the API token" not in out


def test_a_token_pasted_with_a_newline_still_works(server: BackgroundServer) -> None:
    env = {"PIPEDRIVE_API_TOKEN": f"{DEMO_TOKEN}\r\n", "PIPEDRIVE_BASE_URL": server.url}
    code, out = run("lookup", RICH_EMAIL, env=env)
    assert code == 0
    assert "Élodie Marchand" in out


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


# The demo's "On-site workshop in Antibes" is due in two days at 12:00 UTC; the demo company's
# user (Maria Svensson) is in Europe/Stockholm.
WORKSHOP_DUE = datetime.combine(TODAY + timedelta(days=2), time(12), tzinfo=UTC)


@pytest.mark.parametrize("zone", [None, "Asia/Tokyo", "America/New_York"])
def test_terminal_and_json_show_times_in_the_same_zone(
    server: BackgroundServer, zone: str | None
) -> None:
    expected = Formatter("en_US", zone or "Europe/Stockholm").datetime(WORKSHOP_DUE)
    assert expected != Formatter("en_US", "UTC").datetime(WORKSHOP_DUE)
    args = ["lookup", RICH_EMAIL, "--base-url", server.url, "--token", DEMO_TOKEN]
    args += ["--locale", "en_US", *(["--timezone", zone] if zone else [])]
    code, terminal = run(*args, env={"COLUMNS": "200"})
    assert code == 0
    assert f"{expected}  (1 hr 30 min)  Meeting: On-site workshop in Antibes" in terminal
    env = {"CARDIN_PUBLIC_URL": "https://cardin.example"}
    code, out = run(*args, "--json", env=env)
    assert code == 0
    (card,) = cards_of(json_of(out))
    assert expected in json.dumps(card, ensure_ascii=False)


def test_terminal_speaks_the_locale_of_the_cards(server: BackgroundServer) -> None:
    args = ("--base-url", server.url, "--token", DEMO_TOKEN, "--locale", "de_DE")
    code, out = run("lookup", RICH_EMAIL, *args, env={"COLUMNS": "200"})
    assert code == 0
    for word in ("Aktivitäten", "Geplant", "Primär", "Kontaktinhaber", "Anfragen"):
        assert word in out
    for english in ("Activities", "Planned", "Primary", "requests"):
        assert english not in out
