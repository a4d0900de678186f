"""The dispatch table: every op has one route, to a handler of its own kind of action."""

from __future__ import annotations

import pytest

from cardin.actions import Delete, Edit, Op
from cardin.addon.dispatch import ROUTES


def test_every_op_has_a_route_for_its_own_action() -> None:
    assert set(ROUTES) == set(Op)
    for op, entry in ROUTES.items():
        assert entry.kind.op is op


async def test_a_route_refuses_another_kind_of_action() -> None:
    with pytest.raises(TypeError, match="Edit is not routed to Delete"):
        await ROUTES[Op.DELETE].run(None, Edit(connector_id="c1"))  # type: ignore[arg-type]
    assert ROUTES[Op.DELETE].kind is Delete
