"""Adapts the list of `UserSummary` (a few dozen accounts at most) to a table."""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from clinic_app.security.users import UserSummary
from clinic_app.ui.role_labels import role_label
from clinic_app.ui.widgets.record_table_model import ColumnSpec, RecordTableModel

USER_SUMMARY_ROLE = Qt.ItemDataRole.UserRole + 1
_MUTED = QColor("#8a96a3")


class UserColumn(IntEnum):
    USERNAME = 0
    DISPLAY_NAME = 1
    ROLE = 2
    STATUS = 3
    LAST_LOGIN = 4


def local_time_text(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else "never"


def user_status(user: UserSummary, now: datetime) -> str:
    if not user.active:
        return "Disabled"
    if user.locked_until is not None and user.locked_until > now:
        return f"Locked until {user.locked_until.astimezone().strftime('%H:%M')}"
    return "Active"


class UserTableModel(RecordTableModel[UserSummary]):
    def __init__(self, parent: Any = None) -> None:
        columns: dict[IntEnum, ColumnSpec[UserSummary]] = {
            UserColumn.USERNAME: ColumnSpec("User name", lambda user: user.username),
            UserColumn.DISPLAY_NAME: ColumnSpec("Name", lambda user: user.display_name),
            UserColumn.ROLE: ColumnSpec("Role", lambda user: role_label(user.role)),
            # Against the time the list was loaded: a lock shown stays as it was then.
            UserColumn.STATUS: ColumnSpec("Status", lambda user: user_status(user, self._now)),
            UserColumn.LAST_LOGIN: ColumnSpec(
                "Last sign-in", lambda user: local_time_text(user.last_login_at)
            ),
        }
        super().__init__(columns, USER_SUMMARY_ROLE, parent)
        self._now = datetime.now().astimezone()

    def foreground(self, record: UserSummary, column: int) -> QColor | None:
        return None if record.active else _MUTED

    def set_users(self, users: list[UserSummary]) -> None:
        self._now = datetime.now().astimezone()
        self.replace_rows(users)

    def user_at(self, row: int) -> UserSummary:
        return self._rows[row]

    def row_of(self, username: str) -> int:
        return self.find_row(lambda user: user.username == username)
