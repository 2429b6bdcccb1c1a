"""Every scheduling item model passes Qt's model tester, filled, changed and emptied; and the
grid's layout (plain Python) puts entries in wall-clock rows and overlapping ones in lanes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from clinic_app.patients.models import PatientSummary, Sex
from clinic_app.scheduling.calendar_models import (
    CalendarEntry,
    CalendarView,
    DoctorDay,
    QueueEntry,
    ReminderCall,
)
from clinic_app.scheduling.models import (
    AppointmentStatus,
    AppointmentSummary,
    AppointmentType,
    SlotStatus,
)
from clinic_app.ui.scheduling.calendar_layout import CalendarMode, build_layout
from clinic_app.ui.scheduling.patient_completer_model import (
    PATIENT_ID_ROLE,
    PatientCompleterModel,
)
from clinic_app.ui.scheduling.queue_table_model import QueueColumn, QueueTableModel
from clinic_app.ui.scheduling.reminder_call_table_model import (
    ReminderCallTableModel,
    ReminderColumn,
)
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester

BERLIN = ZoneInfo("Europe/Berlin")


def appointment(
    number: int, status: AppointmentStatus = AppointmentStatus.BOOKED
) -> AppointmentSummary:
    start = datetime(2026, 3, 4, 8, 0, tzinfo=UTC) + timedelta(minutes=15 * number)
    return AppointmentSummary(
        id=f"appt-{number}",
        patient_id=f"patient-{number}",
        patient_name=f"Family{number}, Given",
        doctor_id="doctor-1",
        slot_id=f"slot-{number}",
        starts_at=start,
        ends_at=start + timedelta(minutes=15),
        local_start=start.astimezone(BERLIN),
        local_end=(start + timedelta(minutes=15)).astimezone(BERLIN),
        appointment_type=list(AppointmentType)[number % 4],
        status=status,
        walk_in=number % 5 == 0,
        confirmed=number % 2 == 0,
        meeting_link=None,
        arrived_at=start if status is AppointmentStatus.ARRIVED else None,
        version=1,
    )


def queue_entry(number: int) -> QueueEntry:
    arrived = number % 3 == 0
    status = AppointmentStatus.ARRIVED if arrived else AppointmentStatus.BOOKED
    return QueueEntry(
        appointment(number, status), "Greg House", "2.14", arrived, 40 if arrived else None
    )


def test_queue_table_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = QueueTableModel()
    qtmodeltester.check(model)
    model.replace_rows([queue_entry(n) for n in range(12)])
    assert model.index(0, QueueColumn.TIME).data() == "Walk-in"
    assert model.index(1, QueueColumn.TIME).data() == "09:15"
    assert model.index(3, QueueColumn.STATUS).data() == "Arrived 09:45"
    assert model.index(3, QueueColumn.WAITING).data() == "40 min"
    assert model.index(3, QueueColumn.WAITING).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert model.row_of("appt-7") == 7
    model.replace_rows([])
    qtmodeltester.check(model)


def test_reminder_call_table_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = ReminderCallTableModel()
    qtmodeltester.check(model)
    calls = [
        ReminderCall(
            f"appt-{n}",
            datetime(2026, 3, 5, 9, n, tzinfo=BERLIN),
            "Greg House",
            f"patient-{n}",
            f"Family{n}, Given",
            None if n == 2 else f"+49 30 {n:04d}",
            n % 2 == 0,
        )
        for n in range(5)
    ]
    model.replace_rows(calls)
    assert model.index(2, ReminderColumn.PHONE).data() == "no phone number"
    assert model.index(1, ReminderColumn.CONFIRMED).data() == "Provisional"
    model.replace_rows(calls[:1])
    qtmodeltester.check(model)


def test_patient_completer_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = PatientCompleterModel()
    qtmodeltester.check(model)
    patients = [
        PatientSummary(
            id=f"p-{n}",
            given_name="Ada",
            family_name=f"Family{n}",
            sex=Sex.FEMALE,
            birth_date=date(1980, 1, 1 + n),
            phone=None,
            mrn=f"MRN-{n}" if n % 2 else None,
            national_id=None,
            primary_doctor_id=None,
            version=1,
            deleted=n == 3,
        )
        for n in range(6)
    ]
    model.replace_rows(patients)
    assert model.rowCount() == 5, "deleted records are not offered"
    assert model.index(1, 0).data() == "Family1, Ada · born 1980-01-02 · MRN-1"
    assert model.index(1, 0).data(Qt.ItemDataRole.EditRole) == "Family1, Ada"
    assert model.index(1, 0).data(PATIENT_ID_ROLE) == "p-1"
    model.replace_rows([])
    qtmodeltester.check(model)


def entry(start: datetime, minutes: int, booked: AppointmentSummary | None = None) -> CalendarEntry:
    end = start + timedelta(minutes=minutes)
    return CalendarEntry(
        starts_at=start.astimezone(UTC),
        ends_at=end.astimezone(UTC),
        local_start=start,
        local_end=end,
        slot_id=None if booked is not None else f"slot-{start:%H%M}-{start.fold}",
        slot_status=None if booked is not None else SlotStatus.OPEN,
        block_reason=None,
        slot_version=1,
        appointment=booked,
    )


def test_layout_puts_overlapping_entries_side_by_side_and_keeps_wall_clock_rows() -> None:
    day = date(2026, 10, 25)  # Berlin leaves summer time at 03:00: 02:00–03:00 comes twice
    first = datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN, fold=0)
    second = datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN, fold=1)
    walk_in = appointment(5)
    entries = [
        entry(first, 15),
        entry(second, 15),
        entry(datetime(2026, 10, 25, 9, 0, tzinfo=BERLIN), 15),
        entry(datetime(2026, 10, 25, 9, 5, tzinfo=BERLIN), 15, walk_in),
        entry(datetime(2026, 10, 25, 10, 0, tzinfo=BERLIN), 15),
    ]
    view = CalendarView(
        day,
        day,
        [DoctorDay("doctor-1", "Greg House", "Dermatology", "2.14", "Europe/Berlin", day, entries)],
    )
    layout = build_layout(view, CalendarMode.DAY)
    placed = layout.by_column[0]
    assert [(p.start_minute, p.lane, p.lanes) for p in placed] == [
        (150, 0, 2),  # 02:30, first time
        (150, 1, 2),  # 02:30, second time: beside it, not on top of it
        (540, 0, 2),
        (545, 1, 2),  # the walk-in beside the slot it overlaps
        (600, 0, 1),  # alone again
    ]
    assert (layout.first_minute, layout.last_minute) == (120, 660), "whole hours around it all"
    assert [c.title for c in layout.columns] == ["Greg House"]


def test_an_empty_view_lays_out_office_hours() -> None:
    day = date(2026, 3, 4)
    view = CalendarView(
        day, day, [DoctorDay("d", "Greg House", "Dermatology", None, "UTC", day, [])]
    )
    layout = build_layout(view, CalendarMode.DAY)
    assert layout.empty
    assert (layout.first_minute, layout.last_minute) == (8 * 60, 18 * 60)
    assert layout.columns[0].subtitle == "Dermatology"
