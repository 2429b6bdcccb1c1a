"""The status-bar line and the Sync page's first tab against the reference server on
loopback: a background sync when due, "Sync now" with progress, cancel and the log, readable
errors for an offline server and a refused token (nothing lost), the empty state."""

from __future__ import annotations

import threading

from clinic_app.security.permissions import Role
from clinic_app.sync.client import RetryPolicy
from clinic_app.sync.models import SyncStatus
from clinic_app.ui.sync.sync_page import SyncPage
from clinic_app.ui.sync.sync_status_companion import SyncStatusCompanion
from clinic_app.ui.tasks.task_runner import Lane, TaskRunner
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from tests.sync.clinic_data import patient
from tests.sync.conftest import WorkstationFactory
from tests.sync.server_process import ServerProcess, free_port
from tests.sync.workstation import Workstation
from tests.ui.sync.sync_fixtures import PageFactory, WindowFactory

ONE_TRY = RetryPolicy(attempts=1)


def _add_patients(station: Workstation, *names: str) -> list[str]:
    desk = station.users[Role.FRONT_DESK]
    return [
        station.services.patients.create(desk, patient(name, "Sync", "1980-01-02")).patient.id
        for name in names
    ]


def _manual(station: Workstation) -> Workstation:
    """Background sync off: only "Sync now" runs one."""
    station.sync.configure(station.users[Role.ADMIN], enabled=False)
    return station


def _patient_ids(station: Workstation) -> set[str]:
    return set(station.content()["patients"])


def test_the_status_bar_line_changes_after_a_background_sync_and_opens_the_page(
    qtbot: QtBot,
    sync_server: ServerProcess,
    workstation: WorkstationFactory,
    sync_window: WindowFactory,
) -> None:
    station = workstation("ws-bar", sync_server)  # sync on, never run: due at once
    [ada] = _add_patients(station, "Ada")
    window = sync_window(station, Role.FRONT_DESK)
    companion = window.companion("sync")
    assert isinstance(companion, SyncStatusCompanion)
    seen: list[SyncStatus] = []
    companion.status_changed.connect(seen.append)
    texts: list[str] = []
    companion.run.started.connect(lambda *_: texts.append(window.connection_label.text()))
    with qtbot.waitSignal(companion.run.finished, timeout=60_000):
        pass  # the first poll finds the sync due and starts it in the background
    qtbot.waitUntil(lambda: "synced just now" in window.connection_label.text(), timeout=20_000)
    assert seen[0].pending_changes == 1  # before the run: Ada waited to be sent
    assert texts
    assert texts[0].startswith("Syncing…")
    assert window.connection_label.text() == "Online · synced just now"
    assert station.outbox() == 0
    other = workstation("ws-bar-other", sync_server)
    other.sync_now()
    assert ada in _patient_ids(other)  # it really reached the server
    # A click on the line opens the Sync page.
    QTest.mouseClick(window.connection_label, Qt.MouseButton.LeftButton)
    assert window.current_page_key == "sync"
    assert isinstance(window.page("sync"), SyncPage)


def test_sync_now_sends_pending_records_with_progress_and_the_log_shows_the_run(
    qtbot: QtBot,
    sync_server: ServerProcess,
    workstation: WorkstationFactory,
    sync_page: PageFactory,
) -> None:
    station = _manual(workstation("ws-now", sync_server))
    ids = _add_patients(station, "Grace", "Edsger")
    page = sync_page(station, Role.FRONT_DESK)
    view = page.overview
    qtbot.waitUntil(lambda: view.summary["pending"].text() == "2", timeout=10_000)
    assert view.summary["last_success"].text() == "never"
    assert view.summary["server"].text() == sync_server.url
    progress: list[tuple[int, int, str]] = []
    page.run.started.connect(
        lambda handle, _bg: handle.progressed.connect(lambda *report: progress.append(report))
    )
    with qtbot.waitSignal(page.run.finished, timeout=60_000):
        view.sync_button.click()
        assert view.running  # the progress row and Cancel show while it runs
        assert not view.sync_button.isEnabled()
    qtbot.waitUntil(lambda: view.summary["pending"].text() == "0", timeout=10_000)
    assert not view.running
    assert view.result_text().startswith("Sync finished: 2 sent")
    assert view.error_text() == ""
    assert progress  # the engine's steps reached the page
    assert "just now" in view.summary["last_success"].text()
    events = page.log_model.events()
    assert events[0] == "finished"
    assert "pushed" in events
    assert "started" in events
    assert station.outbox() == 0
    other = workstation("ws-now-other", sync_server)
    other.sync_now()
    assert set(ids) <= _patient_ids(other)
    # Look up one record's state.
    view.lookup_table.setCurrentIndex(view.lookup_table.findData("patients"))
    view.lookup_edit.setText(ids[0])
    view.lookup_button.click()
    qtbot.waitUntil(lambda: view.lookup_result.text().startswith("Synced"), timeout=10_000)
    view.lookup_edit.setText("x" * 500)
    view.lookup_button.click()
    assert "not a record id" in view.lookup_result.text()
    view.lookup_edit.setText("no-such-record")
    view.lookup_button.click()
    qtbot.waitUntil(lambda: "No such record" in view.lookup_result.text(), timeout=10_000)


