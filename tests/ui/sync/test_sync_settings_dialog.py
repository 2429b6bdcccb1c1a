"""Sync settings from the Sync page (administrators): bad input is refused under its field
with nothing saved and nothing typed lost; good input is saved through `configure` (the token
into the keyring, never shown back) and the next sync uses it; a setting IT locked is shown
read-only."""

from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from clinic_app.security.permissions import Role
from clinic_app.settings import SYNC_SETTINGS_FILE, SyncSettings
from clinic_app.sync.credentials import load_token
from clinic_app.ui.sync.sync_page import SyncPage
from clinic_app.ui.sync.sync_settings_dialog import LOCKED_HINT, SyncSettingsDialog
from clinic_app.ui.tasks.task_runner import TaskRunner
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from tests.sync.conftest import WorkstationFactory
from tests.sync.server_process import ServerProcess
from tests.sync.workstation import Workstation
from tests.ui.sync.sync_fixtures import PageFactory, context_for


def _sync_file(station: Workstation) -> str:
    return (station.services.settings.data_dir / SYNC_SETTINGS_FILE).read_text(encoding="utf-8")


def _open_dialog(page: SyncPage) -> SyncSettingsDialog:
    page.overview.settings_button.click()
    dialog = page.overview_controller.dialog
    assert dialog is not None
    return dialog


BAD_INPUT = [
    ("url", "", "Required"),
    ("url", "   ", "Required"),
    ("url", "ftp://fhir.clinic.example", "Must start with https://"),
    ("url", "fhir.clinic.example", "Must start with https://"),
    ("url", "https://", "host name is missing"),
    ("url", "https://fhir clinic.example", "no spaces"),
    ("url", "https://x.example/" + "a" * 5000, "At most 2000 characters"),
    ("token", "x" * 10_000, "Too long for a device token"),
    ("token", "two words", "one word"),
    ("ca_bundle", "/no/such/clinic-ca.pem", "No such file"),
    ("ca_bundle", "\x00bad", "No such file"),
]


@pytest.mark.parametrize(("field", "value", "message"), BAD_INPUT)
def test_bad_input_is_refused_under_its_field_and_nothing_is_saved(
    qtbot: QtBot,
    shared_sync_server: ServerProcess,
    workstation: WorkstationFactory,
    sync_page: PageFactory,
    field: str,
    value: str,
    message: str,
) -> None:
    # Device names are unique on the module's server.
    station = workstation(f"ws-set-{uuid.uuid4().hex[:8]}", shared_sync_server)
    before = _sync_file(station)
    page = sync_page(station, Role.ADMIN)
    dialog = _open_dialog(page)
    edit = {"url": dialog.url_edit, "token": dialog.token_edit, "ca_bundle": dialog.ca_edit}[field]
    edit.setText(value)
    dialog.submit_button.click()
    assert message in dialog.form.error_text(field)
    assert dialog.isVisible()  # still open, with what was typed
    assert edit.text() == value
    assert dialog.submit_button.isEnabled()
    assert _sync_file(station) == before


def test_good_settings_are_saved_the_token_is_never_shown_back_and_sync_uses_them(
    qtbot: QtBot,
    sync_server: ServerProcess,
    workstation: WorkstationFactory,
    sync_page: PageFactory,
    tmp_path: Path,
) -> None:
    station = workstation("ws-good", sync_server)
    station.sync.configure(station.users[Role.ADMIN], token="cst_revoked-long-ago")
    page = sync_page(station, Role.ADMIN)
    fresh = sync_server.add_device("ws-good-again")
    bundle = tmp_path / "clinic-ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n", encoding="utf-8")
    dialog = _open_dialog(page)
    assert dialog.token_edit.text() == ""  # never shown back
    assert dialog.token_edit.placeholderText() == "Leave empty to keep the current token"
    assert dialog.url_edit.text() == sync_server.url
    # The CA bundle comes from a file picker.
    dialog.browse_button.click()
    picker = dialog.findChild(QFileDialog, "caBundleFileDialog")
    assert picker is not None
    picker.fileSelected.emit(str(bundle))
    picker.reject()
    assert dialog.ca_edit.text() == str(bundle)
    dialog.ca_edit.setText("")  # the server here is plain http on loopback
    dialog.url_edit.setText(f"  {sync_server.url}/  ")
    dialog.token_edit.setText(f"  {fresh}  ")
    dialog.enabled_check.setChecked(False)
    dialog.interval_spin.setValue(600)
    with qtbot.waitSignal(dialog.finished, timeout=10_000):
        dialog.submit_button.click()
    saved = station.services.settings.sync
    assert saved.server_url == sync_server.url
    assert saved.enabled is False
    assert saved.interval_seconds == 600
    assert saved.ca_bundle == ""
    assert load_token(saved.token_ref) == fresh
    assert fresh not in _sync_file(station)  # the token is only in the keyring
    qtbot.waitUntil(lambda: "background sync off" in page.overview.summary["state"].text())
    # The new token works against the real server.
    with qtbot.waitSignal(page.run.finished, timeout=60_000):
        page.overview.sync_button.click()
    assert page.overview.error_text() == ""
    again = _open_dialog(page)
    assert again.token_edit.text() == ""
    again.reject()


def test_a_setting_it_locked_is_read_only_with_a_note(
    qtbot: QtBot,
    sync_server: ServerProcess,
    workstation: WorkstationFactory,
    ui_runner: TaskRunner,
) -> None:
    station = workstation("ws-locked", sync_server)
    settings = replace(
        station.services.settings,
        sync_server_url=sync_server.url,
        locked=frozenset({"sync_server_url"}),
    )
    context = context_for(station, Role.ADMIN, ui_runner)
    context = replace(context, services=replace(context.services, settings=settings))
    page = SyncPage(context)
    qtbot.addWidget(page)
    page.page_shown()
    dialog = _open_dialog(page)
    assert dialog.is_locked("url")
    assert dialog.url_edit.isReadOnly()
    assert dialog.url_edit.text() == sync_server.url
    assert LOCKED_HINT in dialog.url_edit.toolTip()
    hints = [label.text() for label in dialog.form.findChildren(type(dialog._message))]
    assert LOCKED_HINT in hints
    assert not dialog.is_locked("token")
    dialog.url_edit.setText("")  # read-only in the GUI; even if changed, it is not sent
    assert dialog.values().url is None
    assert dialog.check() == {}
    dialog.reject()


def test_the_dialog_on_its_own_checks_the_first_token(qtbot: QtBot) -> None:
    dialog = SyncSettingsDialog(SyncSettings())
    qtbot.addWidget(dialog)
    dialog.url_edit.setText("https://fhir.clinic.example/fhir")
    assert dialog.check() == {"token": "Required the first time: the token the server printed."}
    dialog.token_edit.setText("cst_abc")
    assert dialog.check() == {}
    values = dialog.values()
    assert values.url == "https://fhir.clinic.example/fhir"
    assert values.token == "cst_abc"
