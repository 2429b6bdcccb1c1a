"""Moves an appointment to another slot (a drop on the calendar) on the database lane.

Someone else may have got there first: a slot just taken (`SlotTakenError`) is explained and
its next free slot offered; an appointment changed meanwhile (`ConflictError`) is explained and
the calendar reloaded, so nothing is moved on stale data.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QWidget

from clinic_app.errors import ConflictError
from clinic_app.scheduling.errors import SlotTakenError
from clinic_app.scheduling.models import AppointmentSummary, SlotView
from clinic_app.ui.error_presenter import show_error
from clinic_app.ui.scheduling.appointment_labels import day_and_time
from clinic_app.ui.tasks.task_runner import Lane, TaskHandle
from clinic_app.ui.widgets.confirm_dialog import ConfirmDialog

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext

log = logging.getLogger(__name__)


class RescheduleController(QObject):
    rescheduled = Signal(object)  # AppointmentSummary, at its new time
    reload_needed = Signal()  # the calendar no longer matches the store
    status_reported = Signal(str)
    # A slot was taken under the user; the dialog offering the next one is open (tests).
    offer_shown = Signal(object)  # ConfirmDialog

    def __init__(
        self, parent_widget: QWidget, context: PageContext, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._widget = parent_widget
        self._context = context
        self._handle: TaskHandle | None = None

    @property
    def busy(self) -> bool:
        return self._handle is not None and self._handle.running

    def move(self, appointment: AppointmentSummary, slot_id: str) -> None:
        if self.busy:
            self.status_reported.emit("Still moving the last appointment; try again.")
            return
        booking = self._context.services.scheduling.booking
        user = self._context.user

        def work(_ctx: object) -> AppointmentSummary:
            return booking.reschedule(
                user, appointment.id, slot_id, expected_version=appointment.version
            )

        self._handle = self._context.runner.run(
            Lane.DATABASE,
            work,
            label="reschedule appointment",
            owner=self,
            on_success=self._on_move_succeeded,
            on_failure=lambda error: self._on_move_failed(appointment, error),
        )

    @Slot(object)
    def _on_move_succeeded(self, moved: AppointmentSummary) -> None:
        log.info("appointment rescheduled: id=%s", moved.id)
        self.status_reported.emit(f"Appointment moved to {day_and_time(moved.local_start)}")
        self.rescheduled.emit(moved)

    def _on_move_failed(self, appointment: AppointmentSummary, error: BaseException) -> None:
        self.reload_needed.emit()
        if isinstance(error, SlotTakenError) and error.next_slot is not None:
            self._offer(appointment, error.next_slot, str(error))
            return
        if isinstance(error, ConflictError) and not isinstance(error, SlotTakenError):
            self.status_reported.emit("The calendar was reloaded: the appointment had changed.")
        show_error(self._widget, error)

    def _offer(self, appointment: AppointmentSummary, slot: SlotView, message: str) -> None:
        dialog = ConfirmDialog(
            self._widget,
            "Slot just taken",
            message,
            f"Move to {day_and_time(slot.local_start)}",
            detail="Or keep the appointment where it is and choose another slot yourself.",
        )
        dialog.setObjectName("slotOfferDialog")
        dialog.confirmed.connect(lambda: self.move(appointment, slot.id))
        dialog.open()
        self.offer_shown.emit(dialog)

    def shutdown(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
