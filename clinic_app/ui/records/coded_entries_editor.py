"""Coded diagnoses or procedures on the visit form: a code picker above the list they join.

The picker is given by the form's owner (`make_code_picker`), so this widget never searches.
Keyboard: type in the picker, ↓ and Enter add the code; in the list, Space toggles the check
box under the cursor and Delete removes the row.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinic_app.codes.models import CodeHit, CodeSystem
from clinic_app.records.models import CodedEntry
from clinic_app.ui.codes.code_picker import CodePicker
from clinic_app.ui.icons import icon
from clinic_app.ui.records.coded_entry_table_model import (
    CodedEntryTableModel,
    EntryColumn,
    EntryRow,
)
from clinic_app.ui.records.list_table import list_table
from clinic_app.ui.widgets.widget_factories import message_label, show_message

_ROW_KEY = re.compile(r"^(?P<field>\w+)\[(?P<row>\d+)\]\.(?P<part>\w+)$")
PROCEDURE_SYSTEMS = (CodeSystem.HCPCS, CodeSystem.CPT)


class CodedEntriesEditor(QWidget):
    edited = Signal()
    system_changed = Signal(object)  # CodeSystem: the picker's controller searches that set

    def __init__(
        self,
        field: str,
        picker: CodePicker | None,
        *,
        systems: tuple[CodeSystem, ...] = (CodeSystem.ICD10CM,),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.field = field
        self.setObjectName(f"{field}Editor")
        self.picker = picker
        self.model = CodedEntryTableModel(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        add_row = QHBoxLayout()
        self.system_combo = QComboBox()
        for system in systems:
            self.system_combo.addItem(system.value, system)
        self.system_combo.setVisible(len(systems) > 1)
        self.system_combo.setToolTip("The code set to search")
        add_row.addWidget(self.system_combo)
        if picker is not None:
            add_row.addWidget(picker, 1)
        else:
            note = QLabel("Codes are searched in the code picker of a clinician who may code.")
            note.setObjectName("fieldHint")
            add_row.addWidget(note, 1)
        layout.addLayout(add_row)
        self.table = list_table(
            self.model,
            f"{field}Table",
            stretch=EntryColumn.DESCRIPTION,
            widths={
                EntryColumn.CODE: 82,
                EntryColumn.PRIMARY: 78,
                EntryColumn.RESOLVED: 88,
                EntryColumn.VERSION: 124,
            },
            alternating=False,
        )
        self.table.setMinimumHeight(96)
        self.table.setMaximumHeight(170)
        self.table.installEventFilter(self)
        layout.addWidget(self.table)
        buttons = QHBoxLayout()
        self.empty_label = QLabel("None coded yet.")
        self.empty_label.setObjectName("fieldHint")
        buttons.addWidget(self.empty_label)
        buttons.addStretch(1)
        self.remove_button = QPushButton(icon("delete"), "Remove")
        self.remove_button.setToolTip("Remove the selected code (Delete)")
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        buttons.addWidget(self.remove_button)
        layout.addLayout(buttons)
        self.message = message_label()
        layout.addWidget(self.message)
        if picker is not None:
            picker.code_chosen.connect(self._on_picker_code_chosen)
        self.system_combo.currentIndexChanged.connect(self._on_system_combo_changed)
        self.model.entries_changed.connect(self._on_model_entries_changed)
        self.model.rowsInserted.connect(self._update_empty)
        self.model.rowsRemoved.connect(self._update_empty)
        self.model.modelReset.connect(self._update_empty)
        self._update_empty()

    # --- input ---------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
            and self.model.writable
        ):
            self._on_remove_button_clicked()
            return True
        return super().eventFilter(watched, event)

    @Slot(object)
    def _on_picker_code_chosen(self, hit: CodeHit) -> None:
        self.add_code(hit.code, hit.description, hit.system.value, hit.set_version)

    def add_code(self, code: str, description: str, system: str, version: str) -> bool:
        added = self.model.add_row(EntryRow(code, description, system, version))
        show_message(self.message, "" if added else f"{code} is already listed.")
        if added:
            self.table.selectRow(self.model.rowCount() - 1)
        return added

    @Slot()
    def _on_remove_button_clicked(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows and self.model.writable:
            self.model.remove_row(rows[0].row())

    @Slot(int)
    def _on_system_combo_changed(self, _index: int) -> None:
        self.system_changed.emit(self.system_combo.currentData())

    @Slot()
    def _on_model_entries_changed(self) -> None:
        self.edited.emit()

    @Slot()
    def _update_empty(self) -> None:
        self.empty_label.setVisible(self.model.rowCount() == 0)
        self.remove_button.setEnabled(self.model.writable and self.model.rowCount() > 0)

    # --- shown by the form ---------------------------------------------------------------

    def set_entries(self, entries: tuple[CodedEntry, ...]) -> None:
        self.model.replace_rows([EntryRow.of(entry) for entry in entries])
        show_message(self.message, "")

    def set_writable(self, writable: bool) -> None:
        self.model.writable = writable
        self.system_combo.setEnabled(writable)
        if self.picker is not None:
            self.picker.setVisible(writable)
        self.system_combo.setVisible(writable and self.system_combo.count() > 1)
        self._update_empty()

    def show_errors(self, errors: Mapping[str, str]) -> list[str]:
        """Places `diagnoses[2].code` on row 2 and `diagnoses` under the list; returns the
        keys that are not this editor's."""
        per_row: dict[int, str] = {}
        general: list[str] = []
        others: list[str] = []
        for key, message in errors.items():
            match = _ROW_KEY.match(key)
            if match and match.group("field") == self.field:
                row = int(match.group("row"))
                per_row[row] = f"{per_row[row]} {message}" if row in per_row else message
            elif key == self.field:
                general.append(message)
            else:
                others.append(key)
        self.model.set_errors(per_row)
        rows = self.model.rows()
        lines = [
            f"Row {row + 1} ({rows[row].code if row < len(rows) else '?'}): {text}"
            for row, text in sorted(per_row.items())
        ]
        show_message(self.message, "\n".join([*general, *lines]))
        return others

    def message_text(self) -> str:
        return self.message.text() if not self.message.isHidden() else ""

    @property
    def system(self) -> CodeSystem:
        return self.system_combo.currentData()
