"""The layers of docs/design.md §6, read from the source: nothing imports upward, no circles.

The import graph is taken from the syntax tree of every module, imports inside functions
included (a circle hidden in a function is still a circle); imports under ``if TYPE_CHECKING:``
are left out, as they never run. ``from pkg import name`` counts as an
import of ``pkg.name`` when that is a module.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

from tests.conftest import ROOT

PACKAGES = ("graphsvc", "queries", "importers", "visualisations")

# lowest first; a module may import from its own layer or any layer below it
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("model", ("graphsvc.config", "graphsvc.errors", "graphsvc.model", "graphsvc.node_props",
               "graphsvc.rel_props", "graphsvc.vocab", "graphsvc.provenance", "graphsvc.text",
               "graphsvc.clock", "graphsvc.capacity", "graphsvc.dump_format")),
    ("store", ("graphsvc.store",)),
    ("snapshot and actions", ("graphsvc.snapshot", "graphsvc.snapshot_build", "graphsvc.snapshot_carry", "graphsvc.snapshot_relprops",
                              "graphsvc.snapshot_csr", "graphsvc.snapshot_nodes",
                              "graphsvc.snapshot_ties", "graphsvc.snapshot_cache", "graphsvc.snapshot_props",
                              "graphsvc.snapshot_apply", "graphsvc.snapshot_strings",
                              "graphsvc.snapshot_tiemap", "graphsvc.actions", "graphsvc.access",
                              "graphsvc.demo", "graphsvc.generate")),
    ("questions, importers, pictures", ("queries", "importers", "visualisations")),
    ("web, cli, notebook", ("graphsvc.web", "graphsvc.cli", "graphsvc.notebook", "graphsvc")),
]

# within the questions layer: pictures draw answers to questions; nothing else crosses
SIDEWAYS_ALLOWED = {("visualisations", "queries")}

MAX_MODULE_LINES = 400


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _type_checking_lines(tree: ast.Module) -> set[int]:
    guarded: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            guarded |= {n.lineno for n in ast.walk(node) if isinstance(n, ast.stmt)}
    return guarded


def _imports(name: str, path: Path) -> Iterator[tuple[str, int]]:
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    guarded = _type_checking_lines(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and node.lineno in guarded:
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[:len(base) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            submodules = [f"{module}.{a.name}" for a in node.names if f"{module}.{a.name}" in MODULES]
            yield from ((sub, node.lineno) for sub in submodules)
            if len(submodules) < len(node.names):
                yield module, node.lineno


def _graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    for name, path in MODULES.items():
        graph.add_node(name)
        for target, line in _imports(name, path):
            if target in MODULES and target != name:
                graph.add_edge(name, target, line=line)
    return graph


GRAPH = _graph()


def layer_of(module: str) -> int:
    """The layer a module belongs to: the longest matching prefix wins.

    >>> layer_of("graphsvc.store.sqlite"), layer_of("queries.matching"), layer_of("graphsvc")
    (1, 3, 4)
    """
    best, best_len = -1, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = index, len(prefix)
    if best < 0:
        raise LookupError(f"{module} is in no layer; add it to LAYERS in tests/test_layers.py")
    return best


def test_every_module_has_a_layer() -> None:
    assert len(MODULES) > 150
    for module in MODULES:
        layer_of(module)


def test_nothing_imports_upward() -> None:
    upward = []
    for source, target, data in GRAPH.edges(data=True):
        a, b = layer_of(source), layer_of(target)
        if b > a:
            upward.append(f"{MODULES[source].relative_to(ROOT)}:{data['line']}: {source} "
                          f"({LAYERS[a][0]}) imports {target} ({LAYERS[b][0]})")
    assert upward == []


def test_questions_importers_and_pictures_stay_apart() -> None:
    sideways = []
    for source, target, data in GRAPH.edges(data=True):
        top_s, top_t = source.split(".")[0], target.split(".")[0]
        if layer_of(source) == layer_of(target) == 3 and top_s != top_t \
                and (top_s, top_t) not in SIDEWAYS_ALLOWED:
            sideways.append(f"{MODULES[source].relative_to(ROOT)}:{data['line']}: {source} "
                            f"imports {target}")
    assert sideways == []


def test_questions_read_the_snapshot_not_the_store() -> None:
    reaching = [f"{MODULES[s].relative_to(ROOT)}:{d['line']}: {s} imports {t}"
                for s, t, d in GRAPH.edges(data=True)
                if s.startswith("queries") and t.startswith(("graphsvc.store", "graphsvc.actions"))]
    assert reaching == []


def test_no_import_circles() -> None:
    circles = [sorted(c) for c in nx.strongly_connected_components(GRAPH) if len(c) > 1]
    assert circles == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_readable(module: str) -> None:
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_MODULE_LINES or module in OVER_LIMIT, \
        f"{MODULES[module].relative_to(ROOT)} has {lines} lines (at most {MAX_MODULE_LINES})"


# modules above the limit today, each to be split when next changed; the list may only shrink
OVER_LIMIT: set[str] = set()


def test_the_over_limit_list_only_holds_long_modules() -> None:
    short = [m for m in OVER_LIMIT
             if MODULES[m].read_text(encoding="utf-8").count("\n") <= MAX_MODULE_LINES]
    assert short == []


MAX_FUNCTION_LINES = 60


def _code_lines(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of a function from its first statement after the docstring to its end."""
    body = function.body
    first = body[0]
    has_doc = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
        and isinstance(first.value.value, str)
    start = body[1].lineno if has_doc and len(body) > 1 else first.lineno
    return (function.end_lineno or start) - start + 1


def test_functions_stay_short() -> None:
    long = []
    for path in MODULES.values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) \
                    and _code_lines(node) > MAX_FUNCTION_LINES:
                long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: "
                            f"{_code_lines(node)} lines")
    assert long == []
