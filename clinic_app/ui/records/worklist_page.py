"""The doctor's worklist page (registered in builtin_pages): load, open, complete reviews."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QVBoxLayout

from clinic_app.errors import ValidationError
from clinic_app.records.models import Assignment, TargetType, WorklistItem
from clinic_app.security.users import UserSummary
from clinic_app.ui.error_presenter import show_error
from clinic_app.ui.records.chart_target import ChartTarget
from clinic_app.ui.records.complete_review_dialog import CompleteReviewDialog
from clinic_app.ui.records.dialog_lifetime import open_dialog
from clinic_app.ui.records.user_directory import UserDirectory
from clinic_app.ui.records.worklist_table_model import WorklistTableModel
from clinic_app.ui.records.worklist_view import WorklistView
from clinic_app.ui.shell.shell_page import PageContext, ShellPage
from clinic_app.ui.tasks.task_runner import Lane


class WorklistPage(ShellPage):
    worklist_shown = Signal(int)
    review_completed = Signal(object)  # Assignment

    def __init__(self, context: PageContext) -> None:
        super().__init__()
        self._context = context
        self._people = UserDirectory()
        self._include_completed = False
        self.model = WorklistTableModel(self)
        self.view = WorklistView(self.model)
        self.complete_dialog: CompleteReviewDialog | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.view.refresh_requested.connect(self.load)
        self.view.open_requested.connect(self._on_view_open_requested)
        self.view.complete_requested.connect(self._on_view_complete_requested)
        self.view.include_completed_toggled.connect(self._on_view_include_completed_toggled)
        QShortcut(QKeySequence("F5"), self, self.load)

    def page_shown(self) -> None:
        self.load()

    @Slot()
    def load(self) -> None:
        reviews, accounts, user = (
            self._context.services.records.reviews,
            self._context.services.accounts,
            self._context.user,
        )
        include = self._include_completed

        def fetch(_ctx: object) -> tuple[list[WorklistItem], list[UserSummary]]:
            return reviews.worklist(user, include_completed=include), accounts.list_users(user)

        self._context.runner.run(
            Lane.DATABASE,
            fetch,
            label="worklist",
            owner=self,
            on_success=self._on_loaded,
            on_failure=lambda error: show_error(self, error),
        )

    def _on_loaded(self, outcome: tuple[list[WorklistItem], list[UserSummary]]) -> None:
        items, users = outcome
        self._people = UserDirectory(tuple(users))
        self.model.replace_items(items, self._people)
        self.worklist_shown.emit(len(items))

    @Slot(bool)
    def _on_view_include_completed_toggled(self, checked: bool) -> None:
        self._include_completed = checked
        self.load()

    @Slot(object)
    def _on_view_open_requested(self, item: WorklistItem) -> None:
        assignment = item.assignment
        is_visit = assignment.target_type is TargetType.VISIT
        self.open_requested.emit(
            "chart",
            ChartTarget(
                assignment.patient_id,
                visit_id=assignment.target_id if is_visit else None,
                record_id=None if is_visit else assignment.target_id,
            ),
        )

    @Slot(object)
    def _on_view_complete_requested(self, item: WorklistItem) -> None:
        what = f"{item.patient_name} — {item.target_title}"
        dialog = CompleteReviewDialog(what, self.window())
        dialog.submitted.connect(lambda text: self._complete(item.assignment.id, text))
        self.complete_dialog = dialog
        dialog.open()

    def _complete(self, assignment_id: str, text: str) -> None:
        reviews, user = self._context.services.records.reviews, self._context.user
        self._context.runner.run(
            Lane.DATABASE,
            lambda _ctx: reviews.complete_review(user, assignment_id, text),
            label="complete review",
            owner=self,
            on_success=self._on_completed,
            on_failure=self._on_complete_failed,
        )

    def _on_completed(self, assignment: Assignment) -> None:
        if open_dialog(self.complete_dialog):
            assert self.complete_dialog is not None
            self.complete_dialog.accept()
        self.status_reported.emit("Review completed.")
        self.review_completed.emit(assignment)
        self.load()

    def _on_complete_failed(self, error: BaseException) -> None:
        dialog = self.complete_dialog
        if isinstance(error, ValidationError) and open_dialog(dialog):
            assert dialog is not None
            dialog.show_errors(error.field_errors, str(error))
        else:
            show_error(self, error)
