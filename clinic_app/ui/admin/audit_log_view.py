"""The audit log: filters (user, action, dates, record), the events, and a chain check."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from PySide6.QtCore import QDate, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinic_app.storage.audit import AuditFilter
from clinic_app.ui.admin.audit_table_model import AUDIT_EVENT_ROLE, AuditColumn, AuditTableModel
from clinic_app.ui.icons import ON_ACCENT_COLOUR, icon
from clinic_app.ui.records.list_table import list_table

_ANY = "Any"


def local_day_start(day: date) -> datetime:
    """Midnight of a local calendar day, as an aware UTC time (the log stores UTC)."""
    return datetime.combine(day, time.min).astimezone().astimezone(UTC)


class AuditLogView(QWidget):
    filters_applied = Signal(AuditFilter)
    verify_requested = Signal()

    def __init__(self, model: AuditTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("auditLogView")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addLayout(self._build_filters())
        self.table = list_table(
            model,
            "auditTable",
            stretch=AuditColumn.DETAILS,
            widths={
                AuditColumn.TIME: 160,
                AuditColumn.USER: 100,
                AuditColumn.ACTION: 180,
                AuditColumn.OUTCOME: 80,
                AuditColumn.RECORD: 150,
                AuditColumn.WORKSTATION: 110,
            },
            multi_select=True,
        )
        layout.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        self.verify_button = QPushButton(icon("verify"), "Verify the audit chain")
        self.verify_button.setToolTip("Checks that no event was changed, removed or reordered.")
        self.verify_result = QLabel()
        self.verify_result.setObjectName("verifyResult")
        self.verify_result.setWordWrap(True)
        bottom.addWidget(self.verify_button)
        bottom.addWidget(self.verify_result, 1)
        layout.addLayout(bottom)
        self.verify_button.clicked.connect(self.verify_requested)
        self.table.doubleClicked.connect(self._on_table_double_clicked)

    def _build_filters(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        self.user_combo = QComboBox()
        self.user_combo.setObjectName("auditUser")
        self.user_combo.addItem(_ANY, "")
        self.action_combo = QComboBox()
        self.action_combo.setObjectName("auditAction")
        self.action_combo.setEditable(True)
        self.action_combo.addItem(_ANY, "")
        self.record_edit = QLineEdit()
        self.record_edit.setObjectName("auditRecord")
        self.record_edit.setPlaceholderText("Record id")
        self.record_edit.setMaxLength(64)
        self.apply_button = QPushButton(icon("search", ON_ACCENT_COLOUR), "Show")
        self.apply_button.setObjectName("primaryButton")
        self.clear_button = QPushButton("Clear filters")
        grid.addWidget(QLabel("User"), 0, 0)
        grid.addWidget(self.user_combo, 0, 1)
        grid.addWidget(QLabel("Action"), 0, 2)
        grid.addWidget(self.action_combo, 0, 3)
        grid.addWidget(QLabel("Record"), 0, 4)
        grid.addWidget(self.record_edit, 0, 5)
        grid.addLayout(self._build_dates(), 1, 0, 1, 4)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.apply_button)
        grid.addLayout(buttons, 1, 4, 1, 2)
        self.filter_error = QLabel()
        self.filter_error.setObjectName("fieldError")
        self.filter_error.hide()
        grid.addWidget(self.filter_error, 2, 0, 1, 6)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        grid.setColumnStretch(5, 1)
        self.apply_button.clicked.connect(self._on_apply_button_clicked)
        self.clear_button.clicked.connect(self._on_clear_button_clicked)
        self.clear_button.setToolTip("Double-click an event to show every event of its record.")
        self.record_edit.returnPressed.connect(self._on_apply_button_clicked)
        return grid

    def _build_dates(self) -> QHBoxLayout:
        """Optional first and last day (local calendar days, both included)."""
        self.from_check = QCheckBox("From")
        self.from_date = QDateEdit(QDate.currentDate().addDays(-7))
        self.to_check = QCheckBox("To")
        self.to_date = QDateEdit(QDate.currentDate())
        row = QHBoxLayout()
        for check, edit in ((self.from_check, self.from_date), (self.to_check, self.to_date)):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
            check.toggled.connect(edit.setEnabled)
            row.addWidget(check)
            row.addWidget(edit)
            row.addSpacing(12)
        row.addStretch(1)
        return row

    def set_choices(self, usernames: list[str], actions: list[str]) -> None:
        for combo, values in ((self.user_combo, usernames), (self.action_combo, actions)):
            current = combo.currentText()
            combo.clear()
            combo.addItem(_ANY, "")
            for value in values:
                combo.addItem(value, value)
            combo.setCurrentText(current)

    def current_filter(self) -> AuditFilter:
        action = self.action_combo.currentText().strip()
        user = self.user_combo.currentData()
        since = (
            local_day_start(self.from_date.date().toPython())
            if self.from_check.isChecked()
            else None
        )
        until = None
        if self.to_check.isChecked():
            until = local_day_start(self.to_date.date().toPython() + timedelta(days=1))
        return AuditFilter(
            username=str(user) if user else None,
            action=action if action and action != _ANY else None,
            record_id=self.record_edit.text().strip() or None,
            since=since,
            until=until,
        )

    def show_verify_result(self, text: str, ok: bool | None) -> None:
        colour = {True: "#1e7b3c", False: "#b42318", None: "#5b6b79"}[ok]
        self.verify_result.setStyleSheet(f"color: {colour};")
        self.verify_result.setText(text)

    def filter_error_text(self) -> str:
        return self.filter_error.text() if not self.filter_error.isHidden() else ""

    @Slot()
    def _on_apply_button_clicked(self) -> None:
        flt = self.current_filter()
        if flt.since is not None and flt.until is not None and flt.since >= flt.until:
            self.filter_error.setText("The “From” date must not be after the “To” date.")
            self.filter_error.show()
            return
        self.filter_error.hide()
        self.filters_applied.emit(flt)

    @Slot()
    def _on_table_double_clicked(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        event = self.table.model().data(rows[0], AUDIT_EVENT_ROLE)
        if event is not None and event.record_id:
            self.record_edit.setText(event.record_id)
            self._on_apply_button_clicked()

    @Slot()
    def _on_clear_button_clicked(self) -> None:
        self.user_combo.setCurrentIndex(0)
        self.action_combo.setCurrentIndex(0)
        self.record_edit.clear()
        self.from_check.setChecked(False)
        self.to_check.setChecked(False)
        self._on_apply_button_clicked()
