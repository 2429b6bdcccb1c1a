"""Choosing the other chart of a merge: type a name, record number or phone; the matches
(searched on the database lane, never on the GUI thread) are listed without the chart
already open."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from clinic_app.patients.models import PatientPage, PatientSummary
from clinic_app.ui.tasks.task_runner import Lane

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext

ID_ROLE = Qt.ItemDataRole.UserRole + 1
_MAX_SHOWN = 30


def describe(patient: PatientSummary) -> str:
    parts = [patient.display_name, f"born {patient.birth_date.isoformat()}"]
    if patient.mrn:
        parts.append(f"record no. {patient.mrn}")
    if patient.phone:
        parts.append(patient.phone)
    return " · ".join(parts)


class MergePickDialog(QDialog):
    chosen = Signal(str)  # the other patient's id

    def __init__(
        self, context: PageContext, current: PatientSummary, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mergePickDialog")
        self.setWindowTitle("Merge duplicate: choose the other chart")
        self.setMinimumSize(640, 420)
        self._context = context
        self._current = current
        self._generation = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 14)
        title = QLabel("Which chart is the same person?")
        title.setObjectName("dialogTitle")
        layout.addWidget(title)
        hint = QLabel(
            f"Kept chart: {describe(current)}. Find the duplicate by name, record number, "
            "national ID or phone."
        )
        hint.setWordWrap(True)
        hint.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(hint)
        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("mergeSearch")
        self.search_edit.setPlaceholderText("Search patients")
        self.search_edit.setClearButtonEnabled(True)
        layout.addWidget(self.search_edit)
        self.list_widget = QListWidget()
        # Whole lines, never a sideways scroll: the record number and phone tell twins apart.
        self.list_widget.setWordWrap(True)
        self.list_widget.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(self.list_widget, 1)
        self.status_label = QLabel("Type at least two characters.")
        self.status_label.setObjectName("fieldHint")
        layout.addWidget(self.status_label)
        buttons = QHBoxLayout()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.reject)
        self.next_button = QPushButton("&Compare…")
        self.next_button.setObjectName("primaryButton")
        self.next_button.setEnabled(False)
        self.next_button.clicked.connect(self._on_next_clicked)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.next_button)
        layout.addLayout(buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self.search_now)
        self.search_edit.textChanged.connect(lambda _t: self._timer.start())
        self.search_edit.returnPressed.connect(self._on_return_pressed)
        self.list_widget.currentItemChanged.connect(
            lambda item, _old: self.next_button.setEnabled(item is not None)
        )
        self.list_widget.itemDoubleClicked.connect(self._on_next_clicked)

    @Slot()
    def search_now(self) -> None:
        self._timer.stop()
        text = self.search_edit.text().strip()
        self._generation += 1
        generation = self._generation
        if len(text) < 2:
            self.list_widget.clear()
            self.status_label.setText("Type at least two characters.")
            return
        patients, user = self._context.services.patients, self._context.user
        self.status_label.setText("Searching…")
        self._context.runner.run(
            Lane.DATABASE,
            lambda _ctx: patients.search(user, text, limit=_MAX_SHOWN + 1),
            label="merge search",
            owner=self,
            on_success=lambda page: self._on_found(generation, page),
            on_failure=lambda error: self._on_failed(generation, error),
        )

    def _on_found(self, generation: int, page: PatientPage) -> None:
        if generation != self._generation:
            return  # an older search, overtaken by typing
        self.list_widget.clear()
        others = [p for p in page.items if p.id != self._current.id][:_MAX_SHOWN]
        for patient in others:
            item = QListWidgetItem(describe(patient))
            item.setData(ID_ROLE, patient.id)
            self.list_widget.addItem(item)
        if others:
            self.list_widget.setCurrentRow(0)
            self.status_label.setText(f"{len(others)} found: choose the duplicate.")
        else:
            self.status_label.setText("No other patient matches.")

    def _on_failed(self, generation: int, error: BaseException) -> None:
        if generation == self._generation:
            self.list_widget.clear()
            self.status_label.setText(f"The search failed: {error}")

    @Slot()
    def _on_return_pressed(self) -> None:
        if self.list_widget.currentItem() is not None and not self._timer.isActive():
            self._on_next_clicked()
        else:
            self.search_now()

    @Slot()
    def _on_next_clicked(self) -> None:
        item = self.list_widget.currentItem()
        if item is None:
            return
        self.chosen.emit(str(item.data(ID_ROLE)))
        self.accept()
