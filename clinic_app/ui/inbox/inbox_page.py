"""The inbox page (registered in builtin_pages). Its companion, the unread badge in the status
bar, lives from sign-in on; the two keep each other current."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QVBoxLayout

from clinic_app.ui.inbox.inbox_controller import InboxController
from clinic_app.ui.inbox.inbox_view import InboxView
from clinic_app.ui.inbox.notification_table_model import NotificationTableModel
from clinic_app.ui.shell.shell_page import PageContext, ShellPage


class InboxPage(ShellPage):
    def __init__(self, context: PageContext) -> None:
        super().__init__()
        self.model = NotificationTableModel(self)
        self.view = InboxView(self.model)
        self.controller = InboxController(self.view, self.model, context, parent=self)
        self.controller.chart_requested.connect(self._on_controller_chart_requested)
        self._unread = -1
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

    def page_shown(self) -> None:
        self.controller.load()
        self.view.table.setFocus()

    @Slot(object)
    def _on_controller_chart_requested(self, target: object) -> None:
        self.open_requested.emit("chart", target)

    @Slot(int)
    def on_unread_changed(self, count: int) -> None:
        """The badge counted again: new notices show at once if the page is on screen."""
        grew = count > self._unread >= 0
        self._unread = count
        if grew and self.isVisible():
            self.controller.load()
