"""PySide6 6.12 on CPython 3.11 lowers None's reference count on every C++ call that returns
void; the GUI package pins None's count when it is imported (clinic_app/ui/none_refcount.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

SCRIPT = """
import sys
from PySide6.QtWidgets import QApplication, QLabel
calls = sys.getrefcount(None) + 1000  # more void calls than None has references
{guard}
app = QApplication(["x", "-platform", "offscreen"])
label = QLabel()
for _ in range(calls):
    label.setText("x")
print("alive")
"""


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from 3.12 on")
@pytest.mark.parametrize(
    ("guard", "survives"),
    [("", False), ("import clinic_app.ui", True)],
    ids=["bare-pyside", "clinic-ui-imported"],
)
def test_void_calls_wear_none_down_unless_the_gui_package_pinned_it(
    guard: str, survives: bool
) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(guard=guard)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if survives:
        assert result.returncode == 0, result.stderr[-500:]
        assert result.stdout.strip() == "alive"
    else:
        # If this starts passing, PySide6 fixed its None handling and the pin can go.
        assert "none_dealloc" in result.stderr
