"""The conflict inbox over two workstations and the reference server: a patient edited on
both sides is shown side by side with the differences highlighted and resolved field by
field; a possible duplicate is offered (never merged); a role that may not resolve is told so
in words."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from clinic_app.patients.models import PatientInput
from clinic_app.scheduling.hours import parse_weekly
from clinic_app.scheduling.models import BookingRequest, DoctorProfileInput
from clinic_app.security.permissions import Role
from clinic_app.sync.models import ConflictKind, Resolution
from clinic_app.ui.sync.conflict_field_table_model import (
    DIFFERS_ROLE,
    ConflictFieldTableModel,
    FieldColumn,
)
from clinic_app.ui.sync.conflict_inbox_controller import ConflictInboxController
from clinic_app.ui.sync.conflict_inbox_view import ConflictInboxView
from clinic_app.ui.sync.conflict_table_model import ConflictTableModel
from clinic_app.ui.sync.sync_page import CONFLICTS_TAB
from clinic_app.ui.tasks.task_runner import TaskRunner
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.sync.conftest import WorkstationFactory
from tests.sync.server_process import ServerProcess
from tests.sync.workstation import Workstation, assert_converged
from tests.ui.sync.sync_fixtures import PageFactory, context_for

ADA = PatientInput(
    given_name="Ada",
    family_name="Lovelace",
    sex="female",
    birth_date="1985-12-10",
    phone="+44 20 7946 0000",
    email="ada@example.org",
)


def _edit(station: Workstation, patient_id: str, **changes: str) -> None:
    desk = station.users[Role.FRONT_DESK]
    detail = station.services.patients.get(desk, patient_id)
    s = detail.summary
    data = PatientInput(
        given_name=s.given_name,
        family_name=s.family_name,
        sex=s.sex.value,
        birth_date=s.birth_date,
        phone=s.phone or "",
        email=detail.email or "",
        address=detail.address or "",
    )
    station.services.patients.update(desk, patient_id, replace(data, **changes), detail.version)


def _manual_pair(factory: WorkstationFactory, server: ServerProcess) -> tuple[Workstation, ...]:
    stations = (factory("ws-a", server), factory("ws-b", server))
    for station in stations:
        station.sync.configure(station.users[Role.ADMIN], enabled=False)
        station.sync_now()
    return stations


def test_a_conflict_from_two_workstations_is_shown_side_by_side_and_merged_by_field(
    qtbot: QtBot,
    sync_server: ServerProcess,
    workstation: WorkstationFactory,
    sync_page: PageFactory,
) -> None:
    a, b = _manual_pair(workstation, sync_server)
    ada = a.services.patients.create(a.users[Role.FRONT_DESK], ADA).patient
    a.sync_now()
    b.sync_now()
    _edit(a, ada.id, phone="+44 1111")
    _edit(b, ada.id, phone="+44 2222", email="b@example.org")
    a.sync_now()
    page = sync_page(b, Role.FRONT_DESK)
    page.show_tab(CONFLICTS_TAB)
    with qtbot.waitSignal(page.run.finished, timeout=60_000):
        page.overview.sync_button.click()  # B's sync finds the conflict
    view = page.conflicts
    qtbot.waitUntil(lambda: page.conflict_model.rowCount() == 1, timeout=10_000)
    assert page.tabs.tabText(page.tabs.currentIndex()) == f"{CONFLICTS_TAB} · 1"
    conflict = view.conflict
    assert conflict is not None
    assert conflict.kind is ConflictKind.EDIT
    assert ada.id in view.title.text()
    fields = page.field_model
    rows = {
        fields.index(r, FieldColumn.FIELD).data(): (
            fields.index(r, FieldColumn.LOCAL).data(),
            fields.index(r, FieldColumn.SERVER).data(),
            fields.index(r, FieldColumn.FIELD).data(DIFFERS_ROLE),
        )
        for r in range(fields.rowCount())
    }
    assert rows["Phone"] == ("+44 2222", "+44 1111", True)
    assert rows["Email"] == ("b@example.org", "ada@example.org", True)
    assert rows["Given name"] == ("Ada", "Ada", False)
    # Differences are highlighted, the rest is not.
    phone_row = next(r for r in range(fields.rowCount()) if fields.index(r, 0).data() == "Phone")
    given_row = next(
        r for r in range(fields.rowCount()) if fields.index(r, 0).data() == "Given name"
    )
    assert fields.index(phone_row, FieldColumn.SERVER).data(Qt.ItemDataRole.BackgroundRole)
    assert fields.index(given_row, FieldColumn.SERVER).data(Qt.ItemDataRole.BackgroundRole) is None
    assert not fields.flags(fields.index(given_row, FieldColumn.SERVER)) & (
        Qt.ItemFlag.ItemIsUserCheckable
    )
    # The choices the service allows, and nothing else.
    shown = {r for r, button in view.resolution_buttons.items() if not button.isHidden()}
    assert shown == {Resolution.KEEP_LOCAL, Resolution.TAKE_SERVER, Resolution.MERGE}
    # Tick the server's phone (as a click on its check box does); keep B's e-mail.
    server_phone = fields.index(phone_row, FieldColumn.SERVER)
    assert fields.setData(server_phone, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    local_phone = fields.index(phone_row, FieldColumn.LOCAL)
    assert local_phone.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    assert fields.choices() == {"phone": "server", "email": "local"}
    with qtbot.waitSignal(page.conflict_controller.resolved, timeout=10_000):
        view.resolution_buttons[Resolution.MERGE].click()
    qtbot.waitUntil(lambda: view.showing_empty_state, timeout=10_000)
    assert view.empty_state.title == "No conflicts"
    # Nothing overwritten behind the person's back: the merge is what goes out.
    with qtbot.waitSignal(page.run.finished, timeout=60_000):
        page.overview.sync_button.click()
    a.sync_now()
    assert_converged(a, b)
    final = a.services.patients.get(a.users[Role.FRONT_DESK], ada.id)
    assert final.summary.phone == "+44 1111"
    assert final.email == "b@example.org"


def test_a_possible_duplicate_is_offered_and_kept_apart_never_merged(
    qtbot: QtBot,
    sync_server: ServerProcess,
    workstation: WorkstationFactory,
    sync_page: PageFactory,
) -> None:
    a, b = _manual_pair(workstation, sync_server)
    twin = replace(ADA, given_name="Augusta", mrn="MRN-TWIN-1")
    first = a.services.patients.create(a.users[Role.FRONT_DESK], twin).patient
    second = b.services.patients.create(b.users[Role.FRONT_DESK], replace(twin, phone="")).patient
    a.sync_now()
    b.sync_now()
    page = sync_page(b, Role.FRONT_DESK)
    qtbot.waitUntil(lambda: page.conflict_model.rowCount() == 1, timeout=10_000)
    view = page.conflicts
    assert view.conflict is not None
    assert view.conflict.kind is ConflictKind.DUPLICATE_PATIENT
    assert "Nothing was merged" in view.help_label.text()
    headers = [page.field_model.headerData(c, Qt.Orientation.Horizontal) for c in range(3)]
    assert headers == ["Field", "Registered here", "Arrived from the server"]
    shown = {r for r, button in view.resolution_buttons.items() if not button.isHidden()}
    assert shown == {Resolution.KEEP_BOTH}
    assert view.all_local_button.isHidden()  # nothing to tick: never merged from here
    with qtbot.waitSignal(page.conflict_controller.resolved, timeout=10_000):
        view.resolution_buttons[Resolution.KEEP_BOTH].click()
    desk = b.users[Role.FRONT_DESK]
    assert not b.services.patients.get(desk, first.id).summary.deleted
    assert not b.services.patients.get(desk, second.id).summary.deleted


def test_a_role_that_may_not_resolve_is_told_so_in_words(
    qtbot: QtBot,
    sync_server: ServerProcess,
    workstation: WorkstationFactory,
    sync_page: PageFactory,
    ui_runner: TaskRunner,
) -> None:
    station = workstation("ws-admin", sync_server)
    # The administrator syncs and configures but resolves nothing: no such tabs.
    page = sync_page(station, Role.ADMIN)
    titles = [page.tabs.tabText(i) for i in range(page.tabs.count())]
    assert titles == ["Status and log"]
    assert page.conflict_controller is None
    assert not page.overview.settings_button.isHidden()
    # Asked anyway (e.g. a stale screen), the service refuses and the inbox says why.
    model, fields = ConflictTableModel(), ConflictFieldTableModel()
    view = ConflictInboxView(model, fields)
    qtbot.addWidget(view)
    controller = ConflictInboxController(
        view, model, context_for(station, Role.ADMIN, ui_runner), view
    )
    with qtbot.waitSignal(ui_runner.task_failed, timeout=2_000, raising=False) as unhandled:
        controller.load()
        qtbot.waitUntil(lambda: view.empty_state.title == "Not allowed", timeout=10_000)
    assert not unhandled.signal_triggered  # handled: a message, not a crash dialog
    assert "resolved by the people who keep those records" in view.empty_state._text.text()
    # A doctor resolves but does not configure.
    doctor_page = sync_page(station, Role.DOCTOR)
    assert doctor_page.overview.settings_button.isHidden()
    doctor_page.overview_controller.open_settings()
    assert doctor_page.overview_controller.dialog is None


def test_a_slot_booked_on_both_sides_is_cancelled_here_from_the_inbox(
    qtbot: QtBot,
    sync_server: ServerProcess,
    workstation: WorkstationFactory,
    sync_page: PageFactory,
) -> None:
    a, b = _manual_pair(workstation, sync_server)
    admin, desk, doctor = (a.users[r] for r in (Role.ADMIN, Role.FRONT_DESK, Role.DOCTOR))
    a.services.scheduling.profiles.save_profile(
        admin,
        doctor.id,
        DoctorProfileInput(
            specialisation="GP",
            consultation_minutes=30,
            time_zone="Europe/Berlin",
            weekly_hours=parse_weekly("mon-sun=09:00-10:00"),
        ),
    )
    day = date.today() + timedelta(days=10)
    a.services.scheduling.slots.generate(admin, doctor.id, day, day)
    mine = a.services.patients.create(desk, replace(ADA, family_name="Slot-A")).patient
    theirs = a.services.patients.create(desk, replace(ADA, family_name="Slot-B")).patient
    a.sync_now()
    b.sync_now()
    view = a.services.scheduling.calendar.day_view(admin, day, doctor_id=doctor.id)
    slot_id = next(e.slot_id for c in view.columns for e in c.entries if e.slot_id)
    a.services.scheduling.booking.book(desk, slot_id, BookingRequest(mine.id))
    lost = b.services.scheduling.booking.book(desk, slot_id, BookingRequest(theirs.id))
    a.sync_now()
    page = sync_page(b, Role.FRONT_DESK)
    with qtbot.waitSignal(page.run.finished, timeout=60_000):
        page.overview.sync_button.click()
    qtbot.waitUntil(lambda: page.conflict_model.rowCount() == 1, timeout=10_000)
    inbox = page.conflicts
    assert inbox.conflict is not None
    assert inbox.conflict.kind is ConflictKind.SLOT_TAKEN
    assert "already booked" in inbox.detail_label.text()
    buttons = inbox.resolution_buttons
    shown = {r for r, button in buttons.items() if not button.isHidden()}
    assert shown == {Resolution.KEEP_LOCAL, Resolution.CANCEL_BOOKING}
    assert buttons[Resolution.KEEP_LOCAL].text() == "Try the booking again"
    with qtbot.waitSignal(page.conflict_controller.resolved, timeout=20_000):
        buttons[Resolution.CANCEL_BOOKING].click()
    status = b.services.scheduling.attendance.get(desk, lost.id).appointment.status
    assert status.value == "cancelled"
    with qtbot.waitSignal(page.run.finished, timeout=60_000):
        page.overview.sync_button.click()
    a.sync_now()
    assert_converged(a, b)
