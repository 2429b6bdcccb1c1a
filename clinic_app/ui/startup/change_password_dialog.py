"""Choosing a new password (required after an administrator set a temporary one)."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinic_app.ui.widgets.validated_form import ValidatedForm


class ChangePasswordDialog(QDialog):
    password_chosen = Signal(str)

    def __init__(self, display_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("changePasswordDialog")
        self.setWindowTitle("Choose a new password")
        self.setModal(True)
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        title = QLabel(f"Welcome, {display_name}")
        title.setObjectName("dialogTitle")
        layout.addWidget(title)
        text = QLabel(
            "Your password was set by an administrator. Choose your own before you continue."
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        self.form = ValidatedForm()
        for name, label in (("password", "New password"), ("password_confirm", "Repeat it")):
            edit = QLineEdit()
            edit.setEchoMode(QLineEdit.EchoMode.Password)
            self.form.add_field(name, label, edit)
        layout.addWidget(self.form)
        self._message = QLabel()
        self._message.setObjectName("formError")
        self._message.setWordWrap(True)
        self._message.hide()
        layout.addWidget(self._message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        cancel = QPushButton("Sign out")
        cancel.clicked.connect(self.reject)
        self.save_button = QPushButton("Save the new password")
        self.save_button.setObjectName("primaryButton")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        buttons.addWidget(cancel)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)

    def field(self, name: str) -> QLineEdit:
        editor = self.form.editor(name)
        assert isinstance(editor, QLineEdit)
        return editor

    @Slot()
    def _on_save_button_clicked(self) -> None:
        if self.field("password").text() != self.field("password_confirm").text():
            self.show_errors({"password_confirm": "The two passwords differ."})
            return
        self.show_errors({})
        self.save_button.setEnabled(False)
        self.password_chosen.emit(self.field("password").text())

    def show_errors(self, errors: Mapping[str, str], message: str = "") -> None:
        self.save_button.setEnabled(True)
        unknown = self.form.show_errors(errors)
        text = message if (unknown or not errors) else ""
        self._message.setText(text)
        self._message.setVisible(bool(text))
