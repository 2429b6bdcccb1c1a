"""What a page in the main window is, and what it is given when it is built."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
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

    def handle_command(self, command: ShellCommand) -> bool:
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
