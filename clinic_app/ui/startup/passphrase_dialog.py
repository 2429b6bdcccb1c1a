"""Asks for the database passphrase (only for stores in passphrase mode)."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class PassphraseDialog(QDialog):
    passphrase_entered = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("passphraseDialog")
        self.setWindowTitle("Unlock the clinic database")
        self.setModal(True)
        self.setMinimumWidth(440)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        title = QLabel("Unlock the clinic database")
        title.setObjectName("dialogTitle")
        layout.addWidget(title)
        text = QLabel(
            "This workstation's database is protected by a passphrase. Enter it to start."
        )
        text.setWordWrap(True)
        layout.addWidget(text)
        self.passphrase_edit = QLineEdit()
        self.passphrase_edit.setObjectName("field_passphrase")
        self.passphrase_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_edit.setPlaceholderText("Passphrase")
        layout.addWidget(self.passphrase_edit)
        self._error = QLabel()
        self._error.setObjectName("fieldError")
        self._error.setWordWrap(True)
        self._error.hide()
        layout.addWidget(self._error)
        self._progress = QProgressBar()
        self._progress.setRange(0, 0)
        self._progress.setTextVisible(False)
        self._progress.hide()
        layout.addWidget(self._progress)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self._quit_button = QPushButton("Quit")
        self._quit_button.clicked.connect(self.reject)
        self.unlock_button = QPushButton("Unlock")
        self.unlock_button.setObjectName("primaryButton")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self._on_unlock_button_clicked)
        buttons.addWidget(self._quit_button)
        buttons.addWidget(self.unlock_button)
        layout.addLayout(buttons)

    @Slot()
    def _on_unlock_button_clicked(self) -> None:
        passphrase = self.passphrase_edit.text()
        if not passphrase:
            self.show_error("Enter the passphrase.")
            return
        self.show_error("")
        self.passphrase_entered.emit(passphrase)

    def set_busy(self, busy: bool) -> None:
        self._progress.setVisible(busy)
        self.unlock_button.setEnabled(not busy)
        self._quit_button.setEnabled(not busy)
        self.passphrase_edit.setEnabled(not busy)

    def show_error(self, text: str) -> None:
        self._error.setText(text)
        self._error.setVisible(bool(text))
        if text:
            self.passphrase_edit.selectAll()
            self.passphrase_edit.setFocus()

    def error_text(self) -> str:
        return self._error.text() if not self._error.isHidden() else ""
