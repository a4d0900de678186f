"""The client's and the sandbox's token-cost tables say what Pipedrive's OpenAPI files say.

The two tables are separate on purpose (the sandbox imports nothing of the client), so each is
checked against the `x-token-cost` of its operations in `../shared/pipedrive/openapi-v*.yaml`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cardin.pipedrive.costs import TOKEN_COSTS as CLIENT_COSTS
from cardin.sandbox.routes import TOKEN_COSTS as SANDBOX_COSTS

# CI clones the repository with shared/ beside it, so resolve from the repository root
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "pipedrive"
SPECS = (("openapi-v1.yaml", "/v1"), ("openapi-v2.yaml", "/api/v2"))
METHODS = ("get", "put", "post", "patch", "delete")
TABLES = {"client": CLIENT_COSTS, "sandbox": SANDBOX_COSTS}


@pytest.fixture(scope="module")
def published() -> dict[tuple[str, str], int]:
    """(METHOD, full path template) -> `x-token-cost` of every operation of both specs."""
    costs: dict[tuple[str, str], int] = {}
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for name, prefix in SPECS:
        with (SHARED / name).open(encoding="utf-8") as handle:
            spec = yaml.load(handle, Loader=loader)  # noqa: S506 - safe loaders only
        for path, item in spec["paths"].items():
            for method, operation in item.items():
                if method in METHODS and "x-token-cost" in operation:
                    costs[method.upper(), prefix + path] = int(operation["x-token-cost"])
    return costs


@pytest.mark.parametrize("table", ["client", "sandbox"])
def test_each_cost_is_the_published_x_token_cost(
    published: dict[tuple[str, str], int], table: str
) -> None:
    costs = TABLES[table]
    differing = {
        operation: (cost, published.get(operation))
        for operation, cost in costs.items()
        if published.get(operation) != cost
    }
    assert differing == {}, f"{table} table (ours, published): {differing}"
    assert len(costs) >= 21


def test_the_published_table_was_read(published: dict[tuple[str, str], int]) -> None:
    assert published["GET", "/api/v2/persons/search"] == 20
    assert published["GET", "/v1/notes"] == 20
    assert len(published) > 300
