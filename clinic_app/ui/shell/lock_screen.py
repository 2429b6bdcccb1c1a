"""What the main window shows while the session is locked: no patient data, only a way back in."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtWidgets import QFrame, QLineEdit, QPushButton, QVBoxLayout, QWidget

from clinic_app.ui.icons import ON_ACCENT_COLOUR, icon
from clinic_app.ui.widgets.widget_factories import (
    busy_bar,
    centred_label,
    message_label,
    password_edit,
    show_message,
    shown_text,
)


class LockScreen(QWidget):
    unlock_requested = Signal(str)
    switch_user_requested = Signal(str, str)

    def __init__(self, display_name: str, username: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        card = QFrame(self)
        card.setObjectName("loginCard")
        card.setFixedWidth(420)
        layout = QVBoxLayout(card)
        layout.setContentsMargins(32, 28, 32, 28)
        layout.setSpacing(10)
        picture = centred_label("")
        picture.setPixmap(icon("lock").pixmap(QSize(48, 48)))
        layout.addWidget(picture)
        layout.addWidget(centred_label("Locked", "loginTitle"))
        layout.addWidget(
            centred_label(
                f"{display_name} ({username}) is signed in. Patient information is hidden.",
                "lockOwner",
            )
        )
        self.password_edit = password_edit("field_password", f"Password for {username}")
        layout.addWidget(self.password_edit)
        self.unlock_button = QPushButton(icon("unlock", ON_ACCENT_COLOUR), "Unlock")
        self.unlock_button.setObjectName("primaryButton")
        layout.addWidget(self.unlock_button)
        self.switch_toggle = QPushButton("Sign in as someone else")
        self.switch_toggle.setObjectName("linkButton")
        self.switch_toggle.setFlat(True)
        layout.addWidget(self.switch_toggle, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self._build_switch_box(display_name))
        self._error = message_label()
        layout.addWidget(self._error)
        self._progress = busy_bar(4)
        layout.addWidget(self._progress)
        outer.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)

        self.unlock_button.clicked.connect(self._on_unlock_button_clicked)
        self.password_edit.returnPressed.connect(self._on_unlock_button_clicked)
        self.switch_toggle.clicked.connect(self._on_switch_toggle_clicked)
        self.switch_button.clicked.connect(self._on_switch_button_clicked)
        self.other_password_edit.returnPressed.connect(self._on_switch_button_clicked)

    def _build_switch_box(self, display_name: str) -> QFrame:
        self._switch_box = QFrame()
        layout = QVBoxLayout(self._switch_box)
        layout.setContentsMargins(0, 0, 0, 0)
        note = centred_label(
            f"{display_name}'s open work is kept in memory until they sign in again.", "fieldHint"
        )
        layout.addWidget(note)
        self.other_username_edit = QLineEdit()
        self.other_username_edit.setObjectName("field_other_username")
        self.other_username_edit.setPlaceholderText("User name")
        self.other_password_edit = password_edit("field_other_password", "Password")
        self.switch_button = QPushButton("Sign in")
        layout.addWidget(self.other_username_edit)
        layout.addWidget(self.other_password_edit)
        layout.addWidget(self.switch_button)
        self._switch_box.hide()
        return self._switch_box

    @Slot()
    def _on_unlock_button_clicked(self) -> None:
        if not self.password_edit.text():
            self.show_error("Enter your password.")
            return
        self.show_error("")
        self.unlock_requested.emit(self.password_edit.text())

    @Slot()
    def _on_switch_toggle_clicked(self) -> None:
        self._switch_box.setVisible(not self._switch_box.isVisible())
        if self._switch_box.isVisible():
            self.other_username_edit.setFocus()

    @Slot()
    def _on_switch_button_clicked(self) -> None:
        username = self.other_username_edit.text().strip()
        if not username or not self.other_password_edit.text():
            self.show_error("Enter a user name and password.")
            return
        self.show_error("")
        self.switch_user_requested.emit(username, self.other_password_edit.text())

    def set_busy(self, busy: bool) -> None:
        self._progress.setVisible(busy)
        for widget in (self.unlock_button, self.switch_button, self.password_edit):
            widget.setEnabled(not busy)

    def show_error(self, text: str) -> None:
        show_message(self._error, text)
        if text:
            self.password_edit.clear()
            self.other_password_edit.clear()

    def error_text(self) -> str:
        return shown_text(self._error)

    def reset(self) -> None:
        self.set_busy(False)
        self.show_error("")
        for edit in (self.password_edit, self.other_username_edit, self.other_password_edit):
            edit.clear()
        self._switch_box.hide()
        self.password_edit.setFocus()
