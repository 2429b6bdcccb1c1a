"""Searches codes as the person types (database lane), and looks up the highlighted code's
place in the hierarchy (chapter › block › category).

Typing: the first key after a pause searches at once; keys that follow within the debounce
interval are folded into one search when the typing pauses. A newer query cancels an older one
still queued, and late results of a superseded query are dropped (generation numbers).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from clinic_app.codes.models import CodeDetail, CodeHit, CodeKind, CodeSystem
from clinic_app.errors import ClinicError
from clinic_app.ui.codes.code_picker import CodePicker
from clinic_app.ui.tasks.task_runner import Lane, TaskHandle

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext

DEBOUNCE_MS = 150
RESULT_LIMIT = 25
_HIERARCHY_KINDS = (CodeKind.CHAPTER, CodeKind.BLOCK, CodeKind.CATEGORY)
_DESCRIPTION_CHARS = 48


def hierarchy_text(detail: CodeDetail) -> str:
    """ "Ch. 4 Endocrine, nutritional… › E08-E13 Diabetes mellitus › E11 Type 2 diabetes…" """
    parts = []
    for node in (*detail.ancestors, detail.node):
        if node.kind not in _HIERARCHY_KINDS:
            continue
        description = node.description
        if len(description) > _DESCRIPTION_CHARS:
            description = description[: _DESCRIPTION_CHARS - 1].rstrip() + "…"
        label = f"Ch. {node.code}" if node.kind is CodeKind.CHAPTER else node.code
        parts.append(f"{label} {description}")
    return " › ".join(parts) or detail.node.code


class CodePickerController(QObject):
    # The popup now shows the results of the latest query (tests wait here).
    results_shown = Signal()
    hierarchy_shown = Signal(str)

    def __init__(
        self,
        picker: CodePicker,
        context: PageContext,
        *,
        system: CodeSystem = CodeSystem.ICD10CM,
        billable_only: bool = False,
        debounce_ms: int = DEBOUNCE_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._picker = picker
        self._context = context
        self.system = system
        self.billable_only = billable_only
        self._debounce_s = debounce_ms / 1000
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._last_fired = 0.0
        self._generation = 0
        self._handle: TaskHandle | None = None
        self._hierarchies: dict[tuple[str, str], str] = {}
        picker.query_edited.connect(self._on_picker_query_edited)
        picker.hit_highlighted.connect(self._on_picker_hit_highlighted)

    def set_system(self, system: CodeSystem) -> None:
        self.system = system
        if self._picker.query().strip():
            self._search()

    @property
    def settled(self) -> bool:
        running = self._handle is not None and self._handle.running
        return not self._timer.isActive() and not running

    def shutdown(self) -> None:
        self._timer.stop()
        if self._handle is not None:
            self._handle.cancel()

    # --- searching -----------------------------------------------------------------------

    @Slot(str)
    def _on_picker_query_edited(self, text: str) -> None:
        if not text.strip():
            self._timer.stop()
            self._generation += 1  # drop whatever is still on its way
            return
        idle = time.monotonic() - self._last_fired >= self._debounce_s
        if idle and not self._timer.isActive():
            self._search()
        else:
            self._timer.start()

    @Slot()
    def _on_timer_timeout(self) -> None:
        self._search()

    def _search(self) -> None:
        self._last_fired = time.monotonic()
        self._generation += 1
        generation = self._generation
        query = self._picker.query()
        if not query.strip():
            return
        if self._handle is not None:
            self._handle.cancel()
        codes, user = self._context.services.codes, self._context.user
        system, billable_only = self.system, self.billable_only

        def search(_ctx: object) -> tuple[int, str, list[CodeHit]]:
            hits = codes.search(
                user, query, system=system, limit=RESULT_LIMIT, billable_only=billable_only
            )
            return generation, query, hits

        self._handle = self._context.runner.run(
            Lane.DATABASE,
            search,
            label="code search",
            owner=self,
            on_success=self._on_search_finished,
            on_failure=lambda error: self._on_search_failed(generation, error),
        )

    @Slot(object)
    def _on_search_finished(self, outcome: tuple[int, str, list[CodeHit]]) -> None:
        generation, query, hits = outcome
        if generation != self._generation:
            return
        shown = query.strip()[:40]
        self._picker.show_hits(hits, f"No {self.system.value} code matches “{shown}”.")
        self.results_shown.emit()

    def _on_search_failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        if isinstance(error, ClinicError):
            self._picker.show_message(str(error))
        else:
            self._picker.show_message("The search failed. Try again.")
        self.results_shown.emit()

    # --- hierarchy -----------------------------------------------------------------------

    @Slot(object)
    def _on_picker_hit_highlighted(self, hit: CodeHit) -> None:
        key = (hit.set_id, hit.code)
        known = self._hierarchies.get(key)
        if known is not None:
            self._picker.show_hierarchy(hit, known)
            self.hierarchy_shown.emit(known)
            return
        codes, user = self._context.services.codes, self._context.user
        self._context.runner.run(
            Lane.DATABASE,
            lambda _ctx: codes.get(user, hit.code, system=hit.system, set_id=hit.set_id),
            label="code hierarchy",
            owner=self,
            on_success=lambda detail: self._on_detail_loaded(hit, detail),
            on_failure=lambda _error: self._picker.show_hierarchy(hit, hit.code),
        )

    def _on_detail_loaded(self, hit: CodeHit, detail: CodeDetail) -> None:
        text = hierarchy_text(detail)
        self._hierarchies[(hit.set_id, hit.code)] = text
        self._picker.show_hierarchy(hit, text)
        self.hierarchy_shown.emit(text)
