"""The clinicians' decisions on the shown AI result: a doctor accepts or rejects it with a
comment; an accepted result's labelled text is added to the assessment of an open visit the
clinician picks (through the records service); anyone who may run models can ask a doctor to
review it (a notice in the doctor's inbox)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from clinic_app.imaging.assessment_copy import copy_to_visit, open_visits
from clinic_app.imaging.summaries import AnalysisResult
from clinic_app.records.models import Visit, VisitSummary
from clinic_app.security.permissions import Action, Role
from clinic_app.security.users import UserSummary
from clinic_app.ui.imaging.analysis_result_view import AnalysisResultView
from clinic_app.ui.imaging.request_review_dialog import RequestReviewDialog
from clinic_app.ui.imaging.visit_choice_dialog import VisitChoiceDialog, visit_text
from clinic_app.ui.tasks.task_runner import Lane, TaskContext

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext


class ReviewController(QObject):
    result_updated = Signal(object)  # AnalysisResult
    assessment_copied = Signal(str)  # the visit id whose assessment took the result
    status_reported = Signal(str)

    def __init__(
        self, view: AnalysisResultView, context: PageContext, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._view = view
        self._context = context
        self._can_review = context.user.can(Action.AI_REVIEW)
        self.people: list[UserSummary] = []
        self.dialog: RequestReviewDialog | None = None
        self.visit_dialog: VisitChoiceDialog | None = None
        bar = view.review_bar
        bar.can_copy = context.user.can(Action.VISIT_ASSESS)
        bar.decided.connect(self._on_review_bar_decided)
        bar.copy_requested.connect(self.copy_to_assessment)
        bar.review_requested.connect(self.request_review)

    @property
    def names(self) -> dict[str, str]:
        return {person.id: person.display_name for person in self.people}

    def load_people(self) -> None:
        accounts, user = self._context.services.accounts, self._context.user
        if not user.can(Action.USER_LIST):
            return
        self._context.runner.run(
            Lane.DATABASE,
            lambda _ctx: accounts.list_users(user),
            label="user names",
            owner=self,
            on_success=self._on_people_loaded,
        )

    def _on_people_loaded(self, people: list[UserSummary]) -> None:
        self.people = people

    def _update(self, call: Callable[[TaskContext], AnalysisResult], label: str) -> None:
        self._view.review_bar.set_busy(True)
        self._context.runner.run(
            Lane.DATABASE,
            call,
            label=label,
            owner=self,
            on_success=self._on_result_updated,
            on_failure=self._on_call_failed,
        )

    @Slot(bool, str)
    def _on_review_bar_decided(self, accept: bool, comment: str) -> None:
        result = self._view.result
        if result is None or not self._can_review:
            return
        analyses, user = self._context.services.analyses, self._context.user
        self._update(
            lambda _ctx: analyses.review(user, result.id, accept=accept, comment=comment),
            "AI result review",
        )

    def _on_result_updated(self, result: AnalysisResult) -> None:
        self.result_updated.emit(result)
        self.status_reported.emit(f"AI result: {result.status.replace('_', ' ')}.")

    def _on_call_failed(self, error: BaseException) -> None:
        self._view.review_bar.set_busy(False)
        from clinic_app.ui.error_presenter import show_error

        show_error(self._view, error)

    @Slot()
    def copy_to_assessment(self) -> None:
        """Offers the patient's open visits and the text to add; the choice is saved by
        `_add_to_visit`. The service refuses a result that isn't accepted whatever the UI."""
        result = self._view.result
        if result is None or not result.can_copy_to_assessment:
            return
        services, user = self._context.services, self._context.user
        visits, analyses = services.records.visits, services.analyses

        def load(_ctx: TaskContext) -> tuple[list[VisitSummary], str]:
            return (
                open_visits(visits, user, result.patient_id),
                analyses.assessment_text(user, result.id),
            )

        self._context.runner.run(
            Lane.DATABASE,
            load,
            label="open visits",
            owner=self,
            on_success=lambda loaded: self._on_visits_loaded(result, *loaded),
            on_failure=self._on_call_failed,
        )

    def _on_visits_loaded(
        self, result: AnalysisResult, visits: list[VisitSummary], text: str
    ) -> None:
        self.visit_dialog = VisitChoiceDialog(visits, text, self._view)
        self.visit_dialog.visit_chosen.connect(lambda chosen: self._add_to_visit(result, chosen))
        self.visit_dialog.open()

    def _add_to_visit(self, result: AnalysisResult, visit_id: str) -> None:
        services, user = self._context.services, self._context.user
        analyses, visits = services.analyses, services.records.visits
        self._context.runner.run(
            Lane.DATABASE,
            lambda _ctx: copy_to_visit(analyses, visits, user, result.id, visit_id),
            label="assessment update",
            owner=self,
            on_success=self._on_visit_updated,
            on_failure=self._on_call_failed,
        )

    def _on_visit_updated(self, visit: Visit) -> None:
        self.status_reported.emit(
            f"Added to the assessment of the visit of {visit_text(visit.summary)}."
        )
        self.assessment_copied.emit(visit.id)

    @Slot()
    def request_review(self) -> None:
        result = self._view.result
        if result is None:
            return
        doctors = [p for p in self.people if p.active and p.role is Role.DOCTOR]
        self.dialog = RequestReviewDialog(doctors, self._view)
        analyses, user = self._context.services.analyses, self._context.user

        def send(doctor_id: str, note: str) -> None:
            self._update(
                lambda _ctx: analyses.request_review(user, result.id, doctor_id, note),
                "AI review request",
            )

        self.dialog.doctor_chosen.connect(send)
        self.dialog.open()
