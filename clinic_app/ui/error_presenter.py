"""Turns an error into a dialog a person can act on: what happened, and what to do next.

`ClinicError` messages are written for the user already; this adds a title and, where the core's
message does not say it, the next step. Anything else is a programming error: the user sees a
general message and the log gets the exception type and stack, never its text (which may hold
values from a query, such as a name).
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from clinic_app import errors

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ErrorDescription:
    title: str
    message: str
    advice: str = ""


# Most specific first: the first isinstance match wins.
_KNOWN: list[tuple[type[BaseException], str, str]] = [
    (errors.WrongPassphraseError, "Wrong passphrase", "Check Caps Lock and type it again."),
    (
        errors.KeyringUnavailableError,
        "The database key is not available",
        "If this data folder came from another computer, open it with its recovery key: "
        "clinic unlock --recovery-key. Otherwise ask IT to check the system keyring.",
    ),
    (
        errors.UnlockError,
        "The database can't be unlocked",
        "Ask IT for help with the recovery key.",
    ),
    (errors.AccountLockedError, "Account locked", ""),
    (errors.AccountDisabledError, "Account disabled", ""),
    (errors.AuthenticationError, "Sign-in failed", "Check the user name, Caps Lock and try again."),
    (
        errors.DatabaseTooNewError,
        "Database from a newer version",
        "Install the newer version of the clinic application; your data was not changed.",
    ),
    (
        errors.CorruptDatabaseError,
        "Damaged database",
        "Close the application and ask IT to restore the latest backup "
        "(clinic backup restore FILE). Do not delete any files.",
    ),
    (
        errors.DatabaseUnavailableError,
        "The database is busy or unreachable",
        "Close any other copy of the application, check that the disk has free space, and "
        "start again. Do not restore a backup for this.",
    ),
    (errors.NotInitialisedError, "No clinic database", ""),
    (errors.MigrationError, "Database upgrade failed", "Ask IT for help; keep the backups folder."),
    (errors.ValidationError, "Please check the form", ""),
    (
        errors.ConflictError,
        "Changed by someone else",
        "Your changes are still in the form. Copy what you need, reload and apply them again.",
    ),
    (errors.NotFoundError, "Not found", "It may have been removed. Refresh the list."),
    (errors.PermissionDeniedError, "Not allowed", "Ask an administrator if you need this."),
    (errors.SessionLockedError, "Session locked", ""),
    (errors.BackupError, "Backup problem", ""),
    (errors.AuditChainError, "Audit log problem", "Tell your administrator at once."),
    (errors.ClinicError, "Something needs attention", ""),
]


def describe_error(error: BaseException) -> ErrorDescription:
    for kind, title, advice in _KNOWN:
        if isinstance(error, kind):
            return ErrorDescription(title, str(error), advice)
    if isinstance(error, OSError):
        log.warning("file system error: %s", type(error).__name__)
        return ErrorDescription(
            "File problem",
            f"A file could not be read or written ({error.strerror or type(error).__name__}).",
            "Check that the disk is connected and has free space, then try again.",
        )
    log.error(
        "unexpected error %s\n%s",
        type(error).__name__,
        "".join(traceback.format_tb(error.__traceback__)),
    )
    return ErrorDescription(
        "Something went wrong",
        f"An unexpected error occurred ({type(error).__name__}). Nothing you saved was lost.",
        "Try again. If it keeps happening, tell IT what you were doing.",
    )


def error_dialog(parent: QWidget | None, error: BaseException) -> QMessageBox:
    """A window-modal, non-blocking dialog (call `open()` or use `show_error`)."""
    description = describe_error(error)
    box = QMessageBox(parent)
    box.setObjectName("errorDialog")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(description.title)
    box.setText(f"<b>{_escape(description.title)}</b>")
    informative = description.message
    if description.advice:
        informative += f"\n\nWhat to do: {description.advice}"
    box.setInformativeText(informative)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    return box


def show_error(parent: QWidget | None, error: BaseException) -> QMessageBox:
    box = error_dialog(parent, error)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
