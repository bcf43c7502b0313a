"""The layers in `looop.LAYERS` hold: no module imports from a layer above its own, lazy imports included,
and no two modules import each other round a circle."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import looop

PACKAGE = Path(looop.__file__).parent


def modules(root: Path = PACKAGE) -> dict[str, Path]:
    """Every module of the package by dotted name (`looop.core.paths`), packages as `looop.fleet`."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = ("looop", *path.relative_to(root).with_suffix("").parts)
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """(imported looop module, line) for every import in the file, at any depth of the code."""
    here = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = here.split(".")[: len(here.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target.startswith("looop") and target != name:
                yield target, node.lineno


def layer_of(name: str) -> int:
    part = name.split(".")[1] if "." in name else "core"  # `looop` itself (the version, LAYERS) is the floor
    for rank, parts in enumerate(looop.LAYERS):
        if part in parts:
            return rank
    raise AssertionError(f"{name}: its part {part!r} is in no layer of looop.LAYERS")


def upward(root: Path = PACKAGE) -> list[str]:
    known = modules(root)
    wrong = []
    for name, path in known.items():
        for target, line in imports(name, path, known):
            if layer_of(target) > layer_of(name):
                wrong.append(f"{path.relative_to(root.parent)}:{line}: {name} imports {target}, a higher layer")
    return wrong


def circles(root: Path = PACKAGE) -> list[list[str]]:
    """Strongly connected groups of two or more modules (Tarjan)."""
    known = modules(root)
    graph = {n: sorted({t for t, _ in imports(n, p, known)}) for n, p in known.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_every_top_level_part_is_in_a_layer():
    parts = {p.stem for p in PACKAGE.iterdir() if (p.suffix == ".py" and p.stem != "__init__")
             or (p.is_dir() and (p / "__init__.py").exists())}
    placed = {part for layer in looop.LAYERS for part in layer}
    assert parts <= placed, f"not in looop.LAYERS: {sorted(parts - placed)}"


def test_no_module_imports_a_higher_layer():
    assert upward() == []


def test_no_import_circles():
    assert circles() == []


def _copy(tmp_path: Path) -> Path:
    import shutil

    root = tmp_path / "looop"
    shutil.copytree(PACKAGE, root, ignore=shutil.ignore_patterns("__pycache__", "*.json", "*.md", "*.html",
                                                                  "*.js", "*.css", "*.png", "*.sh"))
    return root


def test_a_planted_upward_import_is_caught(tmp_path):
    root = _copy(tmp_path)
    paths = root / "core" / "paths.py"
    paths.write_text(paths.read_text() + "\n\ndef _planted():\n    from looop.beat import pulse  # noqa: F401\n")
    assert upward(root) == [f"looop/core/paths.py:{len(paths.read_text().splitlines())}: "
                            "looop.core.paths imports looop.beat.pulse, a higher layer"]


def test_a_planted_circle_is_caught(tmp_path):
    root = _copy(tmp_path)
    for a, b in (("ids", "stamps"), ("stamps", "ids")):
        f = root / "core" / f"{a}.py"
        f.write_text(f.read_text() + f"\n\ndef _planted_{a}():\n    from looop.core import {b}  # noqa: F401\n")
    assert ["looop.core.ids", "looop.core.stamps"] in circles(root)
