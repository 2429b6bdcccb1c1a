"""Asks the codes service for suggestions from the visit's words (compute lane: the first call
for a set with no stored term index derives it for a few seconds, which must not hold up the
database lane) and passes an accepted suggestion on, one at a time."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from clinic_app.codes.models import CodeSuggestion
from clinic_app.errors import ClinicError
from clinic_app.ui.codes.code_suggestion_table_model import CodeSuggestionTableModel
from clinic_app.ui.codes.note_suggestion_view import NoteSuggestionView
from clinic_app.ui.error_presenter import show_error
from clinic_app.ui.tasks.task_runner import Lane, TaskHandle

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext

SUGGESTION_LIMIT = 12


class NoteSuggestionController(QObject):
    suggestions_shown = Signal(int)
    suggestion_accepted = Signal(object)  # CodeSuggestion

    def __init__(
        self,
        view: NoteSuggestionView,
        model: CodeSuggestionTableModel,
        context: PageContext,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._view = view
        self._model = model
        self._context = context
        self._handle: TaskHandle | None = None
        self.note_text: Callable[[], str] = lambda: ""
        self.accepted_codes: Callable[[], list[str]] = list
        view.suggest_requested.connect(self.suggest)
        view.suggestion_accepted.connect(self._on_view_suggestion_accepted)

    @Slot()
    def suggest(self) -> None:
        text = self.note_text()
        if not text.strip():
            self._view.show_notice("Write the visit's symptoms, history or assessment first.")
            return
        if self._handle is not None:
            self._handle.cancel()
        codes, user = self._context.services.codes, self._context.user
        self._view.set_busy(True)
        self._view.show_notice("")
        self._handle = self._context.runner.run(
            Lane.COMPUTE,
            lambda _ctx: (text, codes.suggest(user, text, limit=SUGGESTION_LIMIT)),
            label="suggest codes",
            owner=self,
            on_success=self._on_suggested,
            on_failure=self._on_failed,
        )

    @Slot(object)
    def _on_suggested(self, outcome: tuple[str, list[CodeSuggestion]]) -> None:
        text, suggestions = outcome
        self._view.set_busy(False)
        self._model.replace_suggestions(suggestions, set(self.accepted_codes()))
        self._view.show_note(text, suggestions)
        if not suggestions:
            self._view.show_notice("No code found for these words. Search with the code picker.")
        self.suggestions_shown.emit(len(suggestions))

    @Slot(object)
    def _on_failed(self, error: BaseException) -> None:
        self._view.set_busy(False)
        if isinstance(error, ClinicError):
            self._view.show_notice(str(error))
        else:
            show_error(self._view, error)

    @Slot(object)
    def _on_view_suggestion_accepted(self, suggestion: CodeSuggestion) -> None:
        self.suggestion_accepted.emit(suggestion)

    def mark_accepted(self, code: str) -> None:
        self._model.mark_accepted(code)

    def clear(self) -> None:
        self._model.replace_suggestions([], set())
        self._view.show_note("", [])
        self._view.show_notice("")

    def shutdown(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
