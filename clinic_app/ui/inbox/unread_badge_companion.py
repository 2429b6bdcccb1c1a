"""The unread count in the status bar, from sign-in on (the inbox page's companion).

A cheap poll: every `POLL_MS` the database lane counts the unread notices (a count, nothing
clinical). When the count grows while the window is minimised, a tray notice says so.
Clicking the badge opens the inbox.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QMainWindow, QToolButton

from clinic_app.ui.icons import icon
from clinic_app.ui.inbox.tray_notifier import TrayNotifier
from clinic_app.ui.shell.shell_page import PageCompanion, ShellPage
from clinic_app.ui.tasks.task_runner import Lane, TaskHandle

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext

POLL_MS = 30_000
_BADGE_STYLE = """
QToolButton#inboxBadge { border: 1px solid transparent; border-radius: 5px; padding: 3px 8px; }
QToolButton#inboxBadge:hover { background: #dde6ec; border-color: #c4cdd6; }
QToolButton#inboxBadge[unread="true"] {
    background: #b42318; color: #ffffff; border-color: #b42318;
}
"""
Notify = Callable[[str, str], bool]


class UnreadBadgeCompanion(PageCompanion):
    unread_changed = Signal(int)

    def __init__(
        self,
        window: QMainWindow,
        context: PageContext,
        *,
        poll_ms: int = POLL_MS,
        notify: Notify | None = None,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._context = context
        self.count = -1
        self._handle: TaskHandle | None = None
        self._tray = TrayNotifier(self)
        self.notify: Notify = notify or self._tray.notify
        self.badge = QToolButton()
        self.badge.setObjectName("inboxBadge")
        self.badge.setStyleSheet(_BADGE_STYLE)
        self.badge.setIcon(icon("inbox"))
        self.badge.setIconSize(QSize(16, 16))
        self.badge.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.badge.setText("Inbox")
        self.badge.setToolTip("Open the inbox")
        self.badge.clicked.connect(self._on_badge_clicked)
        window.statusBar().insertPermanentWidget(0, self.badge)
        self.timer = QTimer(self)
        self.timer.setInterval(poll_ms)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        QTimer.singleShot(0, self.refresh)

    @Slot()
    def refresh(self) -> None:
        if self._handle is not None and self._handle.running:
            return  # the previous count is still on its way
        notifications, user = self._context.services.notifications, self._context.user
        self._handle = self._context.runner.run(
            Lane.DATABASE,
            lambda _ctx: notifications.unread_count(user),
            label="unread count",
            owner=self,
            on_success=self._on_counted,
            on_failure=lambda _error: None,  # a missed poll is retried on the next tick
        )

    @Slot(object)
    def _on_counted(self, count: int) -> None:
        previous, self.count = self.count, count
        self.badge.setText(f"Inbox · {count} unread" if count else "Inbox")
        self.badge.setIcon(icon("inbox", "#ffffff") if count else icon("inbox"))
        self.badge.setProperty("unread", count > 0)
        self.badge.style().unpolish(self.badge)
        self.badge.style().polish(self.badge)
        self.badge.updateGeometry()
        self.badge.setToolTip(
            f"{count} unread notice{'s' if count != 1 else ''}: open the inbox"
            if count
            else "No unread notices: open the inbox"
        )
        if count != previous:
            self.unread_changed.emit(count)
        if previous >= 0 and count > previous and self._window.isMinimized():
            new = count - previous
            self.notify("Clinic", f"{new} new notice{'s' if new != 1 else ''} in your inbox.")

    @Slot()
    def _on_badge_clicked(self) -> None:
        self.open_requested.emit("inbox", None)

    def page_built(self, page: ShellPage) -> None:
        from clinic_app.ui.inbox.inbox_page import InboxPage

        if isinstance(page, InboxPage):
            page.controller.inbox_changed.connect(self.refresh)
            self.unread_changed.connect(page.on_unread_changed)
            if self.count >= 0:
                page.on_unread_changed(self.count)

    def shutdown(self) -> None:
        self.timer.stop()
        self._tray.shutdown()
        if self._handle is not None:
            self._handle.cancel()
