"""Progress dialogs follow their task and cancel it; errors read as what to do next."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from clinic_app import errors
from clinic_app.ui.error_presenter import describe_error, error_dialog
from clinic_app.ui.tasks.task_progress_dialog import TaskProgressDialog
from clinic_app.ui.tasks.task_runner import Lane, TaskContext, TaskRunner
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    task_runner = TaskRunner()
    yield task_runner
    task_runner.shutdown()


def test_the_progress_dialog_shows_reports_and_its_cancel_stops_the_task(
    qtbot: QtBot, runner: TaskRunner
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    halfway = threading.Event()

    def work(ctx: TaskContext) -> None:
        ctx.progress.report(5, 10, "Writing the backup")
        halfway.set()
        while not ctx.cancel.cancelled:
            ctx.cancel.raise_if_cancelled()
            threading.Event().wait(0.005)
        ctx.cancel.raise_if_cancelled()

    handle = runner.run(Lane.DATABASE, work)
    dialog = TaskProgressDialog(handle, "Backing up", parent, show_after_ms=0)
    assert halfway.wait(5)
    qtbot.waitUntil(lambda: dialog.value() == 5, timeout=5000)
    assert dialog.maximum() == 10
    assert dialog.labelText() == "Writing the backup"
    cancel_button = dialog.findChild(QPushButton)
    assert cancel_button is not None
    assert cancel_button.text() == "Cancel"
    with qtbot.waitSignal(handle.cancelled, timeout=5000):
        cancel_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)


@pytest.mark.parametrize(
    ("error", "title", "advice_words"),
    [
        (errors.WrongPassphraseError("The passphrase is not correct."), "Wrong passphrase", "Caps"),
        (errors.AccountLockedError("Locked for 15 minutes."), "Account locked", ""),
        (errors.DatabaseTooNewError("Newer."), "Database from a newer version", "Install"),
        (errors.CorruptDatabaseError("Damaged."), "Damaged database", "backup"),
        (errors.DatabaseUnavailableError("Busy."), "The database is busy", "Do not restore"),
        (errors.KeyringUnavailableError("No key."), "database key", "recovery key"),
        (errors.ConflictError("Changed."), "Changed by someone else", "still in the form"),
        (OSError(28, "No space left on device"), "File problem", "free space"),
    ],
)
def test_errors_have_a_title_and_say_what_to_do(
    error: BaseException, title: str, advice_words: str
) -> None:
    description = describe_error(error)
    assert title in description.title
    assert advice_words in description.advice


def test_an_unexpected_error_shows_no_internal_text_and_logs_no_message(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "Silva, Ana 1980-01-02"
    try:
        raise KeyError(secret)
    except KeyError as exc:
        box = error_dialog(None, exc)
    qtbot.addWidget(box)
    assert box.windowTitle() == "Something went wrong"
    assert secret not in box.informativeText()
    assert "KeyError" in box.informativeText()
    assert secret not in caplog.text
    assert "KeyError" in caplog.text
