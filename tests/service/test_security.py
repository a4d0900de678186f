"""Only Google may call the add-on, and a user sees and changes only their own connectors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cardin.preview.google import LocalGoogle
from cardin.sandbox import DEMO_TOKEN, RICH_EMAIL, Sandbox, demo_dataset
from tests.conftest import TODAY
from tests.service.harness import PUBLIC_URL, Harness, User, running, text_of
from tests.service.test_flow import ANN, add_connector

BOB = User("google-sub-bob", "bob@other.example")
URL = f"{PUBLIC_URL}/addon/homepage"


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    sandbox = Sandbox(demo_dataset(TODAY), rate_limits=False)
    async with running(sandbox, tmp_path) as h:
        yield h


def bearer(token: str) -> str:
    return f"Bearer {token}"


@pytest.mark.parametrize(
    "forge",
    [
        lambda _g: None,
        lambda _g: "Basic dXNlcjpwYXNz",
        lambda _g: bearer("not.a.jwt"),
        lambda g: bearer(g.system_token(URL).rsplit(".", 1)[0] + "."),  # signature stripped
        lambda _g: bearer(LocalGoogle().system_token(URL)),  # signed by another key
        lambda g: bearer(g.system_token(URL, expires_in=-3600, iat=0)),
        lambda g: bearer(g.system_token(f"{PUBLIC_URL}/addon/message")),  # another endpoint
        lambda g: bearer(g.system_token(URL, email="someone@evil.example")),
        lambda g: bearer(g.system_token(URL, email_verified=False)),
        lambda g: bearer(g.system_token(URL, iss="https://evil.example")),
    ],
    ids=[
        "missing",
        "not-bearer",
        "garbage",
        "unsigned",
        "other-key",
        "expired",
        "wrong-audience",
        "wrong-service-account",
        "unverified-email",
        "wrong-issuer",
    ],
)
async def test_requests_not_signed_for_this_add_on_get_401(harness: Harness, forge: object) -> None:
    header = forge(harness.google)  # type: ignore[operator]
    response = await harness.post("/addon/homepage", ANN, authorization=header)
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"error"}
    assert "action" not in response.text


async def test_a_forged_user_token_gets_401(harness: Harness) -> None:
    event = harness.google.event(sub=ANN.sub, email=ANN.email)
    event["authorizationEventObject"]["userIdToken"] = LocalGoogle().user_token(ANN.sub, ANN.email)
    import json  # noqa: PLC0415

    response = await harness.post("/addon/homepage", ANN, body=json.dumps(event).encode())
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"not json", "JSON"),
        (b"[1, 2]", "object"),
        (b'{"commonEventObject": 5}', "commonEventObject"),
        (b'{"commonEventObject": {}, "gmail": {"messageId": 7}}', "messageId"),
    ],
)
async def test_malformed_events_get_400_naming_the_problem(
    harness: Harness, body: bytes, says: str
) -> None:
    response = await harness.post("/addon/homepage", ANN, body=body)
    assert response.status_code == 400
    assert says in response.json()["error"]


@pytest.mark.parametrize(
    ("where", "field"), [("authorizationEventObject", "userOAuthToken"), ("gmail", "accessToken")]
)
async def test_a_non_ascii_google_token_gets_400_not_an_error_card(
    harness: Harness, where: str, field: str, caplog: pytest.LogCaptureFixture
) -> None:
    message = harness.message(sender=RICH_EMAIL, to=ANN.email)
    event = harness.google.event(sub=ANN.sub, email=ANN.email, message_id=message)
    event[where][field] = "ya29.tökén"
    import json  # noqa: PLC0415

    response = await harness.post("/addon/message", ANN, body=json.dumps(event).encode())
    assert response.status_code == 400
    assert f"{where}.{field} must be a token of printable ASCII" in response.json()["error"]
    assert "Traceback" not in caplog.text
    assert "tök" not in response.text


async def test_another_user_cannot_touch_a_connector(harness: Harness) -> None:
    await add_connector(harness, ANN, name="Ann's account")
    store = harness.app.state.runtime.store
    (connector,) = store.list(ANN.sub)
    forged = [
        {"op": "open_connector", "connector": connector.id, "email": RICH_EMAIL},
        {"op": "run_connector", "connector": connector.id, "email": RICH_EMAIL},
        {"op": "show_all", "connector": connector.id, "email": RICH_EMAIL, "section": "deals"},
        {"op": "edit", "connector": connector.id},
        {"op": "reauth", "connector": connector.id},
        {"op": "delete", "connector": connector.id},
        {"op": "delete_confirm", "connector": connector.id},
        {"op": "setup_behaviour", "connector": connector.id, "connector_name": "Bob's now"},
        {"op": "add_contact", "connector": connector.id, "email": "x@y.example"},
        {
            "op": "create_contact",
            "connector": connector.id,
            "email": "x@y.example",
            "request": "0" * 32,
        },
        *(
            {
                "op": op,
                "connector": connector.id,
                "email": RICH_EMAIL,
                "person_id": "1",
                "request": "1" * 32,
                "activity_id": "1",
            }
            for op in (
                "log_email_form",
                "log_email",
                "note_form",
                "add_note",
                "activity_form",
                "schedule_activity",
                "deal_form",
                "create_deal",
                "mark_done",
            )
        ),
        {"op": "reauth_token", "connector": connector.id},
        {"op": "reauth_confirm", "connector": connector.id, "company_id": "1", "user_id": "1"},
        {"op": "setup_name", "connector": connector.id},
        {"op": "setup_features", "connector": connector.id},
        {"op": "setup_token", "connector": connector.id},
        {"op": "retry", "connector": connector.id, "email": RICH_EMAIL},
        {"op": "refresh", "connector": connector.id, "email": RICH_EMAIL},
    ]
    for parameters in forged:
        form = {
            "run_mode_input": ["manual"],
            "token_input": [DEMO_TOKEN],
            "name_input": ["B"],
            "person_name_input": ["Mallory"],
            "note_input": ["forged"],
            "subject_input": ["forged"],
            "title_input": ["forged"],
            "currency_input": ["EUR"],
        }
        response = await harness.act(BOB, parameters, form=form)
        text = text_of(response)
        assert "Élodie" not in text, parameters
        assert "Ann's account" not in text, parameters
        assert "pushCard" not in text, parameters
        assert "updateCard" not in text, parameters
    assert not [r for r in harness.sandbox.requests if r.method != "GET"]
    assert store.list(ANN.sub) == [connector]
    assert store.credential(ANN.sub, connector.id).token == DEMO_TOKEN
    assert store.list(BOB.sub) == []


async def test_google_certificates_down_is_503_then_recovers(harness: Harness) -> None:
    harness.google.certs_available = False
    response = await harness.post("/addon/homepage", ANN)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert "certificates" in response.json()["error"]
    harness.google.certs_available = True
    harness.app.state.runtime.verifier._certs._failure = None  # skip the 5 s fail-fast pause
    assert (await harness.post("/addon/homepage", ANN)).status_code == 200


async def test_healthz_needs_no_token(harness: Harness) -> None:
    response = await harness.client.get(f"{PUBLIC_URL}/healthz")
    assert response.json() == {"status": "ok"}


async def test_an_oversized_event_is_refused_without_reading_it_all(harness: Harness) -> None:
    response = await harness.post("/addon/homepage", ANN, body=b"{" + b" " * 2_000_000 + b"}")
    assert response.status_code == 400
    assert "larger than" in response.json()["error"]
