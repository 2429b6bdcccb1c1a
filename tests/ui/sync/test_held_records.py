"""Held records on the Sync page, with the reference server on loopback: a version another
FHIR client wrote that this workstation can't store is shown with the reason, corrected and
stored; a record the server refused is edited field by field, released and sent; bad
corrections are refused in words with nothing sent and nothing lost."""

from __future__ import annotations

import io
import json
import os
import uuid

import requests
from clinic_app.records.models import VisitInput
from clinic_app.security.permissions import Role
from clinic_app.sync import quarantine
from clinic_app.sync.mappings.registry import default_registry
from clinic_app.sync.models import RecordSyncState
from clinic_app.sync.rows import load_rows
from clinic_app.ui.sync.sync_page import HELD_TAB
from pytestqt.qtbot import QtBot

from tests.sync.clinic_data import patient
from tests.sync.conftest import WorkstationFactory
from tests.sync.server_process import ServerProcess
from tests.sync.workstation import Workstation
from tests.ui.sync.sync_fixtures import PageFactory

REFUSAL = "Patient.telecom[1].value: this clinic's server accepts no e-mail at example.invalid"


def _put_from_another_system(server: ServerProcess, resource: dict[str, object]) -> None:
    """Another FHIR client (not a workstation) writes a patient to the real server."""
    token = server.add_device("other-fhir-system")
    answer = requests.put(
        f"{server.url}/Patient/{resource['id']}",
        data=json.dumps(resource),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/fhir+json"},
        timeout=30,
    )
    assert answer.status_code in (200, 201), answer.text


def _manual(station: Workstation) -> Workstation:
    station.sync.configure(station.users[Role.ADMIN], enabled=False)
    return station


def test_a_version_this_workstation_cant_store_is_shown_corrected_and_stored(
    qtbot: QtBot,
    sync_server: ServerProcess,
    workstation: WorkstationFactory,
    sync_page: PageFactory,
) -> None:
    station = _manual(workstation("ws-pull", sync_server))
    patient_id = str(uuid.uuid4())
    _put_from_another_system(
        sync_server,
        {
            "resourceType": "Patient",
            "id": patient_id,
            "name": [{"use": "official", "family": "Hopper", "given": ["Grace"]}],
            "gender": "female",
            "birthDate": "1906-12-09",
            "telecom": [{"system": "email", "value": "grace at navy"}],
        },
    )
    page = sync_page(station, Role.FRONT_DESK)
    page.show_tab(HELD_TAB)
    with qtbot.waitSignal(page.run.finished, timeout=60_000):
        page.overview.sync_button.click()
    qtbot.waitUntil(lambda: page.held_model.rowCount() == 1, timeout=10_000)
    assert page.tabs.tabText(page.tabs.currentIndex()) == f"{HELD_TAB} · 1"
    editor = page.held.editor
    assert editor.item is not None
    assert editor.item.entity_id == patient_id
    assert "email" in editor.reason.text()
    assert editor.mode == "json"
    assert patient_id not in station.content()["patients"]  # held, not stored, not dropped
    # A correction that changes the id is refused in words; nothing is stored.
    original = editor.json_edit.toPlainText()
    editor.json_edit.setPlainText(original.replace(patient_id, "another-id"))
    editor.retry_button.click()
    assert editor.error_text() == "The corrected resource must keep its id."
    editor.json_edit.setPlainText("{ not json")
    editor.retry_button.click()
    assert editor.error_text().startswith("This is not valid JSON")
    assert page.held_model.rowCount() == 1
    # The real correction.
    editor.json_edit.setPlainText(original.replace("grace at navy", "grace@navy.example"))
    with qtbot.waitSignal(page.quarantine_controller.retried, timeout=10_000) as retried:
        editor.retry_button.click()
    assert retried.args == [True]
    qtbot.waitUntil(lambda: page.held.showing_empty_state, timeout=10_000)
    desk = station.users[Role.FRONT_DESK]
    stored = station.services.patients.get(desk, patient_id)
    assert stored.email == "grace@navy.example"
    assert station.sync.record_state(desk, "patients", patient_id) is RecordSyncState.SYNCED


def _hold_as_refused(station: Workstation, patient_id: str) -> None:
    """What the push writes when the server answers 4xx for this record. (The reference
    server accepts every record this workstation can produce, so no real refusal of a
    patient exists to provoke; a refused file, the one it does refuse, has nothing to edit.)"""
    mapping = default_registry().for_table("patients")
    assert mapping is not None
    with station.db.unit_of_work() as uow:
        values = load_rows(uow.session, mapping, [patient_id])[patient_id]
        quarantine.hold(
            uow.session,
            station.sync._settings.sync.server_url,
            direction=quarantine.PUSH,
            entity_type="patients",
            entity_id=patient_id,
            resource_type="Patient",
            resource=mapping.to_resource(values),
            status_code=422,
            message=REFUSAL,
        )
        uow.commit()


