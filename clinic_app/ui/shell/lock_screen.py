"""What the main window shows while the session is locked: no patient data, only a way back in."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinic_app.ui.icons import icon


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
        picture = QLabel()
        picture.setPixmap(icon("lock").pixmap(QSize(48, 48)))
        picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(picture)
        title = QLabel("Locked")
        title.setObjectName("loginTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)
        who = QLabel(f"{display_name} ({username}) is signed in. Patient information is hidden.")
        who.setObjectName("lockOwner")
        who.setAlignment(Qt.AlignmentFlag.AlignCenter)
        who.setWordWrap(True)
        layout.addWidget(who)
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("field_password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText(f"Password for {username}")
        layout.addWidget(self.password_edit)
        self.unlock_button = QPushButton(icon("unlock", "#ffffff"), "Unlock")
        self.unlock_button.setObjectName("primaryButton")
        layout.addWidget(self.unlock_button)

        self.switch_toggle = QPushButton("Sign in as someone else")
        self.switch_toggle.setObjectName("linkButton")
        self.switch_toggle.setFlat(True)
        layout.addWidget(self.switch_toggle, 0, Qt.AlignmentFlag.AlignHCenter)
        self._switch_box = QFrame()
        switch_layout = QVBoxLayout(self._switch_box)
        switch_layout.setContentsMargins(0, 0, 0, 0)
        note = QLabel(f"{display_name}'s open work is kept in memory until they sign in again.")
        note.setObjectName("fieldHint")
        note.setWordWrap(True)
        switch_layout.addWidget(note)
        self.other_username_edit = QLineEdit()
        self.other_username_edit.setObjectName("field_other_username")
        self.other_username_edit.setPlaceholderText("User name")
        self.other_password_edit = QLineEdit()
        self.other_password_edit.setObjectName("field_other_password")
        self.other_password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.other_password_edit.setPlaceholderText("Password")
        self.switch_button = QPushButton("Sign in")
        switch_layout.addWidget(self.other_username_edit)
        switch_layout.addWidget(self.other_password_edit)
        switch_layout.addWidget(self.switch_button)
        self._switch_box.hide()
        layout.addWidget(self._switch_box)

        self._error = QLabel()
        self._error.setObjectName("formError")
        self._error.setWordWrap(True)
        self._error.hide()
        layout.addWidget(self._error)
        self._progress = QProgressBar()
        self._progress.setRange(0, 0)
        self._progress.setTextVisible(False)
        self._progress.setFixedHeight(4)
        self._progress.hide()
        layout.addWidget(self._progress)
        outer.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)

        self.unlock_button.clicked.connect(self._on_unlock_button_clicked)
        self.password_edit.returnPressed.connect(self._on_unlock_button_clicked)
        self.switch_toggle.clicked.connect(self._on_switch_toggle_clicked)
        self.switch_button.clicked.connect(self._on_switch_button_clicked)
        self.other_password_edit.returnPressed.connect(self._on_switch_button_clicked)

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
        self._error.setText(text)
        self._error.setVisible(bool(text))
        if text:
            self.password_edit.clear()
            self.other_password_edit.clear()

    def error_text(self) -> str:
        return self._error.text() if not self._error.isHidden() else ""

    def reset(self) -> None:
        self.set_busy(False)
        self.show_error("")
        for edit in (self.password_edit, self.other_username_edit, self.other_password_edit):
            edit.clear()
        self._switch_box.hide()
        self.password_edit.setFocus()
