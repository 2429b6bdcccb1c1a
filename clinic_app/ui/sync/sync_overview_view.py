"""The Sync page's first tab: where this workstation stands, "Sync now" with progress and
cancel, the sync log, and a look-up of one record's sync state.

Shortcuts: F9 syncs now (from anywhere in the window), Esc cancels a running sync,
F5 refreshes. When sync is not set up an empty state says so (with a button for admins).
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from clinic_app.sync.models import SyncStatus
from clinic_app.ui.icons import icon
from clinic_app.ui.records.list_table import list_table
from clinic_app.ui.records.time_format import local_time
from clinic_app.ui.sync.sync_log_table_model import LogColumn, SyncLogTableModel
from clinic_app.ui.sync.sync_texts import TABLE_LABELS, relative_time
from clinic_app.ui.widgets.empty_state import EmptyState
from clinic_app.ui.widgets.widget_factories import message_label, show_message, shown_text

_SUMMARY = (
    ("server", "Server"),
    ("state", "State"),
    ("last_success", "Last successful sync"),
    ("last_attempt", "Last attempt"),
    ("pending", "Waiting to be sent"),
    ("conflicts", "Open conflicts"),
    ("held", "Held records"),
    ("files", "Files to transfer"),
    ("problem", "Last problem"),
)
MAX_ID_LENGTH = 64


class SyncOverviewView(QWidget):
    sync_requested = Signal()
    cancel_requested = Signal()
    refresh_requested = Signal()
    settings_requested = Signal()
    lookup_requested = Signal(str, str)  # table, record id

    def __init__(
        self, model: SyncLogTableModel, *, can_configure: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("syncOverview")
        self._can_configure = can_configure
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 10, 4, 4)
        top = QHBoxLayout()
        self.refresh_button = QPushButton(icon("refresh"), "Refresh")
        self.refresh_button.setToolTip("Read the sync state again (F5)")
        self.settings_button = QPushButton(icon("key"), "Sync settings…")
        self.settings_button.setToolTip("Server address, device token, on/off and interval")
        self.settings_button.setVisible(can_configure)
        self.sync_button = QPushButton(icon("refresh", "#ffffff"), "Sync now")
        self.sync_button.setObjectName("primaryButton")
        self.sync_button.setToolTip("Send and receive changes now (F9)")
        top.addStretch(1)
        top.addWidget(self.refresh_button)
        top.addWidget(self.settings_button)
        top.addWidget(self.sync_button)
        layout.addLayout(top)
        self._stack = QStackedWidget()
        self.empty_state = EmptyState("offline")
        self._stack.addWidget(self._build_content(model))
        self._stack.addWidget(self.empty_state)
        layout.addWidget(self._stack, 1)
        self.sync_button.clicked.connect(self.sync_requested)
        self.refresh_button.clicked.connect(self.refresh_requested)
        self.settings_button.clicked.connect(self.settings_requested)
        self.cancel_button.clicked.connect(self.cancel_requested)
        self.empty_state.action_clicked.connect(self.settings_requested)
        self.lookup_button.clicked.connect(self._on_lookup_button_clicked)
        self.lookup_edit.returnPressed.connect(self._on_lookup_button_clicked)
        QShortcut(QKeySequence("F5"), self, self.refresh_requested)
        QShortcut(QKeySequence("Escape"), self, self._on_escape)

    def _build_content(self, model: SyncLogTableModel) -> QWidget:
        content = QWidget()
        column = QVBoxLayout(content)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self._build_summary())
        column.addWidget(self._build_progress())
        self.error_label = message_label("formError")
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label = message_label("formMessage")
        column.addWidget(self.error_label)
        column.addWidget(self.result_label)
        self.log_heading = QLabel("Sync log")
        self.log_heading.setObjectName("sectionTitle")
        column.addWidget(self.log_heading)
        self.log_table = list_table(
            model,
            "syncLogTable",
            stretch=LogColumn.MESSAGE,
            widths={
                LogColumn.WHEN: 150,
                LogColumn.EVENT: 210,
                LogColumn.RECORD: 170,
                LogColumn.COUNT: 60,
            },
        )
        column.addWidget(self.log_table, 1)
        column.addLayout(self._build_lookup())
        return content

    def _build_summary(self) -> QWidget:
        panel = QFrame()
        panel.setObjectName("panel")
        grid = QGridLayout(panel)
        grid.setContentsMargins(14, 10, 14, 10)
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(4)
        self.summary: dict[str, QLabel] = {}
        for position, (key, caption) in enumerate(_SUMMARY):
            row, col = position % 5, (position // 5) * 2
            name = QLabel(f"{caption}:")
            name.setObjectName("fieldHint")
            value = QLabel("…")
            value.setObjectName(f"syncSummary_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            grid.addWidget(name, row, col, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
            grid.addWidget(value, row, col + 1)
            self.summary[key] = value
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        return panel

    def _build_progress(self) -> QWidget:
        self.progress_bar = QProgressBar()
        self.progress_bar.setObjectName("syncProgress")
        self.progress_bar.setRange(0, 0)
        self.progress_label = QLabel()
        self.progress_label.setObjectName("fieldHint")
        self.cancel_button = QPushButton(icon("cancel"), "Cancel")
        self.cancel_button.setToolTip("Stop this sync; what was exchanged is kept (Esc)")
        self._progress = QWidget()
        row = QHBoxLayout(self._progress)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.progress_bar, 1)
        row.addWidget(self.progress_label, 1)
        row.addWidget(self.cancel_button)
        self._progress.hide()
        return self._progress

    def _build_lookup(self) -> QHBoxLayout:
        lookup = QHBoxLayout()
        caption = QLabel("Look up a record:")
        self.lookup_table = QComboBox()
        self.lookup_table.setObjectName("syncLookupTable")
        for table, label in TABLE_LABELS.items():
            self.lookup_table.addItem(label, table)
        self.lookup_edit = QLineEdit()
        self.lookup_edit.setObjectName("syncLookupId")
        self.lookup_edit.setPlaceholderText("Record id (from the log's tooltip or the record)")
        self.lookup_button = QPushButton(icon("search"), "Check")
        self.lookup_result = QLabel()
        self.lookup_result.setObjectName("syncLookupResult")
        caption.setBuddy(self.lookup_edit)
        lookup.addWidget(caption)
        lookup.addWidget(self.lookup_table)
        lookup.addWidget(self.lookup_edit, 1)
        lookup.addWidget(self.lookup_button)
        lookup.addWidget(self.lookup_result, 1)
        return lookup

    # --- shown state -------------------------------------------------------------------

    def show_status(self, status: SyncStatus) -> None:
        configured = status.configured
        self._stack.setCurrentIndex(0 if configured else 1)
        if not configured:
            text = "An administrator can connect this workstation to a server."
            if status.pending_changes:
                text += (
                    f" {status.pending_changes} change(s) made here are kept and wait to be sent."
                )
            self.empty_state.set_message(
                "Sync is not set up", text, "Set up sync…" if self._can_configure else ""
            )
        self.sync_button.setEnabled(configured and not self.running)
        every = _interval(status.interval_seconds)
        if status.last_attempt_at is None:
            state = "Not synced yet"
        elif status.online:
            state = "Online"
        else:
            state = "Offline: the server was not reachable at the last attempt"
        state += f"; background sync every {every}" if status.enabled else "; background sync off"
        files = ""
        if status.pending_uploads or status.pending_downloads:
            files = f"{status.pending_uploads} up, {status.pending_downloads} down"
        values = {
            "server": status.server_url or "—",
            "state": state,
            "last_success": _when(status.last_success_at),
            "last_attempt": _when(status.last_attempt_at),
            "pending": str(status.pending_changes),
            "conflicts": str(status.conflicts),
            "held": str(status.quarantined),
            "files": files or "none",
            "problem": status.last_error or "none",
        }
        for key, value in values.items():
            self.summary[key].setText(value)

    def show_log_count(self, count: int) -> None:
        self.log_heading.setText(
            "Sync log" if count else "Sync log: nothing yet. Press Sync now (F9) to start."
        )

    @property
    def running(self) -> bool:
        return not self._progress.isHidden()

    def set_running(self, running: bool) -> None:
        self._progress.setVisible(running)
        self.cancel_button.setEnabled(running)
        self.sync_button.setEnabled(not running and self.showing_content)
        if running:
            self.progress_bar.setRange(0, 0)
            self.progress_label.setText("Starting…")
            show_message(self.error_label, "")
            show_message(self.result_label, "")

    def show_progress(self, done: int, total: int, message: str) -> None:
        if total > 0:
            self.progress_bar.setRange(0, total)
            self.progress_bar.setValue(min(done, total))
        else:
            self.progress_bar.setRange(0, 0)
        if message:
            self.progress_label.setText(message)

    def show_cancelling(self) -> None:
        self.cancel_button.setEnabled(False)
        self.progress_label.setText("Cancelling… (what was exchanged is kept)")

    def show_error(self, text: str) -> None:
        show_message(self.result_label, "")
        show_message(self.error_label, text)

    def show_result(self, text: str) -> None:
        show_message(self.error_label, "")
        show_message(self.result_label, text)

    def error_text(self) -> str:
        return shown_text(self.error_label)

    def result_text(self) -> str:
        return shown_text(self.result_label)

    @property
    def showing_content(self) -> bool:
        return self._stack.currentIndex() == 0

    @property
    def showing_empty_state(self) -> bool:
        return self._stack.currentWidget() is self.empty_state

    # --- look-up -----------------------------------------------------------------------

    @Slot()
    def _on_lookup_button_clicked(self) -> None:
        record_id = self.lookup_edit.text().strip()
        if not record_id:
            self.lookup_result.setText("Type a record id first.")
            return
        if len(record_id) > MAX_ID_LENGTH or any(ch.isspace() for ch in record_id):
            self.lookup_result.setText("That is not a record id (one word, at most 64 characters).")
            return
        self.lookup_result.setText("Checking…")
        self.lookup_requested.emit(str(self.lookup_table.currentData()), record_id)

    @Slot()
    def _on_escape(self) -> None:
        if self.running:
            self.cancel_requested.emit()


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "never"
    return f"{relative_time(moment)} ({local_time(moment)})"


def _interval(seconds: int) -> str:
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"
