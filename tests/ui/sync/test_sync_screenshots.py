"""Screenshots of the sync screens at a laptop's size, for review by eye (copied to
/tmp/clinic_screens/ like the other screens): the Sync page with its log, the held records
with the editor, the conflict inbox side by side, and the window's status line."""

from __future__ import annotations

import uuid
from pathlib import Path

from clinic_app.security.permissions import Role
from clinic_app.ui.sync.sync_page import CONFLICTS_TAB, HELD_TAB, STATUS_TAB
from pytestqt.qtbot import QtBot

from tests.sync.clinic_data import patient
from tests.sync.conftest import WorkstationFactory
from tests.sync.server_process import ServerProcess
from tests.ui.sync.sync_fixtures import PageFactory, WindowFactory
from tests.ui.sync.test_conflict_inbox import ADA, _edit, _manual_pair
from tests.ui.sync.test_held_records import _hold_as_refused, _put_from_another_system
from tests.ui.test_screenshots import WINDOW, save


def test_sync_screens(
    qtbot: QtBot,
    sync_server: ServerProcess,
    workstation: WorkstationFactory,
    sync_page: PageFactory,
    sync_window: WindowFactory,
    tmp_path: Path,
) -> None:
    a, b = _manual_pair(workstation, sync_server)
    ada = a.services.patients.create(a.users[Role.FRONT_DESK], ADA).patient
    a.sync_now()
    b.sync_now()
    _edit(a, ada.id, phone="+44 20 7946 1111", address="Ockham Park, Surrey")
    _edit(b, ada.id, phone="+44 20 7946 2222", email="countess@example.org")
    a.sync_now()
    _put_from_another_system(
        sync_server,
        {
            "resourceType": "Patient",
            "id": str(uuid.uuid4()),
            "name": [{"use": "official", "family": "Hopper", "given": ["Grace"]}],
            "gender": "female",
            "birthDate": "1906-12-09",
            "telecom": [{"system": "email", "value": "grace at navy"}],
        },
    )
    katherine = b.services.patients.create(
        b.users[Role.FRONT_DESK],
        patient("Katherine", "Johnson", "1918-08-26", email="kj@example.invalid"),
    ).patient
    _hold_as_refused(b, katherine.id)
    page = sync_page(b, Role.FRONT_DESK)
    page.resize(*WINDOW)
    with qtbot.waitSignal(page.run.finished, timeout=60_000):
        page.overview.sync_button.click()
    qtbot.waitUntil(lambda: page.held_model.rowCount() == 2, timeout=10_000)
    qtbot.waitUntil(lambda: page.conflict_model.rowCount() == 1, timeout=10_000)
    qtbot.waitUntil(lambda: page.log_model.rowCount() > 3, timeout=10_000)
    page.show_tab(STATUS_TAB)
    save(page, tmp_path, "sync_page_status_log")
    page.show_tab(HELD_TAB)
    assert page.held.select_item(next(i.id for i in page.held_model._rows if i.direction == "pull"))
    save(page, tmp_path, "sync_page_held_records")
    assert page.held.select_item(next(i.id for i in page.held_model._rows if i.direction == "push"))
    page.held.editor.field_edit("email").setText("katherine@nasa.example")
    save(page, tmp_path, "sync_held_record_fields")
    page.show_tab(CONFLICTS_TAB)
    page.field_model.choose("phone", "server")
    save(page, tmp_path, "sync_conflict_inbox")
    unset = workstation("ws-unset")  # no server yet
    admin_page = sync_page(unset, Role.ADMIN)
    admin_page.resize(*WINDOW)
    qtbot.waitUntil(lambda: admin_page.overview.showing_empty_state, timeout=10_000)
    save(admin_page, tmp_path, "sync_page_not_set_up")
    admin_page.overview.empty_state.action_clicked.emit()
    dialog = admin_page.overview_controller.dialog
    assert dialog is not None
    dialog.url_edit.setText("ftp://fhir.clinic.example")
    dialog.submit_button.click()
    qtbot.waitUntil(lambda: dialog.height() >= dialog.sizeHint().height(), timeout=5_000)
    save(dialog, tmp_path, "sync_settings_dialog")
    dialog.reject()
    window = sync_window(b, Role.FRONT_DESK)
    companion = window.companion("sync")
    assert companion is not None
    qtbot.waitUntil(lambda: "held" in window.connection_label.text(), timeout=20_000)
    label = window.connection_label
    assert "1 conflict" in label.text()
    assert "2 held" in label.text()
    # The status bar lays the longer line out on its next pass.
    qtbot.waitUntil(lambda: label.width() >= label.sizeHint().width(), timeout=5_000)
    save(window, tmp_path, "sync_status_bar_window")
