"""Runs triage for the visit on screen: a quick analysis of what the form says now (nothing
saved), or an analysis of the saved visit kept on it with the rules' version.

Offline triage runs on the database lane (its audit event); with the optional online analysis
it runs on the network lane, so a slow server never holds up the database. A suggested code
is looked up in the active code set before it joins the diagnoses (its version is stored).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from clinic_app.codes.models import CodeDetail
from clinic_app.errors import ClinicError, ValidationError
from clinic_app.records.chart_models import PatientHeader
from clinic_app.records.models import VitalsInput
from clinic_app.triage.models import SavedTriage, SuggestedCode, TriageInput, TriageResult
from clinic_app.ui.error_presenter import show_error
from clinic_app.ui.records.time_format import local_time
from clinic_app.ui.records.triage_panel import TriagePanel
from clinic_app.ui.tasks.task_runner import Lane

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext

_FIELD_NAMES = {"symptoms": "Symptoms", "history": "History", "age_years": "Age", "sex": "Sex"}


class TriageController(QObject):
    result_shown = Signal(object)  # TriageResult
    # (code, description, system, code-set version): add it to the diagnoses
    code_accepted = Signal(str, str, str, str)

    def __init__(
        self, panel: TriagePanel, context: PageContext, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._panel = panel
        self._context = context
        self._visit_id: str | None = None
        self._header: PatientHeader | None = None
        self.collect_form: Callable[[], TriageInput] = lambda: TriageInput(symptoms="")
        panel.set_rules_version(context.services.triage.engine.version)
        panel.quick_requested.connect(self._on_panel_quick_requested)
        panel.save_requested.connect(self._on_panel_save_requested)
        panel.code_accepted.connect(self._on_panel_code_accepted)

    def show_visit(self, visit_id: str | None, header: PatientHeader | None) -> None:
        changed = visit_id != self._visit_id or visit_id is None
        self._visit_id = visit_id
        self._header = header
        self._panel.set_can_save(visit_id is not None)
        if changed:
            self._panel.result_view.clear()
            self._panel.code_list.clear()
            if visit_id is not None:
                self._load_saved(visit_id)

    def triage_input(self, symptoms: str, history: str, vitals: VitalsInput | None) -> TriageInput:
        header = self._header
        return TriageInput(
            symptoms=symptoms,
            age_years=float(header.age_years) if header else None,
            sex=header.sex if header else None,
            vitals=vitals,
            history=history,
        )

    # --- running -------------------------------------------------------------------------

    def _lane(self, online: bool) -> Lane:
        return Lane.NETWORK if online else Lane.DATABASE

    @Slot(bool)
    def _on_panel_quick_requested(self, online: bool) -> None:
        data = self.collect_form()
        triage, user = self._context.services.triage, self._context.user
        self._panel.set_busy(True)
        self._context.runner.run(
            self._lane(online),
            lambda _ctx: triage.assess(user, data, online=online),
            label="quick triage",
            owner=self,
            on_success=lambda result: self._show(result, "Quick analysis (not saved)"),
            on_failure=self._on_triage_failed,
        )

    @Slot(bool)
    def _on_panel_save_requested(self, online: bool) -> None:
        if self._visit_id is None:
            return
        visit_id = self._visit_id
        triage, user = self._context.services.triage, self._context.user
        self._panel.set_busy(True)
        self._context.runner.run(
            self._lane(online),
            lambda _ctx: triage.assess_visit(user, visit_id, online=online),
            label="save triage",
            owner=self,
            on_success=self._on_saved,
            on_failure=self._on_triage_failed,
        )

    def _load_saved(self, visit_id: str) -> None:
        triage, user = self._context.services.triage, self._context.user
        self._context.runner.run(
            Lane.DATABASE,
            lambda _ctx: triage.saved_for_visit(user, visit_id),
            label="saved triage",
            owner=self,
            on_success=lambda saved: self._on_saved_loaded(visit_id, saved),
            on_failure=lambda _error: None,  # the panel still offers a new analysis
        )

    def _on_saved_loaded(self, visit_id: str, saved: list[SavedTriage]) -> None:
        if saved and visit_id == self._visit_id:
            self._on_saved(saved[0])

    @Slot(object)
    def _on_saved(self, saved: SavedTriage) -> None:
        self._show(saved.result, f"Saved on the visit {local_time(saved.performed_at)}")

    def _show(self, result: TriageResult, heading: str) -> None:
        self._panel.show_result(result, heading)
        self.result_shown.emit(result)

    @Slot(object)
    def _on_triage_failed(self, error: BaseException) -> None:
        if isinstance(error, ValidationError):
            lines = [
                f"{_FIELD_NAMES.get(key, key.replace('_', ' ').capitalize())}: {message}"
                for key, message in error.field_errors.items()
            ]
            self._panel.show_error(" ".join(lines) or str(error))
        elif isinstance(error, ClinicError):
            self._panel.show_error(str(error))
        else:
            self._panel.set_busy(False)
            show_error(self._panel, error)

    # --- codes ---------------------------------------------------------------------------

    @Slot(object)
    def _on_panel_code_accepted(self, suggested: SuggestedCode) -> None:
        codes, user = self._context.services.codes, self._context.user
        self._context.runner.run(
            Lane.DATABASE,
            lambda _ctx: codes.get(user, suggested.code),
            label="look up code",
            owner=self,
            on_success=self._on_code_found,
            on_failure=lambda error: self._panel.show_error(
                str(error) if isinstance(error, ClinicError) else "The code could not be found."
            ),
        )

    def _on_code_found(self, detail: CodeDetail) -> None:
        node = detail.node
        self.code_accepted.emit(
            node.code, node.description, detail.system.value, detail.set_version
        )

    def mark_accepted(self, code: str) -> None:
        self._panel.mark_accepted(code)
