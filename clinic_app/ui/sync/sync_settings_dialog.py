"""Sync settings, for administrators: server address, device token, on/off, interval, and a
CA bundle to trust instead of the system's.

The token is a password field that starts empty and is never shown back: leaving it empty
keeps the token already in the keyring. A setting IT locked in the machine configuration is
shown read-only with "Set by your IT department". The form checks what it can before the
service does (the service checks again); nothing typed is lost on an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from clinic_app.settings import SyncSettings
from clinic_app.ui.admin.user_dialogs import FormDialog
from clinic_app.ui.icons import icon
from clinic_app.ui.widgets.widget_factories import password_edit

MAX_URL_LENGTH = 2000
MAX_TOKEN_LENGTH = 4096
MIN_INTERVAL_S = 30
MAX_INTERVAL_S = 24 * 3600
LOCKED_HINT = "Set by your IT department"
# The names IT's machine configuration may lock, per field of this form.
LOCK_NAMES = {
    "url": "sync_server_url",
    "token": "sync_token",
    "enabled": "sync_enabled",
    "interval": "sync_interval_seconds",
    "ca_bundle": "sync_ca_bundle",
}


@dataclass(frozen=True)
class SyncSettingsInput:
    """What the form asks the service to change (None: leave as it is)."""

    url: str | None
    token: str | None
    enabled: bool | None
    interval_seconds: int | None
    ca_bundle: str | None


def check_url(text: str) -> str:
    """The message for a bad server address ("" when it is fine)."""
    url = text.strip()
    if not url:
        return "Required: the server's address, e.g. https://fhir.clinic.example/fhir"
    if len(url) > MAX_URL_LENGTH:
        return f"At most {MAX_URL_LENGTH} characters."
    if not url.lower().startswith(("https://", "http://")):
        return "Must start with https:// (or http:// on a closed network)."
    if any(ch.isspace() for ch in url):
        return "An address has no spaces."
    if len(url.split("://", 1)[1].strip("/")) == 0:
        return "The server's host name is missing."
    return ""


def check_token(text: str) -> str:
    token = text.strip()
    if len(token) > MAX_TOKEN_LENGTH:
        return (
            f"Too long for a device token (at most {MAX_TOKEN_LENGTH} characters): check "
            "that only the token was pasted."
        )
    if any(ch.isspace() for ch in token):
        return "The device token is one word, as the server printed it."
    return ""


def check_ca_bundle(text: str) -> str:
    path = text.strip()
    if not path:
        return ""
    try:
        if not Path(path).expanduser().is_file():
            return "No such file: choose the clinic's CA bundle (a .pem file)."
    except (OSError, ValueError):
        return "Not a usable file name."
    return ""


class SyncSettingsDialog(FormDialog):
    submitted = Signal(object)  # SyncSettingsInput

    def __init__(
        self,
        current: SyncSettings,
        locked: frozenset[str] = frozenset(),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(
            "Sync settings",
            "Connect this workstation to the clinic's FHIR server. IT registers the workstation "
            "on the server (clinic-server devices add) and gives you its device token.",
            "Save",
            parent,
        )
        self.setObjectName("syncSettingsDialog")
        self.setMinimumWidth(560)
        self._current = current
        self._locked = {field for field, name in LOCK_NAMES.items() if name in locked}
        self.url_edit = QLineEdit(current.server_url)
        self.url_edit.setPlaceholderText("https://fhir.clinic.example/fhir")
        self.token_edit = password_edit(
            placeholder="Leave empty to keep the current token"
            if current.token_ref
            else "The token the server printed for this workstation"
        )
        self.enabled_check = QCheckBox("Sync automatically in the background")
        self.enabled_check.setChecked(current.enabled)
        self.interval_spin = QSpinBox()
        self.interval_spin.setRange(MIN_INTERVAL_S, MAX_INTERVAL_S)
        self.interval_spin.setSingleStep(30)
        self.interval_spin.setSuffix(" seconds")
        self.interval_spin.setValue(
            min(max(current.interval_seconds, MIN_INTERVAL_S), MAX_INTERVAL_S)
        )
        self.ca_edit = QLineEdit(current.ca_bundle)
        self.ca_edit.setPlaceholderText("Empty: trust the system's certificate authorities")
        self.browse_button = QPushButton(icon("open"), "Browse…")
        self.browse_button.setObjectName("browseCaButton")
        ca_row = QWidget()
        row = QHBoxLayout(ca_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.ca_edit, 1)
        row.addWidget(self.browse_button)
        token_hint = (
            "A token is saved in the system keyring. It is never shown again."
            if current.token_ref
            else "Saved in the system keyring, never in a file."
        )
        self.form.add_field("url", "Server address", self.url_edit, self._hint("url", ""))
        self.form.add_field(
            "token", "Device token", self.token_edit, self._hint("token", token_hint)
        )
        self.form.add_field("enabled", "", self.enabled_check, self._hint("enabled", ""))
        self.form.add_field(
            "interval",
            "Every",
            self.interval_spin,
            self._hint("interval", "How often a background sync runs (30 s to 24 h)."),
        )
        self.form.add_field(
            "ca_bundle",
            "CA bundle",
            ca_row,
            self._hint("ca_bundle", "Only for a clinic's own certificate authority."),
        )
        self._apply_locks()
        self.browse_button.clicked.connect(self._on_browse_button_clicked)

    def _hint(self, field: str, hint: str) -> str:
        return LOCKED_HINT if field in self._locked else hint

    def _apply_locks(self) -> None:
        widgets: dict[str, list[QWidget]] = {
            "url": [self.url_edit],
            "token": [self.token_edit],
            "enabled": [self.enabled_check],
            "interval": [self.interval_spin],
            "ca_bundle": [self.ca_edit, self.browse_button],
        }
        for field in self._locked:
            for widget in widgets[field]:
                if isinstance(widget, QLineEdit):
                    widget.setReadOnly(True)
                else:
                    widget.setEnabled(False)
                widget.setToolTip(LOCKED_HINT)

    def is_locked(self, field: str) -> bool:
        return field in self._locked

    @Slot()
    def _on_browse_button_clicked(self) -> None:
        dialog = QFileDialog(self, "Choose the clinic's CA bundle")
        dialog.setObjectName("caBundleFileDialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters(["Certificates (*.pem *.crt *.cer)", "All files (*)"])
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.ca_edit.setText)
        dialog.open()

    def values(self) -> SyncSettingsInput:
        token = self.token_edit.text().strip()
        return SyncSettingsInput(
            url=None if "url" in self._locked else self.url_edit.text().strip(),
            token=None if "token" in self._locked or not token else token,
            enabled=None if "enabled" in self._locked else self.enabled_check.isChecked(),
            interval_seconds=None if "interval" in self._locked else self.interval_spin.value(),
            ca_bundle=None if "ca_bundle" in self._locked else self.ca_edit.text().strip(),
        )

    def check(self) -> dict[str, str]:
        errors = {}
        if "url" not in self._locked:
            message = check_url(self.url_edit.text())
            if message:
                errors["url"] = message
        if "token" not in self._locked:
            message = check_token(self.token_edit.text())
            if not message and not self.token_edit.text().strip() and not self._current.token_ref:
                message = "Required the first time: the token the server printed."
            if message:
                errors["token"] = message
        if "ca_bundle" not in self._locked:
            message = check_ca_bundle(self.ca_edit.text())
            if message:
                errors["ca_bundle"] = message
        return errors

    def set_busy(self, busy: bool) -> None:
        self.submit_button.setEnabled(not busy)
        self.submit_button.setText("Saving…" if busy else "Save")

    @Slot()
    def _on_submit_button_clicked(self) -> None:
        errors = self.check()
        if errors:
            self.show_errors(errors)
            self.adjustSize()  # room for the messages under the fields
            return
        self.show_errors({})
        self.set_busy(True)
        self.submitted.emit(self.values())
