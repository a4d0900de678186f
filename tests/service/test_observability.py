"""/metrics on and off, the request and lookup metrics, and the JSON log: one object per line
with the request's id and user, and no secret in any line of a full lookup and write."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from cardin.addon.gmail import READONLY_SCOPE
from cardin.logs import JsonFormatter, TextFormatter, dict_config, resolve
from cardin.sandbox import DEMO_TOKEN, RICH_EMAIL, Sandbox, demo_dataset
from tests.conftest import TODAY
from tests.service.harness import Harness, action, running
from tests.service.test_flow import ANN, add_connector

BODY = "Dear Ann,\nthe confidential renewal offer is attached.\nÉlodie"


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    sandbox = Sandbox(demo_dataset(TODAY), rate_limits=False)
    async with running(sandbox, tmp_path, metrics=True) as h:
        await add_connector(h, ANN, writes=True)
        yield h


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_metrics_are_off_unless_asked_for(tmp_path: Path) -> None:
    async with running(Sandbox(demo_dataset(TODAY), rate_limits=False), tmp_path) as h:
        response = await h.client.get("https://cardin.test/metrics")
    assert response.status_code == 404


async def test_metrics_count_requests_lookups_pipedrive_and_the_cache(harness: Harness) -> None:
    message = "/addon/message"
    search = {"endpoint": "/api/v2/persons/search", "status": "200"}
    before = {
        "requests": sample("cardin_request_seconds_count", endpoint=message),
        "matches": sample("cardin_lookups_total", outcome="match"),
        "searches": sample("cardin_pipedrive_requests_total", **search),
        "tokens": sample("cardin_pipedrive_tokens_total", **search),
        "hits": sample("cardin_result_cache_total", result="hit"),
    }
    mail = harness.message(sender=f"Élodie <{RICH_EMAIL}>", to=ANN.email)
    await harness.open(ANN, mail)
    await harness.open(ANN, mail)  # from the result cache

    response = await harness.client.get("https://cardin.test/metrics")  # no Google token
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert 'cardin_request_seconds_bucket{endpoint="/addon/message",le="0.1"}' in response.text
    assert "cardin_limiter_waits_total" in response.text
    assert sample("cardin_request_seconds_count", endpoint=message) == before["requests"] + 2
    assert sample("cardin_lookups_total", outcome="match") == before["matches"] + 1
    assert sample("cardin_pipedrive_requests_total", **search) == before["searches"] + 1
    assert sample("cardin_pipedrive_tokens_total", **search) == before["tokens"] + 20
    assert sample("cardin_result_cache_total", result="hit") == before["hits"] + 1


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The service's own log configuration (JSON, DEBUG and up), its handler writing here; the
    logging set-up before it is restored after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    config = dict_config("json", level="DEBUG")
    quiet = {name: logging.getLogger(name).level for name in config["loggers"]}
    stream = io.StringIO()
    config["handlers"]["stderr"]["stream"] = stream
    logging.config.dictConfig(config)
    yield stream
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, before in quiet.items():
        logging.getLogger(name).setLevel(before)


async def test_no_secret_in_any_json_line_of_a_lookup_and_a_write(
    harness: Harness, json_log: io.StringIO
) -> None:
    mail = harness.message(sender=f"Élodie Marchand <{RICH_EMAIL}>", to=ANN.email)
    harness.google.add_message(
        mail, sender=f"Élodie Marchand <{RICH_EMAIL}>", to=ANN.email, subject="Renewal", text=BODY
    )
    harness.google.grant(ANN.sub, [READONLY_SCOPE])
    opened = await harness.open(ANN, mail)
    form = await harness.act(ANN, action(opened, "log_email_form"), message_id=mail)
    await harness.act(
        ANN, action(form, "log_email"), form={"body_input": ["true"]}, message_id=mail
    )
    assert "confidential renewal offer" in harness.sandbox.dataset.companies[0].notes[-1]["content"]
    # a refused Google token is logged too
    await harness.post("/addon/message", ANN, message_id=mail, authorization="Bearer eyJbad.x.y")

    out = json_log.getvalue()
    lines = [json.loads(line) for line in out.splitlines() if line.strip()]  # every line is JSON
    assert lines
    requests = [line for line in lines if line["logger"] == "cardin.request"]
    assert [r["endpoint"] for r in requests] == [
        "/addon/message",
        "/addon/action",
        "/addon/action",
        "/addon/message",
    ]
    assert all(r["request_id"] and r["duration_ms"] >= 0 for r in requests)
    assert [r.get("sub") for r in requests] == [ANN.sub, ANN.sub, ANN.sub, None]
    assert [r["outcome"] for r in requests] == ["ok", "ok", "ok", "unauthorized"]
    lookups = [line for line in lines if line["message"] == "lookup"]
    assert lookups
    assert {line["outcome"] for line in lookups} <= {"match", "partial_match"}
    assert all(line["connector"] and line["sub"] == ANN.sub for line in lookups)
    for secret in (DEMO_TOKEN, "eyJ", "Bearer", "x-api-token", "confidential", "renewal offer"):
        assert secret not in out


def test_the_log_format_follows_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve("json") == "json"
    assert resolve("text") == "text"
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    assert resolve("auto") == "text"
    monkeypatch.setattr("sys.stderr.isatty", lambda: False)
    assert resolve("auto") == "json"
    record = logging.LogRecord("cardin.x", logging.INFO, __file__, 1, "hello %s", ("you",), None)
    record.outcome = "ok"
    assert json.loads(JsonFormatter().format(record))["outcome"] == "ok"
    assert TextFormatter().format(record).endswith("hello you [outcome=ok]")
