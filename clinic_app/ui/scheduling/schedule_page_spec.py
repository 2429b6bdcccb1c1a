"""How the shell finds the scheduling page: one `PageSpec`, registered in builtin_pages.

Cheap to import (the page and its widgets load when the page is first shown). Every role has
some calendar right (a doctor their own), so the page needs no single action; the
reminder timer rides along as the page's companion, built at sign-in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from clinic_app.ui.shell.page_registry import PageSpec
from clinic_app.ui.shell.shell_page import PageCompanion, PageContext, ShellCommand, ShellPage

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow

PAGE_KEY = "schedule"


def _page(context: PageContext) -> ShellPage:
    from clinic_app.ui.scheduling.schedule_page import SchedulePage

    return SchedulePage(context)


def _reminder_timer(_window: QMainWindow, context: PageContext) -> PageCompanion:
    from clinic_app.ui.scheduling.reminder_timer import ReminderTimer

    return ReminderTimer(context)


def schedule_page_spec() -> PageSpec:
    return PageSpec(
        key=PAGE_KEY,
        title="Calendar",
        icon="visit",
        factory=_page,
        order=15,  # after Patients, before the chart: the desk's main page
        commands=frozenset({ShellCommand.NEW}),
        shortcut_hint="Ctrl+N books an appointment",
        companion=_reminder_timer,
    )
