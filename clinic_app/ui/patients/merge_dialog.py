"""Two charts of the same person side by side: per differing field, which value survives; the
records that move; a confirmation that says the merge can't be undone by the user. The dialog
only collects the decision: the merge itself runs on a worker (see `merge_flow`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from clinic_app.patients.merge_models import Keep, MergePreview
from clinic_app.patients.models import PatientDetail

FIELD_LABELS = {
    "given_name": "Given name",
    "family_name": "Family name",
    "other_names": "Other names",
    "sex": "Sex",
    "birth_date": "Date of birth",
    "phone": "Phone",
    "email": "E-mail",
    "address": "Address",
    "mrn": "Record no.",
    "national_id": "National ID",
    "primary_doctor_id": "Primary doctor",
    "allergies": "Allergies",
    "history_notes": "History",
}
# (one, several) of each table's rows, for "These records move: 2 visits, 1 attachment".
TABLE_LABELS = {
    "visits": ("visit", "visits"),
    "vital_signs": ("set of vital signs", "sets of vital signs"),
    "coded_entries": ("diagnosis or procedure", "diagnoses and procedures"),
    "clinical_records": ("record", "records"),
    "addenda": ("addendum", "addenda"),
    "attachments": ("attachment", "attachments"),
    "annotations": ("annotation", "annotations"),
    "appointments": ("appointment", "appointments"),
    "imaging_studies": ("imaging study", "imaging studies"),
    "imaging_instances": ("image", "images"),
    "imaging_analyses": ("AI result", "AI results"),
    "review_assignments": ("review assignment", "review assignments"),
    "triage_assessments": ("triage result", "triage results"),
}
_EMPTY = "—"


def _shown(value: Any, people: dict[str, str], name: str) -> str:
    if value is None or value == "":
        return _EMPTY
    if name == "primary_doctor_id":
        return people.get(str(value), str(value))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _heading(detail: PatientDetail, role: str) -> str:
    s = detail.summary
    parts = [s.display_name, f"born {s.birth_date.isoformat()}"]
    if s.mrn:
        parts.append(f"record no. {s.mrn}")
    return f"{role}\n" + " · ".join(parts)


def records_sentence(records: dict[str, int]) -> str:
    moved = {k: n for k, n in records.items() if k not in ("notifications", "sync_conflicts")}
    if not moved:
        return "The duplicate chart holds no records: only its details are merged."
    parts = []
    for table, n in sorted(moved.items()):
        one, several = TABLE_LABELS.get(table, (table.replace("_", " "),) * 2)
        parts.append(f"{n} {one if n == 1 else several}")
    return "These records move to the chart that is kept: " + ", ".join(parts) + "."


class PatientMergeDialog(QDialog):
    """`choices()` after `exec()` returns Accepted; `swap_requested` asks the caller to load
    the preview the other way round (the other chart kept)."""

    swap_requested = Signal()

    def __init__(
        self,
        preview: MergePreview,
        people: dict[str, str] | None = None,
        parent: QWidget | None = None,
        *,
        confirm: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("patientMergeDialog")
        self.setWindowTitle("Merge duplicate charts")
        self.setMinimumSize(760, 560)
        self.preview = preview
        self._confirm = confirm
        self._groups: dict[str, QButtonGroup] = {}
        people = people or {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 14)
        title = QLabel("Merge two charts of the same person")
        title.setObjectName("dialogTitle")
        layout.addWidget(title)
        intro = QLabel(
            "The duplicate chart is merged into the chart that is kept: every visit, record, "
            "image and appointment moves there, and the duplicate is removed from the list. "
            "Where the details differ, choose the value to keep."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.records_label = QLabel(records_sentence(preview.records))
        self.records_label.setObjectName("fieldHint")
        self.records_label.setWordWrap(True)
        layout.addWidget(self.records_label)
        self.blocked_label = QLabel(
            "The duplicate chart has allergies or history notes that differ from the kept "
            "chart's, and your role can't read them: a doctor must merge these charts."
        )
        self.blocked_label.setObjectName("formError")
        self.blocked_label.setWordWrap(True)
        self.blocked_label.setVisible(preview.clinical_blocked)
        layout.addWidget(self.blocked_label)
        layout.addWidget(self._build_grid(preview, people), 1)
        buttons = QHBoxLayout()
        self.swap_button = QPushButton("&Keep the other chart instead")
        self.swap_button.setToolTip("Swap which chart is kept and which is merged into it")
        self.swap_button.clicked.connect(self.swap_requested)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.reject)
        self.merge_button = QPushButton("&Merge…")
        self.merge_button.setObjectName("primaryButton")
        self.merge_button.setProperty("destructive", True)
        self.merge_button.setToolTip("Merge the duplicate into the kept chart (Ctrl+Enter)")
        self.merge_button.setEnabled(not preview.clinical_blocked)
        self.merge_button.clicked.connect(self._on_merge_clicked)
        buttons.addWidget(self.swap_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.merge_button)
        layout.addLayout(buttons)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self._on_merge_clicked)

    def _build_grid(self, preview: MergePreview, people: dict[str, str]) -> QScrollArea:
        body = QWidget()
        body.setObjectName("mergeGrid")
        grid = QGridLayout(body)
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(8)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        for column, text in (
            (1, _heading(preview.survivor, "Kept chart")),
            (2, _heading(preview.duplicate, "Duplicate (merged into it)")),
        ):
            heading = QLabel(text)
            heading.setObjectName("sectionTitle")
            heading.setWordWrap(True)
            heading.setTextFormat(Qt.TextFormat.PlainText)
            grid.addWidget(heading, 0, column)
        for row, field in enumerate(preview.fields, start=1):
            caption = QLabel(FIELD_LABELS.get(field.name, field.name))
            caption.setObjectName("fieldHint")
            grid.addWidget(caption, row, 0, Qt.AlignmentFlag.AlignTop)
            if not field.visible:
                hidden = QLabel("Hidden: only roles that read clinical notes see them.")
                hidden.setObjectName("fieldHint")
                grid.addWidget(hidden, row, 1, 1, 2)
                continue
            survivor = _shown(field.survivor, people, field.name)
            duplicate = _shown(field.duplicate, people, field.name)
            if not field.differs:
                same = QLabel(f"{survivor}   (the same on both)")
                same.setTextFormat(Qt.TextFormat.PlainText)
                same.setWordWrap(True)
                grid.addWidget(same, row, 1, 1, 2)
                continue
            group = QButtonGroup(self)
            for column, (text, side) in enumerate(
                ((survivor, Keep.SURVIVOR), (duplicate, Keep.DUPLICATE)), start=1
            ):
                button = QRadioButton(text)
                button.setObjectName(f"merge_{field.name}_{side.value}")
                button.setProperty("side", side.value)
                button.setChecked(side is Keep.SURVIVOR)
                group.addButton(button)
                grid.addWidget(button, row, column, Qt.AlignmentFlag.AlignTop)
            self._groups[field.name] = group
        grid.setRowStretch(len(preview.fields) + 1, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        return scroll

    def choices(self) -> dict[str, str]:
        """The chosen side of every differing field ('survivor' or 'duplicate')."""
        found: dict[str, str] = {}
        for name, group in self._groups.items():
            checked = group.checkedButton()
            found[name] = str(checked.property("side")) if checked else Keep.SURVIVOR.value
        return found

    def choose(self, name: str, side: Keep) -> None:
        for button in self._groups[name].buttons():
            button.setChecked(button.property("side") == side.value)

    @Slot()
    def _on_merge_clicked(self) -> None:
        if not self.merge_button.isEnabled():
            return
        if self._confirm and not self._confirmed():
            return
        self.accept()

    def _confirmed(self) -> bool:
        box = QMessageBox(self)
        box.setObjectName("mergeConfirmBox")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Merge these charts?")
        box.setText(
            f"Merge {self.preview.duplicate.summary.display_name}'s chart into "
            f"{self.preview.survivor.summary.display_name}'s?"
        )
        box.setInformativeText(
            "You can't undo a merge: the duplicate chart is removed and its records stay on "
            "the kept chart. The merge is recorded in the audit log."
        )
        merge = box.addButton("Merge", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is merge
