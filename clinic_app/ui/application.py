"""Builds the QApplication and runs the clinic application until it finishes."""

from __future__ import annotations

import logging
import signal
import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from clinic_app.ui.app_controller import ClinicAppController
from clinic_app.ui.icons import app_icon
from clinic_app.ui.style import apply_style

if TYPE_CHECKING:
    from collections.abc import Sequence

    from clinic_app.settings import Settings

log = logging.getLogger(__name__)


def create_application(argv: Sequence[str]) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    app = QApplication(list(argv))
    app.setApplicationName("clinic_app")
    app.setApplicationDisplayName("Clinic")
    app.setOrganizationName("clinic_app")
    app.setQuitOnLastWindowClosed(False)
    app.setWindowIcon(app_icon())
    apply_style(app)
    return app


def run(settings: Settings, argv: Sequence[str] | None = None) -> int:
    app = create_application(argv if argv is not None else sys.argv[:1])
    controller = ClinicAppController(settings)
    controller.finished.connect(app.quit)
    # Ctrl+C in a terminal: Python only sees the signal when the interpreter runs, so a timer
    # wakes it; the handler only schedules the shutdown, which then runs from the event loop.
    signal.signal(signal.SIGINT, lambda *_args: QTimer.singleShot(0, controller.shutdown))
    heartbeat = QTimer()
    heartbeat.start(250)
    heartbeat.timeout.connect(lambda: None)
    controller.start()
    code = app.exec()
    controller.shutdown()
    log.info("application finished with code %d", code)
    return code
