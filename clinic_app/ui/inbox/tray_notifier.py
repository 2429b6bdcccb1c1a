"""A system tray notice for new notices while the window is minimised (where a tray exists).

It says how many notices are new, never what they are about: a tray balloon can be read by
anyone near the screen.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QSystemTrayIcon

from clinic_app.ui.icons import app_icon

NOTICE_MS = 8000


class TrayNotifier(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tray: QSystemTrayIcon | None = None

    @property
    def available(self) -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages()

    def notify(self, title: str, text: str) -> bool:
        if not self.available:
            return False
        if self._tray is None:
            self._tray = QSystemTrayIcon(app_icon(), self)
            self._tray.setToolTip("Clinic")
        self._tray.show()
        self._tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, NOTICE_MS)
        return True

    def shutdown(self) -> None:
        if self._tray is not None:
            self._tray.hide()
