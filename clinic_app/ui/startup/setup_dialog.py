"""First-run setup: how the database is unlocked, the first administrator, the recovery key.

A view: it collects a `SetupRequest` and emits it; the start-up controller does the work and
calls back `show_errors`, `show_recovery_key` or `set_busy`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from clinic_app.ui.icons import icon
from clinic_app.ui.startup.store_steps import SetupRequest
from clinic_app.ui.widgets.validated_form import ValidatedForm
from clinic_app.ui.widgets.widget_factories import (
    busy_bar,
    message_label,
    password_edit,
    show_message,
    shown_text,
)

LABEL_WIDTH = 90


class SetupDialog(QDialog):
    setup_requested = Signal(SetupRequest)
    completed = Signal()

    def __init__(
        self,
        data_dir: Path,
        keyring_available: bool,
        parent: QWidget | None = None,
        *,
        unlock_mode: str | None = None,
        unlock_mode_lock: str = "",
    ):
        """`unlock_mode` is IT's choice for a new database ("keyring" or "passphrase"), the
        default here; `unlock_mode_lock`, when IT locked it, says where ("Set by your IT
        department in …") and the choice can't be changed."""
        super().__init__(parent)
        self._unlock_mode = unlock_mode
        self._unlock_mode_lock = unlock_mode_lock
        self.setObjectName("setupDialog")
        self.setWindowTitle("Set up this workstation")
        self.setModal(True)
        self.resize(620, 700)
        self._keyring_unavailable_but_required = False
        self._pages = QStackedWidget(self)
        self._pages.addWidget(self._build_form_page(data_dir, keyring_available))
        self._pages.addWidget(self._build_recovery_page())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._pages)

    # --- page 1: the form --------------------------------------------------------------

    def _build_form_page(self, data_dir: Path, keyring_available: bool) -> QWidget:
        page = QWidget()
        outer = QVBoxLayout(page)
        outer.setContentsMargins(24, 20, 24, 16)
        title = QLabel("Welcome. Let's set up this workstation.")
        title.setObjectName("dialogTitle")
        outer.addWidget(title)
        intro = QLabel(
            f"The patient records will be kept in an encrypted database in<br><tt>{data_dir}</tt>"
        )
        intro.setWordWrap(True)
        intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(intro)
        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 8, 8, 0)
        column.addWidget(self._build_unlock_box(keyring_available))
        column.addWidget(self._build_admin_box())
        column.addStretch(1)
        self._scroll.setWidget(body)
        outer.addWidget(self._scroll, 1)
        self._message = message_label("formMessage")
        outer.addWidget(self._message)
        self._progress = busy_bar()
        outer.addWidget(self._progress)
        outer.addLayout(self._build_form_buttons())
        return page

    def _build_unlock_box(self, keyring_available: bool) -> QGroupBox:
        box = QGroupBox("How is the database unlocked?")
        layout = QVBoxLayout(box)
        self._keyring_radio = QRadioButton("With this computer's secure keyring (recommended)")
        self._keyring_radio.setObjectName("keyringRadio")
        self._passphrase_radio = QRadioButton("With a passphrase typed at every start")
        self._passphrase_radio.setObjectName("passphraseRadio")
        group = QButtonGroup(self)
        group.addButton(self._keyring_radio)
        group.addButton(self._passphrase_radio)
        layout.addWidget(self._keyring_radio)
        if not keyring_available:
            self._keyring_radio.setEnabled(False)
            note = QLabel("No secure keyring was found on this computer.")
            note.setObjectName("fieldHint")
            layout.addWidget(note)
        layout.addWidget(self._passphrase_radio)
        self._passphrase_form = ValidatedForm(label_width=LABEL_WIDTH)
        self._passphrase_form.add_field(
            "passphrase", "Passphrase", password_edit(), "At least 12 characters."
        )
        self._passphrase_form.add_field("passphrase_confirm", "Repeat it", password_edit())
        layout.addWidget(self._passphrase_form)
        self._passphrase_radio.toggled.connect(self._on_passphrase_radio_toggled)
        keyring_default = keyring_available and self._unlock_mode != "passphrase"
        (self._keyring_radio if keyring_default else self._passphrase_radio).setChecked(True)
        self._passphrase_form.setVisible(self._passphrase_radio.isChecked())
        self.unlock_mode_lock_note: QLabel | None = None
        if self._unlock_mode_lock:
            layout.addLayout(self._build_lock_note(keyring_available))
        return box

    def _build_lock_note(self, keyring_available: bool) -> QHBoxLayout:
        """IT fixed the unlock mode: both choices are disabled and the note says who and where."""
        self._keyring_radio.setEnabled(False)
        self._passphrase_radio.setEnabled(False)
        text = self._unlock_mode_lock
        if self._unlock_mode == "keyring" and not keyring_available:
            # IT's choice can't be met here: creating the database would only fail later.
            text += (
                ". It requires the secure keyring, which this computer lacks: contact your "
                "IT department."
            )
            self._passphrase_form.setVisible(False)
            self._keyring_unavailable_but_required = True
        row = QHBoxLayout()
        mark = QLabel()
        mark.setPixmap(icon("lock").pixmap(16, 16))
        row.addWidget(mark, 0, Qt.AlignmentFlag.AlignTop)
        note = QLabel(text)
        note.setObjectName("unlockModeLockNote")
        note.setWordWrap(True)
        note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(note, 1)
        self.unlock_mode_lock_note = note
        return row

    def _build_admin_box(self) -> QGroupBox:
        box = QGroupBox("The first administrator")
        layout = QVBoxLayout(box)
        self._admin_form = ValidatedForm(label_width=LABEL_WIDTH)
        self._admin_form.add_field("username", "User name", QLineEdit())
        self._admin_form.add_field("display_name", "Full name", QLineEdit())
        self._admin_form.add_field(
            "password", "Password", password_edit(), "At least 10 characters, letters and digits."
        )
        self._admin_form.add_field("password_confirm", "Repeat it", password_edit())
        layout.addWidget(self._admin_form)
        return box

    def _build_form_buttons(self) -> QHBoxLayout:
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self._quit_button = QPushButton("Quit")
        self._quit_button.clicked.connect(self.reject)
        self.create_button = QPushButton("Create the database")
        self.create_button.setObjectName("primaryButton")
        self.create_button.setDefault(True)
        self.create_button.clicked.connect(self._on_create_button_clicked)
        self.create_button.setEnabled(not self._keyring_unavailable_but_required)
        buttons.addWidget(self._quit_button)
        buttons.addWidget(self.create_button)
        return buttons

    def field(self, name: str) -> QLineEdit:
        for form in (self._admin_form, self._passphrase_form):
            try:
                editor = form.editor(name)
            except KeyError:
                continue
            assert isinstance(editor, QLineEdit)
            return editor
        raise KeyError(name)

    def choose_passphrase_mode(self, passphrase_mode: bool) -> None:
        if self._unlock_mode_lock:
            return  # IT's choice
        (self._passphrase_radio if passphrase_mode else self._keyring_radio).setChecked(True)

    @property
    def passphrase_mode(self) -> bool:
        return self._passphrase_radio.isChecked()

    @property
    def unlock_mode_choosable(self) -> bool:
        return self._keyring_radio.isEnabled() or self._passphrase_radio.isEnabled()

    @Slot(bool)
    def _on_passphrase_radio_toggled(self, checked: bool) -> None:
        self._passphrase_form.setVisible(checked)

    @Slot()
    def _on_create_button_clicked(self) -> None:
        use_passphrase = self._passphrase_radio.isChecked()
        errors: dict[str, str] = {}
        if (
            use_passphrase
            and self.field("passphrase").text() != self.field("passphrase_confirm").text()
        ):
            errors["passphrase_confirm"] = "The two passphrases differ."
        if self.field("password").text() != self.field("password_confirm").text():
            errors["password_confirm"] = "The two passwords differ."
        if errors:
            self.show_errors(errors, "")
            return
        self.show_errors({}, "")
        self.setup_requested.emit(
            SetupRequest(
                use_passphrase=use_passphrase,
                passphrase=self.field("passphrase").text(),
                admin_username=self.field("username").text(),
                admin_display_name=self.field("display_name").text(),
                admin_password=self.field("password").text(),
            )
        )

    def set_busy(self, busy: bool, message: str = "") -> None:
        self._progress.setVisible(busy)
        self.create_button.setEnabled(not busy and not self._keyring_unavailable_but_required)
        self._quit_button.setEnabled(not busy)
        self._scroll.setEnabled(not busy)
        self._show_message(message)

    def show_errors(self, errors: Mapping[str, str], message: str) -> None:
        passphrase_errors = {k: v for k, v in errors.items() if k.startswith("passphrase")}
        self._passphrase_form.show_errors(passphrase_errors)
        unknown = self._admin_form.show_errors(
            {k: v for k, v in errors.items() if k not in passphrase_errors}
        )
        self._show_message(
            message if (unknown or not errors) else "Please correct the marked fields."
        )

    def _show_message(self, text: str) -> None:
        show_message(self._message, text)

    def message(self) -> str:
        return shown_text(self._message)

    def error_text(self, name: str) -> str:
        form = self._passphrase_form if name.startswith("passphrase") else self._admin_form
        return form.error_text(name)

    # --- page 2: the recovery key ------------------------------------------------------

    def _build_recovery_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(24, 20, 24, 16)
        title = QLabel("Save the recovery key")
        title.setObjectName("dialogTitle")
        layout.addWidget(title)
        text = QLabel(
            "The database is ready. This recovery key opens it on another computer, for example "
            "after this one breaks. It is shown <b>only once</b> and is not stored anywhere. "
            "Write it down or print it, and keep it somewhere safe, away from this computer."
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        self.recovery_key_label = QLabel()
        self.recovery_key_label.setObjectName("recoveryKey")
        mono = QFont("DejaVu Sans Mono")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPointSizeF(mono.pointSizeF() * 1.25)
        self.recovery_key_label.setFont(mono)
        self.recovery_key_label.setWordWrap(True)
        self.recovery_key_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.recovery_key_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        layout.addWidget(self.recovery_key_label)
        copy_button = QPushButton(icon("copy"), "Copy to the clipboard")
        copy_button.clicked.connect(self._on_copy_button_clicked)
        layout.addWidget(copy_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)
        self.saved_check = QCheckBox("I have written down or printed the recovery key")
        self.saved_check.setObjectName("savedCheck")
        layout.addWidget(self.saved_check)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.continue_button = QPushButton("Continue to sign in")
        self.continue_button.setObjectName("primaryButton")
        self.continue_button.setEnabled(False)
        self.continue_button.clicked.connect(self._on_continue_button_clicked)
        buttons.addWidget(self.continue_button)
        layout.addLayout(buttons)
        self.saved_check.toggled.connect(self.continue_button.setEnabled)
        return page

    def show_recovery_key(self, recovery_key: str) -> None:
        self.set_busy(False)
        groups = recovery_key.split("-")
        lines = ["-".join(groups[i : i + 7]) for i in range(0, len(groups), 7)]
        self.recovery_key_label.setText("\n".join(lines))
        self._pages.setCurrentIndex(1)

    @property
    def showing_recovery_key(self) -> bool:
        return self._pages.currentIndex() == 1

    @Slot()
    def _on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.recovery_key_label.text().replace("\n", "-"))

    @Slot()
    def _on_continue_button_clicked(self) -> None:
        self.recovery_key_label.clear()  # don't keep it on screen or in the widget
        self.completed.emit()
        self.accept()

    def reject(self) -> None:
        # Once the database exists the key must be acknowledged, not dismissed with Escape.
        if self.showing_recovery_key:
            return
        super().reject()
