"""'Same person: merge…' in the conflict inbox: a possible duplicate from two workstations is
compared side by side and merged, the conflict closes; the other workstation, once it has
pulled the merge, closes its own as merged in one click; both converge. A role without the
merge right is not offered it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from clinic_app.patients.merge_models import Keep
from clinic_app.patients.models import PatientInput
from clinic_app.records.models import VisitInput
from clinic_app.security.permissions import Role
from clinic_app.sync.models import ConflictKind, Resolution
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from tests.store_inspection import scalar
from tests.sync.conftest import WorkstationFactory
from tests.sync.server_process import ServerProcess
from tests.sync.workstation import Workstation, assert_converged
from tests.ui.sync.sync_fixtures import PageFactory
from tests.ui.test_screenshots import save

TWIN = PatientInput(
    given_name="Augusta",
    family_name="King",
    sex="female",
    birth_date="1955-12-10",
    phone="+44 20 7946 0000",
    mrn="MRN-KING-1",
)


def _pair(factory: WorkstationFactory, server: ServerProcess) -> tuple[Workstation, ...]:
    stations = (factory("ws-a", server), factory("ws-b", server))
    for station in stations:
        station.sync.configure(station.users[Role.ADMIN], enabled=False)
        station.sync_now()
    return stations


def _confirm_merge() -> None:
    def poll() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.objectName() == "mergeConfirmBox":
            next(b for b in box.buttons() if b.text() == "Merge").click()
            return
        QTimer.singleShot(20, poll)

    QTimer.singleShot(20, poll)


def test_same_person_merge_from_the_inbox_closes_the_conflict_on_both_workstations(
    qtbot: QtBot,
    sync_server: ServerProcess,
    workstation: WorkstationFactory,
    sync_page: PageFactory,
    tmp_path: Path,
) -> None:
    a, b = _pair(workstation, sync_server)
    first = a.services.patients.create(a.users[Role.DOCTOR], TWIN).patient
    second = b.services.patients.create(
        b.users[Role.DOCTOR], replace(TWIN, phone="+44 7700 900123")
    ).patient
    visit = b.services.records.visits.open_visit(
        b.users[Role.DOCTOR], second.id, data=VisitInput(reason="Cough")
    )
    a.sync_now()
    b.sync_now()
    a.sync_now()  # both workstations hold both charts: each offers the duplicate

    page = sync_page(b, Role.DOCTOR)
    qtbot.waitUntil(lambda: page.conflict_model.rowCount() == 1, timeout=10_000)
    view = page.conflicts
    assert view.conflict is not None
    assert view.conflict.kind is ConflictKind.DUPLICATE_PATIENT
    page.tabs.setCurrentWidget(view)
    shown = {r for r, button in view.resolution_buttons.items() if not button.isHidden()}
    assert shown == {Resolution.KEEP_BOTH, Resolution.MERGED}
    assert view.resolution_buttons[Resolution.MERGED].text() == "Same person: merge…"
    save(page, tmp_path, "sync_duplicate_conflict_merge")
    view.resolution_buttons[Resolution.MERGED].click()
    flow = page.conflict_controller.merge_flow
    qtbot.waitUntil(lambda: flow.dialog is not None, timeout=10_000)
    dialog = flow.dialog
    assert dialog is not None
    # The server's chart is kept by default; this workstation's is merged into it.
    assert (dialog.preview.survivor.id, dialog.preview.duplicate.id) == (first.id, second.id)
    dialog.choose("phone", Keep.DUPLICATE)
    _confirm_merge()
    with qtbot.waitSignal(page.conflict_controller.resolved, timeout=10_000):
        dialog.merge_button.click()
    qtbot.waitUntil(lambda: page.conflict_model.rowCount() == 0, timeout=10_000)
    doctor = b.users[Role.DOCTOR]
    assert b.services.patients.get(doctor, second.id).summary.deleted
    assert b.services.patients.get(doctor, first.id).summary.phone == "+44 7700 900123"
    assert scalar(b.db, "SELECT patient_id FROM visits WHERE id = ?", visit.id) == first.id

    b.sync_now()
    a.sync_now()
    other = sync_page(a, Role.NURSE)  # closing a merge done elsewhere needs no merge right
    qtbot.waitUntil(lambda: other.conflict_model.rowCount() == 1, timeout=10_000)
    theirs = other.conflicts
    assert theirs.conflict is not None
    assert "already merged" in theirs.detail_label.text()
    shown = {r for r, button in theirs.resolution_buttons.items() if not button.isHidden()}
    assert shown == {Resolution.MERGED}
    assert theirs.resolution_buttons[Resolution.MERGED].text() == "Close: already merged"
    with qtbot.waitSignal(other.conflict_controller.resolved, timeout=10_000):
        theirs.resolution_buttons[Resolution.MERGED].click()  # no dialog: merged already
    assert other.conflict_controller.merge_flow.dialog is None
    a.sync_now()
    b.sync_now()
    assert_converged(a, b)
    assert a.open_conflicts() == []
    assert scalar(a.db, "SELECT patient_id FROM visits WHERE id = ?", visit.id) == first.id


def test_a_role_without_the_merge_right_is_not_offered_the_merge(
    qtbot: QtBot,
    sync_server: ServerProcess,
    workstation: WorkstationFactory,
    sync_page: PageFactory,
) -> None:
    a, b = _pair(workstation, sync_server)
    a.services.patients.create(a.users[Role.FRONT_DESK], TWIN)
    b.services.patients.create(b.users[Role.FRONT_DESK], TWIN)
    a.sync_now()
    b.sync_now()
    page = sync_page(b, Role.NURSE)
    qtbot.waitUntil(lambda: page.conflict_model.rowCount() == 1, timeout=10_000)
    shown = {r for r, btn in page.conflicts.resolution_buttons.items() if not btn.isHidden()}
    assert shown == {Resolution.KEEP_BOTH}
