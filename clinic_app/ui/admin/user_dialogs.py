"""The small forms of user administration: add a user, reset a password, change a role."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinic_app.security.permissions import Role
from clinic_app.ui.role_labels import ROLE_LABELS
from clinic_app.ui.widgets.validated_form import ValidatedForm
from clinic_app.ui.widgets.widget_factories import (
    message_label,
    password_edit,
    show_message,
    shown_text,
)


def _role_combo(current: Role | None = None) -> QComboBox:
    combo = QComboBox()
    for role, label in ROLE_LABELS.items():
        combo.addItem(label, role.value)
    if current is not None:
        combo.setCurrentIndex(combo.findData(current.value))
    return combo


class FormDialog(QDialog):
    """Title, intro, a validated form, a message line, Cancel and a primary button."""

    def __init__(self, title: str, intro: str, action: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setMinimumWidth(480)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(22, 18, 22, 14)
        heading = QLabel(title)
        heading.setObjectName("dialogTitle")
        self._layout.addWidget(heading)
        if intro:
            text = QLabel(intro)
            text.setWordWrap(True)
            self._layout.addWidget(text)
        self.form = ValidatedForm()
        self._layout.addWidget(self.form)
        self._message = message_label()
        self._layout.addWidget(self._message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        self.submit_button = QPushButton(action)
        self.submit_button.setObjectName("primaryButton")
        self.submit_button.setDefault(True)
        self.submit_button.clicked.connect(self._on_submit_button_clicked)
        buttons.addWidget(cancel)
        buttons.addWidget(self.submit_button)
        self._layout.addLayout(buttons)

    def line(self, name: str) -> QLineEdit:
        editor = self.form.editor(name)
        assert isinstance(editor, QLineEdit)
        return editor

    def show_errors(self, errors: Mapping[str, str], message: str = "") -> None:
        self.submit_button.setEnabled(True)
        unknown = self.form.show_errors(errors)
        show_message(self._message, message if (unknown or not errors) else "")

    def message_text(self) -> str:
        return shown_text(self._message)

    def _add_password_fields(self) -> None:
        """A temporary password, typed twice (`_begin_submit` checks the two agree)."""
        self.form.add_field("password", "Temporary password", password_edit())
        self.form.add_field("password_confirm", "Repeat it", password_edit())

    def _begin_submit(self) -> bool:
        """False (and the message under the field) when the two passwords differ; otherwise
        the button is disabled until the answer comes (`show_errors` enables it again)."""
        if self.form.has_field("password_confirm") and (
            self.line("password").text() != self.line("password_confirm").text()
        ):
            self.show_errors({"password_confirm": "The two passwords differ."})
            return False
        self.submit_button.setEnabled(False)
        return True

    @Slot()
    def _on_submit_button_clicked(self) -> None:
        raise NotImplementedError


class AddUserDialog(FormDialog):
    submitted = Signal(str, str, str, str)  # username, display name, role value, password

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            "Add a user",
            "The new user chooses their own password at their first sign-in.",
            "Add user",
            parent,
        )
        self.setObjectName("addUserDialog")
        self.role_combo = _role_combo(Role.FRONT_DESK)
        self.form.add_field("username", "User name", QLineEdit(), "Lower-case, e.g. j.smith")
        self.form.add_field("display_name", "Full name", QLineEdit())
        self.form.add_field("role", "Role", self.role_combo)
        self._add_password_fields()

    @Slot()
    def _on_submit_button_clicked(self) -> None:
        if not self._begin_submit():
            return
        self.submitted.emit(
            self.line("username").text(),
            self.line("display_name").text(),
            str(self.role_combo.currentData()),
            self.line("password").text(),
        )


class ResetPasswordDialog(FormDialog):
    submitted = Signal(str)

    def __init__(self, username: str, parent: QWidget | None = None) -> None:
        super().__init__(
            f"Reset the password of {username}",
            "This also lifts a lockout. The user must choose a new password at the next sign-in.",
            "Reset password",
            parent,
        )
        self.setObjectName("resetPasswordDialog")
        self._add_password_fields()

    @Slot()
    def _on_submit_button_clicked(self) -> None:
        if self._begin_submit():
            self.submitted.emit(self.line("password").text())


class ChangeRoleDialog(FormDialog):
    submitted = Signal(str)

    def __init__(self, username: str, current: Role, parent: QWidget | None = None) -> None:
        super().__init__(
            f"Change the role of {username}",
            "The role decides what the user may see and do. It applies at their next sign-in.",
            "Change role",
            parent,
        )
        self.setObjectName("changeRoleDialog")
        self.role_combo = _role_combo(current)
        self.form.add_field("role", "Role", self.role_combo)

    @Slot()
    def _on_submit_button_clicked(self) -> None:
        if self._begin_submit():
            self.submitted.emit(str(self.role_combo.currentData()))
