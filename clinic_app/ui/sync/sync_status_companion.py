"""The sync line in the status bar, from sign-in on (the Sync page's companion).

Every `POLL_MS` the database lane reads `status(user)` (counts only, nothing clinical) and
asks `due()`; when sync is on and its interval has passed, a background run starts on the
network lane (`SyncRun`: never two at once; cancelled at sign-out). The line reads e.g.
"Online · synced 3 min ago · 2 to send · 1 conflict"; clicking it opens the Sync page, and
F9 syncs now from anywhere in the window.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeySequence, QMouseEvent, QShortcut
from PySide6.QtWidgets import QLabel, QMainWindow

from clinic_app.sync.models import SyncStatus
from clinic_app.ui.shell.shell_page import PageCompanion, ShellPage
from clinic_app.ui.sync.sync_run import SyncRun
from clinic_app.ui.sync.sync_texts import describe_status
from clinic_app.ui.tasks.task_runner import Lane, TaskHandle

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext

POLL_MS = 20_000
PAGE_KEY = "sync"
SYNC_NOW = "sync-now"  # what the shortcut hands the Sync page (`open_item`)
SYNC_SHORTCUT = "F9"


class SyncStatusCompanion(PageCompanion):
    status_changed = Signal(object)  # SyncStatus

    def __init__(
        self, window: QMainWindow, context: PageContext, *, poll_ms: int = POLL_MS
    ) -> None:
        super().__init__(window)
        self._window = window
        self._context = context
        self.status: SyncStatus | None = None
        self._handle: TaskHandle | None = None
        self._stopped = False
        self.run = SyncRun(context, self)
        self.run.started.connect(self._on_run_started)
        self.run.finished.connect(self.refresh)
        # The main window's connection label is the place for this line (`set_connection_state`).
        self.label: QLabel | None = getattr(window, "connection_label", None)
        if self.label is not None:
            self.label.setCursor(Qt.CursorShape.PointingHandCursor)
            self.label.installEventFilter(self)
            self.label.setAccessibleDescription("Sync status. Opens the Sync page.")
        self.shortcut = QShortcut(QKeySequence(SYNC_SHORTCUT), window)
        self.shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self.shortcut.activated.connect(self._on_shortcut_activated)
        self.timer = QTimer(self)
        self.timer.setInterval(poll_ms)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        QTimer.singleShot(0, self.refresh)

    # --- polling -----------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        if self._stopped or (self._handle is not None and self._handle.running):
            return
        sync, user = self._context.services.sync, self._context.user

        def poll(_ctx: object) -> tuple[SyncStatus, bool]:
            return sync.status(user), sync.due()

        self._handle = self._context.runner.run(
            Lane.DATABASE,
            poll,
            label="sync status",
            owner=self,
            on_success=self._on_polled,
            on_failure=lambda _error: None,  # a missed poll is retried on the next tick
        )

    @Slot(object)
    def _on_polled(self, outcome: tuple[SyncStatus, bool]) -> None:
        status, due = outcome
        self.status = status
        self._show(status)
        self.status_changed.emit(status)
        if due and not self.run.running and not self._stopped:
            self.run.start(background=True)

    def _show(self, status: SyncStatus) -> None:
        line = describe_status(status, running=self.run.running)
        set_state = getattr(self._window, "set_connection_state", None)
        if set_state is not None:
            set_state(line.text, line.icon)
        if self.label is not None:
            self.label.setToolTip(line.tooltip)

    @property
    def text(self) -> str:
        return self.label.text() if self.label is not None else ""

    @Slot(object, bool)
    def _on_run_started(self, _handle: object, _background: bool) -> None:
        if self.status is not None:
            self._show(self.status)

    # --- clicks and the shortcut -------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.label
            and event.type() == QEvent.Type.MouseButtonRelease
            and isinstance(event, QMouseEvent)
            and event.button() == Qt.MouseButton.LeftButton
        ):
            self.open_requested.emit(PAGE_KEY, None)
            return True
        return super().eventFilter(watched, event)

    @Slot()
    def _on_shortcut_activated(self) -> None:
        self.open_requested.emit(PAGE_KEY, SYNC_NOW)

    # --- the page ----------------------------------------------------------------------

    def page_built(self, page: ShellPage) -> None:
        from clinic_app.ui.sync.sync_page import SyncPage

        if isinstance(page, SyncPage):
            page.attach_run(self.run)
            page.sync_state_changed.connect(self.refresh)

    def shutdown(self) -> None:
        self._stopped = True
        self.timer.stop()
        self.run.cancel()
        if self._handle is not None:
            self._handle.cancel()
        if self.label is not None:
            self.label.removeEventFilter(self)
