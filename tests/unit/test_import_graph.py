"""The package's import graph has no cycles, and warehouse/ imports no stage package.

Built from the source with `ast`, counting module-level AND function-level imports: a
function-level import hides a cycle from Python's import machinery but not from a reader,
so it counts. Imports under `if TYPE_CHECKING:` are left out (they never run).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = "buyer_messaging"
ROOT = Path(__file__).resolve().parents[2] / "plugins" / PACKAGE

# Packages and modules warehouse/ may import: it keeps connections and migrations, and
# must not know about any stage.
WAREHOUSE_MAY_IMPORT = ("warehouse", "masking", "redact")
# lint/ belongs to another change in flight (issue #22): its facts <-> text cycle (text's
# function-level import of facts) is left to it. Any other cycle fails.
KNOWN_CYCLES: list[list[str]] = []


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported_names(tree: ast.AST, this: str, is_package: bool) -> set[str]:
    """Every `buyer_messaging.*` name imported anywhere in the tree but a TYPE_CHECKING block."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = this.split(".") if is_package else this.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            # `from pkg import sub` imports the submodule when there is one
            found.update(f"{module}.{a.name}" for a in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {n for n in found if n == PACKAGE or n.startswith(PACKAGE + ".")}


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        targets = _imported_names(tree, name, path.name == "__init__.py")
        # the most specific module each import names (a `from m import function` is m)
        graph[name] = {t for t in targets if t in modules and t != name}
        # `from pkg import name` where name is not a submodule stays an edge to pkg
        graph[name] -= {t for t in graph[name] if any(u.startswith(t + ".") for u in graph[name])}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return found


def test_the_graph_sees_function_level_imports() -> None:
    tree = ast.parse("def f():\n    from buyer_messaging.b import x\n")
    assert _imported_names(tree, "buyer_messaging.a", False) == {
        "buyer_messaging.b",
        "buyer_messaging.b.x",
    }


def test_the_graph_skips_type_checking_imports() -> None:
    tree = ast.parse(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from buyer_messaging.b import x\n"
    )
    assert _imported_names(tree, "buyer_messaging.a", False) == set()


def test_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle_between_modules() -> None:
    found = [c for c in cycles(import_graph()) if c not in KNOWN_CYCLES]
    assert found == [], "import cycles: " + "; ".join(" <-> ".join(c) for c in found)


@pytest.mark.parametrize(
    "module", sorted(m for m in _modules() if m.startswith(f"{PACKAGE}.warehouse"))
)
def test_warehouse_imports_no_stage_package(module: str) -> None:
    allowed = tuple(f"{PACKAGE}.{p}" for p in WAREHOUSE_MAY_IMPORT)
    outside = sorted(
        t
        for t in import_graph()[module]
        if not any(t == a or t.startswith(a + ".") for a in allowed)
    )
    assert outside == [], f"{module} imports {outside}"
