"""installer/smoke_bundle.py's GUI and configuration steps, run against the source tree's
entry points (the frozen bundle runs them in build-smoke): the GUI is stopped only once its
first-run setup is open, not after a fixed wait."""

from __future__ import annotations

import importlib.util
import os
import stat
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def smoke() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "clinic_smoke", REPO / "installer" / "smoke_bundle.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def executable(path: Path, module: str) -> Path:
    """A stand-in for a bundle's executable: this Python running the source entry point."""
    path.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m {module} "$@"\n', encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    environment = dict(os.environ, CLINIC_CONFIG="")
    environment.pop("QT_QPA_PLATFORM", None)
    environment.pop("CLINIC_DATA_DIR", None)
    return environment


def test_the_gui_step_waits_for_the_first_run_setup_then_stops_it_cleanly(
    smoke: ModuleType, tmp_path: Path, env: dict[str, str]
) -> None:
    app = executable(tmp_path / "clinic-app", "clinic_app")
    figures = smoke.gui_first_window(app, tmp_path / "fresh-data", env)
    assert 0 < figures["first_window_seconds"] <= figures["settled_seconds"]


def test_the_gui_step_fails_when_the_app_never_gets_there(
    smoke: ModuleType, tmp_path: Path, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A program that logs nothing: the step reports it (after its time-out), it doesn't hang.
    silent = tmp_path / "silent-app"
    silent.write_text("#!/bin/sh\nexec sleep 60\n", encoding="utf-8")
    silent.chmod(silent.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(smoke, "GUI_TIMEOUT", 1.0)
    with pytest.raises(smoke.SmokeError, match="showed no window"):
        smoke.gui_first_window(silent, tmp_path / "data", env)


def test_the_broken_configuration_step_expects_one_line_and_exit_78(
    smoke: ModuleType, tmp_path: Path, env: dict[str, str]
) -> None:
    clinic = executable(tmp_path / "clinic", "clinic_app.cli")
    env["CLINIC_DATA_DIR"] = str(tmp_path / "data")
    smoke.broken_config_refused(clinic, tmp_path, env)
    # A CLI that accepted the broken file would fail the step.
    accepting = tmp_path / "accepting"
    accepting.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    accepting.chmod(accepting.stat().st_mode | stat.S_IXUSR)
    with pytest.raises(smoke.SmokeError, match="exit 0"):
        smoke.broken_config_refused(accepting, tmp_path, env)
