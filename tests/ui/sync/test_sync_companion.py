"""The status line's companion in a real window: F9 syncs from any page, runs
never overlap (the page's "Sync now" and the timer share one run), a run in progress shows on
the page that opens meanwhile, and signing out cancels it."""

from __future__ import annotations

import threading

from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser
from clinic_app.sync.client import RetryPolicy
from clinic_app.ui.shell.builtin_pages import default_page_registry
from clinic_app.ui.sync.sync_page import SyncPage
from clinic_app.ui.sync.sync_status_companion import SyncStatusCompanion
from clinic_app.ui.tasks.task_runner import Lane, TaskRunner
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.sync.clinic_data import patient
from tests.sync.conftest import WorkstationFactory
from tests.sync.server_process import ServerProcess
from tests.ui.sync.sync_fixtures import WindowFactory


def test_f9_syncs_from_any_page_and_runs_never_overlap(
    qtbot: QtBot,
    sync_server: ServerProcess,
    workstation: WorkstationFactory,
    sync_window: WindowFactory,
    ui_runner: TaskRunner,
) -> None:
    station = workstation("ws-keys", sync_server)
    station.sync.configure(station.users[Role.ADMIN], enabled=False)  # no timer run
    desk = station.users[Role.FRONT_DESK]
    station.services.patients.create(desk, patient("Ida", "Keys", "1990-05-05"))
    window = sync_window(station, Role.FRONT_DESK)
    companion = window.companion("sync")
    assert isinstance(companion, SyncStatusCompanion)
    qtbot.waitUntil(lambda: "1 to send" in window.connection_label.text(), timeout=10_000)
    window.show_page("patients")
    # Hold the network lane, so the run is surely still on its way while we look.
    gate = threading.Event()
    ui_runner.run(Lane.NETWORK, lambda _ctx: gate.wait(30), label="hold the lane")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    qtbot.keyClick(window, Qt.Key.Key_F9)
    assert window.current_page_key == "sync"
    page = window.page("sync")
    assert isinstance(page, SyncPage)
    assert page.run is companion.run  # one run for the window
    assert companion.run.running
    assert page.overview.running
    reported: list[str] = []
    page.status_reported.connect(reported.append)
    page.overview.sync_button.setEnabled(True)  # even if a second click got through…
    page.overview.sync_button.click()
    assert reported == ["A sync is already running."]
    assert companion.run.start(background=True) is None  # …and the timer's turn is skipped
    with qtbot.waitSignal(companion.run.finished, timeout=60_000):
        gate.set()
    qtbot.waitUntil(lambda: "synced just now" in window.connection_label.text(), timeout=10_000)
    assert "to send" not in window.connection_label.text()
    assert station.outbox() == 0


def test_signing_out_cancels_a_running_background_sync(
    qtbot: QtBot,
    sync_server: ServerProcess,
    workstation: WorkstationFactory,
    sync_window: WindowFactory,
    ui_runner: TaskRunner,
) -> None:
    station = workstation("ws-out", sync_server)  # on and due: the first poll starts it
    desk = station.users[Role.FRONT_DESK]
    station.services.patients.create(desk, patient("Lise", "Meitner", "1978-11-07"))
    gate = threading.Event()
    ui_runner.run(Lane.NETWORK, lambda _ctx: gate.wait(30), label="hold the lane")
    window = sync_window(station, Role.NURSE)
    companion = window.companion("sync")
    assert isinstance(companion, SyncStatusCompanion)
    qtbot.waitUntil(lambda: companion.run.running, timeout=10_000)
    assert companion.run.background
    assert window.connection_label.text().startswith("Syncing…")
    with qtbot.waitSignal(companion.run.cancelled, timeout=60_000):
        window.shutdown_pages()  # what signing out does first
        gate.set()
    assert station.outbox() == 1  # nothing sent, nothing lost
    assert not companion.timer.isActive()


def test_a_background_sync_against_a_stopped_server_shows_offline_quietly(
    qtbot: QtBot,
    sync_server: ServerProcess,
    workstation: WorkstationFactory,
    sync_window: WindowFactory,
    ui_runner: TaskRunner,
) -> None:
    station = workstation("ws-quiet", sync_server, retry=RetryPolicy(attempts=1))
    desk = station.users[Role.FRONT_DESK]
    station.services.patients.create(desk, patient("Rosalind", "Franklin", "1980-07-25"))
    sync_server.kill()
    unhandled: list[BaseException] = []
    ui_runner.task_failed.connect(unhandled.append)
    window = sync_window(station, Role.FRONT_DESK)
    companion = window.companion("sync")
    assert isinstance(companion, SyncStatusCompanion)
    with qtbot.waitSignal(companion.run.failed, timeout=60_000):
        pass  # due at once: the timer's run finds no server
    qtbot.waitUntil(
        lambda: window.connection_label.text() == "Offline · never synced · 1 to send",
        timeout=10_000,
    )
    assert unhandled == []  # no error dialog for a run nobody asked for
    assert "Last problem:" in window.connection_label.toolTip()
    assert station.outbox() == 1
    assert _roles_seeing_sync() == set(Role)


def _roles_seeing_sync() -> set[Role]:
    """Every role syncs its own workstation: the page is there for all of them."""
    registry = default_page_registry()
    seeing = set()
    for role in Role:
        user = AuthenticatedUser(id="u", username="u", display_name="U", role=role)
        if "sync" in [spec.key for spec in registry.pages_for(user)]:
            seeing.add(role)
    return seeing