def test_a_cancelled_sync_says_so_and_keeps_the_changes(
    qtbot: QtBot,
    sync_server: ServerProcess,
    workstation: WorkstationFactory,
    sync_page: PageFactory,
    ui_runner: TaskRunner,
) -> None:
    station = _manual(workstation("ws-cancel", sync_server))
    _add_patients(station, "Barbara")
    page = sync_page(station, Role.NURSE)
    view = page.overview
    qtbot.waitUntil(lambda: view.summary["pending"].text() == "1", timeout=10_000)
    # Hold the network lane so the cancel lands before the run begins (no race with a
    # quick run on loopback).
    gate = threading.Event()
    ui_runner.run(Lane.NETWORK, lambda _ctx: gate.wait(30), label="hold the lane")
    with qtbot.waitSignal(page.run.finished, timeout=60_000):
        view.sync_button.click()
        QTest.keyClick(view, Qt.Key.Key_Escape)
        assert "Cancelling" in view.progress_label.text()
        gate.set()
    assert view.result_text().startswith("Sync cancelled")
    assert not view.running
    assert station.outbox() == 1  # nothing sent, nothing lost
    with qtbot.waitSignal(page.run.finished, timeout=60_000):
        view.sync_button.click()
    assert station.outbox() == 0


def test_an_offline_server_is_a_readable_message_and_nothing_is_lost(
    qtbot: QtBot,
    sync_server: ServerProcess,
    workstation: WorkstationFactory,
    sync_page: PageFactory,
) -> None:
    station = _manual(workstation("ws-offline", sync_server, retry=ONE_TRY))
    _add_patients(station, "Alan")
    sync_server.kill()
    page = sync_page(station, Role.FRONT_DESK)
    view = page.overview
    qtbot.waitUntil(lambda: view.summary["pending"].text() == "1", timeout=10_000)
    with qtbot.waitSignal(page.run.finished, timeout=60_000):
        view.sync_button.click()
    text = view.error_text()
    assert text.startswith("The sync server can't be reached.")
    assert "Nothing was lost" in text
    assert "1 change made here wait" in text
    assert "Traceback" not in text
    qtbot.waitUntil(lambda: view.summary["state"].text().startswith("Offline"), timeout=10_000)
    assert view.summary["pending"].text() == "1"
    assert station.outbox() == 1
    assert page.log_model.events()[0] == "offline"
    sync_server.start()
    with qtbot.waitSignal(page.run.finished, timeout=60_000):
        view.sync_button.click()
    assert view.error_text() == ""
    assert station.outbox() == 0


def test_a_refused_token_and_a_wrong_address_are_readable(
    qtbot: QtBot,
    sync_server: ServerProcess,
    workstation: WorkstationFactory,
    sync_page: PageFactory,
) -> None:
    station = _manual(workstation("ws-token", sync_server, retry=ONE_TRY))
    _add_patients(station, "Margaret")
    station.sync.configure(station.users[Role.ADMIN], token="cst_not-a-real-token")
    page = sync_page(station, Role.DOCTOR)
    view = page.overview
    qtbot.waitUntil(lambda: view.summary["pending"].text() == "1", timeout=10_000)
    with qtbot.waitSignal(page.run.finished, timeout=60_000):
        view.sync_button.click()
    assert view.error_text().startswith("The server refused this workstation.")
    assert "device token" in view.error_text()
    assert station.outbox() == 1
    # A port where nothing listens: offline, the same readable message.
    station.sync.configure(station.users[Role.ADMIN], url=f"http://127.0.0.1:{free_port()}")
    with qtbot.waitSignal(page.run.finished, timeout=60_000):
        view.sync_button.click()
    assert view.error_text().startswith("The sync server can't be reached.")
    assert station.outbox() == 1


def test_sync_not_set_up_shows_an_empty_state_with_a_button_for_admins(
    qtbot: QtBot, workstation: WorkstationFactory, sync_page: PageFactory
) -> None:
    station = workstation("ws-none")  # no server
    _add_patients(station, "Hedy")
    desk_page = sync_page(station, Role.FRONT_DESK)
    qtbot.waitUntil(lambda: desk_page.overview.showing_empty_state, timeout=10_000)
    empty = desk_page.overview.empty_state
    assert empty.title == "Sync is not set up"
    assert "administrator can connect" in empty._text.text()
    assert "1 change(s) made here are kept" in empty._text.text()
    assert empty._button.isHidden()  # not for the desk
    assert not desk_page.overview.sync_button.isEnabled()
    admin_page = sync_page(station, Role.ADMIN)
    qtbot.waitUntil(lambda: admin_page.overview.showing_empty_state, timeout=10_000)
    button = admin_page.overview.empty_state._button
    assert not button.isHidden()
    assert button.text() == "Set up sync…"
    button.click()
    dialog = admin_page.overview_controller.dialog
    assert dialog is not None
    assert dialog.isVisible()
    dialog.reject()
