"""The inbox: the user's notices, newest first, unread in bold.

Enter or a double-click opens what a notice is about (and marks it read); Ctrl+R marks the
selected notice read, Ctrl+Shift+R all of them.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QCheckBox, QPushButton, QVBoxLayout, QWidget

from clinic_app.notifications.models import Notification
from clinic_app.ui.icons import icon
from clinic_app.ui.inbox.notification_table_model import (
    NOTIFICATION_ROLE,
    NotificationColumn,
    NotificationTableModel,
)
from clinic_app.ui.records.list_table import list_table
from clinic_app.ui.widgets.empty_state import EmptyState
from clinic_app.ui.widgets.table_or_empty_state import TableOrEmptyState
from clinic_app.ui.widgets.widget_factories import hint_label, spread_row, title_bar


class InboxView(QWidget):
    open_requested = Signal(object)  # Notification
    mark_read_requested = Signal(list)  # notification ids
    mark_all_read_requested = Signal()
    refresh_requested = Signal()
    unread_only_toggled = Signal(bool)

    def __init__(self, model: NotificationTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inboxView")
        self._model = model
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        self.refresh_button = QPushButton(icon("refresh"), "Refresh")
        self.refresh_button.setToolTip("Check for new notices (F5)")
        self.open_button = QPushButton(icon("open"), "Open")
        self.open_button.setToolTip("Open what the notice is about (Enter)")
        self.mark_read_button = QPushButton(icon("mark_read"), "Mark read")
        self.mark_read_button.setToolTip("Mark the selected notice read (Ctrl+R)")
        self.mark_all_button = QPushButton(icon("mark_all_read"), "Mark all read")
        self.mark_all_button.setToolTip("Mark every notice read (Ctrl+Shift+R)")
        layout.addLayout(
            title_bar(
                "Inbox",
                (
                    self.refresh_button,
                    self.open_button,
                    self.mark_read_button,
                    self.mark_all_button,
                ),
            )
        )
        self.count_label = hint_label(wrap=False)
        self.unread_check = QCheckBox("Unread only")
        layout.addLayout(spread_row([self.count_label], [self.unread_check]))
        self.table = list_table(
            model,
            "inboxTable",
            stretch=NotificationColumn.TITLE,
            widths={
                NotificationColumn.WHEN: 150,
                NotificationColumn.KIND: 100,
                NotificationColumn.DETAIL: 280,
            },
            multi_select=True,
        )
        self.empty_state = EmptyState("inbox")
        self.empty_state.set_message(
            "No notices", "Reviews assigned to you and annotations on your patients appear here."
        )
        self._stack = TableOrEmptyState(self.table, self.empty_state)
        layout.addWidget(self._stack, 1)
        self.refresh_button.clicked.connect(self.refresh_requested)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.mark_read_button.clicked.connect(self._on_mark_read_button_clicked)
        self.mark_all_button.clicked.connect(self.mark_all_read_requested)
        self.unread_check.toggled.connect(self.unread_only_toggled)
        self.table.activated.connect(self._on_table_activated)
        self.table.doubleClicked.connect(self._on_table_activated)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        QShortcut(QKeySequence("Ctrl+R"), self, self._on_mark_read_button_clicked)
        QShortcut(QKeySequence("Ctrl+Shift+R"), self, self.mark_all_read_requested)
        QShortcut(QKeySequence("F5"), self, self.refresh_requested)
        model.modelReset.connect(self._on_model_changed)
        model.rowsInserted.connect(self._on_model_changed)
        model.dataChanged.connect(self._on_model_changed)
        self._on_model_changed()

    def selected(self) -> list[Notification]:
        return [
            index.data(NOTIFICATION_ROLE) for index in self.table.selectionModel().selectedRows()
        ]

    @Slot()
    def _on_open_button_clicked(self) -> None:
        chosen = self.selected()
        if chosen:
            self.open_requested.emit(chosen[0])

    @Slot()
    def _on_mark_read_button_clicked(self) -> None:
        ids = [n.id for n in self.selected() if not n.read]
        if ids:
            self.mark_read_requested.emit(ids)

    @Slot(QModelIndex)
    def _on_table_activated(self, index: QModelIndex) -> None:
        notice = index.data(NOTIFICATION_ROLE)
        if notice is not None:
            self.open_requested.emit(notice)

    @Slot()
    def _on_model_changed(self) -> None:
        count = self._model.rowCount()
        unread = len(self._model.unread_ids())
        self.count_label.setText(f"{unread} unread of {count} shown" if count else "")
        self.mark_all_button.setEnabled(unread > 0)
        self._update_buttons()

    @Slot()
    def _update_buttons(self) -> None:
        chosen = self.selected()
        self.open_button.setEnabled(len(chosen) == 1)
        self.mark_read_button.setEnabled(any(not n.read for n in chosen))

    @property
    def showing_empty_state(self) -> bool:
        return self._stack.showing_empty_state
