"""A progress dialog bound to a running task: shows its reports, its Cancel cancels the task."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from clinic_app.ui.tasks.task_runner import TaskHandle

SHOW_AFTER_MS = 400


class TaskProgressDialog(QProgressDialog):
    def __init__(
        self,
        handle: TaskHandle,
        title: str,
        parent: QWidget | None = None,
        *,
        cancellable: bool = True,
        show_after_ms: int = SHOW_AFTER_MS,
    ) -> None:
        super().__init__(title, "Cancel" if cancellable else "", 0, 0, parent)
        self.setObjectName("taskProgressDialog")
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumWidth(420)
        self.setMinimumDuration(show_after_ms)
        if not cancellable:
            self.setCancelButton(None)
        self._handle = handle
        handle.progressed.connect(self._on_handle_progressed)
        handle.finished.connect(self._on_handle_finished)
        self.canceled.connect(self._on_self_canceled)
        self.setValue(0)  # starts the "show after" timer

    @Slot(int, int, str)
    def _on_handle_progressed(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.setMaximum(total)
            self.setValue(min(done, total))
        else:
            self.setMaximum(0)
        if message:
            self.setLabelText(message)

    @Slot()
    def _on_handle_finished(self) -> None:
        self.close()

    @Slot()
    def _on_self_canceled(self) -> None:
        self.setLabelText("Cancelling…")
        self._handle.cancel()
