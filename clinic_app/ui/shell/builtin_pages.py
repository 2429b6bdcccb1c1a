"""The pages this version ships. Each feature registers its own here with one call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from clinic_app.security.permissions import Action
from clinic_app.ui.scheduling.schedule_page_spec import schedule_page_spec
from clinic_app.ui.shell.page_registry import PageRegistry, PageSpec
from clinic_app.ui.shell.shell_page import PageCompanion, PageContext, ShellCommand, ShellPage

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow


def _patients_page(context: PageContext) -> ShellPage:
    from clinic_app.ui.patients.patients_page import PatientsPage

    return PatientsPage(context)


def _chart_page(context: PageContext) -> ShellPage:
    from clinic_app.ui.records.chart_page import ChartPage

    return ChartPage(context)


def _code_set_companion(window: QMainWindow, context: PageContext) -> PageCompanion:
    from clinic_app.ui.codes.code_set_companion import CodeSetCompanion

    return CodeSetCompanion(window, context)


def _imaging_page(context: PageContext) -> ShellPage:
    from clinic_app.ui.imaging.imaging_page import ImagingPage

    return ImagingPage(context)


def _worklist_page(context: PageContext) -> ShellPage:
    from clinic_app.ui.records.worklist_page import WorklistPage

    return WorklistPage(context)


def _inbox_page(context: PageContext) -> ShellPage:
    from clinic_app.ui.inbox.inbox_page import InboxPage

    return InboxPage(context)


def _unread_badge(window: QMainWindow, context: PageContext) -> PageCompanion:
    from clinic_app.ui.inbox.unread_badge_companion import UnreadBadgeCompanion

    return UnreadBadgeCompanion(window, context)


def _admin_page(context: PageContext) -> ShellPage:
    from clinic_app.ui.admin.admin_page import AdminPage

    return AdminPage(context)


def _sync_page(context: PageContext) -> ShellPage:
    from clinic_app.ui.sync.sync_page import SyncPage

    return SyncPage(context)


def _sync_status(window: QMainWindow, context: PageContext) -> PageCompanion:
    from clinic_app.ui.sync.sync_status_companion import SyncStatusCompanion

    return SyncStatusCompanion(window, context)


def register_builtin_pages(registry: PageRegistry) -> None:
    registry.register(
        PageSpec(
            key="patients",
            title="Patients",
            icon="patients",
            factory=_patients_page,
            required_action=Action.PATIENT_READ,
            order=10,
            commands=frozenset({ShellCommand.FIND, ShellCommand.NEW}),
        )
    )
    registry.register(
        PageSpec(
            key="chart",
            title="Patient chart",
            icon="chart",
            factory=_chart_page,
            required_action=Action.VISIT_READ,
            order=20,
            commands=frozenset({ShellCommand.NEW}),
            companion=_code_set_companion,
        )
    )
    registry.register(
        PageSpec(
            key="imaging",
            title="Images",
            icon="zoom_fit",
            factory=_imaging_page,
            required_action=Action.IMAGING_VIEW,
            order=25,
        )
    )
    registry.register(
        PageSpec(
            key="worklist",
            title="Worklist",
            icon="worklist",
            factory=_worklist_page,
            required_action=Action.ANNOTATE,
            order=30,
        )
    )
    # Today's notices are about clinical records; widen to every role when appointment
    # reminders and sync conflicts arrive in the inbox.
    registry.register(
        PageSpec(
            key="inbox",
            title="Inbox",
            icon="inbox",
            factory=_inbox_page,
            required_action=Action.VISIT_READ,
            order=40,
            companion=_unread_badge,
        )
    )
    registry.register(schedule_page_spec())
    # Every role syncs its workstation (SYNC_RUN); the page shows each role what it may do.
    registry.register(
        PageSpec(
            key="sync",
            title="Sync",
            icon="refresh",
            factory=_sync_page,
            required_action=Action.SYNC_RUN,
            order=80,
            shortcut_hint="F9",
            companion=_sync_status,
        )
    )
    registry.register(
        PageSpec(
            key="admin",
            title="Administration",
            icon="admin",
            factory=_admin_page,
            required_action=Action.USER_MANAGE,
            order=90,
        )
    )


def default_page_registry() -> PageRegistry:
    registry = PageRegistry()
    register_builtin_pages(registry)
    return registry
