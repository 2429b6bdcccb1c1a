"""Drives the booking dialog: patient suggestions as you type, "Find earliest", Book, Walk-in.

Every service call runs on the database lane. A slot taken by someone else between finding
and booking (`SlotTakenError`) is explained in the dialog and its next free slot is offered in
its place; form mistakes come back from the service as field messages and nothing is written.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QObject, QTimer, Signal, Slot

from clinic_app.errors import ClinicError, ValidationError
from clinic_app.patients.models import PatientPage, PatientSummary
from clinic_app.scheduling.errors import SlotTakenError
from clinic_app.scheduling.models import (
    AppointmentSummary,
    BookingRequest,
    DoctorProfile,
    SlotSearch,
    SlotView,
)
from clinic_app.ui.error_presenter import show_error
from clinic_app.ui.scheduling.appointment_labels import day_and_time
from clinic_app.ui.scheduling.booking_dialog import BookingDialog
from clinic_app.ui.scheduling.doctor_filter import DoctorFilter, FilterKind
from clinic_app.ui.scheduling.patient_completer_model import (
    PATIENT_ROLE,
    PatientCompleterModel,
    patient_line,
)
from clinic_app.ui.tasks.task_runner import Lane, TaskHandle

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext

log = logging.getLogger(__name__)

SEARCH_DEBOUNCE_MS = 200
SUGGESTIONS = 8
DEFAULT_WINDOW_DAYS = 28


def booking_choices(profiles: list[DoctorProfile]) -> list[DoctorFilter]:
    specialities = sorted({p.specialisation for p in profiles}, key=str.casefold)
    return [
        DoctorFilter(FilterKind.ALL, "", "Any doctor"),
        *(DoctorFilter(FilterKind.SPECIALITY, s, f"Any doctor in {s}") for s in specialities),
        *(
            DoctorFilter(FilterKind.DOCTOR, p.doctor_id, f"{p.doctor_name} · {p.specialisation}")
            for p in profiles
        ),
    ]


class BookingController(QObject):
    booked = Signal(object)  # AppointmentSummary (a booking or a walk-in)
    slot_shown = Signal(object)  # SlotView | None: "Find earliest" answered (tests wait here)
    suggestions_shown = Signal()
    failed = Signal(str)  # a message shown in the dialog

    def __init__(
        self,
        dialog: BookingDialog,
        context: PageContext,
        profiles: list[DoctorProfile],
        today: date,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.dialog = dialog
        self._context = context
        self._profiles = {p.doctor_id: p for p in profiles}
        self.patient: PatientSummary | None = None
        self.slot: SlotView | None = None
        self.model = PatientCompleterModel(self)
        self._handle: TaskHandle | None = None
        self._search_generation = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        dialog.completer.setModel(self.model)
        # The QModelIndex overload (the stubs don't know signal overloads by index).
        dialog.completer.activated[QModelIndex].connect(self._on_completer_activated)  # type: ignore[index]
        dialog.set_doctor_choices(booking_choices(profiles))
        dialog.set_dates(today, today + timedelta(days=DEFAULT_WINDOW_DAYS - 1))
        dialog.patient_text_edited.connect(self._on_dialog_patient_text_edited)
        dialog.find_requested.connect(self.find_earliest)
        dialog.book_requested.connect(self.book)
        dialog.walk_in_requested.connect(self.walk_in)
        dialog.search_changed.connect(self._on_dialog_search_changed)

    # --- set-up from the calendar --------------------------------------------------------

    def preselect_slot(self, slot: SlotView) -> None:
        """A free slot double-clicked in the calendar: book exactly that one."""
        combo = self.dialog.doctor_combo
        for index in range(combo.count()):
            choice = combo.itemData(index)
            if isinstance(choice, DoctorFilter) and choice.value == slot.doctor_id:
                combo.setCurrentIndex(index)
                break
        day = slot.local_start.date()
        self.dialog.set_dates(day, day)
        self._show_slot(slot)

    def choose_patient(self, patient: PatientSummary) -> None:
        self.patient = patient
        self.dialog.patient_edit.setText(patient.display_name)
        self.dialog.patient_edit.setToolTip(patient_line(patient))
        self.dialog.form.show_errors({}, focus=False)

    # --- patient suggestions -------------------------------------------------------------

    @Slot(str)
    def _on_dialog_patient_text_edited(self, text: str) -> None:
        if self.patient is not None and text != self.patient.display_name:
            self.patient = None
            self.dialog.patient_edit.setToolTip("")
        if len(text.strip()) >= 2:
            self._timer.start()
        else:
            self._timer.stop()
            self.model.replace_rows([])

    @Slot()
    def _on_timer_timeout(self) -> None:
        self._search_generation += 1
        generation = self._search_generation
        query = self.dialog.patient_edit.text()
        patients = self._context.services.patients
        user = self._context.user

        def search(_ctx: object) -> tuple[int, PatientPage]:
            return generation, patients.search(user, query, limit=SUGGESTIONS)

        self._context.runner.run(
            Lane.DATABASE,
            search,
            label="booking patient search",
            owner=self,
            on_success=self._on_suggestions_fetched,
            on_failure=self._on_task_failed,
        )

    @Slot(object)
    def _on_suggestions_fetched(self, outcome: tuple[int, PatientPage]) -> None:
        generation, page = outcome
        if generation != self._search_generation:
            return
        self.model.replace_rows(page.items)
        if self.model.rowCount() and self.dialog.patient_edit.hasFocus():
            self.dialog.completer.complete()
        self.suggestions_shown.emit()

    @Slot(QModelIndex)
    def _on_completer_activated(self, index: QModelIndex) -> None:
        patient = index.data(PATIENT_ROLE)
        if isinstance(patient, PatientSummary):
            self.choose_patient(patient)

    # --- finding -------------------------------------------------------------------------

    def search(self) -> SlotSearch:
        choice = self.dialog.doctor_choice()
        first, last = self.dialog.date_range()
        time_from, time_to = self.dialog.time_window()
        doctor_id = choice.value if choice and choice.kind is FilterKind.DOCTOR else None
        speciality = choice.value if choice and choice.kind is FilterKind.SPECIALITY else None
        return SlotSearch(
            doctor_id=doctor_id,
            specialisation=speciality,
            date_from=first,
            date_to=last,
            time_from=time_from,
            time_to=time_to,
        )

    @Slot()
    def find_earliest(self) -> None:
        self.dialog.clear_errors()
        booking = self._context.services.scheduling.booking
        user = self._context.user
        search = self.search()
        self._start(
            lambda _ctx: booking.find_earliest(user, search), "find earliest slot", self._on_found
        )

    @Slot(object)
    def _on_found(self, slot: SlotView | None) -> None:
        self.dialog.set_busy(False)
        if slot is None:
            self.slot = None
            self.dialog.show_slot(
                "No free slot fits: widen the dates, the time or the doctor.", bookable=False
            )
        else:
            self._show_slot(slot)
        self.slot_shown.emit(slot)

    def _show_slot(self, slot: SlotView) -> None:
        self.slot = slot
        profile = self._profiles.get(slot.doctor_id)
        who = f" with {profile.doctor_name} ({profile.specialisation})" if profile else ""
        room = f", room {profile.room}" if profile and profile.room else ""
        self.dialog.show_slot(
            f"<b>{day_and_time(slot.local_start)}</b>–{slot.local_end:%H:%M}{who}{room}",
            bookable=True,
        )

    @Slot()
    def _on_dialog_search_changed(self) -> None:
        self.dialog.clear_errors()  # they were about the values just changed
        if self.slot is not None:
            self.slot = None
            self.dialog.show_slot("The search changed: find the earliest slot again.", False)

    # --- booking -------------------------------------------------------------------------

    def _request(self) -> BookingRequest | None:
        self.dialog.clear_errors()
        if self.patient is None:
            self.dialog.show_errors({"patient_id": "Choose a patient from the suggestions."})
            self.failed.emit("no patient")
            return None
        return BookingRequest(
            patient_id=self.patient.id,
            appointment_type=self.dialog.appointment_type(),
            meeting_link=self.dialog.meeting_link() or None,
            note=self.dialog.note() or None,
        )

    @Slot()
    def book(self) -> None:
        request = self._request()
        if request is None:
            return
        if self.slot is None:
            self.dialog.show_errors({}, "Find a slot first (Find earliest), then book it.")
            self.failed.emit("no slot")
            return
        booking = self._context.services.scheduling.booking
        user = self._context.user
        slot_id = self.slot.id
        self._start(lambda _ctx: booking.book(user, slot_id, request), "book", self._on_booked)

    @Slot()
    def walk_in(self) -> None:
        request = self._request()
        if request is None:
            return
        choice = self.dialog.doctor_choice()
        if choice is None or choice.kind is not FilterKind.DOCTOR:
            self.dialog.show_errors({"doctor_id": "Choose the doctor who will see the patient."})
            self.failed.emit("no doctor")
            return
        booking = self._context.services.scheduling.booking
        user = self._context.user
        doctor_id = choice.value

        def work(_ctx: object) -> AppointmentSummary:
            return booking.walk_in(
                user, request.patient_id, doctor_id, request.appointment_type, request.note
            )

        self._start(work, "walk-in", self._on_booked)

    @Slot(object)
    def _on_booked(self, appointment: AppointmentSummary) -> None:
        self.dialog.set_busy(False)
        log.info("appointment booked: id=%s walk_in=%s", appointment.id, appointment.walk_in)
        self.booked.emit(appointment)
        self.dialog.accept()

    # --- helpers -------------------------------------------------------------------------

    def _start(
        self, work: Callable[[Any], object], label: str, on_success: Callable[[Any], object]
    ) -> None:
        self.dialog.set_busy(True)
        self._handle = self._context.runner.run(
            Lane.DATABASE,
            work,
            label=label,
            owner=self,
            on_success=on_success,
            on_failure=self._on_task_failed,
        )

    @property
    def busy(self) -> bool:
        return self._handle is not None and self._handle.running

    @Slot(object)
    def _on_task_failed(self, error: BaseException) -> None:
        self.dialog.set_busy(False)
        if self.slot is not None:
            self._show_slot(self.slot)
        if isinstance(error, SlotTakenError):
            self.slot = None
            self.dialog.show_slot("This slot was just taken.", bookable=False)
            if error.next_slot is not None:
                self._show_slot(error.next_slot)
            self.dialog.show_errors({}, str(error))
            self.failed.emit(str(error))
            return
        if isinstance(error, ValidationError):
            self.dialog.show_errors(error.field_errors, str(error))
        elif isinstance(error, ClinicError):
            self.dialog.show_errors({}, str(error))
        else:
            show_error(self.dialog, error)
        self.failed.emit(str(error))

    def shutdown(self) -> None:
        self._timer.stop()
        if self._handle is not None:
            self._handle.cancel()
