"""The package layout holds: layers (import-linter), no import cycles, small modules, no private imports."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "textprofile"
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(REPO).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _lint_imports(root: Path) -> subprocess.CompletedProcess:
    exe = shutil.which("lint-imports")
    if exe is None:
        pytest.fail("lint-imports is not installed; pip install -e '.[test]' installs import-linter")
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([exe, "--config", str(REPO / "pyproject.toml"), "--no-cache"], check=False, cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)


def test_architecture_layers_hold():
    run = _lint_imports(REPO)
    assert run.returncode == 0, run.stdout[-3000:]


def test_architecture_wrong_import_fails_the_linter(tmp_path):
    """A store that reaches up into profile logic breaks a contract: the check can fail."""
    shutil.copytree(PACKAGE, tmp_path / "textprofile", ignore=shutil.ignore_patterns("__pycache__"))
    target = tmp_path / "textprofile" / "store" / "build.py"
    target.write_text(target.read_text(encoding="utf-8") + "\nfrom textprofile.profiles import segments  # noqa\n",
                      encoding="utf-8")
    run = _lint_imports(tmp_path)
    assert run.returncode != 0
    assert "textprofile.store.build -> textprofile.profiles.segments" in run.stdout


def _direct_imports(path: Path, module: str) -> set[str]:
    """Every textprofile module ``path`` imports, at any depth of the file (lazy imports count)."""
    is_pkg = path.name == "__init__.py"
    base = module.split(".") if is_pkg else module.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parent = base[: len(base) - (node.level - 1)]
                mod = ".".join(parent + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            found.add(mod)
            found.update(f"{mod}.{a.name}" for a in node.names)
    return {m for m in found if m.startswith("textprofile")}


def test_architecture_no_import_cycle_between_modules():
    modules = _modules()
    graph = {m: sorted(i for i in _direct_imports(p, m) if i in modules and i != m
                       and not m.startswith(i + "."))  # a package's own __init__ is not a cycle
             for m, p in modules.items()}
    # Tarjan's strongly connected components; any component with two or more modules is a cycle
    index, low, stack, on, cycles, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    sys.setrecursionlimit(10_000)
    for v in graph:
        if v not in index:
            visit(v)
    # packages re-export their modules lazily; a module importing its own package's name is fine
    cycles = [c for c in cycles if not all(x == c[0] or x.startswith(c[0] + ".") for x in c)]
    assert cycles == []


def test_architecture_no_module_over_400_lines():
    long = {m: n for m, p in _modules().items()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_architecture_no_private_name_imported_from_another_package():
    bad = []
    for module, path in _modules().items():
        own = module.split(".")[1] if "." in module else ""
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").startswith("textprofile."):
                theirs = node.module.split(".")[1]
                for a in node.names:
                    if theirs != own and a.name.startswith("_") and not a.name.startswith("__"):
                        bad.append(f"{module} imports {node.module}.{a.name}")
    assert bad == []
