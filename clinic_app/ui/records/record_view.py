"""A stand-alone record (lab result, imaging report, letter…): read-only, with its addenda in
place, its attachments and annotations beside it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from clinic_app.records.models import ClinicalRecord
from clinic_app.ui.icons import icon
from clinic_app.ui.records.addendum_notes import ADDENDUM_STYLE, AddendumNote
from clinic_app.ui.records.patient_header_view import PatientHeaderView
from clinic_app.ui.records.time_format import local_time
from clinic_app.ui.records.timeline_table_model import kind_label
from clinic_app.ui.records.user_directory import UserDirectory


class RecordView(QWidget):
    back_requested = Signal()
    addendum_requested = Signal()

    def __init__(
        self,
        side_panels: list[tuple[str, str, QWidget]],
        *,
        can_add_addendum: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("recordView")
        self.setStyleSheet(ADDENDUM_STYLE)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        top = QHBoxLayout()
        self.back_button = QPushButton(icon("back"), "Chart")
        self.back_button.setToolTip("Back to the patient's chart (Alt+Left)")
        self.back_button.clicked.connect(self.back_requested)
        top.addWidget(self.back_button)
        self.title_label = QLabel()
        self.title_label.setObjectName("pageTitle")
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        top.addWidget(self.title_label, 1)
        self.addendum_button = QPushButton(icon("addendum"), "Add addendum…")
        self.addendum_button.setVisible(can_add_addendum)
        self.addendum_button.clicked.connect(self.addendum_requested)
        top.addWidget(self.addendum_button)
        layout.addLayout(top)
        self.header = PatientHeaderView()
        layout.addWidget(self.header)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 6, 0)
        self.facts_label = QLabel()
        self.facts_label.setObjectName("fieldHint")
        column.addWidget(self.facts_label)
        self.addenda = {key: AddendumNote() for key in (None, "title", "body")}
        column.addWidget(self.addenda[None])
        column.addWidget(self.addenda["title"])
        self.body_view = QPlainTextEdit()
        self.body_view.setObjectName("recordBody")
        self.body_view.setReadOnly(True)
        column.addWidget(self.body_view, 1)
        column.addWidget(self.addenda["body"])
        splitter.addWidget(body)
        tabs = QTabWidget()
        for key, title, panel in side_panels:
            tabs.addTab(panel, title)
            panel.setProperty("tabKey", key)
        splitter.addWidget(tabs)
        splitter.setSizes([620, 520])
        layout.addWidget(splitter, 1)
        QShortcut(QKeySequence("Alt+Left"), self, self.back_requested)

    def show_record(self, record: ClinicalRecord, people: UserDirectory) -> None:
        self.title_label.setText(record.title)
        self.facts_label.setText(
            f"{kind_label(record.record_type.value)} · {local_time(record.recorded_at)} · "
            f"by {people.name(record.author_id)}"
        )
        self.body_view.setPlainText(record.body)
        for field, note in self.addenda.items():
            note.show_addenda([a for a in record.addenda if a.field == field], people)
