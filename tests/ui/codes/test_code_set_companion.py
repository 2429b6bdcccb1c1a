"""The code set is made ready for clinicians: imported at first use of the chart when none is
active (with a progress dialog), and the suggestion index warmed after sign-in."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from clinic_app.bootstrap import Services, open_services
from clinic_app.codes.icd10cm_importer import Icd10cmFile
from clinic_app.codes.models import CodeSetInfo, CodeSystem
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser
from clinic_app.settings import Settings
from clinic_app.tasks import CancelToken, ProgressReporter
from clinic_app.ui.codes.code_set_companion import CodeSetCompanion
from clinic_app.ui.shell.builtin_pages import default_page_registry
from clinic_app.ui.shell.main_window import MainWindow
from clinic_app.ui.shell.shell_page import PageContext
from clinic_app.ui.tasks.task_runner import TaskRunner
from pytestqt.qtbot import QtBot

from tests.conftest import Template
from tests.keyring_fake import MemoryKeyring
from tests.ui.records.clinical_store import EXCERPT_VERSION, write_excerpt

TIMEOUT = 10_000


@pytest.fixture
def store_without_codes(
    tmp_path: Path, store_template: Template, memory_keyring: MemoryKeyring
) -> Iterator[Services]:
    """A first-run store: the accounts, and no code set imported yet."""
    data_dir = tmp_path / "first-run"
    shutil.copytree(store_template.data_dir, data_dir)
    memory_keyring.secrets.update(store_template.secrets)
    opened = open_services(Settings(data_dir=data_dir, workstation="test-ws"))
    yield opened
    opened.close()


def window_for(
    qtbot: QtBot, services: Services, runner: TaskRunner, user: AuthenticatedUser
) -> MainWindow:
    window = MainWindow(
        default_page_registry().pages_for(user), PageContext(services, user, runner)
    )
    qtbot.addWidget(window)
    window.show()
    return window


def test_the_first_chart_of_a_new_installation_imports_the_code_set(
    qtbot: QtBot, store_without_codes: Services, store_template: Template, tmp_path: Path
) -> None:
    services = store_without_codes
    release = Icd10cmFile(write_excerpt(tmp_path / "excerpt.xml"), EXCERPT_VERSION, None, "test")
    admin = store_template.users[Role.ADMIN]

    def ensure(
        progress: ProgressReporter | None = None, cancel: CancelToken | None = None
    ) -> CodeSetInfo:
        # The shipped release takes ~9 s; the same import path on the test excerpt.
        return services.codes.import_icd10cm(admin, release, progress=progress, cancel=cancel)

    services.codes.ensure_icd10cm = ensure  # type: ignore[method-assign]
    runner = TaskRunner()
    try:
        window = window_for(qtbot, services, runner, store_template.users[Role.DOCTOR])
        companion = window.companion("chart")
        assert isinstance(companion, CodeSetCompanion)
        qtbot.waitUntil(lambda: companion.known, timeout=TIMEOUT)
        assert companion.active is None, "nothing imported before a clinician needs it"
        with qtbot.waitSignals([companion.checked, companion.warmed], timeout=TIMEOUT):
            window.show_page("chart")
        assert companion.progress_dialog is not None
        assert companion.active is not None
        assert companion.active.version == EXCERPT_VERSION
        doctor = store_template.users[Role.DOCTOR]
        assert services.codes.active_set(doctor, CodeSystem.ICD10CM) is not None
    finally:
        window.shutdown_pages()
        runner.shutdown()


def test_with_a_code_set_in_place_sign_in_only_warms_the_suggestions(
    qtbot: QtBot, services: Services, task_runner: TaskRunner, store_template: Template
) -> None:
    window = window_for(qtbot, services, task_runner, store_template.users[Role.NURSE])
    companion = window.companion("chart")
    assert isinstance(companion, CodeSetCompanion)
    with qtbot.waitSignal(companion.warmed, timeout=TIMEOUT):
        pass
    assert companion.active is not None
    assert companion.progress_dialog is None, "no import, no dialog"
    window.shutdown_pages()
