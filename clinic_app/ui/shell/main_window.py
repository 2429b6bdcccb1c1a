"""The main window: navigation on the left, the current page, a status bar, a lock screen.

It knows pages only through `PageSpec`s handed to it, builds each page the first time it is
shown, and never calls a service itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSize, Qt, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QToolButton,
    QWidget,
)

from clinic_app.ui.icons import icon
from clinic_app.ui.role_labels import role_label
from clinic_app.ui.shell.help_dialog import HelpDialog
from clinic_app.ui.shell.lock_screen import LockScreen
from clinic_app.ui.shell.page_registry import PageSpec
from clinic_app.ui.shell.shell_page import PageCompanion, PageContext, ShellCommand, ShellPage
from clinic_app.ui.ui_state_store import UiState

if TYPE_CHECKING:
    from clinic_app.ui.settings.settings_dialog import SettingsDialog

PAGE_KEY_ROLE = Qt.ItemDataRole.UserRole + 1
STATUS_MESSAGE_MS = 5000


class MainWindow(QMainWindow):
    lock_requested = Signal()
    sign_out_requested = Signal()
    close_requested = Signal()
    sign_out_required = Signal(str)

    def __init__(
        self, specs: list[PageSpec], context: PageContext, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle("Clinic")
        self.setMinimumSize(960, 600)
        self.resize(1280, 720)
        self._specs = {spec.key: spec for spec in specs}
        self._context = context
        self._pages: dict[str, ShellPage] = {}
        self._pending_drafts: dict[str, object] = {}
        self._hidden_dialogs: list[QDialog] = []
        self._may_close = False
        self.locked = False

        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setIconSize(QSize(22, 22))
        self.navigation.setFixedWidth(176)
        for spec in specs:
            item = QListWidgetItem(icon(spec.icon), spec.title)
            item.setData(PAGE_KEY_ROLE, spec.key)
            self.navigation.addItem(item)
        self._page_stack = QStackedWidget()
        self._page_stack.setObjectName("pageStack")
        work = QWidget()
        row = QHBoxLayout(work)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.navigation)
        row.addWidget(self._page_stack, 1)
        self.lock_screen = LockScreen(context.user.display_name, context.user.username)
        self._central = QStackedWidget()
        self._central.addWidget(work)
        self._central.addWidget(self.lock_screen)
        self.setCentralWidget(self._central)
        self._build_status_bar()
        self._build_actions()
        self._companions: dict[str, PageCompanion] = {}
        for spec in specs:
            if spec.companion is not None:
                companion = spec.companion(self, context)
                companion.setParent(self)
                companion.open_requested.connect(self._on_open_requested)
                self._companions[spec.key] = companion
        self.navigation.currentRowChanged.connect(self._on_navigation_current_row_changed)

    # --- construction --------------------------------------------------------------------

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setObjectName("statusBar")
        bar.setSizeGripEnabled(False)
        user = self._context.user
        self.user_label = QLabel(f"{user.display_name} · {role_label(user.role)}")
        self.user_label.setObjectName("statusUser")
        self.connection_icon = QLabel()
        self.connection_label = QLabel()
        self.connection_label.setObjectName("statusConnection")
        self.connection_label.setToolTip("Connection and synchronisation")
        self.set_connection_state("Offline · sync not set up")
        self.lock_button = QToolButton()
        self.lock_button.setObjectName("lockButton")
        self.lock_button.setIcon(icon("lock"))
        self.lock_button.setText("Lock")
        self.lock_button.setToolTip("Lock the screen (Ctrl+L)")
        self.lock_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.settings_button = QToolButton()
        self.settings_button.setObjectName("settingsButton")
        self.settings_button.setText("Settings")
        self.settings_button.setToolTip("This workstation's settings (Ctrl+,)")
        self.sign_out_button = QToolButton()
        self.sign_out_button.setObjectName("signOutButton")
        self.sign_out_button.setIcon(icon("sign_out"))
        self.sign_out_button.setText("Sign out")
        self.sign_out_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        bar.addPermanentWidget(self.connection_icon)
        bar.addPermanentWidget(self.connection_label)
        bar.addPermanentWidget(self.user_label)
        bar.addPermanentWidget(self.settings_button)
        bar.addPermanentWidget(self.lock_button)
        bar.addPermanentWidget(self.sign_out_button)
        self.lock_button.clicked.connect(self.lock_requested)
        self.sign_out_button.clicked.connect(self.sign_out_requested)

    def _build_actions(self) -> None:
        def add(name: str, text: str, shortcut: QKeySequence | str, slot: object) -> QAction:
            action = QAction(text, self)
            action.setObjectName(name)
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(slot)
            self.addAction(action)
            return action

        self.find_action = add(
            "findAction", "Find", QKeySequence.StandardKey.Find, self._on_find_action_triggered
        )
        self.new_action = add(
            "newAction", "New patient", QKeySequence.StandardKey.New, self._on_new_action_triggered
        )
        self.lock_action = add("lockAction", "Lock", "Ctrl+L", self.lock_requested)
        self.help_action = add(
            "helpAction", "Help", QKeySequence.StandardKey.HelpContents, self.show_help
        )
        # F1 is HelpContents on most platforms; make sure it is there everywhere.
        self.help_action.setShortcuts([QKeySequence("F1")])
        self.settings_action = add(
            "settingsAction", "Settings", "Ctrl+,", self._on_settings_action_triggered
        )
        self.settings_button.setDefaultAction(self.settings_action)
        self.settings_button.setToolTip("This workstation's settings (Ctrl+,)")

    # --- pages ---------------------------------------------------------------------------

    @property
    def page_keys(self) -> list[str]:
        return list(self._specs)

    @property
    def current_page_key(self) -> str:
        item = self.navigation.currentItem()
        return str(item.data(PAGE_KEY_ROLE)) if item is not None else ""

    def page(self, key: str) -> ShellPage | None:
        """The page if it was built (pages are built when first shown)."""
        return self._pages.get(key)

    def built_pages(self) -> dict[str, ShellPage]:
        return dict(self._pages)

    def show_page(self, key: str) -> ShellPage:
        if key not in self._specs:
            raise KeyError(key)
        for row in range(self.navigation.count()):
            if self.navigation.item(row).data(PAGE_KEY_ROLE) == key:
                self.navigation.setCurrentRow(row)
                break
        return self._pages[key]

    def _ensure_page(self, key: str) -> ShellPage:
        page = self._pages.get(key)
        if page is None:
            page = self._specs[key].factory(self._context)
            page.setObjectName(f"page_{key}")
            page.status_reported.connect(self._on_page_status_reported)
            page.sign_out_required.connect(self.sign_out_required)
            page.open_requested.connect(self._on_open_requested)
            self._pages[key] = page
            self._page_stack.addWidget(page)
            if key in self._pending_drafts:
                page.restore_draft_state(self._pending_drafts.pop(key))
            if key in self._companions:
                self._companions[key].page_built(page)
        return page

    @Slot(str, object)
    def _on_open_requested(self, key: str, item: object) -> None:
        """A page or a companion asks another page to open something (never while locked)."""
        if self.locked or key not in self._specs:
            return
        self.show_page(key).open_item(item)

    def companion(self, key: str) -> PageCompanion | None:
        return self._companions.get(key)

    @Slot(int)
    def _on_navigation_current_row_changed(self, row: int) -> None:
        if row < 0:
            return
        page = self._ensure_page(str(self.navigation.item(row).data(PAGE_KEY_ROLE)))
        self._page_stack.setCurrentWidget(page)
        page.page_shown()

    @Slot(str)
    def _on_page_status_reported(self, message: str) -> None:
        self.statusBar().showMessage(message, STATUS_MESSAGE_MS)

    def set_connection_state(self, text: str, icon_name: str = "offline") -> None:
        """Room for the sync engine to report online/offline, last sync and pending changes."""
        self.connection_icon.setPixmap(icon(icon_name).pixmap(QSize(16, 16)))
        self.connection_label.setText(text)

    # --- commands ------------------------------------------------------------------------

    def _send(self, command: ShellCommand) -> bool:
        if self.locked:
            return False
        current = self.current_page_key
        if current and command in self._specs[current].commands:
            return self._ensure_page(current).handle_command(command)
        for key, spec in self._specs.items():
            if command in spec.commands:
                return self.show_page(key).handle_command(command)
        return False

    @Slot()
    def _on_find_action_triggered(self) -> None:
        self._send(ShellCommand.FIND)

    @Slot()
    def _on_new_action_triggered(self) -> None:
        self._send(ShellCommand.NEW)

    @Slot()
    def show_help(self) -> None:
        dialog = HelpDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    @Slot()
    def _on_settings_action_triggered(self) -> None:
        self.show_settings()

    def show_settings(self) -> SettingsDialog:
        """The Settings dialog (Ctrl+,): reads and saves through its controller."""
        from clinic_app.ui.settings.settings_controller import SettingsController

        controller = SettingsController(self._context, self)
        controller.open()
        return controller.dialog

    # --- lock ----------------------------------------------------------------------------

    def set_locked(self, locked: bool) -> None:
        """Hides every page (and open dialogs) behind the lock screen; drafts stay in place."""
        if locked == self.locked:
            return
        self.locked = locked
        for action in (self.find_action, self.new_action, self.lock_action, self.settings_action):
            action.setEnabled(not locked)
        self.lock_button.setEnabled(not locked)
        self.sign_out_button.setEnabled(not locked)
        if locked:
            self._hidden_dialogs = [
                dialog for dialog in self.findChildren(QDialog) if dialog.isVisible()
            ]
            for dialog in self._hidden_dialogs:
                dialog.hide()
            self.lock_screen.reset()
            self._central.setCurrentWidget(self.lock_screen)
            self.lock_screen.password_edit.setFocus()
        else:
            self._central.setCurrentIndex(0)
            for dialog in self._hidden_dialogs:
                dialog.show()
            self._hidden_dialogs = []

    @property
    def showing_lock_screen(self) -> bool:
        return self._central.currentWidget() is self.lock_screen

    # --- state ---------------------------------------------------------------------------

    def restore_ui_state(self, state: UiState, drafts: dict[str, object]) -> None:
        self._pending_drafts = dict(drafts)
        if state.geometry:
            self.restoreGeometry(QByteArray(state.geometry))
            _fit_on_screen(self)
        keys = list(self._specs)
        wanted = next(iter(self._pending_drafts), "") or state.last_page
        start = wanted if wanted in self._specs else (keys[0] if keys else "")
        if start:
            self.show_page(start)

    def capture_ui_state(self) -> UiState:
        return UiState(bytes(self.saveGeometry().data()), self.current_page_key)

    def has_unsaved_changes(self) -> bool:
        return any(page.has_unsaved_changes() for page in self._pages.values())

    def collect_drafts(self) -> dict[str, object]:
        drafts = dict(self._pending_drafts)
        for key, page in self._pages.items():
            state = page.draft_state()
            if state is not None:
                drafts[key] = state
        return drafts

    def shutdown_pages(self) -> None:
        for companion in self._companions.values():
            companion.shutdown()
        for page in self._pages.values():
            page.shutdown()

    def close_for_good(self) -> None:
        self._may_close = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._may_close:
            super().closeEvent(event)
            return
        event.ignore()
        self.close_requested.emit()


def _fit_on_screen(window: QWidget) -> None:
    """A geometry saved on a larger monitor must not leave the window off screen."""
    screen = window.screen() or QApplication.primaryScreen()
    if screen is None:
        return
    available = screen.availableGeometry()
    frame = window.frameGeometry()
    if not available.intersects(frame) or frame.width() > available.width():
        window.resize(
            min(window.width(), available.width()), min(window.height(), available.height())
        )
        window.move(available.topLeft())
