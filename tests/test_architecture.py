"""The design's import rules, checked by machine: Qt only in the UI, layers pointing one way."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import clinic_app

REPO = Path(__file__).resolve().parents[1]
# Entry points and the Alembic environment (which refuses to run outside a migration) are not
# library modules; everything else under clinic_app except the Qt UI is the headless core.
_NOT_CORE = ("clinic_app.ui", "clinic_app.storage.migrations.env")


def _core_modules() -> list[str]:
    names = [
        info.name
        for info in pkgutil.walk_packages(clinic_app.__path__, prefix="clinic_app.")
        if not info.name.startswith(_NOT_CORE) and not info.name.endswith(".__main__")
    ]
    return sorted(names)


def test_import_linter_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports)], cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_contracts_cover_every_core_package() -> None:
    # A new top-level package must be placed in the contracts, not silently left out of them.
    config = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    top_level = {name.split(".")[1] for name in _core_modules()} | {"ui"}
    for package in sorted(top_level):
        assert f'"clinic_app.{package}' in config or f"| clinic_app.{package}" in config, package


def test_every_core_module_imports_without_qt() -> None:
    modules = _core_modules()
    assert "clinic_app.storage.store" in modules  # the walk found the core at all
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "qt = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'shiboken6', 'qtawesome', 'qtpy'))\n"
        "print('QT:' + ','.join(qt))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "QT:", result.stdout
