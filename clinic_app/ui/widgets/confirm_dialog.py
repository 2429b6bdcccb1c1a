"""A non-blocking confirmation: `open()` it and connect `confirmed`. Tests click its buttons."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget


class ConfirmDialog(QMessageBox):
    confirmed = Signal()

    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        text: str,
        confirm_label: str,
        *,
        detail: str = "",
        destructive: bool = False,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("confirmDialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setIcon(QMessageBox.Icon.Warning if destructive else QMessageBox.Icon.Question)
        self.setWindowTitle(title)
        self.setText(text)
        if detail:
            self.setInformativeText(detail)
        self.confirm_button: QPushButton = self.addButton(
            confirm_label, QMessageBox.ButtonRole.AcceptRole
        )
        self.confirm_button.setObjectName("confirmButton")
        if destructive:
            self.confirm_button.setProperty("destructive", True)
        self.cancel_button: QPushButton = self.addButton(QMessageBox.StandardButton.Cancel)
        # The safe choice is the default: Enter never confirms a destructive action by accident.
        self.setDefaultButton(self.cancel_button if destructive else self.confirm_button)
        self.setEscapeButton(self.cancel_button)
        self.buttonClicked.connect(self._on_self_button_clicked)

    def _on_self_button_clicked(self, button: object) -> None:
        if button is self.confirm_button:
            self.confirmed.emit()
