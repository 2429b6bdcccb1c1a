"""The front door: the first window shown, and where people sign in.

It appears at once in a busy state while the database opens on a worker thread, so start-up
never shows a frozen or missing window.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from clinic_app import __version__
from clinic_app.ui.icons import app_icon
from clinic_app.ui.widgets.widget_factories import (
    busy_bar,
    centred_label,
    message_label,
    password_edit,
    show_message,
    shown_text,
)


class LoginWindow(QWidget):
    sign_in_requested = Signal(str, str)
    close_requested = Signal()

    def __init__(self, workstation: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("loginWindow")
        self.setWindowTitle("Clinic – sign in")
        self.resize(560, 600)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(self._build_card(workstation), 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)
        outer.addWidget(
            centred_label(f"Version {__version__} · data encrypted at rest", "loginFooter")
        )
        self.sign_in_button.clicked.connect(self._on_sign_in_button_clicked)
        self.password_edit.returnPressed.connect(self._on_sign_in_button_clicked)
        self.username_edit.returnPressed.connect(self.password_edit.setFocus)
        self.set_busy("Opening the clinic database…")

    def _build_card(self, workstation: str) -> QFrame:
        card = QFrame(self)
        card.setObjectName("loginCard")
        card.setFixedWidth(400)
        layout = QVBoxLayout(card)
        layout.setContentsMargins(32, 28, 32, 28)
        layout.setSpacing(10)
        logo = centred_label("")
        logo.setPixmap(app_icon().pixmap(QSize(56, 56)))
        layout.addWidget(logo)
        layout.addWidget(centred_label("Clinic", "loginTitle"))
        layout.addWidget(centred_label(f"Workstation {workstation}", "loginSubtitle"))
        layout.addSpacing(12)
        self.username_edit = QLineEdit()
        self.username_edit.setObjectName("field_username")
        self.username_edit.setPlaceholderText("User name")
        self.password_edit = password_edit("field_password", "Password")
        for caption, edit in (
            ("&User name", self.username_edit),
            ("&Password", self.password_edit),
        ):
            label = QLabel(caption)
            label.setBuddy(edit)
            layout.addWidget(label)
            layout.addWidget(edit)
        self._error = message_label()
        layout.addWidget(self._error)
        self.sign_in_button = QPushButton("Sign in")
        self.sign_in_button.setObjectName("primaryButton")
        self.sign_in_button.setDefault(True)
        layout.addSpacing(4)
        layout.addWidget(self.sign_in_button)
        self._status = centred_label("", "loginStatus")
        layout.addWidget(self._status)
        self._progress = busy_bar(4)
        layout.addWidget(self._progress)
        return card

    @Slot()
    def _on_sign_in_button_clicked(self) -> None:
        if not self.sign_in_button.isEnabled():
            return
        if not self.username_edit.text().strip():
            self.show_error("Enter your user name.")
            self.username_edit.setFocus()
            return
        if not self.password_edit.text():
            self.show_error("Enter your password.")
            self.password_edit.setFocus()
            return
        self.show_error("")
        self.sign_in_requested.emit(self.username_edit.text().strip(), self.password_edit.text())

    def set_busy(self, message: str) -> None:
        show_message(self._status, message)
        self._progress.show()
        for widget in (self.username_edit, self.password_edit, self.sign_in_button):
            widget.setEnabled(False)

    def set_ready(self, username: str = "") -> None:
        self._status.hide()
        self._progress.hide()
        for widget in (self.username_edit, self.password_edit, self.sign_in_button):
            widget.setEnabled(True)
        if username:
            self.username_edit.setText(username)
        (self.password_edit if self.username_edit.text() else self.username_edit).setFocus()

    def reset(self) -> None:
        """After signing out: an empty password, no old message."""
        self.password_edit.clear()
        self.show_error("")
        self.set_ready()

    @property
    def ready(self) -> bool:
        return self.sign_in_button.isEnabled()

    def show_error(self, text: str) -> None:
        show_message(self._error, text)
        if text:
            self.password_edit.clear()

    def show_notice(self, text: str) -> None:
        """A calm message that is not an error ("The database was restored…")."""
        show_message(self._status, text)

    def notice_text(self) -> str:
        return shown_text(self._status)

    def error_text(self) -> str:
        return shown_text(self._error)

    def closeEvent(self, event: QCloseEvent) -> None:
        # The application hides this window itself; a close comes from the person: quit.
        self.close_requested.emit()
        super().closeEvent(event)
