"""The Sync page (registered in builtin_pages): where this workstation stands, the log and
"Sync now"; for the people who keep records, the conflict inbox and the held records.

Its companion, the status-bar line, lives from sign-in on and hands the page the window's one
`SyncRun` (`attach_run`), so the page's "Sync now" and the background timer never overlap.
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout

from clinic_app.security.permissions import Action
from clinic_app.sync.models import SyncStatus
from clinic_app.ui.icons import icon
from clinic_app.ui.shell.shell_page import PageContext, ShellPage
from clinic_app.ui.sync.conflict_field_table_model import ConflictFieldTableModel
from clinic_app.ui.sync.conflict_inbox_controller import ConflictInboxController
from clinic_app.ui.sync.conflict_inbox_view import ConflictInboxView
from clinic_app.ui.sync.conflict_table_model import ConflictTableModel
from clinic_app.ui.sync.quarantine_controller import QuarantineController
from clinic_app.ui.sync.quarantine_table_model import QuarantineTableModel
from clinic_app.ui.sync.quarantine_view import QuarantineView
from clinic_app.ui.sync.sync_log_table_model import SyncLogTableModel
from clinic_app.ui.sync.sync_overview_controller import SyncOverviewController
from clinic_app.ui.sync.sync_overview_view import SyncOverviewView
from clinic_app.ui.sync.sync_run import SyncRun
from clinic_app.ui.sync.sync_status_companion import SYNC_NOW

STATUS_TAB, CONFLICTS_TAB, HELD_TAB = "Status and log", "Conflicts", "Held records"


class SyncPage(ShellPage):
    # Something the status bar counts changed here (a run, a resolution, a retry).
    sync_state_changed = Signal()

    def __init__(self, context: PageContext) -> None:
        super().__init__()
        user = context.user
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        title = QLabel("Sync")
        title.setObjectName("pageTitle")
        layout.addWidget(title)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("syncTabs")
        layout.addWidget(self.tabs, 1)
        self.log_model = SyncLogTableModel(self)
        self.overview = SyncOverviewView(
            self.log_model, can_configure=user.can(Action.SYNC_CONFIGURE)
        )
        self.overview_controller = SyncOverviewController(
            self.overview, self.log_model, context, self
        )
        self.tabs.addTab(self.overview, icon("refresh"), STATUS_TAB)
        self.conflict_controller: ConflictInboxController | None = None
        self.quarantine_controller: QuarantineController | None = None
        if user.can(Action.SYNC_RESOLVE):
            self.conflict_model = ConflictTableModel(self)
            self.field_model = ConflictFieldTableModel(self)
            self.conflicts = ConflictInboxView(
                self.conflict_model,
                self.field_model,
                can_merge=context.user.can(Action.PATIENT_MERGE),
            )
            self.conflict_controller = ConflictInboxController(
                self.conflicts, self.conflict_model, context, self
            )
            self.tabs.addTab(self.conflicts, icon("warning"), CONFLICTS_TAB)
            self.held_model = QuarantineTableModel(self)
            self.held = QuarantineView(self.held_model)
            self.quarantine_controller = QuarantineController(
                self.held, self.held_model, context, self
            )
            self.tabs.addTab(self.held, icon("lock"), HELD_TAB)
            for controller in (self.conflict_controller, self.quarantine_controller):
                controller.status_reported.connect(self.status_reported)
                controller.state_changed.connect(self._on_state_changed)
        self.overview_controller.status_reported.connect(self.status_reported)
        self.overview_controller.state_changed.connect(self._on_state_changed)
        self.overview_controller.status_loaded.connect(self._on_status_loaded)
        # Until the window's companion hands over its run (a page built on its own has one).
        self.attach_run(SyncRun(context, self))
        self._loaded = False
        self._stale = False

    def attach_run(self, run: SyncRun) -> None:
        self.run = run
        self.overview_controller.attach_run(run)
        run.finished.connect(self._on_run_finished)

    # --- ShellPage -----------------------------------------------------------------------

    def page_shown(self) -> None:
        self.overview_controller.load()
        if not self._loaded or self._stale:
            self._loaded, self._stale = True, False
            self._load_lists()

    def open_item(self, item: object) -> bool:
        if item == SYNC_NOW:
            self.show_tab(STATUS_TAB)
            self.overview_controller.sync_now()
            return True
        return item is None

    def shutdown(self) -> None:
        if self.run.parent() is self:
            self.run.cancel()
        if self.overview_controller.dialog is not None:
            self.overview_controller.dialog.reject()

    # --- tabs ----------------------------------------------------------------------------

    def show_tab(self, name: str) -> None:
        for index in range(self.tabs.count()):
            if self.tabs.tabText(index).split(" · ")[0] == name:
                self.tabs.setCurrentIndex(index)
                return
        raise KeyError(name)

    def _load_lists(self) -> None:
        if self.conflict_controller is not None:
            self.conflict_controller.load()
        if self.quarantine_controller is not None:
            self.quarantine_controller.load()

    @Slot(object)
    def _on_status_loaded(self, status: SyncStatus) -> None:
        for index in range(self.tabs.count()):
            name = self.tabs.tabText(index).split(" · ")[0]
            count = {CONFLICTS_TAB: status.conflicts, HELD_TAB: status.quarantined}.get(name)
            if count is not None:
                self.tabs.setTabText(index, f"{name} · {count}" if count else name)

    @Slot()
    def _on_run_finished(self) -> None:
        # Listing conflicts and held records is audited (they may be clinical): a background
        # run while the page is out of sight only marks them for reading when it is shown.
        if self.isVisible():
            self._load_lists()
        else:
            self._stale = True

    @Slot()
    def _on_state_changed(self) -> None:
        self.overview_controller.load()
        self.sync_state_changed.emit()
