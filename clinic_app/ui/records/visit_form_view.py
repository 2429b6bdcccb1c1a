"""The visit form: when and who, intake, vitals, examination, assessment and plan, codes.

Field names are `VisitInput`'s (and `VitalsInput`'s inside the vitals part), so the core's
`ValidationError.field_errors` map straight on: `symptoms`, `vitals.pulse`, `diagnoses[2].code`.
What the role may not write is read-only and sent as None ("leave as it is"). A signed visit
is read-only as a whole; its addenda show under the fields they correct.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from PySide6.QtCore import QDateTime, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QGroupBox,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from clinic_app.records.models import Visit, VisitInput, VisitStatus
from clinic_app.records.signing import VISIT_TEXT_FIELDS
from clinic_app.ui.codes.code_picker import CodePicker
from clinic_app.ui.records.addendum_notes import ADDENDUM_STYLE, AddendumNote
from clinic_app.ui.records.coded_entries_editor import PROCEDURE_SYSTEMS, CodedEntriesEditor
from clinic_app.ui.records.coded_entry_table_model import EntryRow
from clinic_app.ui.records.user_directory import UserDirectory
from clinic_app.ui.records.visit_permissions import VisitPermissions
from clinic_app.ui.records.vitals_editor import VitalsEditor
from clinic_app.ui.widgets.validated_form import ValidatedForm

LABEL_WIDTH = 118
SHORT_TEXT = 58  # about three lines; the box scrolls for more
TALL_TEXT = 84
_TALL = ("symptoms", "examination", "assessment", "plan")
INTAKE_FIELDS = ("reason", "symptoms", "history_medical", "history_medication", "history_allergy")
ASSESS_FIELDS = ("assessment", "plan")
FIELD_LABELS = {
    "reason": "Reason",
    "symptoms": "Symptoms",
    "history_medical": "Medical history",
    "history_medication": "Medications",
    "history_allergy": "Allergy history",
    "examination": "Examination",
    "assessment": "Assessment",
    "plan": "Plan",
}
_PLACEHOLDERS = {
    "reason": "Why the patient came, in a few words",
    "symptoms": "What the patient reports: onset, duration, severity…",
    "examination": "Findings on examination",
    "assessment": "Working diagnosis and reasoning",
    "plan": "Treatment, tests, advice, follow-up",
}


@dataclass(frozen=True)
class VisitFormDraft:
    """What the form holds, to put back later (kept in memory only, never written)."""

    texts: dict[str, str] = field(default_factory=dict)
    vitals: dict[str, str] = field(default_factory=dict)
    diagnoses: tuple[EntryRow, ...] = ()
    procedures: tuple[EntryRow, ...] = ()


class VisitFormView(QWidget):
    edited = Signal()

    def __init__(
        self,
        permissions: VisitPermissions,
        *,
        diagnosis_picker: CodePicker | None = None,
        procedure_picker: CodePicker | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("visitFormView")
        self.setStyleSheet(ADDENDUM_STYLE)
        self._permissions = permissions
        self._editors: dict[str, QWidget] = {}
        self._forms: list[ValidatedForm] = []
        self.addenda: dict[str | None, AddendumNote] = {}
        self._baseline: dict[str, str] = {}
        self._signed = False
        self._column = QVBoxLayout(self)
        self._column.setContentsMargins(0, 0, 6, 0)
        self.addenda[None] = AddendumNote()
        self._column.addWidget(self.addenda[None])
        self._build_when_and_who()
        self._text_section("Intake", INTAKE_FIELDS)
        self.vitals = VitalsEditor()
        self.addenda["vitals"] = AddendumNote()
        self._box("Vitals", [self.vitals, self.addenda["vitals"]])
        self._text_section("Examination", ("examination",))
        self._text_section("Assessment and plan", ASSESS_FIELDS)
        self.diagnoses = CodedEntriesEditor("diagnoses", diagnosis_picker)
        self.procedures = CodedEntriesEditor(
            "procedures", procedure_picker, systems=PROCEDURE_SYSTEMS
        )
        for editor, title in (
            (self.diagnoses, "Diagnoses (ICD-10-CM)"),
            (self.procedures, "Procedures (HCPCS / CPT)"),
        ):
            self.addenda[editor.field] = AddendumNote()
            self._box(title, [editor, self.addenda[editor.field]])
        self._column.addStretch(1)
        self.vitals.edited.connect(self.edited)
        self.diagnoses.edited.connect(self.edited)
        self.procedures.edited.connect(self.edited)

    # --- construction --------------------------------------------------------------------

    def _box(self, title: str, widgets: list[QWidget]) -> QGroupBox:
        box = QGroupBox(title)
        inner = QVBoxLayout(box)
        for widget in widgets:
            inner.addWidget(widget)
        self._column.addWidget(box)
        return box

    def _build_when_and_who(self) -> None:
        form = ValidatedForm(label_width=LABEL_WIDTH)
        self.started_edit = QDateTimeEdit()
        self.started_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.started_edit.setCalendarPopup(True)
        self.clinician_combo = QComboBox()
        form.add_field("started_at", "Date and time", self.started_edit)
        form.add_field("clinician_id", "Clinician", self.clinician_combo)
        self._editors["started_at"] = self.started_edit
        self._editors["clinician_id"] = self.clinician_combo
        self._forms.append(form)
        self._box("Visit", [form])
        self.started_edit.dateTimeChanged.connect(self._on_editor_edited)
        self.clinician_combo.currentIndexChanged.connect(self._on_editor_edited)

    def _text_section(self, title: str, names: tuple[str, ...]) -> None:
        form = ValidatedForm(label_width=LABEL_WIDTH)
        for name in names:
            if name == "reason":
                line = QLineEdit()
                line.setMaxLength(20_000)
                line.textEdited.connect(self._on_editor_edited)
                editor: QWidget = line
            else:
                text = QPlainTextEdit()
                text.setTabChangesFocus(True)
                text.setFixedHeight(TALL_TEXT if name in _TALL else SHORT_TEXT)
                text.textChanged.connect(self._on_editor_edited)
                editor = text
            editor.setProperty("placeholderText", _PLACEHOLDERS.get(name, ""))
            form.add_field(name, FIELD_LABELS[name], editor)
            note = AddendumNote()
            form.add_widget_row(note)
            self.addenda[name] = note
            self._editors[name] = editor
        self._forms.append(form)
        self._box(title, [form])

    @Slot()
    def _on_editor_edited(self) -> None:
        self.edited.emit()

    # --- loading -------------------------------------------------------------------------

    def set_clinicians(self, clinicians: list[tuple[str, str]], chosen: str) -> None:
        self.clinician_combo.blockSignals(True)
        self.clinician_combo.clear()
        for user_id, name in clinicians:
            self.clinician_combo.addItem(name, user_id)
        index = self.clinician_combo.findData(chosen)
        if index < 0 and chosen:
            self.clinician_combo.addItem("A clinician who is no longer active", chosen)
            index = self.clinician_combo.count() - 1
        self.clinician_combo.setCurrentIndex(max(index, 0))
        self.clinician_combo.blockSignals(False)

    def load_new(self, now: datetime) -> None:
        self._signed = False
        self.started_edit.setDateTime(QDateTime(now.astimezone()))
        self._set_texts({})
        self.vitals.clear()
        self.vitals.set_readings([], UserDirectory())
        self.diagnoses.set_entries(())
        self.procedures.set_entries(())
        for note in self.addenda.values():
            note.hide()
        self._apply_permissions(is_new=True)
        self.mark_clean()

    def load_visit(self, visit: Visit, people: UserDirectory) -> None:
        self._signed = visit.status is VisitStatus.SIGNED
        self.started_edit.setDateTime(QDateTime(visit.summary.started_at.astimezone()))
        self._set_texts(
            {name: getattr(visit, name) or "" for name in VISIT_TEXT_FIELDS if name != "reason"}
            | {"reason": visit.summary.reason or ""}
        )
        self.vitals.clear()
        self.vitals.set_readings(visit.vitals, people)
        self.diagnoses.set_entries(visit.diagnoses)
        self.procedures.set_entries(visit.procedures)
        for name, note in self.addenda.items():
            if name is None:
                note.show_addenda([a for a in visit.addenda if a.field is None], people)
            else:
                note.show_addenda(visit.addenda_for(name), people)
        self._apply_permissions(is_new=False)
        self.mark_clean()

    def _set_texts(self, values: Mapping[str, str]) -> None:
        for name in VISIT_TEXT_FIELDS:
            editor = self._editors[name]
            editor.blockSignals(True)
            if isinstance(editor, QLineEdit):
                editor.setText(values.get(name, ""))
                editor.setCursorPosition(0)
            elif isinstance(editor, QPlainTextEdit):
                editor.setPlainText(values.get(name, ""))
            editor.blockSignals(False)
        self.show_errors({})

    def _apply_permissions(self, *, is_new: bool) -> None:
        p, signed = self._permissions, self._signed
        self.started_edit.setEnabled(is_new)
        self.clinician_combo.setEnabled(is_new)
        for name in VISIT_TEXT_FIELDS:
            writable = not signed and (p.assess if name in ASSESS_FIELDS else p.write_intake)
            editor = self._editors[name]
            editor.setProperty("readOnly", not writable)
            editor.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.vitals.set_writable(not signed and p.record_vitals)
        for editor in (self.diagnoses, self.procedures):
            editor.set_writable(not signed and p.assess)

    # --- reading -------------------------------------------------------------------------

    def text(self, name: str) -> str:
        editor = self._editors[name]
        if isinstance(editor, QLineEdit):
            return editor.text()
        assert isinstance(editor, QPlainTextEdit)
        return editor.toPlainText()

    def set_text(self, name: str, value: str) -> None:
        editor = self._editors[name]
        if isinstance(editor, QLineEdit):
            editor.setText(value)
        elif isinstance(editor, QPlainTextEdit):
            editor.setPlainText(value)
        self.edited.emit()

    def editor(self, name: str) -> QWidget:
        return self._editors[name]

    def started_at(self) -> datetime:
        return self.started_edit.dateTime().toPython().astimezone()  # type: ignore[no-any-return]

    def clinician_id(self) -> str:
        return str(self.clinician_combo.currentData() or "")

    def collect_input(self) -> VisitInput:
        p = self._permissions

        def value(name: str, allowed: bool) -> str | None:
            return self.text(name) if allowed else None

        texts = {
            name: value(name, p.assess if name in ASSESS_FIELDS else p.write_intake)
            for name in VISIT_TEXT_FIELDS
        }
        return VisitInput(
            **texts,
            diagnoses=self.diagnoses.model.inputs() if p.assess else None,
            procedures=self.procedures.model.inputs() if p.assess else None,
        )

    def note_text(self) -> str:
        """The visit's words for code suggestion, one labelled paragraph per field."""
        parts = []
        for name in VISIT_TEXT_FIELDS:
            text = self.text(name).strip()
            if text:
                parts.append(f"{FIELD_LABELS[name]}: {text}")
        return "\n".join(parts)

    def values(self) -> dict[str, str]:
        values = {name: self.text(name) for name in VISIT_TEXT_FIELDS}
        values["started_at"] = self.started_edit.dateTime().toString(Qt.DateFormat.ISODate)
        values["clinician_id"] = self.clinician_id()
        values |= {f"vitals.{k}": v for k, v in self.vitals.values().items()}
        for editor in (self.diagnoses, self.procedures):
            values[editor.field] = repr(editor.model.rows())
        return values

    def draft(self) -> VisitFormDraft:
        return VisitFormDraft(
            texts={name: self.text(name) for name in VISIT_TEXT_FIELDS},
            vitals=self.vitals.values(),
            diagnoses=tuple(self.diagnoses.model.rows()),
            procedures=tuple(self.procedures.model.rows()),
        )

    def restore_draft(self, draft: VisitFormDraft) -> None:
        """Puts unsaved work back over what was loaded; the form stays dirty."""
        for name, value in draft.texts.items():
            if name in self._editors:
                self.set_text(name, value)
        self.vitals.set_values(draft.vitals)
        self.diagnoses.model.replace_rows(list(draft.diagnoses))
        self.procedures.model.replace_rows(list(draft.procedures))
        self.edited.emit()

    def mark_clean(self) -> None:
        self._baseline = self.values()

    def is_dirty(self) -> bool:
        return not self._signed and self.values() != self._baseline

    @property
    def signed(self) -> bool:
        return self._signed

    # --- feedback ------------------------------------------------------------------------

    def show_errors(self, errors: Mapping[str, str]) -> list[str]:
        """Each message beside its field; returns the keys no field took."""
        vitals = {
            k: v for k, v in errors.items() if k.startswith("vitals") or k in self.vitals.editors
        }
        rest = {k: v for k, v in errors.items() if k not in vitals}
        unknown = set(rest)
        first: QWidget | None = None
        for form in self._forms:
            unknown &= set(form.show_errors(rest, focus=False))
            first = first or form.first_invalid_editor()
        self.vitals.show_errors(vitals)
        leftover = {k: rest[k] for k in unknown}
        leftover = {k: leftover[k] for k in self.diagnoses.show_errors(leftover)}
        leftover = {k: leftover[k] for k in self.procedures.show_errors(leftover)}
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
        return list(leftover)

    def error_text(self, name: str) -> str:
        if name.startswith("vitals."):
            return self.vitals.error_text(name.removeprefix("vitals."))
        for form in self._forms:
            if form.has_field(name):
                return form.error_text(name)
        raise KeyError(name)
