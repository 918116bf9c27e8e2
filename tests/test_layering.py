"""The dependency rule, checked with `ast` (nothing here imports the modules it reads):
pages never import torch, only the dlviz.ui package imports streamlit, figures import neither,
and every dlviz module opens with a docstring.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DLVIZ = REPO / "dlviz"
UI = DLVIZ / "ui"


def imported_names(source: str, package: str = "") -> Iterator[tuple[int, str]]:
    """(line, dotted module name) for every import in `source`, at any depth.

    Relative imports are resolved against `package` ("dlviz.figures" for a file in
    dlviz/figures/); `from a import b` yields both "a" and "a.b". Constant-string
    `__import__(...)` / `importlib.import_module(...)` calls count as imports too.
    """
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".") if package else []
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            yield node.lineno, base
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            arg = node.args[0]
            is_import = name in ("__import__", "import_module")
            if is_import and isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                yield node.lineno, arg.value


def is_under(module: str, root: str) -> bool:
    return module == root or module.startswith(root + ".")


def violations(source: str, forbidden: tuple[str, ...], package: str = "") -> list[str]:
    """Imports of any module in `forbidden` (or a submodule of one), as "line N: name"."""
    found = {
        (line, name)
        for line, name in imported_names(source, package)
        if any(is_under(name, root) for root in forbidden)
    }
    return [f"line {line}: {name}" for line, name in sorted(found)]


def package_of(path: Path) -> str:
    return ".".join(path.relative_to(REPO).parent.parts)


def check(paths: list[Path], forbidden: tuple[str, ...]) -> list[str]:
    problems = []
    for path in paths:
        source = path.read_text(encoding="utf-8")
        for v in violations(source, forbidden, package_of(path)):
            problems.append(f"{path.relative_to(REPO)} {v}")
    return problems


def dlviz_modules() -> list[Path]:
    return sorted(p for p in DLVIZ.rglob("*.py") if "__pycache__" not in p.parts)


# --- the checker can fail -------------------------------------------------------------


def test_checker_reports_forbidden_imports():
    src = "import os\nimport torch.nn as nn\nfrom torch import optim\nimport torchvision\n"
    assert violations(src, ("torch",)) == [
        "line 2: torch.nn",
        "line 3: torch",
        "line 3: torch.optim",
    ]
    assert violations("def f():\n    import streamlit as st\n", ("streamlit",)) == [
        "line 2: streamlit"
    ]
    assert violations("m = __import__('torch')\n", ("torch",)) == ["line 1: torch"]
    assert violations("import numpy as np\nimport torchvision\n", ("torch",)) == []


def test_checker_resolves_relative_imports():
    assert violations("from ..ui import get_session\n", ("dlviz.ui",), "dlviz.figures") == [
        "line 1: dlviz.ui",
        "line 1: dlviz.ui.get_session",
    ]
    assert violations("from . import ui\n", ("dlviz.ui",), "dlviz") == ["line 1: dlviz.ui"]
    assert violations("from . import style\n", ("dlviz.ui",), "dlviz.figures") == []


# --- the rules ------------------------------------------------------------------------


def test_app_and_pages_never_import_torch():
    pages = sorted((REPO / "pages").glob("*.py"))
    assert (REPO / "app.py").exists() and pages, "app.py and pages/*.py must exist"
    assert check([REPO / "app.py", *pages], ("torch",)) == []


def test_only_ui_imports_streamlit():
    others = [p for p in dlviz_modules() if UI not in p.parents]
    assert others, "no dlviz modules found"
    # dlviz.ui imports streamlit, so importing it from the engine would import streamlit too.
    assert check(others, ("streamlit", "dlviz.ui")) == []


def test_figures_import_neither_torch_nor_streamlit():
    figures = [p for p in dlviz_modules() if "figures" in p.relative_to(DLVIZ).parts]
    assert figures, "dlviz/figures/ has no modules"
    assert check(figures, ("torch", "streamlit", "dlviz.ui")) == []


def test_every_dlviz_module_has_a_docstring():
    missing = [
        str(p.relative_to(REPO))
        for p in dlviz_modules()
        if not (ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) or "").strip()
    ]
    assert missing == []


# --- pages only wire -------------------------------------------------------------------

PAGE_SCRIPTS = sorted((REPO / "pages").glob("*.py"))


def test_pages_reach_no_session_and_hold_no_prose_escapes():
    """A page hands the live panel a config and a draw function of the snapshot; it never
    reaches into session state or a session, and needs no formatter escapes."""
    for path in [REPO / "app.py", *PAGE_SCRIPTS]:
        text = path.read_text(encoding="utf-8")
        for word in ("session_state", "live_session", "session_lock", "fmt: skip"):
            assert word not in text, f"{path.name} uses {word!r}"


def test_pages_are_short_and_open_and_close_through_the_page_frame():
    for path in PAGE_SCRIPTS:
        lines = path.read_text(encoding="utf-8").splitlines()
        assert len(lines) <= 160, f"{path.name} has {len(lines)} lines; pages only wire"
        assert any("ui.Page(" in line for line in lines[:40]), f"{path.name} skips ui.Page"
        assert lines[-1] == "page.end()", f"{path.name} must end with page.end()"


def test_learners_never_see_tracebacks():
    config = (REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert 'showErrorDetails = "none"' in config
