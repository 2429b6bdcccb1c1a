"""The inbox's item model passes Qt's model tester, page by page, as notices are read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from clinic_app.notifications.models import Notification, NotificationKind
from clinic_app.ui.inbox.notification_table_model import (
    UNREAD_ROLE,
    NotificationColumn,
    NotificationTableModel,
)
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def notice(number: int, read: bool = False) -> Notification:
    return Notification(
        f"n{number}",
        NotificationKind.ASSIGNED,
        f"Notice {number}",
        "Body",
        "visit",
        "v1",
        "p1",
        T0 - timedelta(minutes=number),
        read,
    )


def test_the_notification_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = NotificationTableModel()
    qtmodeltester.check(model)
    asked: list[bool] = []
    model.more_requested.connect(lambda: asked.append(True))
    model.replace_notifications([notice(n) for n in range(100)], has_more=True)
    model.fetchMore(QModelIndex())
    assert asked == [True]
    assert not model.canFetchMore(QModelIndex()), "one page at a time"
    model.append_notifications([notice(n, read=True) for n in range(100, 120)], has_more=False)
    assert model.rowCount() == 120
    title = model.index(0, NotificationColumn.TITLE)
    assert title.data(Qt.ItemDataRole.FontRole).bold()
    model.mark_read({"n0"})
    assert model.index(0, 0).data(UNREAD_ROLE) is False
    assert model.index(0, NotificationColumn.TITLE).data(Qt.ItemDataRole.FontRole) is None
    assert len(model.unread_ids()) == 99
    model.replace_notifications([], has_more=False)
    qtmodeltester.check(model)
