"""Adding a doctor's annotation to a visit or record, and assigning it to a doctor for review
(both on the database lane)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from clinic_app.errors import ValidationError
from clinic_app.records.models import Annotation, Assignment, TargetType
from clinic_app.ui.error_presenter import show_error
from clinic_app.ui.records.annotation_table_model import AnnotationTableModel
from clinic_app.ui.records.annotations_view import AnnotationsView
from clinic_app.ui.records.assign_review_dialog import AssignReviewDialog
from clinic_app.ui.records.user_directory import UserDirectory
from clinic_app.ui.tasks.task_runner import Lane

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext


class AnnotationController(QObject):
    annotation_added = Signal(object)  # Annotation
    review_assigned = Signal(object)  # Assignment

    def __init__(
        self,
        view: AnnotationsView,
        model: AnnotationTableModel,
        context: PageContext,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._view = view
        self._model = model
        self._context = context
        self._target: tuple[TargetType, str] | None = None
        self._people = UserDirectory()
        self.assign_dialog: AssignReviewDialog | None = None
        view.annotation_submitted.connect(self._on_view_annotation_submitted)
        view.assign_requested.connect(self._on_view_assign_requested)

    def show_target(
        self,
        target_type: TargetType,
        target_id: str,
        annotations: tuple[Annotation, ...],
        people: UserDirectory,
    ) -> None:
        if self._target != (target_type, target_id):
            self._view.show_notice("")
            self._view.editor.clear()
        self._target = (target_type, target_id)
        self._people = people
        self._model.replace_annotations(annotations, people)

    @Slot(str)
    def _on_view_annotation_submitted(self, text: str) -> None:
        if self._target is None:
            return
        if not text.strip():
            self._view.show_error("Write the annotation first.")
            return
        target_type, target_id = self._target
        annotations, user = self._context.services.records.annotations, self._context.user
        self._view.set_busy(True)
        self._context.runner.run(
            Lane.DATABASE,
            lambda _ctx: annotations.annotate(user, target_type, target_id, text),
            label="add annotation",
            owner=self,
            on_success=self._on_annotation_added,
            on_failure=self._on_annotation_failed,
        )

    @Slot(object)
    def _on_annotation_added(self, annotation: Annotation) -> None:
        self._view.annotation_added()
        self._view.show_notice("Annotation added and signed.")
        self.annotation_added.emit(annotation)

    @Slot(object)
    def _on_annotation_failed(self, error: BaseException) -> None:
        if isinstance(error, ValidationError):
            self._view.show_error(next(iter(error.field_errors.values()), str(error)))
        else:
            self._view.set_busy(False)
            show_error(self._view, error)

    # --- review --------------------------------------------------------------------------

    @Slot()
    def _on_view_assign_requested(self) -> None:
        if self._target is None:
            return
        what = "visit" if self._target[0] is TargetType.VISIT else "record"
        dialog = AssignReviewDialog(self._people.doctors(), what, self._view.window())
        dialog.doctor_chosen.connect(self._assign)
        self.assign_dialog = dialog
        dialog.open()

    def _assign(self, doctor_id: str) -> None:
        assert self._target is not None
        target_type, target_id = self._target
        reviews, user = self._context.services.records.reviews, self._context.user
        self._context.runner.run(
            Lane.DATABASE,
            lambda _ctx: reviews.assign(user, target_type, target_id, doctor_id),
            label="assign review",
            owner=self,
            on_success=self._on_review_assigned,
            on_failure=lambda error: show_error(self._view, error),
        )

    @Slot(object)
    def _on_review_assigned(self, assignment: Assignment) -> None:
        name = self._people.name(assignment.assignee_id)
        self._view.show_notice(f"Assigned to {name} for review; it is on their worklist.")
        self.review_assigned.emit(assignment)
