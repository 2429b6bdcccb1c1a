"""Locks the session after a while without input.

An application-wide event filter calls `UserSession.touch()` on keyboard and mouse input; a
timer asks the session whether it has locked itself. The session (core, no Qt) owns the rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from clinic_app.security.idle_lock import UserSession

_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)
CHECK_INTERVAL_MS = 1000


class IdleLockController(QObject):
    idle_timed_out = Signal()

    def __init__(
        self,
        session: UserSession,
        check_interval_ms: int = CHECK_INTERVAL_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self._timer = QTimer(self)
        self._timer.setInterval(check_interval_ms)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._reported = False

    def start(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self._reported = False
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def rearm(self) -> None:
        """After an unlock: report the next idle time-out again."""
        self._reported = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS:
            self.session.touch()
        return False

    @Slot()
    def _on_timer_timeout(self) -> None:
        if self.session.is_locked() and not self._reported:
            self._reported = True
            self.idle_timed_out.emit()