def test_a_refused_record_is_edited_by_field_released_and_sent(
    qtbot: QtBot,
    sync_server: ServerProcess,
    workstation: WorkstationFactory,
    sync_page: PageFactory,
) -> None:
    station = _manual(workstation("ws-push", sync_server))
    desk = station.users[Role.FRONT_DESK]
    created = station.services.patients.create(
        desk, patient("Katherine", "Johnson", "1918-08-26", email="kj@example.invalid")
    ).patient
    _hold_as_refused(station, created.id)
    page = sync_page(station, Role.NURSE)
    with qtbot.waitSignal(page.run.finished, timeout=60_000):
        page.overview.sync_button.click()
    # Held: not sent, still waiting, shown with the server's reason.
    assert station.outbox() == 1
    assert station.sync.record_state(desk, "patients", created.id) is RecordSyncState.QUARANTINED
    qtbot.waitUntil(lambda: page.held_model.rowCount() == 1, timeout=10_000)
    editor = page.held.editor
    assert editor.reason.text() == f"Reason: HTTP 422: {REFUSAL}"
    assert editor.mode == "fields"
    assert editor.field_edit("email").text() == "kj@example.invalid"
    assert editor.field_edit("family_name").text() == "Johnson"
    assert editor.field_edit("primary_doctor_id").isReadOnly()
    # A value of the wrong form is refused in words; it stays held, nothing is sent.
    editor.field_edit("birth_date").setText("26 August 1918")
    editor.retry_button.click()
    qtbot.waitUntil(lambda: editor.error_text() != "", timeout=10_000)
    assert "wrong form" in editor.error_text()
    assert editor.retry_button.isEnabled()
    assert editor.field_edit("birth_date").text() == "26 August 1918"  # what was typed stays
    assert station.sync.record_state(desk, "patients", created.id) is RecordSyncState.QUARANTINED
    assert station.outbox() == 1
    # A huge paste is refused before it reaches the service.
    editor.field_edit("birth_date").setText("1918-08-26")
    editor.field_edit("address").setText("x" * 100_000)
    editor.retry_button.click()
    assert "At most 20,000 characters" in editor.form.error_text("address")
    assert station.sync.record_state(desk, "patients", created.id) is RecordSyncState.QUARANTINED


def test_a_refused_record_edit_goes_out_with_the_next_sync(
    qtbot: QtBot,
    sync_server: ServerProcess,
    workstation: WorkstationFactory,
    sync_page: PageFactory,
) -> None:
    station = _manual(workstation("ws-edit", sync_server))
    desk = station.users[Role.FRONT_DESK]
    created = station.services.patients.create(
        desk, patient("Dorothy", "Vaughan", "1910-09-20", email="dv@example.invalid")
    ).patient
    _hold_as_refused(station, created.id)
    page = sync_page(station, Role.FRONT_DESK)
    qtbot.waitUntil(lambda: page.held_model.rowCount() == 1, timeout=10_000)
    editor = page.held.editor
    editor.field_edit("email").setText("dorothy@nasa.example")
    with qtbot.waitSignal(page.quarantine_controller.retried, timeout=10_000) as retried:
        editor.retry_button.click()
    assert retried.args == [True]
    qtbot.waitUntil(lambda: page.held.showing_empty_state, timeout=10_000)
    assert station.services.patients.get(desk, created.id).email == "dorothy@nasa.example"
    with qtbot.waitSignal(page.run.finished, timeout=60_000):
        page.overview.sync_button.click()
    assert station.outbox() == 0
    other = workstation("ws-edit-other", sync_server)
    other.sync_now()
    got = other.services.patients.get(other.users[Role.FRONT_DESK], created.id)
    assert got.email == "dorothy@nasa.example"


def test_a_file_the_server_refuses_is_held_with_its_reason_and_retried_when_allowed(
    qtbot: QtBot,
    sync_server: ServerProcess,
    workstation: WorkstationFactory,
    sync_page: PageFactory,
) -> None:
    sync_server.extra_args = ("--max-binary-mb", "1")  # IT's limit, too low for this scan
    sync_server.restart()
    station = _manual(workstation("ws-file", sync_server))
    doctor = station.users[Role.DOCTOR]
    ada = station.services.patients.create(doctor, patient("Ada", "Scan", "1985-12-10")).patient
    visit = station.services.records.visits.open_visit(doctor, ada.id, data=VisitInput(reason="X"))
    scan = station.services.records.attachments.add_stream(
        doctor, "visit", visit.id, io.BytesIO(os.urandom(1024 * 1024 + 4096)), "scan.bin"
    )
    page = sync_page(station, Role.DOCTOR)
    page.show_tab(HELD_TAB)
    with qtbot.waitSignal(page.run.finished, timeout=60_000):
        page.overview.sync_button.click()
    qtbot.waitUntil(lambda: page.held_model.rowCount() == 1, timeout=10_000)
    editor = page.held.editor
    assert editor.item is not None
    assert editor.item.entity_id == scan.id
    assert editor.reason.text().startswith("Reason: HTTP 413:")
    assert "larger" in editor.reason.text()
    assert editor.mode == "nothing"  # the content travels as it is
    assert "Retry once the cause is fixed" in editor.nothing.text()
    assert station.sync.record_state(doctor, "visits", visit.id) is RecordSyncState.SYNCED
    sync_server.extra_args = ()  # IT raises the limit
    sync_server.restart()
    with qtbot.waitSignal(page.quarantine_controller.retried, timeout=10_000) as retried:
        editor.retry_button.click()
    assert retried.args == [True]
    qtbot.waitUntil(lambda: page.held.showing_empty_state, timeout=10_000)
    with qtbot.waitSignal(page.run.finished, timeout=60_000):
        page.overview.sync_button.click()
    assert page.overview.result_text().startswith("Sync finished")
    assert "1 file(s) up" in page.overview.result_text()
    assert station.sync.record_state(doctor, "attachments", scan.id) is RecordSyncState.SYNCED
