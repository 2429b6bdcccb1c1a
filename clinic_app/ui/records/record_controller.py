"""Opening a stand-alone record and adding an addendum to it (database lane)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from clinic_app.errors import ValidationError
from clinic_app.records.chart_models import PatientHeader
from clinic_app.records.models import ClinicalRecord, TargetType
from clinic_app.ui.error_presenter import show_error
from clinic_app.ui.records.addendum_dialog import RECORD_TARGETS, AddendumDialog
from clinic_app.ui.records.dialog_lifetime import open_dialog
from clinic_app.ui.records.record_view import RecordView
from clinic_app.ui.records.user_directory import UserDirectory
from clinic_app.ui.tasks.task_runner import Lane

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext


class RecordController(QObject):
    record_shown = Signal(object)  # ClinicalRecord

    def __init__(
        self, view: RecordView, context: PageContext, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._view = view
        self._context = context
        self.people = UserDirectory()
        self.record: ClinicalRecord | None = None
        self.addendum_dialog: AddendumDialog | None = None
        view.addendum_requested.connect(self._on_view_addendum_requested)

    def open_record(self, record_id: str, header: PatientHeader) -> None:
        self._view.header.show_header(header)
        records, user = self._context.services.records.clinical_records, self._context.user
        self._context.runner.run(
            Lane.DATABASE,
            lambda _ctx: records.get_record(user, record_id),
            label="open record",
            owner=self,
            on_success=self._on_record_loaded,
            on_failure=lambda error: show_error(self._view, error),
        )

    @Slot(object)
    def _on_record_loaded(self, record: ClinicalRecord) -> None:
        self.record = record
        self._view.show_record(record, self.people)
        self.record_shown.emit(record)

    @Slot()
    def _on_view_addendum_requested(self) -> None:
        if self.record is None:
            return
        dialog = AddendumDialog(RECORD_TARGETS, parent=self._view.window())
        dialog.submitted.connect(self._add_addendum)
        self.addendum_dialog = dialog
        dialog.open()

    def _add_addendum(self, field: str | None, text: str) -> None:
        assert self.record is not None
        addenda, user, record = (
            self._context.services.records.addenda,
            self._context.user,
            self.record,
        )
        self._context.runner.run(
            Lane.DATABASE,
            lambda _ctx: addenda.add_addendum(
                user, TargetType.RECORD, record.id, text, field=field
            ),
            label="add addendum",
            owner=self,
            on_success=lambda _a: self._on_addendum_added(record.id),
            on_failure=self._on_addendum_failed,
        )

    def _on_addendum_added(self, record_id: str) -> None:
        if open_dialog(self.addendum_dialog):
            assert self.addendum_dialog is not None
            self.addendum_dialog.accept()
        records, user = self._context.services.records.clinical_records, self._context.user
        self._context.runner.run(
            Lane.DATABASE,
            lambda _ctx: records.get_record(user, record_id),
            label="open record",
            owner=self,
            on_success=self._on_record_loaded,
            on_failure=lambda error: show_error(self._view, error),
        )

    def _on_addendum_failed(self, error: BaseException) -> None:
        dialog = self.addendum_dialog
        if isinstance(error, ValidationError) and open_dialog(dialog):
            assert dialog is not None
            dialog.show_errors(error.field_errors, str(error))
        else:
            show_error(self._view, error)
