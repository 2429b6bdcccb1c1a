"""Backups: the files in the backups folder and what can be done with them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from clinic_app.storage.backup import BACKUP_SUFFIX
from clinic_app.ui.admin.backup_table_model import BackupColumn, BackupFile, BackupTableModel
from clinic_app.ui.icons import ON_ACCENT_COLOUR, icon
from clinic_app.ui.records.list_table import list_table
from clinic_app.ui.widgets.empty_state import EmptyState
from clinic_app.ui.widgets.table_or_empty_state import TableOrEmptyState
from clinic_app.ui.widgets.widget_factories import hint_label, spread_row


class BackupView(QWidget):
    create_requested = Signal()
    verify_requested = Signal(Path)
    restore_requested = Signal(Path)

    def __init__(self, model: BackupTableModel, folder: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("backupView")
        self._model = model
        self._folder = folder
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(
            hint_label(
                f"Backups are encrypted with the database key and kept in <tt>{folder}</tt>. "
                "Copy them to a safe place regularly; a restore keeps the current database aside."
            )
        )
        layout.addLayout(self._build_buttons())
        self.table = list_table(
            model,
            "backupTable",
            stretch=BackupColumn.NAME,
            widths={BackupColumn.CREATED: 140, BackupColumn.SIZE: 100, BackupColumn.KIND: 210},
        )
        self.empty_state = EmptyState("backup")
        self.empty_state.set_message(
            "No backups yet",
            "Create one now, and copy backups to a safe place away from this computer.",
        )
        self._stack = TableOrEmptyState(self.table, self.empty_state)
        layout.addWidget(self._stack, 1)
        self.result_label = QLabel()
        self.result_label.setObjectName("backupResult")
        self.result_label.setWordWrap(True)
        layout.addWidget(self.result_label)

        self.create_button.clicked.connect(self.create_requested)
        self.verify_button.clicked.connect(self._on_verify_button_clicked)
        self.restore_button.clicked.connect(self._on_restore_button_clicked)
        self.other_file_button.clicked.connect(self._on_other_file_button_clicked)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        model.modelReset.connect(self._on_selection_changed)
        self._on_selection_changed()

    def _build_buttons(self) -> QHBoxLayout:
        self.create_button = QPushButton(icon("backup", ON_ACCENT_COLOUR), "Create a backup now")
        self.create_button.setObjectName("primaryButton")
        self.verify_button = QPushButton(icon("verify"), "Verify")
        self.restore_button = QPushButton(icon("restore"), "Restore…")
        self.restore_button.setProperty("destructive", True)
        self.other_file_button = QPushButton("Another file…")
        self.other_file_button.setToolTip("Verify a backup file kept somewhere else")
        return spread_row(
            [self.create_button, self.verify_button, self.restore_button], [self.other_file_button]
        )

    def selected_backup(self) -> BackupFile | None:
        rows = self.table.selectionModel().selectedRows()
        return self._model.file_at(rows[0].row()) if rows else None

    def select_backup(self, path: Path) -> None:
        row = self._model.row_of(path)
        if row >= 0:
            self.table.selectRow(row)

    def set_busy(self, busy: bool) -> None:
        self.create_button.setEnabled(not busy)
        self.other_file_button.setEnabled(not busy)
        self._on_selection_changed(busy=busy)

    def show_result(self, text: str, ok: bool | None) -> None:
        colour = {True: "#1e7b3c", False: "#b42318", None: "#5b6b79"}[ok]
        self.result_label.setStyleSheet(f"color: {colour};")
        self.result_label.setText(text)

    @Slot()
    def _on_selection_changed(self, *_args: object, busy: bool = False) -> None:
        chosen = self.selected_backup() is not None and not busy
        self.verify_button.setEnabled(chosen)
        self.restore_button.setEnabled(chosen)

    @Slot()
    def _on_verify_button_clicked(self) -> None:
        backup = self.selected_backup()
        if backup is not None:
            self.verify_requested.emit(backup.path)

    @Slot()
    def _on_restore_button_clicked(self) -> None:
        backup = self.selected_backup()
        if backup is not None:
            self.restore_requested.emit(backup.path)

    @Slot()
    def _on_other_file_button_clicked(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, "Choose a backup file", str(self._folder), f"Clinic backups (*{BACKUP_SUFFIX})"
        )
        if path:
            self.verify_requested.emit(Path(path))
