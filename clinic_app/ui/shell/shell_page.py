"""What a page in the main window is, and what it is given when it is built."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from clinic_app.bootstrap import Services
    from clinic_app.security.users import AuthenticatedUser
    from clinic_app.ui.tasks.task_runner import TaskRunner


class ShellCommand(StrEnum):
    FIND = "find"  # Ctrl+F
    NEW = "new"  # Ctrl+N


@dataclass(frozen=True)
class PageContext:
    services: Services
    user: AuthenticatedUser
    runner: TaskRunner


class ShellPage(QWidget):
    """Base of every page. Override what applies; the defaults do nothing."""

    # A short, non-clinical message for the status bar ("Patient saved").
    status_reported = Signal(str)
    # The page needs everyone signed out (after a database restore); the text says why.
    sign_out_required = Signal(str)
    # Show the page registered under this key and hand it the object (`open_item`): how one
    # page opens something on another (a patient's chart from the patients page).
    open_requested = Signal(str, object)

    def handle_command(self, command: ShellCommand) -> bool:
        return False

    def open_item(self, item: object) -> bool:
        """Shows what another page asked to open here; False if this page can't."""
        return False

    def has_unsaved_changes(self) -> bool:
        return False

    def draft_state(self) -> object | None:
        """Unsaved work to keep in memory while another user signs in (never written to disk)."""
        return None

    def restore_draft_state(self, state: object) -> None:
        return None

    def page_shown(self) -> None:
        return None

    def shutdown(self) -> None:
        """Cancel this page's background work; called before the page is destroyed."""
        return


class PageCompanion(QObject):
    """What a page keeps in the window from sign-in on, whether or not the page was opened: a
    status-bar badge, a background warm-up. Built with the window (see `PageSpec.companion`),
    parented to it, and shut down with the pages."""

    open_requested = Signal(str, object)

    def page_built(self, page: ShellPage) -> None:
        """Its page was built (the first time it was shown)."""
        return

    def shutdown(self) -> None:
        return None
