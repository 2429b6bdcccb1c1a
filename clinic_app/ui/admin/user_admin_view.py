"""The user accounts table and the actions on the selected account."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QPushButton, QVBoxLayout, QWidget

from clinic_app.security.users import UserSummary
from clinic_app.ui.admin.user_table_model import UserColumn, UserTableModel
from clinic_app.ui.icons import ON_ACCENT_COLOUR, icon
from clinic_app.ui.records.list_table import list_table
from clinic_app.ui.widgets.widget_factories import hint_label, spread_row


class UserAdminView(QWidget):
    add_requested = Signal()
    role_change_requested = Signal(object)
    active_change_requested = Signal(object, bool)
    password_reset_requested = Signal(object)

    def __init__(self, model: UserTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("userAdminView")
        self._model = model
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(
            hint_label(
                "Accounts of this workstation. "
                "Disabled accounts can't sign in; their history stays."
            )
        )
        self.add_button = QPushButton(icon("add", ON_ACCENT_COLOUR), "Add user")
        self.add_button.setObjectName("primaryButton")
        self.role_button = QPushButton("Change role…")
        self.active_button = QPushButton("Disable")
        self.active_button.setProperty("destructive", True)
        self.reset_button = QPushButton(icon("key"), "Reset password…")
        layout.addLayout(
            spread_row([self.add_button, self.role_button, self.active_button, self.reset_button])
        )
        self.table = list_table(
            model,
            "userTable",
            stretch=UserColumn.DISPLAY_NAME,
            widths={
                UserColumn.USERNAME: 160,
                UserColumn.ROLE: 130,
                UserColumn.STATUS: 150,
                UserColumn.LAST_LOGIN: 150,
            },
        )
        layout.addWidget(self.table, 1)

        self.add_button.clicked.connect(self.add_requested)
        self.role_button.clicked.connect(self._on_role_button_clicked)
        self.active_button.clicked.connect(self._on_active_button_clicked)
        self.reset_button.clicked.connect(self._on_reset_button_clicked)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        model.modelReset.connect(self._on_selection_changed)
        self._on_selection_changed()

    def selected_user(self) -> UserSummary | None:
        rows = self.table.selectionModel().selectedRows()
        return self._model.user_at(rows[0].row()) if rows else None

    def select_user(self, username: str) -> None:
        row = self._model.row_of(username)
        if row >= 0:
            self.table.selectRow(row)

    @Slot()
    def _on_selection_changed(self) -> None:
        user = self.selected_user()
        for button in (self.role_button, self.active_button, self.reset_button):
            button.setEnabled(user is not None)
        self.active_button.setText("Enable" if user is not None and not user.active else "Disable")
        self.active_button.setProperty("destructive", user is None or user.active)
        self.active_button.style().polish(self.active_button)

    @Slot()
    def _on_role_button_clicked(self) -> None:
        user = self.selected_user()
        if user is not None:
            self.role_change_requested.emit(user)

    @Slot()
    def _on_active_button_clicked(self) -> None:
        user = self.selected_user()
        if user is not None:
            self.active_change_requested.emit(user, not user.active)

    @Slot()
    def _on_reset_button_clicked(self) -> None:
        user = self.selected_user()
        if user is not None:
            self.password_reset_requested.emit(user)
