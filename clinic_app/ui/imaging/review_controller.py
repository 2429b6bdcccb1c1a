"""The clinicians' decisions on the shown AI result: a doctor accepts or rejects it with a
comment; an accepted result's text is copied for the visit's assessment; anyone who may run
models can ask a doctor to review it (a notice in the doctor's inbox)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QGuiApplication

from clinic_app.imaging.summaries import AnalysisResult
from clinic_app.security.permissions import Action, Role
from clinic_app.security.users import UserSummary
from clinic_app.ui.imaging.analysis_result_view import AnalysisResultView
from clinic_app.ui.imaging.request_review_dialog import RequestReviewDialog
from clinic_app.ui.tasks.task_runner import Lane, TaskContext

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext


class ReviewController(QObject):
    result_updated = Signal(object)  # AnalysisResult
    assessment_copied = Signal(str)
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
        bar = view.review_bar
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
        result = self._view.result
        if result is None or not result.can_copy_to_assessment:
            return
        analyses, user = self._context.services.analyses, self._context.user
        self._context.runner.run(
            Lane.DATABASE,
            lambda _ctx: analyses.assessment_text(user, result.id),
            label="assessment text",
            owner=self,
            on_success=self._on_assessment_text,
            on_failure=self._on_call_failed,
        )

    def _on_assessment_text(self, text: str) -> None:
        QGuiApplication.clipboard().setText(text)
        self.status_reported.emit("Copied: paste it into the visit's assessment.")
        self.assessment_copied.emit(text)

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
