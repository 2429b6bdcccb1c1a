"""The patient chart page: a patient's chart, and the visit or record opened from it.

Other pages open it through the shell (`open_requested("chart", patient id or ChartTarget)`):
the patients page (Chart button, double-click, Ctrl+Enter), the inbox and the worklist. Keys:
Ctrl+N a new visit, F5 reloads, Alt+Left back to the chart.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout

from clinic_app.records.models import TargetType, Visit
from clinic_app.security.users import UserSummary
from clinic_app.ui.records.chart_controller import ChartController
from clinic_app.ui.records.chart_target import ChartTarget
from clinic_app.ui.records.chart_view import ChartView
from clinic_app.ui.records.problem_table_model import ProblemTableModel
from clinic_app.ui.records.record_controller import RecordController
from clinic_app.ui.records.record_view import RecordView
from clinic_app.ui.records.timeline_table_model import TimelineTableModel
from clinic_app.ui.records.user_directory import UserDirectory
from clinic_app.ui.records.visit_editor_assembly import TargetPanels, VisitEditorAssembly
from clinic_app.ui.records.visit_editor_controller import VisitDraft
from clinic_app.ui.records.visit_permissions import VisitPermissions
from clinic_app.ui.shell.shell_page import PageContext, ShellCommand, ShellPage
from clinic_app.ui.tasks.task_runner import Lane
from clinic_app.ui.widgets.confirm_dialog import ConfirmDialog
from clinic_app.ui.widgets.empty_state import EmptyState


class ChartPage(ShellPage):
    def __init__(self, context: PageContext) -> None:
        super().__init__()
        self._context = context
        self.permissions = VisitPermissions.for_user(context.user)
        self.people = UserDirectory()
        self._pending: ChartTarget | None = None
        self._pending_draft: VisitDraft | None = None
        self._navigate = False
        self.timeline_model = TimelineTableModel(self)
        self.problem_model = ProblemTableModel(self)
        self.chart_view = ChartView(
            self.timeline_model, self.problem_model, can_open_visit=self.permissions.open
        )
        self.chart = ChartController(
            self.chart_view, self.timeline_model, self.problem_model, context, parent=self
        )
        self.empty_state = EmptyState("chart")
        self.empty_state.set_message(
            "No patient open",
            "Open a patient's chart from the Patients page: the Chart button, a double-click or "
            "Ctrl+Enter.",
            "Go to Patients",
        )
        self.stack = QStackedWidget()
        for widget in (self.empty_state, self.chart_view):
            self.stack.addWidget(widget)
        # The visit screen and the record screen are built when first needed.
        self._visit: VisitEditorAssembly | None = None
        self._record: tuple[TargetPanels, RecordView, RecordController] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)
        self._connect()
        QShortcut(QKeySequence("F5"), self, self._on_refresh)
        self._load_people()

    def _connect(self) -> None:
        self.empty_state.action_clicked.connect(lambda: self.open_requested.emit("patients", None))
        self.chart_view.visit_activated.connect(self.open_visit)
        self.chart_view.record_activated.connect(self.open_record)
        self.chart_view.new_visit_requested.connect(self.new_visit)
        self.chart_view.refresh_requested.connect(self._on_refresh)
        self.chart.chart_shown.connect(self._on_chart_shown)
        self.chart.chart_failed.connect(self._on_chart_failed)

    @property
    def visit(self) -> VisitEditorAssembly:
        if self._visit is None:
            visit = VisitEditorAssembly(self._context, self.permissions, self)
            visit.editor.people = self.people
            self.stack.addWidget(visit.view)
            visit.view.back_requested.connect(self._on_back_requested)
            visit.editor.status_reported.connect(self.status_reported)
            visit.editor.visit_saved.connect(self._on_visit_saved)
            self._visit = visit
        return self._visit

    def _record_parts(self) -> tuple[TargetPanels, RecordView, RecordController]:
        if self._record is None:
            panels = TargetPanels(self._context, self.permissions, self)
            view = RecordView(
                [
                    ("attachment", "Attachments", panels.attachments_view),
                    ("annotation", "Annotations", panels.annotations_view),
                ],
                can_add_addendum=self.permissions.write_intake,
            )
            controller = RecordController(view, self._context, parent=self)
            controller.people = self.people
            self.stack.addWidget(view)
            view.back_requested.connect(self.show_chart)
            controller.record_shown.connect(self._on_record_shown)
            panels.attachments.attachment_added.connect(self._on_record_target_changed)
            panels.annotations.annotation_added.connect(self._on_record_target_changed)
            self._record = (panels, view, controller)
        return self._record

    @property
    def record_panels(self) -> TargetPanels:
        return self._record_parts()[0]

    @property
    def record_view(self) -> RecordView:
        return self._record_parts()[1]

    @property
    def record(self) -> RecordController:
        return self._record_parts()[2]

    def _load_people(self) -> None:
        accounts, user = self._context.services.accounts, self._context.user
        self._context.runner.run(
            Lane.DATABASE,
            lambda _ctx: accounts.list_users(user),
            label="list users",
            owner=self,
            on_success=self._on_people_loaded,
            on_failure=lambda _error: None,  # names show as "Former user"; nothing else breaks
        )

    def _on_people_loaded(self, users: list[UserSummary]) -> None:
        self.people = UserDirectory(tuple(users))
        self.chart.set_people(self.people)
        if self._visit is not None:
            self._visit.editor.people = self.people
        if self._record is not None:
            self._record[2].people = self.people

    # --- opening -------------------------------------------------------------------------

    def open_item(self, item: object) -> bool:
        target = ChartTarget.of(item)
        if target is None or not self.permissions.read:
            return False
        if self.has_unsaved_changes() and not self._same_visit(target):
            self._confirm_discard(lambda: self._open(target))
        else:
            self._open(target)
        return True

    def _same_visit(self, target: ChartTarget) -> bool:
        if self._visit is None:
            return False
        current = self._visit.editor.visit
        return current is not None and target.visit_id == current.id

    def _open(self, target: ChartTarget) -> None:
        self._pending = target if (target.visit_id or target.record_id) else None
        self._navigate = True
        if target.patient_id != self.chart.patient_id:
            # Never leave another patient's chart on screen while this one loads.
            self.empty_state.set_message("Opening the chart…")
            self.stack.setCurrentWidget(self.empty_state)
        self.chart.load(target.patient_id)

    @Slot(str)
    def _on_chart_shown(self, _patient_id: str) -> None:
        if self._navigate or self.stack.currentWidget() is self.empty_state:
            self._navigate = False
            self.stack.setCurrentWidget(self.chart_view)
        self._open_pending()

    @Slot(object)
    def _on_chart_failed(self, _error: object) -> None:
        self._pending = None
        if self.stack.currentWidget() is self.empty_state:
            self.empty_state.set_message(
                "The chart could not be opened", "Choose the patient again from the Patients page."
            )

    def _open_pending(self) -> None:
        target, self._pending = self._pending, None
        draft, self._pending_draft = self._pending_draft, None
        if target is None:
            if draft is not None and draft.visit_id is None:
                self.new_visit(draft)
            return
        if target.visit_id:
            self.open_visit(target.visit_id, draft)
        elif target.record_id:
            self.open_record(target.record_id)

    @Slot(str)
    def open_visit(self, visit_id: str, draft: VisitDraft | None = None) -> None:
        if self.chart.chart is None:
            return
        self.visit.editor.open_visit(
            visit_id, self.chart.chart.header, draft.form if draft else None
        )
        self.stack.setCurrentWidget(self.visit.view)

    @Slot(str)
    def open_record(self, record_id: str) -> None:
        if self.chart.chart is None:
            return
        self.record.open_record(record_id, self.chart.chart.header)
        self.stack.setCurrentWidget(self.record_view)

    def new_visit(self, draft: VisitDraft | None = None) -> bool:
        if self.chart.chart is None or not self.permissions.open:
            return False
        self.visit.editor.open_new(self.chart.chart.header, draft.form if draft else None)
        self.stack.setCurrentWidget(self.visit.view)
        return True

    @Slot()
    def show_chart(self) -> None:
        if self.chart.chart is not None:
            self.stack.setCurrentWidget(self.chart_view)
            self.chart_view.timeline_table.setFocus()

    @Slot()
    def _on_back_requested(self) -> None:
        if self.visit.view.form.is_dirty():
            self._confirm_discard(self._leave_visit)
        else:
            self._leave_visit()

    def _leave_visit(self) -> None:
        self.visit.leave()
        self.show_chart()

    @Slot(object)
    def _on_visit_saved(self, _visit: Visit) -> None:
        self.chart.reload()

    @Slot(object)
    def _on_record_shown(self, record: object) -> None:
        assert self.record.record is not None
        rec = self.record.record
        self.record_panels.attachments.show_owner(
            TargetType.RECORD, rec.id, rec.attachments, self.people
        )
        self.record_panels.annotations.show_target(
            TargetType.RECORD, rec.id, rec.annotations, self.people
        )

    @Slot()
    def _on_record_target_changed(self) -> None:
        if self.record.record is not None and self.chart.chart is not None:
            self.record.open_record(self.record.record.id, self.chart.chart.header)

    @Slot()
    def _on_refresh(self) -> None:
        if self.stack.currentWidget() is self.chart_view:
            self.chart.reload()
        elif self.showing == "visit" and not self.has_unsaved_changes():
            self.visit.editor.reload()

    def _confirm_discard(self, proceed: Callable[[], object]) -> None:
        dialog = ConfirmDialog(
            self,
            "Discard changes?",
            "The visit has changes that are not saved.",
            "Discard changes",
            destructive=True,
        )
        dialog.confirmed.connect(proceed)
        dialog.open()

    # --- shell ---------------------------------------------------------------------------

    @property
    def showing(self) -> str:
        current = self.stack.currentWidget()
        if current is self.chart_view:
            return "chart"
        if self._visit is not None and current is self._visit.view:
            return "visit"
        if self._record is not None and current is self._record[1]:
            return "record"
        return "empty"

    def handle_command(self, command: ShellCommand) -> bool:
        if command is ShellCommand.NEW and self.showing == "chart":
            return self.new_visit()
        return False

    def has_unsaved_changes(self) -> bool:
        return self.showing == "visit" and self.visit.view.form.is_dirty()

    def draft_state(self) -> object | None:
        return self.visit.editor.draft() if self.has_unsaved_changes() else None

    def restore_draft_state(self, state: object) -> None:
        if isinstance(state, VisitDraft):
            self._pending_draft = state
            target = ChartTarget(state.patient_id, state.visit_id)
            self._pending = target if state.visit_id else None
            self._navigate = True
            self.chart.load(state.patient_id)

    def shutdown(self) -> None:
        self.chart.shutdown()
        if self._visit is not None:
            self._visit.shutdown()
