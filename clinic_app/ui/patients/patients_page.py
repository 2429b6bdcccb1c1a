"""The patients page: the list on the left, the open patient (or the form) on the right."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QSplitter

from clinic_app.patients.merge_models import MergeResult
from clinic_app.patients.models import PatientSummary
from clinic_app.security.permissions import Action
from clinic_app.ui.patients.merge_flow import PatientMergeFlow
from clinic_app.ui.patients.merge_pick_dialog import MergePickDialog
from clinic_app.ui.patients.patient_detail_view import PatientDetailView
from clinic_app.ui.patients.patient_editor_controller import PatientEditorController
from clinic_app.ui.patients.patient_form_view import PatientFormView
from clinic_app.ui.patients.patient_list_controller import PatientListController
from clinic_app.ui.patients.patient_list_view import PatientListView
from clinic_app.ui.patients.patient_panel_view import PatientPanelView
from clinic_app.ui.patients.patient_table_model import PATIENT_ID_ROLE, PatientTableModel
from clinic_app.ui.shell.shell_page import PageContext, ShellCommand, ShellPage


class PatientsPage(ShellPage):
    def __init__(self, context: PageContext) -> None:
        super().__init__()
        user = context.user
        self.model = PatientTableModel(self)
        self.list_view = PatientListView(
            self.model,
            can_create=user.can(Action.PATIENT_CREATE),
            can_see_deleted=user.can(Action.PATIENT_RESTORE),
        )
        self.detail_view = PatientDetailView(
            can_edit=user.can(Action.PATIENT_UPDATE),
            can_delete=user.can(Action.PATIENT_DELETE),
            can_restore=user.can(Action.PATIENT_RESTORE),
            can_open_chart=user.can(Action.VISIT_READ),
            can_open_images=user.can(Action.IMAGING_VIEW),
            can_merge=user.can(Action.PATIENT_MERGE),
        )
        self.form_view = PatientFormView(
            clinical_visible=user.can(Action.PATIENT_READ_CLINICAL),
            clinical_writable=user.can(Action.PATIENT_UPDATE_CLINICAL),
        )
        self.panel = PatientPanelView(self.detail_view, self.form_view)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.list_view)
        splitter.addWidget(self.panel)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.list_view.setMinimumWidth(440)
        self.panel.setMinimumWidth(420)
        splitter.setSizes([700, 490])
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

        self.list_controller = PatientListController(
            self.list_view, self.model, context, parent=self
        )
        self.editor = PatientEditorController(self.panel, context, parent=self)
        self.list_view.patient_activated.connect(self.editor.open_patient)
        self.list_view.new_requested.connect(self.editor.start_new)
        self.editor.patient_changed.connect(self._on_editor_patient_changed)
        self.editor.status_reported.connect(self.status_reported)
        self.editor.load_doctors()
        # The chart is another page: Chart button, double-click or Ctrl+Enter on a patient.
        self._can_open_chart = user.can(Action.VISIT_READ)
        self.detail_view.chart_requested.connect(self._on_detail_view_chart_requested)
        self.detail_view.images_requested.connect(self._on_detail_view_images_requested)
        self.list_view.table.doubleClicked.connect(self._on_table_double_clicked)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, self.open_chart)
        self._context = context
        self._can_merge = user.can(Action.PATIENT_MERGE)
        self.merge_flow = PatientMergeFlow(context, self)
        self.merge_flow.merged.connect(self._on_merge_flow_merged)
        self.pick_dialog: MergePickDialog | None = None
        self.detail_view.merge_requested.connect(self.start_merge)
        QShortcut(QKeySequence("Ctrl+Shift+M"), self, self.start_merge)

    @Slot()
    def start_merge(self) -> bool:
        """Merge duplicate…: choose the other chart of the open patient, then compare both."""
        detail = self.editor.detail
        if not self._can_merge or detail is None or detail.summary.deleted:
            return False
        if self.editor.has_unsaved_changes() or self.merge_flow.busy:
            self.status_reported.emit("Save or discard your changes before merging charts.")
            return False
        dialog = MergePickDialog(self._context, detail.summary, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.chosen.connect(lambda other: self.merge_flow.start(detail.id, other))
        self.pick_dialog = dialog
        dialog.open()
        return True

    @Slot(object)
    def _on_merge_flow_merged(self, result: MergeResult) -> None:
        self.list_controller.load()
        self.editor.open_patient(result.survivor.id)
        self.status_reported.emit(f"Charts merged: {result.moved_total} records moved")

    def open_chart(self, patient_id: str = "") -> bool:
        """Asks the shell for the chart page of this patient (the selected one by default)."""
        if not patient_id:
            rows = self.list_view.table.selectionModel().selectedRows()
            if rows:
                patient_id = str(rows[0].data(PATIENT_ID_ROLE) or "")
            elif self.editor.detail is not None:
                patient_id = self.editor.detail.id
        if not patient_id or not self._can_open_chart:
            return False
        self.open_requested.emit("chart", patient_id)
        return True

    @Slot()
    def _on_detail_view_chart_requested(self) -> None:
        if self.editor.detail is not None:
            self.open_chart(self.editor.detail.id)

    @Slot()
    def _on_detail_view_images_requested(self) -> None:
        """The imaging page shows the open patient's images (its own page, see ui/imaging)."""
        if self.editor.detail is not None:
            self.open_requested.emit("imaging", self.editor.detail.id)

    @Slot(QModelIndex)
    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        self.open_chart(str(index.data(PATIENT_ID_ROLE) or ""))

    def page_shown(self) -> None:
        self.list_controller.ensure_loaded()

    def handle_command(self, command: ShellCommand) -> bool:
        if command is ShellCommand.FIND:
            self.list_view.focus_search()
            return True
        if command is ShellCommand.NEW:
            return self.editor.start_new()
        return False

    @Slot(object)
    def _on_editor_patient_changed(self, patient: PatientSummary) -> None:
        self.list_controller.refresh_patient(patient)

    def has_unsaved_changes(self) -> bool:
        return self.editor.has_unsaved_changes()

    def draft_state(self) -> object | None:
        return self.editor.draft_state()

    def restore_draft_state(self, state: object) -> None:
        self.editor.restore_draft_state(state)

    def shutdown(self) -> None:
        self.list_controller.shutdown()
