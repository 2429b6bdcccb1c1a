"""PySide6 6.12 on CPython 3.11 lowers None's reference count on every C++ call that returns
void (pyproject keeps PySide6 below 6.12; tests/ui/test_qt_binding.py checks the binding). As a
second guard the GUI package pins None's count when imported (clinic_app/ui/none_refcount.py):
whatever binding is installed, a GUI process outlives any number of such calls."""

from __future__ import annotations

import subprocess
import sys

import pytest

SCRIPT = """
import sys
from PySide6.QtWidgets import QApplication, QLabel
calls = 2 * sys.getrefcount(None) + 100_000  # more void calls than None has references
import clinic_app.ui
app = QApplication(["x", "-platform", "offscreen"])
label = QLabel()
for _ in range(calls):
    label.setText("x")
print("alive")
"""


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from 3.12 on")
def test_a_gui_process_outlives_more_void_qt_calls_than_none_has_references() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() == "alive"
