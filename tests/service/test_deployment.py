"""`cardin deployment` prints a descriptor Google's own types accept, with the least scopes."""

from __future__ import annotations

import json

from google.cloud import gsuiteaddons_v1
from typer.testing import CliRunner

from cardin.cli import app

runner = CliRunner()


def test_deployment_loads_into_the_official_types() -> None:
    result = runner.invoke(app, ["deployment", "--url", "https://example.org"])
    assert result.exit_code == 0, result.output
    descriptor = json.loads(result.output)
    http_options = descriptor["addOns"]["httpOptions"]
    assert http_options["granularOauthPermissionSupport"] == "OPT_IN"
    # Google's samples send it; the installable protos (google-cloud-gsuiteaddons) predate it
    del http_options["granularOauthPermissionSupport"]
    deployment = gsuiteaddons_v1.Deployment.from_json(json.dumps(descriptor))
    add_ons = deployment.add_ons
    assert add_ons.common.homepage_trigger.run_function == "https://example.org/addon/homepage"
    trigger = add_ons.gmail.contextual_triggers[0]
    assert trigger.on_trigger_function == "https://example.org/addon/message"
    assert set(deployment.oauth_scopes) == {
        "https://www.googleapis.com/auth/gmail.addons.execute",
        "https://www.googleapis.com/auth/gmail.addons.current.message.metadata",
        "https://www.googleapis.com/auth/userinfo.email",
        "https://www.googleapis.com/auth/script.locale",
        # the open message's text, asked for only when a user opts to log it
        "https://www.googleapis.com/auth/gmail.addons.current.message.readonly",
    }
    assert "https://www.googleapis.com/auth/gmail.readonly" not in deployment.oauth_scopes
    assert not any("modify" in s for s in deployment.oauth_scopes)


def test_deployment_refuses_plain_http() -> None:
    result = runner.invoke(app, ["deployment", "--url", "http://example.org"])
    assert result.exit_code == 2
    assert "https" in result.output
