"""Qt stays at the edge: nothing below ui/ imports PySide6, and domain/ imports no layer."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "composer"
CORE = [p for p in PKG.rglob("*.py") if "ui" not in p.relative_to(PKG).parts[:1]]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_core_modules_never_import_qt() -> None:
    assert len(CORE) > 20
    offenders = {str(p.relative_to(ROOT)): sorted(n for n in _imports(p) if n.startswith(
        ("PySide6", "shiboken6"))) for p in CORE}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_only_ui_imports_qtwidgets() -> None:
    for path in PKG.rglob("*.py"):
        if path.relative_to(PKG).parts[0] == "ui":
            continue
        assert not any("QtWidgets" in n for n in _imports(path)), path


def test_domain_imports_no_other_layer() -> None:
    for path in (PKG / "domain").rglob("*.py"):
        bad = [n for n in _imports(path) if n.startswith(
            ("composer.store", "composer.sync", "composer.ui", "composer.app"))]
        assert bad == [], path


def test_core_runs_without_loading_qt() -> None:
    code = (
        "import sys\n"
        "import composer.cli, composer.cli.dispatch, "
        "composer.store.recovery, composer.sync.engine, composer.sync.service, "
        "composer.domain.eml\n"
        "from composer.sync.adapters import KINDS, adapter_class\n"
        "[adapter_class(k) for k in KINDS]\n"
        "print(sorted(m for m in sys.modules if m.startswith('PySide6')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


def _cycles() -> list[list[str]]:
    """Groups of composer modules that import each other, directly or round a loop
    (every import counts: module level, function-local, TYPE_CHECKING)."""
    import grimp

    sys.path.insert(0, str(ROOT))
    try:
        graph = grimp.build_graph("composer", cache_dir=None)
    finally:
        sys.path.remove(str(ROOT))
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:  # Tarjan's strongly connected components
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in graph.find_modules_directly_imported_by(module):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group: list[str] = []
            while True:
                top = stack.pop()
                group.append(top)
                if top == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycle_anywhere() -> None:
    assert _cycles() == []
