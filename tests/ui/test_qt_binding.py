"""The Qt binding itself must not corrupt the interpreter over a long session.

PySide6 6.12.0 dropped a reference to None on every call of a Qt method returning nothing; on
Python 3.11 the count reaches zero after enough calls and the process aborts
("Fatal Python error: none_dealloc"). pyproject.toml keeps PySide6 below 6.12 for that reason.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot


def test_calls_of_void_qt_methods_leave_the_none_refcount_alone(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for index in range(2000):
        label.setText(str(index))
        label.setEnabled(index % 2 == 0)
    # Other code may take or drop a few references meanwhile; a leak is one per call.
    assert abs(sys.getrefcount(None) - before) < 100
