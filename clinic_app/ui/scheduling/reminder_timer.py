"""Posts appointment reminders to the inbox: once when someone signs in, then every 15
minutes while the window is open, on the database lane. `send_reminders` runs as the system
and is idempotent (each appointment is reminded once), so two workstations doing it is fine.

Built with the main window as the scheduling page's companion (see `schedule_page_spec`), so
it runs whether or not the calendar is opened.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QTimer, Signal, Slot

from clinic_app.ui.shell.shell_page import PageCompanion, PageContext
from clinic_app.ui.tasks.task_runner import Lane, TaskHandle

log = logging.getLogger(__name__)

INTERVAL_MS = 15 * 60 * 1000


class ReminderTimer(PageCompanion):
    reminders_sent = Signal(int)  # how many appointments were reminded in a run

    def __init__(self, context: PageContext, *, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__()
        self._context = context
        self._handle: TaskHandle | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.send_now)
        self.timer.start()
        QTimer.singleShot(0, self, self.send_now)

    @Slot()
    def send_now(self) -> None:
        if self._handle is not None and self._handle.running:
            return
        reminders = self._context.services.scheduling.reminders
        self._handle = self._context.runner.run(
            Lane.DATABASE,
            lambda _ctx: reminders.send_reminders(),
            label="appointment reminders",
            owner=self,
            on_success=self._on_reminders_sent,
            on_failure=self._on_reminders_failed,
        )

    @Slot(object)
    def _on_reminders_sent(self, count: int) -> None:
        self.reminders_sent.emit(count)

    @Slot(object)
    def _on_reminders_failed(self, error: BaseException) -> None:
        # Background housekeeping: no dialog; the next run tries again.
        log.warning("appointment reminders failed: %s", type(error).__name__)

    def shutdown(self) -> None:
        self.timer.stop()
        if self._handle is not None:
            self._handle.cancel()
