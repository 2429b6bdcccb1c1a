"""The front door: the first window shown, and where people sign in.

It appears at once in a busy state while the database opens on a worker thread, so start-up
never shows a frozen or missing window.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinic_app import __version__
from clinic_app.ui.icons import app_icon


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
        card = QFrame(self)
        card.setObjectName("loginCard")
        card.setFixedWidth(400)
        layout = QVBoxLayout(card)
        layout.setContentsMargins(32, 28, 32, 28)
        layout.setSpacing(10)
        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(QSize(56, 56)))
        logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(logo)
        title = QLabel("Clinic")
        title.setObjectName("loginTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)
        subtitle = QLabel(f"Workstation {workstation}")
        subtitle.setObjectName("loginSubtitle")
        subtitle.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(subtitle)
        layout.addSpacing(12)
        self.username_edit = QLineEdit()
        self.username_edit.setObjectName("field_username")
        self.username_edit.setPlaceholderText("User name")
        user_label = QLabel("&User name")
        user_label.setBuddy(self.username_edit)
        layout.addWidget(user_label)
        layout.addWidget(self.username_edit)
        self.password_edit = QLineEdit()
        self.password_edit.setObjectName("field_password")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText("Password")
        password_label = QLabel("&Password")
        password_label.setBuddy(self.password_edit)
        layout.addWidget(password_label)
        layout.addWidget(self.password_edit)
        self._error = QLabel()
        self._error.setObjectName("formError")
        self._error.setWordWrap(True)
        self._error.hide()
        layout.addWidget(self._error)
        self.sign_in_button = QPushButton("Sign in")
        self.sign_in_button.setObjectName("primaryButton")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.setAutoDefault(True)
        layout.addSpacing(4)
        layout.addWidget(self.sign_in_button)
        self._status = QLabel()
        self._status.setObjectName("loginStatus")
        self._status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._status.setWordWrap(True)
        layout.addWidget(self._status)
        self._progress = QProgressBar()
        self._progress.setRange(0, 0)
        self._progress.setTextVisible(False)
        self._progress.setFixedHeight(4)
        layout.addWidget(self._progress)
        outer.addWidget(card, 0, Qt.AlignmentFlag.AlignHCenter)
        outer.addStretch(2)
        footer = QLabel(f"Version {__version__} · data encrypted at rest")
        footer.setObjectName("loginFooter")
        footer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        outer.addWidget(footer)

        self.sign_in_button.clicked.connect(self._on_sign_in_button_clicked)
        self.password_edit.returnPressed.connect(self._on_sign_in_button_clicked)
        self.username_edit.returnPressed.connect(self.password_edit.setFocus)
        self.set_busy("Opening the clinic database…")

    @Slot()
    def _on_sign_in_button_clicked(self) -> None:
        if not self.sign_in_button.isEnabled():
            return
        username = self.username_edit.text().strip()
        if not username:
            self.show_error("Enter your user name.")
            self.username_edit.setFocus()
            return
        if not self.password_edit.text():
            self.show_error("Enter your password.")
            self.password_edit.setFocus()
            return
        self.show_error("")
        self.sign_in_requested.emit(username, self.password_edit.text())

    def set_busy(self, message: str) -> None:
        self._status.setText(message)
        self._status.setVisible(bool(message))
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
        self._error.setText(text)
        self._error.setVisible(bool(text))
        if text:
            self.password_edit.clear()

    def show_notice(self, text: str) -> None:
        """A calm message that is not an error ("The database was restored…")."""
        self._status.setText(text)
        self._status.setVisible(bool(text))

    def notice_text(self) -> str:
        return self._status.text() if not self._status.isHidden() else ""

    def error_text(self) -> str:
        return self._error.text() if not self._error.isHidden() else ""

    def closeEvent(self, event: QCloseEvent) -> None:
        # The application hides this window itself; a close comes from the person: quit.
        self.close_requested.emit()
        super().closeEvent(event)
