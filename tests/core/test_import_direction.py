"""Imports run one way: core <- segmentation, leads <- campaigns <- operations (README, Architecture).

Every module is read with `ast`, not imported, so an import inside a function counts as much as one at the top,
and so do the string lookups that import by name (importlib.import_module, import_string, apps.get_model).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("segmentation", "leads", "campaigns", "operations")
# What each floor may import of the others (core is imported by all and imports none of them).
ALLOWED = {
    "core": set(),
    "segmentation": set(),
    "leads": set(),
    "campaigns": {"segmentation"},
    "operations": {"segmentation", "leads", "campaigns"},
}
STRING_IMPORTERS = {"import_module", "import_string", "__import__"}


def _package_of_string(call: ast.Call) -> str | None:
    """The package a call imports or looks up by name, when it is given as a literal."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    args = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    if not args:
        return None
    if name in STRING_IMPORTERS:
        return args[0].split(".")[0]
    if name == "get_model":  # apps.get_model("leads", "Lead") or apps.get_model("leads.Lead")
        return args[0].split(".")[0]
    return None


def imported_packages(path: Path) -> set[tuple[str, int]]:
    """(top-level package, line) of every import in the module, wherever it stands."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {(alias.name.split(".")[0], node.lineno) for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add((node.module.split(".")[0], node.lineno))
        elif isinstance(node, ast.Call):
            package = _package_of_string(node)
            if package:
                found.add((package, node.lineno))
    return found


def upward_imports(floor: str) -> list[str]:
    """Every import in the floor's modules of a floor it may not import, as "path:line imports package"."""
    forbidden = set(APPS) - ALLOWED[floor] - {floor}
    if floor == "core":
        forbidden.add("config")  # config (settings, Celery app, URLs) stands on core, not the other way
    problems = []
    for path in sorted((ROOT / floor).rglob("*.py")):
        for package, line in sorted(imported_packages(path)):
            if package in forbidden:
                problems.append(f"{path.relative_to(ROOT)}:{line} imports {package}")
    return problems


def test_the_walk_sees_imports_inside_functions_and_by_name(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        "import os\n"
        "def f():\n"
        "    from leads.services import x\n"
        "    import campaigns.models\n"
        "    importlib.import_module('operations.nightly')\n"
        "    apps.get_model('segmentation', 'Customer')\n"
    )
    assert {package for package, _ in imported_packages(module)} == {
        "os", "leads", "campaigns", "operations", "segmentation"}


def test_core_imports_no_app():
    assert upward_imports("core") == []


@pytest.mark.parametrize("app", APPS)
def test_an_app_imports_only_the_floors_below_it(app):
    assert upward_imports(app) == []

