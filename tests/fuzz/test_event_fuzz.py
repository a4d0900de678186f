"""Fuzzed add-on events through the real app: a valid card, 400 with a reason, or 401 — always.

Never a 5xx, a traceback in the log or an answer slower than 5 s (`Answer.problem`). The search is
derandomized (the same examples every run); `bench/fuzz.py` runs it at scale with fresh seeds.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cardin.sandbox import UNKNOWN_EMAIL
from tests.fuzz.events import (
    ENDPOINTS,
    EVENTS,
    RAW_BODIES,
    Request,
    authorization,
    common,
    connector,
    gmail,
    known_defect,
    requests,
)
from tests.fuzz.service import PUBLIC_URL, USERS, Service

CI_EXAMPLES = 300
VALID_EXAMPLES = 60
PROBE = settings(
    derandomize=True,
    database=None,
    deadline=None,
    # one service serves every example (its state is put back before each request)
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    """A fresh service: the random search sees the same state, so the same answers, every run."""
    with Service(tmp_path) as running:
        yield running


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """One service for the explicit cases, whose answers do not depend on what came before."""
    with Service(tmp_path_factory.mktemp("service")) as running:
        yield running


@settings(PROBE, max_examples=CI_EXAMPLES)
@given(request=requests())
def test_every_request_gets_a_card_a_reason_or_401(service: Service, request: Request) -> None:
    assume(known_defect(request) is None)  # each known defect has its explicit case below
    answer = service.send(request)
    assert answer.problem() is None, answer.problem()


@settings(PROBE, max_examples=VALID_EXAMPLES)
@given(path=st.sampled_from(ENDPOINTS), data=st.data())
def test_every_valid_event_gets_a_card(service: Service, path: str, data: st.DataObject) -> None:
    event = data.draw(EVENTS[path])
    answer = service.send(Request(path, event=event))
    assert answer.status == 200
    assert answer.problem() is None, answer.problem()


@pytest.mark.parametrize("raw", RAW_BODIES, ids=[str(i) for i in range(len(RAW_BODIES))])
@pytest.mark.parametrize("path", ENDPOINTS)
def test_a_body_that_is_not_an_event_gets_400(shared: Service, path: str, raw: bytes) -> None:
    answer = shared.send(Request(path, raw=raw))
    assert answer.status == 400
    assert answer.problem() is None, answer.problem()


# --- known defects: one explicit case each (flip when the fix is merged) ------------------------


def event(*, message: bool = False, **parameters: str) -> dict[str, Any]:
    """A valid event: the contextual trigger of the first message, or an action."""
    body: dict[str, Any] = {
        "commonEventObject": common("en-US", "Europe/Berlin"),
        "authorizationEventObject": authorization(),
    }
    if message:
        body["gmail"] = gmail(0)
    if parameters:
        body["commonEventObject"]["parameters"] = parameters
    return body


def with_value(body: dict[str, Any], section: str, key: str, value: object) -> dict[str, Any]:
    body[section][key] = value
    return body


def prose_spelling(token: str) -> dict[str, Any]:
    """The contextual event with the user's OAuth token under Google's prose spelling."""
    body = event(message=True)
    auth = body["authorizationEventObject"]
    del auth["userOAuthToken"]
    auth["userOauthToken"] = token
    return body


def defect(number: int, what: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(strict=True, reason=f"issue 8 defect {number}: {what}")


NEW = pytest.mark.xfail(
    strict=True, reason="not in issue 8 (reported): a lone surrogate in an event is not refused"
)
NON_ASCII_TOKEN = defect(5, "a non-ASCII Gmail token fails building the request headers")
WHOLE = defect(6, "100,000-character values go into the answer whole")
HUGE = "N" * 100_000
MESSAGE = "/addon/message"
ACTION = "/addon/action"

KNOWN = {
    "non-ASCII userOAuthToken": (
        MESSAGE,
        with_value(event(message=True), "authorizationEventObject", "userOAuthToken", "ya29.é"),
        NON_ASCII_TOKEN,
    ),
    "non-ASCII userOauthToken": (MESSAGE, prose_spelling("ya29.ü"), NON_ASCII_TOKEN),
    "non-ASCII gmail.accessToken": (
        MESSAGE,
        with_value(event(message=True), "gmail", "accessToken", "AND7tök"),
        NON_ASCII_TOKEN,
    ),
    "100,000-character name on a lookup": (
        ACTION,
        event(op="lookup", email=UNKNOWN_EMAIL, name=HUGE),
        WHOLE,
    ),
    "100,000-character name on a connector's card": (
        ACTION,
        event(op="open_connector", connector=connector(0), email=UNKNOWN_EMAIL, name=HUGE),
        WHOLE,
    ),
    "lone surrogate in an address": (ACTION, event(op="lookup", email="a\ud800@b.example"), NEW),
    "lone surrogate in a name": (
        ACTION,
        event(op="lookup", email=UNKNOWN_EMAIL, name="Zo\udce9"),
        NEW,
    ),
}


@pytest.mark.parametrize(
    ("path", "body"),
    [pytest.param(path, body, marks=mark, id=name) for name, (path, body, mark) in KNOWN.items()],
)
def test_known_defects(shared: Service, path: str, body: dict[str, Any]) -> None:
    answer = shared.send(Request(path, event=body))
    assert answer.problem() is None, answer.problem()


@pytest.mark.parametrize("which", ["request", "user"])
@defect(6, "ID tokens with nbf in the future are admitted")
def test_a_token_not_valid_yet_gets_401(shared: Service, which: str) -> None:
    google, user = shared.harness.google, USERS[0]
    future = int(time.time()) + 3600
    url = f"{PUBLIC_URL}/addon/homepage"
    body = event()
    header = "signed"
    if which == "user":
        token = google.user_token(user.sub, user.email, nbf=future)
        body["authorizationEventObject"]["userIdToken"] = token
    else:
        header = f"Bearer {google.system_token(url, nbf=future)}"
    answer = shared.send(Request("/addon/homepage", event=body, authorization=header))
    assert answer.status == 401
