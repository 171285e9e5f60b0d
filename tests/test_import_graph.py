"""The package's modules import each other one way (issue 16): no circle, counting the
imports inside functions too (server.py registers the features lazily; a feature that
imported the server back made one)."""

from __future__ import annotations

import ast
from pathlib import Path

import pep725_ls

PACKAGE = Path(pep725_ls.__file__).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom):
                base = package
                for _ in range(max(node.level - 1, 0)):
                    base = base.rsplit(".", 1)[0]
                base = f"{base}.{node.module}" if node.level and node.module else (base if node.level else node.module or "")
                # "from . import nix_shell" depends on the submodule, not on the package's own code
                subs = [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in modules]
                targets = subs if len(subs) == len(node.names) else [base] + subs
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found, state = [], {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = "active"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "active":
                found.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def test_the_graph_is_read():
    graph = import_graph()
    assert "pep725_ls.features.diagnostics" in graph["pep725_ls.features"] or graph["pep725_ls.features"]
    assert "pep725_ls.project_files" in graph["pep725_ls.features.virtualenv"]


def test_no_import_circles():
    # a package importing its own submodules (checks/__init__ -> checks.names -> checks.finding)
    # is not a circle unless a submodule imports the package back
    assert cycles(import_graph()) == []
