"""No import cycles between Cardin's modules: every import counts, also a type-only one."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import cardin

SOURCE = Path(cardin.__file__).parent.parent
# The sandbox's own, type-only (`if TYPE_CHECKING`) cycle, older than this test; layering the
# sandbox is separate work. No other cycle may appear.
KNOWN = {frozenset({"cardin.sandbox.app", "cardin.sandbox.control", "cardin.sandbox.gateway"})}


def modules() -> dict[str, Path]:
    """Every module of the cardin package by dotted name (a package by its own name)."""
    found = {}
    for path in (SOURCE / "cardin").rglob("*.py"):
        parts = path.relative_to(SOURCE).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imported(path: Path, known: set[str]) -> Iterator[str]:
    """The cardin modules a source file imports (`from a import b`: a.b when it is a module)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                if name in known:
                    yield name
                elif node.module in known:
                    yield node.module


def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: set(imported(path, set(found))) for name, path in found.items()}


def cycles(edges: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected groups of more than one module (or a module importing itself)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[frozenset[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in edges[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = {stack.pop()}
            while node not in group:
                group.add(stack.pop())
            if len(group) > 1 or node in edges[node]:
                found.append(frozenset(group))

    for node in edges:
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}}
    assert sorted(map(sorted, cycles(edges))) == [["a", "b", "c"], ["e"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_graph_sees_the_add_on_and_its_imports() -> None:
    edges = graph()
    assert "cardin.addon.dispatch" in edges["cardin.addon.app"]
    assert "cardin.actions" in edges["cardin.addon.events"]


def test_no_module_of_cardin_is_part_of_an_import_cycle() -> None:
    assert set(cycles(graph())) <= KNOWN
