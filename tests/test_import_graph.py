"""The repository's own import graph (ast, every .py file of the packages): flows/ is imported by nobody
outside flows/, no two modules import each other (no cycle of any length), and no arrow points up the
layers extractors → classifiers → rules → output → flows."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("extractors", "classifiers", "rules", "output", "flows")


def modules(root: Path) -> dict[str, Path]:
    found = {}
    for package in LAYERS:
        for path in (root / package).rglob("*.py"):
            rel = path.relative_to(root).with_suffix("")
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            found[".".join(parts)] = path
    return found


def targets(name: str, path: Path, node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    assert isinstance(node, ast.ImportFrom)
    if node.level:
        base = name.split(".")
        keep = len(base) - node.level + (1 if path.name == "__init__.py" else 0)
        prefix = ".".join(base[:keep] + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    return [prefix] + [f"{prefix}.{alias.name}" for alias in node.names]


def import_graph(root: Path) -> dict[str, set[str]]:
    """module → the repository's modules it imports (anywhere in the file, also inside functions)."""
    mods = modules(root)
    edges: dict[str, set[str]] = {name: set() for name in mods}
    for name, path in mods.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in targets(name, path, node):
                    while target and target not in mods:
                        target = target.rpartition(".")[0]
                    if target and target != name:
                        edges[name].add(target)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in edges:
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def layer(module: str) -> int:
    return LAYERS.index(module.split(".")[0])


def violations(edges: dict[str, set[str]]) -> dict[str, list[str]]:
    arrows = [(a, b) for a, bs in sorted(edges.items()) for b in sorted(bs)]
    return {
        "imports of flows/ from outside": [f"{a} -> {b}" for a, b in arrows
                                           if b.split(".")[0] == "flows" and a.split(".")[0] != "flows"],
        "upward arrows": [f"{a} -> {b}" for a, b in arrows if layer(b) > layer(a)],
        "cycles": [" <-> ".join(c) for c in cycles(edges)],
    }


def test_the_repository_has_no_upward_arrow_no_flows_import_and_no_cycle() -> None:
    edges = import_graph(ROOT)
    assert len(edges) > 100 and sum(map(len, edges.values())) > 200  # the whole repository was read
    assert violations(edges) == {"imports of flows/ from outside": [], "upward arrows": [], "cycles": []}


def write(root: Path, files: dict[str, str]) -> Path:
    for package in LAYERS:
        (root / package).mkdir(parents=True, exist_ok=True)
        (root / package / "__init__.py").write_text("", encoding="utf-8")
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize(("files", "kind", "expected"), [
    ({"output/a.py": "def f():\n    from flows.cli import run\n", "flows/cli.py": "run = 1\n"}, "imports of flows/ from outside",
     ["output.a -> flows.cli"]),
    ({"extractors/a.py": "from rules import x\n"}, "upward arrows", ["extractors.a -> rules"]),
    ({"output/a.py": "from output.b import g\n", "output/b.py": "def g():\n    from .a import f\n"}, "cycles",
     ["output.a <-> output.b"]),
    ({"output/p/__init__.py": "from output.p.q import x\n", "output/p/q.py": "from output.p import y\n"}, "cycles",
     ["output.p <-> output.p.q"]),
])
def test_each_kind_of_violation_is_found(tmp_path: Path, files: dict, kind: str, expected: list) -> None:
    assert violations(import_graph(write(tmp_path, files)))[kind] == expected


def test_a_clean_layered_tree_passes(tmp_path: Path) -> None:
    root = write(tmp_path, {"rules/a.py": "from classifiers import b\nfrom extractors import c\n",
                            "flows/cli.py": "from output import d\nfrom flows import e\n"})
    assert violations(import_graph(root)) == {"imports of flows/ from outside": [], "upward arrows": [], "cycles": []}
