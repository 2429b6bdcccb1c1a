"""Adapts the list of `UserSummary` (a few dozen accounts at most) to a table."""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from clinic_app.security.users import UserSummary
from clinic_app.ui.role_labels import role_label

ModelIndex = QModelIndex | QPersistentModelIndex

USER_SUMMARY_ROLE = Qt.ItemDataRole.UserRole + 1
_MUTED = QColor("#8a96a3")


class UserColumn(IntEnum):
    USERNAME = 0
    DISPLAY_NAME = 1
    ROLE = 2
    STATUS = 3
    LAST_LOGIN = 4


_HEADERS = {
    UserColumn.USERNAME: "User name",
    UserColumn.DISPLAY_NAME: "Name",
    UserColumn.ROLE: "Role",
    UserColumn.STATUS: "Status",
    UserColumn.LAST_LOGIN: "Last sign-in",
}


def local_time_text(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else "never"


def user_status(user: UserSummary, now: datetime) -> str:
    if not user.active:
        return "Disabled"
    if user.locked_until is not None and user.locked_until > now:
        return f"Locked until {user.locked_until.astimezone().strftime('%H:%M')}"
    return "Active"


class UserTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._users: list[UserSummary] = []
        self._now = datetime.now().astimezone()

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._users)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(UserColumn)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._users):
            return None
        user = self._users[index.row()]
        column = UserColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            if column is UserColumn.USERNAME:
                return user.username
            if column is UserColumn.DISPLAY_NAME:
                return user.display_name
            if column is UserColumn.ROLE:
                return role_label(user.role)
            if column is UserColumn.STATUS:
                return user_status(user, self._now)
            return local_time_text(user.last_login_at)
        if role == Qt.ItemDataRole.ForegroundRole and not user.active:
            return _MUTED
        if role == USER_SUMMARY_ROLE:
            return user
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(UserColumn)
        ):
            return _HEADERS[UserColumn(section)]
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def set_users(self, users: list[UserSummary]) -> None:
        self.beginResetModel()
        self._users = list(users)
        self._now = datetime.now().astimezone()
        self.endResetModel()

    def user_at(self, row: int) -> UserSummary:
        return self._users[row]

    def row_of(self, username: str) -> int:
        for row, user in enumerate(self._users):
            if user.username == username:
                return row
        return -1
