"""The pages this version ships. Each feature registers its own here with one call."""

from __future__ import annotations

from clinic_app.security.permissions import Action
from clinic_app.ui.shell.page_registry import PageRegistry, PageSpec
from clinic_app.ui.shell.shell_page import PageContext, ShellCommand, ShellPage


def _patients_page(context: PageContext) -> ShellPage:
    from clinic_app.ui.patients.patients_page import PatientsPage

    return PatientsPage(context)


def _admin_page(context: PageContext) -> ShellPage:
    from clinic_app.ui.admin.admin_page import AdminPage

    return AdminPage(context)


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
