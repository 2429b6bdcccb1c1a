"""Builds the visit screen from its parts and wires them together: the form with its code
pickers, and beside it triage, code suggestions, attachments and annotations.

A code accepted from triage or from the note's suggestions joins the diagnoses, one at a time,
only when the clinician accepts it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot

from clinic_app.codes.models import CodeSuggestion, CodeSystem
from clinic_app.records.models import TargetType, Visit
from clinic_app.triage.models import TriageInput
from clinic_app.ui.codes.code_picker import make_code_picker
from clinic_app.ui.codes.code_picker_controller import CodePickerController
from clinic_app.ui.codes.code_suggestion_table_model import CodeSuggestionTableModel
from clinic_app.ui.codes.note_suggestion_controller import NoteSuggestionController
from clinic_app.ui.codes.note_suggestion_view import NoteSuggestionView
from clinic_app.ui.records.annotation_controller import AnnotationController
from clinic_app.ui.records.annotation_table_model import AnnotationTableModel
from clinic_app.ui.records.annotations_view import AnnotationsView
from clinic_app.ui.records.attachment_controller import AttachmentController
from clinic_app.ui.records.attachment_table_model import AttachmentTableModel
from clinic_app.ui.records.attachments_view import AttachmentsView
from clinic_app.ui.records.triage_controller import TriageController
from clinic_app.ui.records.triage_panel import TriagePanel
from clinic_app.ui.records.visit_editor_controller import VisitEditorController
from clinic_app.ui.records.visit_editor_view import VisitEditorView
from clinic_app.ui.records.visit_form_view import VisitFormView
from clinic_app.ui.records.visit_permissions import VisitPermissions

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext


class TargetPanels(QObject):
    """Attachments and annotations of one visit or record, side by side with it."""

    def __init__(
        self, context: PageContext, permissions: VisitPermissions, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.attachment_model = AttachmentTableModel(self)
        self.attachments_view = AttachmentsView(
            self.attachment_model, can_add=permissions.write_intake, can_export=permissions.export
        )
        self.attachments = AttachmentController(
            self.attachments_view, self.attachment_model, context, parent=self
        )
        self.annotation_model = AnnotationTableModel(self)
        self.annotations_view = AnnotationsView(
            self.annotation_model, can_annotate=permissions.annotate, can_assign=permissions.assign
        )
        self.annotations = AnnotationController(
            self.annotations_view, self.annotation_model, context, parent=self
        )


class VisitEditorAssembly(QObject):
    def __init__(
        self, context: PageContext, permissions: VisitPermissions, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._context = context
        self.pickers: list[CodePickerController] = []
        diagnosis_picker = procedure_picker = None
        if permissions.codes and permissions.assess:
            diagnosis_picker, diagnosis_search = make_code_picker(
                context, placeholder="Add a diagnosis: type a code or words, e.g. E11.9 or asthma"
            )
            procedure_picker, self.procedure_search = make_code_picker(
                context,
                system=CodeSystem.HCPCS,
                placeholder="Add a procedure: type a HCPCS or CPT code or words",
            )
            self.pickers = [diagnosis_search, self.procedure_search]
        self.form = VisitFormView(
            permissions, diagnosis_picker=diagnosis_picker, procedure_picker=procedure_picker
        )
        self.triage_panel = TriagePanel(
            online_available=_online_available(context), can_accept_codes=permissions.assess
        )
        self.suggestion_model = CodeSuggestionTableModel(self)
        self.suggestion_view = NoteSuggestionView(
            self.suggestion_model, can_accept=permissions.assess
        )
        self.targets = TargetPanels(context, permissions, self)
        panels = []
        if permissions.triage:
            panels.append(("triage", "Triage", self.triage_panel))
        if permissions.codes:
            panels.append(("suggest", "Suggest codes", self.suggestion_view))
        panels += [
            ("attachment", "Attachments", self.targets.attachments_view),
            ("annotation", "Annotations", self.targets.annotations_view),
        ]
        self.view = VisitEditorView(self.form, panels, permissions)
        self.editor = VisitEditorController(self.view, context, parent=self)
        self.triage = TriageController(self.triage_panel, context, parent=self)
        self.suggestions = NoteSuggestionController(
            self.suggestion_view, self.suggestion_model, context, parent=self
        )
        self.triage.collect_form = self._triage_input
        self.suggestions.note_text = self.form.note_text
        self.suggestions.accepted_codes = self.form.diagnoses.model.codes
        self.editor.visit_shown.connect(self._on_editor_visit_shown)
        self.triage.code_accepted.connect(self._on_code_accepted)
        self.suggestions.suggestion_accepted.connect(self._on_suggestion_accepted)
        self.targets.attachments.attachment_added.connect(self._on_target_changed)
        self.targets.annotations.annotation_added.connect(self._on_target_changed)
        self.form.procedures.system_changed.connect(self._on_procedures_system_changed)

    def _triage_input(self) -> TriageInput:
        form = self.form
        symptoms = "\n".join(t for t in (form.text("reason"), form.text("symptoms")) if t.strip())
        history = "\n".join(
            t for t in (form.text("history_medical"), form.text("history_medication")) if t.strip()
        )
        vitals = form.vitals.collect()
        return self.triage.triage_input(symptoms, history, vitals)

    @Slot(object)
    def _on_editor_visit_shown(self, visit: Visit | None) -> None:
        people = self.editor.people
        self.triage.show_visit(visit.id if visit else None, self.editor.header)
        self.suggestions.clear()
        enabled = visit is not None
        for index in range(self.view.side_tabs.count()):
            key = self.view.side_tabs.widget(index).property("tabKey")
            if key in ("attachment", "annotation"):
                self.view.side_tabs.setTabEnabled(index, enabled)
        if visit is None:
            self.targets.attachment_model.replace_attachments((), people)
            self.targets.annotation_model.replace_annotations((), people)
            self.view.set_tab_count("attachment", 0)
            self.view.set_tab_count("annotation", 0)
            return
        self.targets.attachments.show_owner(TargetType.VISIT, visit.id, visit.attachments, people)
        self.targets.annotations.show_target(TargetType.VISIT, visit.id, visit.annotations, people)
        self.view.set_tab_count("attachment", len(visit.attachments))
        self.view.set_tab_count("annotation", len(visit.annotations))

    @Slot(str, str, str, str)
    def _on_code_accepted(self, code: str, description: str, system: str, version: str) -> None:
        if self.form.diagnoses.add_code(code, description, system, version):
            self.view.show_message(f"{code} added to the diagnoses; save the visit to keep it.")
        self.triage.mark_accepted(code)
        self.suggestions.mark_accepted(code)

    @Slot(object)
    def _on_suggestion_accepted(self, suggestion: CodeSuggestion) -> None:
        self._on_code_accepted(
            suggestion.code, suggestion.description, suggestion.system.value, suggestion.set_version
        )

    @Slot()
    def _on_target_changed(self) -> None:
        self.editor.reload()

    @Slot(object)
    def _on_procedures_system_changed(self, system: CodeSystem) -> None:
        if len(self.pickers) > 1:
            self.pickers[1].set_system(system)

    def leave(self) -> None:
        """The visit is closed: nothing of it stays in the side panels."""
        self.editor.patient_id = None
        self.editor.visit = None
        self.triage.show_visit(None, None)
        self.suggestions.clear()

    def shutdown(self) -> None:
        for picker in self.pickers:
            picker.shutdown()
        self.suggestions.shutdown()


def _online_available(context: PageContext) -> bool:
    online = context.services.triage.online
    return online is not None and online.available
