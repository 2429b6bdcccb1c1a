"""What the desk and the nurse do to one appointment on the day: check in (which opens the
visit for the doctor), mark a no-show, cancel with a reason. Shared by the queue and the
calendar's context menu; every call runs on the database lane."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QWidget

from clinic_app.errors import ValidationError
from clinic_app.scheduling.models import AppointmentStatus, AppointmentSummary
from clinic_app.security.permissions import Action
from clinic_app.ui.error_presenter import show_error
from clinic_app.ui.scheduling.appointment_labels import day_and_time
from clinic_app.ui.scheduling.cancel_appointment_dialog import CancelAppointmentDialog
from clinic_app.ui.scheduling.check_in_task import CheckedIn, check_in_and_open_visit
from clinic_app.ui.tasks.task_runner import Lane, TaskHandle

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext

log = logging.getLogger(__name__)


class AppointmentActionsController(QObject):
    changed = Signal()  # an appointment changed: reload what shows it
    status_reported = Signal(str)
    checked_in = Signal(object)  # CheckedIn (with the visit opened)
    cancel_dialog_shown = Signal(object)  # CancelAppointmentDialog (tests fill it)

    def __init__(
        self, parent_widget: QWidget, context: PageContext, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._widget = parent_widget
        self._context = context
        user = context.user
        self.can_check_in = user.can(Action.APPOINTMENT_CHECK_IN)
        self.can_book = user.can(Action.APPOINTMENT_BOOK)
        self._handle: TaskHandle | None = None

    @property
    def busy(self) -> bool:
        return self._handle is not None and self._handle.running

    # --- what may be done ----------------------------------------------------------------

    def may_check_in(self, appointment: AppointmentSummary | None) -> bool:
        return (
            self.can_check_in
            and appointment is not None
            and appointment.status in {AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED}
        )

    def may_mark_no_show(self, appointment: AppointmentSummary | None) -> bool:
        return (
            self.can_check_in
            and appointment is not None
            and appointment.status is AppointmentStatus.BOOKED
        )

    def may_cancel(self, appointment: AppointmentSummary | None) -> bool:
        return (
            self.can_book
            and appointment is not None
            and appointment.status in {AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED}
        )

    # --- actions -------------------------------------------------------------------------

    def check_in(self, appointment: AppointmentSummary) -> None:
        scheduling = self._context.services.scheduling
        visits = self._context.services.records.visits
        user = self._context.user

        def work(_ctx: object) -> CheckedIn:
            return check_in_and_open_visit(scheduling.attendance, visits, user, appointment)

        self._run(work, "check in", self._on_checked_in)

    @Slot(object)
    def _on_checked_in(self, result: CheckedIn) -> None:
        log.info("checked in: appointment=%s visit=%s", result.appointment_id, result.visit.id)
        self.status_reported.emit("Checked in; the visit is open for the doctor.")
        self.checked_in.emit(result)
        self.changed.emit()

    def mark_no_show(self, appointment: AppointmentSummary) -> None:
        attendance = self._context.services.scheduling.attendance
        user = self._context.user
        self._run(
            lambda _ctx: attendance.no_show(user, appointment.id),
            "no-show",
            lambda _result: self._done("Marked as a no-show; the slot is free again."),
        )

    def cancel(self, appointment: AppointmentSummary) -> CancelAppointmentDialog:
        dialog = CancelAppointmentDialog(appointment, self._widget)
        dialog.cancel_confirmed.connect(lambda reason: self._cancel(dialog, reason))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.cancel_dialog_shown.emit(dialog)
        return dialog

    def _cancel(self, dialog: CancelAppointmentDialog, reason: str) -> None:
        booking = self._context.services.scheduling.booking
        user = self._context.user
        appointment = dialog.appointment

        def done(result: AppointmentSummary) -> None:
            dialog.accept()
            self._done(f"Cancelled the appointment of {day_and_time(result.local_start)}.")

        def failed(error: BaseException) -> None:
            if isinstance(error, ValidationError):
                dialog.show_problem(error.field_errors, str(error))
            else:
                dialog.reject()
                self._on_failed(error)

        self._handle = self._context.runner.run(
            Lane.DATABASE,
            lambda _ctx: booking.cancel(
                user, appointment.id, reason, expected_version=appointment.version
            ),
            label="cancel appointment",
            owner=self,
            on_success=done,
            on_failure=failed,
        )

    # --- helpers -------------------------------------------------------------------------

    def _run(
        self, work: Callable[[Any], Any], label: str, on_success: Callable[[Any], Any]
    ) -> None:
        if self.busy:
            self.status_reported.emit("Still saving the last change; try again in a moment.")
            return
        self._handle = self._context.runner.run(
            Lane.DATABASE,
            work,
            label=label,
            owner=self,
            on_success=on_success,
            on_failure=self._on_failed,
        )

    def _done(self, message: str) -> None:
        self.status_reported.emit(message)
        self.changed.emit()

    @Slot(object)
    def _on_failed(self, error: BaseException) -> None:
        self.changed.emit()
        show_error(self._widget, error)

    def shutdown(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
