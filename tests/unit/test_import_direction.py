"""The direction of the house, read from the imports themselves (`ast`, nothing is imported).

Inside `service/` the packages stand in layers, each importing only those below it: `core` is the
floor, `shelf_life` stays pure (no SQL, no web framework, nothing of ours but its own modules and
`schemas`), a domain module never imports a controller or a page, and no two modules import each
other, directly or round a longer circle. `schemas/` imports nothing of ours and `labels/` only
`schemas`. A new import against these rules fails here with the file and the edge.

`from package import module` is an import of `package.module`, as `import package.module` is:
neither counts as an import of the package's `__init__` (every import of a module runs it)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# lowest first; a package may import the ones before it (and itself)
LAYERS: tuple[str, ...] = (
    "core",
    "shelf_life",
    "console",
    "accounts",
    "webhooks",
    "mail",
    "batches",
    "network",
    "labels_api",
    "verify",
    "api_docs",
    "cli_help",
    "demo",
    "app",
    "cli",
)

# Imports that run against the layers, each with the reason it stands (at most three).
UPWARD_ALLOWED: dict[tuple[str, str], str] = {
    ("batches.pages", "verify.scans.stats"): "the batch page shows the batch's scans",
    ("batches.pages", "verify.queries"): "the batch page shows the batch's suspect serials",
}

# Imports against the rules above that stay only until the files they sit in are moved too (those
# files are being changed elsewhere at the moment). One line each; a line must go with its import
# (test_every_leftover_is_still_there), and nothing may be added here.
LEFT_FOR_THE_NEXT_MOVES: frozenset[tuple[str, str]] = frozenset()

ENTRY_POINTS = re.compile(r"(^|_)(controller|pages|routes|setup)$")


def _modules() -> Iterator[tuple[str, Path]]:
    for path in sorted((ROOT / "service").rglob("*.py")):
        parts = path.relative_to(ROOT / "service").with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), path


def _is_our_module(name: str) -> bool:
    location = ROOT.joinpath(*name.split("."))
    return location.with_suffix(".py").is_file() or (location / "__init__.py").is_file()


def _imports(path: Path) -> Iterator[str]:
    """Every absolute module name `path` imports, lazily or not (typing-only ones included).
    `from a import b, c` names `a.b` and `a.c`, and `a` itself unless both are modules of ours."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            if not all(_is_our_module(name) for name in names):
                yield node.module
            yield from names


def _service_edges() -> dict[str, set[str]]:
    """module → the modules of `service` it imports (names without the `service.` prefix)."""
    known = {name for name, _ in _modules()}
    edges: dict[str, set[str]] = {}
    for name, path in _modules():
        targets = set()
        for imported in _imports(path):
            if not imported.startswith("service."):
                continue
            target = imported.removeprefix("service.")
            if target in known and target != name:
                targets.add(target)
        edges[name] = targets
    return edges


def _package(module: str) -> str:
    return module.split(".")[0]


def _layer(module: str) -> int:
    return LAYERS.index(_package(module))


def test_every_package_has_a_layer() -> None:
    assert {_package(name) for name, _ in _modules() if name} <= set(LAYERS)


def _upward() -> set[tuple[str, str]]:
    return {
        (source, target)
        for source, targets in _service_edges().items()
        for target in targets
        if _layer(target) > _layer(source)
    }


def test_no_import_runs_against_the_layers() -> None:
    upward = _upward()
    assert upward - set(UPWARD_ALLOWED) - LEFT_FOR_THE_NEXT_MOVES == set(), "against the layers"
    assert len(UPWARD_ALLOWED) <= 3
    assert set(UPWARD_ALLOWED) <= upward, "an allowed exception no longer exists: drop it"


def test_domain_modules_import_no_controller_or_page() -> None:
    wrong = {
        (source, target)
        for source, targets in _service_edges().items()
        if source.count(".") and not ENTRY_POINTS.search(source.rsplit(".", 1)[-1])
        for target in targets
        if ENTRY_POINTS.search(target.rsplit(".", 1)[-1])
    }
    assert wrong == set()


def _shelf_life_impurities() -> set[tuple[str, str]]:
    """(module, what it may not import): a web framework, a database driver, `labels`, or any
    module of ours outside `shelf_life` (`schemas` is not ours here: it is a package of its own)."""
    found = set()
    edges = _service_edges()
    for name, path in _modules():
        if _package(name) != "shelf_life":
            continue
        for imported in _imports(path):
            top = imported.split(".")[0]
            if top in {"litestar", "asyncpg", "labels"}:
                found.add((name, top))
        found |= {(name, target) for target in edges[name] if _package(target) != "shelf_life"}
    return found


def test_shelf_life_is_pure() -> None:
    assert _shelf_life_impurities() - LEFT_FOR_THE_NEXT_MOVES == set()


def test_every_leftover_is_still_there() -> None:
    """A leftover whose import is gone is dropped from LEFT_FOR_THE_NEXT_MOVES, so the set only
    shrinks; an exception allowed for good is not a leftover."""
    gone = LEFT_FOR_THE_NEXT_MOVES - _upward() - _shelf_life_impurities()
    assert gone == set(), "moved already: drop these from LEFT_FOR_THE_NEXT_MOVES"
    assert not LEFT_FOR_THE_NEXT_MOVES & set(UPWARD_ALLOWED)


@pytest.mark.parametrize(("package", "may_import"), [("schemas", set()), ("labels", {"schemas"})])
def test_the_pure_packages_stay_pure(package: str, may_import: set[str]) -> None:
    ours = {"service", "schemas", "labels"} - {package}
    for path in sorted((ROOT / package).rglob("*.py")):
        for imported in _imports(path):
            top = imported.split(".")[0]
            if top in ours:
                assert top in may_import, (str(path.relative_to(ROOT)), imported)
            assert top not in {"litestar", "asyncpg"}, (str(path.relative_to(ROOT)), imported)


def _circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_two_modules_import_each_other() -> None:
    assert _circles(_service_edges()) == []


def test_the_walk_sees_a_forbidden_edge() -> None:
    """The checks above are not vacuous: an edge from `core` up to a domain is seen as one."""
    edges = _service_edges()
    edges["core.errors"] = edges["core.errors"] | {"batches.lifecycle"}
    assert _layer("batches.lifecycle") > _layer("core.errors")
    assert _circles({"a": {"b"}, "b": {"a"}}) == [["a", "b"]]


def test_from_a_package_import_a_module_is_an_import_of_that_module(tmp_path: Path) -> None:
    """A module taken from its package imports the module, not the package's `__init__`; a
    name defined in `__init__` imports the package."""
    source = tmp_path / "example.py"
    source.write_text(
        "from service.shelf_life import parameters as p, steps\n"
        "from service.shelf_life import estimate_shelf_life\n"
        "from litestar import get\n",
        encoding="utf-8",
    )
    assert sorted(_imports(source)) == [
        "litestar",
        "litestar.get",
        "service.shelf_life",
        "service.shelf_life.estimate_shelf_life",
        "service.shelf_life.parameters",
        "service.shelf_life.steps",
    ]
    source.write_text("from service.shelf_life import parameters\n", encoding="utf-8")
    assert list(_imports(source)) == ["service.shelf_life.parameters"]
