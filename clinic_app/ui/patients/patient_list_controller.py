"""Search as you type and the sorted list, loaded a page at a time on the database lane.

Typing: the first key after a pause searches at once; keys that follow within the debounce
interval are folded into one search when the typing pauses. A newer query cancels an older one
still queued, and late results of a superseded query are dropped (generation numbers).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from clinic_app.patients.models import PatientPage, PatientSummary
from clinic_app.patients.service import PatientSort
from clinic_app.security.permissions import Action
from clinic_app.ui.patients.patient_list_view import PatientListView
from clinic_app.ui.patients.patient_table_model import PatientColumn, PatientTableModel
from clinic_app.ui.tasks.task_runner import Lane, TaskHandle

if TYPE_CHECKING:
    from clinic_app.ui.shell.shell_page import PageContext

DEBOUNCE_MS = 150
LIST_PAGE = 100
SEARCH_PAGE = 50

_SORT_BY_COLUMN = {
    PatientColumn.NAME: PatientSort.NAME,
    PatientColumn.BIRTH_DATE: PatientSort.BIRTH_DATE,
}


class PatientListController(QObject):
    # The model now shows the first page for the current query (tests and benchmarks wait here).
    results_shown = Signal()

    def __init__(
        self,
        view: PatientListView,
        model: PatientTableModel,
        context: PageContext,
        *,
        debounce_ms: int = DEBOUNCE_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._view = view
        self._model = model
        self._context = context
        self._debounce_s = debounce_ms / 1000
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._last_fired = 0.0
        self._generation = 0
        self._handle: TaskHandle | None = None
        self._query = ""
        self._sort = PatientSort.NAME
        self._descending = False
        self._include_deleted = False
        self._loaded_once = False
        view.query_edited.connect(self._on_view_query_edited)
        view.sort_changed.connect(self._on_view_sort_changed)
        view.include_deleted_toggled.connect(self._on_view_include_deleted_toggled)
        model.more_requested.connect(self._on_model_more_requested)

    def load(self) -> None:
        """Shows the current query's first page (the full list when the box is empty)."""
        self._timer.stop()
        self._start(offset=0)

    def ensure_loaded(self) -> None:
        if not self._loaded_once:
            self.load()

    @property
    def settled(self) -> bool:
        """No search waiting to start and none in flight (tests and benchmarks wait on this)."""
        running = self._handle is not None and self._handle.running
        return not self._timer.isActive() and not running

    def refresh_patient(self, patient: PatientSummary) -> None:
        if not self._model.update_patient(patient) or patient.deleted:
            self.load()

    def shutdown(self) -> None:
        self._timer.stop()
        if self._handle is not None:
            self._handle.cancel()

    # --- input ---------------------------------------------------------------------------

    @Slot(str)
    def _on_view_query_edited(self, _text: str) -> None:
        idle = time.monotonic() - self._last_fired >= self._debounce_s
        if idle and not self._timer.isActive():
            self.load()
        else:
            self._timer.start()

    @Slot()
    def _on_timer_timeout(self) -> None:
        self.load()

    @Slot(int, Qt.SortOrder)
    def _on_view_sort_changed(self, column: int, order: Qt.SortOrder) -> None:
        self._sort = _SORT_BY_COLUMN.get(PatientColumn(column), PatientSort.NAME)
        self._descending = order == Qt.SortOrder.DescendingOrder
        if not self._view.query().strip():
            self.load()

    @Slot(bool)
    def _on_view_include_deleted_toggled(self, checked: bool) -> None:
        self._include_deleted = checked
        self.load()

    @Slot()
    def _on_model_more_requested(self) -> None:
        self._start(offset=self._model.rowCount())

    # --- loading -------------------------------------------------------------------------

    def _start(self, offset: int) -> None:
        self._last_fired = time.monotonic()
        if offset == 0:
            self._generation += 1
            self._query = self._view.query()
            if self._handle is not None:
                self._handle.cancel()
        generation = self._generation
        query = self._query
        patients = self._context.services.patients
        user = self._context.user
        sort, descending, deleted = self._sort, self._descending, self._include_deleted
        can_see_deleted = deleted and user.can(Action.PATIENT_RESTORE)

        def fetch(_ctx: object) -> tuple[int, int, PatientPage]:
            if query.strip():
                page = patients.search(
                    user, query, limit=SEARCH_PAGE, offset=offset, include_deleted=can_see_deleted
                )
            else:
                page = patients.list(
                    user,
                    sort=sort,
                    descending=descending,
                    limit=LIST_PAGE,
                    offset=offset,
                    include_deleted=can_see_deleted,
                )
            return generation, offset, page

        self._handle = self._context.runner.run(
            Lane.DATABASE,
            fetch,
            label="patient search" if query.strip() else "patient list",
            owner=self,
            on_success=self._on_page_loaded,
            on_failure=self._on_page_failed,
        )

    @Slot(object)
    def _on_page_loaded(self, outcome: tuple[int, int, PatientPage]) -> None:
        generation, offset, page = outcome
        if generation != self._generation:
            return
        searching = bool(self._query.strip())
        if page.total is not None:
            has_more = offset + len(page.items) < page.total
        else:
            has_more = len(page.items) == (SEARCH_PAGE if searching else LIST_PAGE)
        if offset == 0:
            self._loaded_once = True
            self._model.replace_rows(page.items, has_more)
            self._view.set_searching(searching)
            if not page.items:
                self._view.show_empty(self._query)
            else:
                self._view.show_results(self._count_text(searching, page))
            self.results_shown.emit()
        else:
            self._model.append_rows(page.items, has_more)
            if page.total is None:
                self._view.show_results(self._count_text(searching, page))

    def _count_text(self, searching: bool, page: PatientPage) -> str:
        if searching:
            shown = self._model.rowCount()
            more = "+" if self._model.has_more else ""
            return f"{shown}{more} matching, best matches first"
        total = page.total or 0
        return f"{total:,} patient{'s' if total != 1 else ''}"

    @Slot(object)
    def _on_page_failed(self, error: BaseException) -> None:
        self._model.fetch_failed()
        from clinic_app.ui.error_presenter import show_error

        show_error(self._view, error)
