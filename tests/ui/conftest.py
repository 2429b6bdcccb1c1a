"""GUI tests run when PySide6 is installed (always in CI); a headless run skips this folder
and still runs every core test.

Offscreen Qt gets a 1366×768 screen (the smallest laptop screen the app must suit) instead of
its default 800×600, so window sizes and screenshots are those of a real workstation.
"""

import os
from importlib.util import find_spec
from pathlib import Path

if os.environ.get("QT_QPA_PLATFORM") == "offscreen":
    _SCREEN = Path(__file__).with_name("offscreen_screen.json")
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={_SCREEN}"

if find_spec("PySide6") is None:
    collect_ignore_glob = ["test_*.py"]
else:
    from tests.ui.fixtures import (  # noqa: F401 - fixtures are found by name
        app_factory,
        fake_clock,
        initialised_settings,
        open_workspace,
        styled_app,
        task_runner,
    )
