"""Loads the inbox a page at a time, marks notices read, opens what a notice is about
(every call on the database lane)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from clinic_app.notifications.models import Notification
from clinic_app.security.permissions import Action
from clinic_app.ui.error_presenter import show_error
from clinic_app.ui.inbox.inbox_view import InboxView
from clinic_app.ui.inbox.notification_table_model import NotificationTableModel
from clinic_app.ui.records.chart_target import ChartTarget
from clinic_app.ui.tasks.task_runner import Lane

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext

PAGE = 100


def chart_target_of(notice: Notification) -> ChartTarget | None:
    """Where a notice leads: the visit or record it names, in its patient's chart."""
    if not notice.patient_id:
        return None
    if notice.record_type == "visit" and notice.record_id:
        return ChartTarget(notice.patient_id, visit_id=notice.record_id)
    if notice.record_type == "record" and notice.record_id:
        return ChartTarget(notice.patient_id, record_id=notice.record_id)
    return ChartTarget(notice.patient_id)


class InboxController(QObject):
    inbox_shown = Signal(int)
    # Notices were marked read here: the unread badge should count again.
    inbox_changed = Signal()
    # Show the chart page at this target (the page forwards it to the shell).
    chart_requested = Signal(object)

    def __init__(
        self,
        view: InboxView,
        model: NotificationTableModel,
        context: PageContext,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._view = view
        self._model = model
        self._context = context
        self._unread_only = False
        self._generation = 0
        view.refresh_requested.connect(self.load)
        view.unread_only_toggled.connect(self._on_view_unread_only_toggled)
        view.mark_read_requested.connect(self.mark_read)
        view.mark_all_read_requested.connect(self._on_view_mark_all_read_requested)
        view.open_requested.connect(self._on_view_open_requested)
        model.more_requested.connect(self._on_model_more_requested)

    @Slot()
    def load(self) -> None:
        self._generation += 1
        self._fetch(0, self._generation)

    def _fetch(self, offset: int, generation: int) -> None:
        notifications, user = self._context.services.notifications, self._context.user
        unread_only = self._unread_only

        def fetch(_ctx: object) -> tuple[int, int, list[Notification]]:
            page = notifications.inbox(user, unread_only=unread_only, limit=PAGE, offset=offset)
            return generation, offset, page

        self._context.runner.run(
            Lane.DATABASE,
            fetch,
            label="inbox",
            owner=self,
            on_success=self._on_page_loaded,
            on_failure=self._on_failed,
        )

    @Slot(object)
    def _on_page_loaded(self, outcome: tuple[int, int, list[Notification]]) -> None:
        generation, offset, page = outcome
        if generation != self._generation:
            return
        if self._model.take_page(page, offset, PAGE):
            self.inbox_shown.emit(len(page))

    @Slot()
    def _on_model_more_requested(self) -> None:
        self._fetch(self._model.rowCount(), self._generation)

    @Slot(bool)
    def _on_view_unread_only_toggled(self, checked: bool) -> None:
        self._unread_only = checked
        self.load()

    @Slot(list)
    def mark_read(self, ids: list[str]) -> None:
        notifications, user = self._context.services.notifications, self._context.user
        wanted = list(ids)
        self._context.runner.run(
            Lane.DATABASE,
            lambda _ctx: notifications.mark_read(user, wanted),
            label="mark read",
            owner=self,
            on_success=lambda _count: self._on_marked(set(wanted)),
            on_failure=self._on_failed,
        )

    @Slot()
    def _on_view_mark_all_read_requested(self) -> None:
        notifications, user = self._context.services.notifications, self._context.user
        self._context.runner.run(
            Lane.DATABASE,
            lambda _ctx: notifications.mark_all_read(user),
            label="mark all read",
            owner=self,
            on_success=lambda _count: self._on_marked(set(self._model.unread_ids())),
            on_failure=self._on_failed,
        )

    def _on_marked(self, ids: set[str]) -> None:
        self._model.mark_read(ids)
        self.inbox_changed.emit()
        if self._unread_only:
            self.load()

    @Slot(object)
    def _on_view_open_requested(self, notice: Notification) -> None:
        if not notice.read:
            self.mark_read([notice.id])
        target = chart_target_of(notice)
        if target is not None and self._context.user.can(Action.VISIT_READ):
            self.chart_requested.emit(target)

    @Slot(object)
    def _on_failed(self, error: BaseException) -> None:
        self._model.fetch_failed()
        show_error(self._view, error)
