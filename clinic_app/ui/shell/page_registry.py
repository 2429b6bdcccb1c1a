"""Pages register themselves here; the main window shows those the user's role allows.

A feature adds a page by registering a `PageSpec` (see `builtin_pages.py`), never by editing the
main window. Factories are called when the page is first shown, so unused pages cost nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from clinic_app.ui.shell.shell_page import PageCompanion, PageContext, ShellCommand, ShellPage

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow

    from clinic_app.security.permissions import Action
    from clinic_app.security.users import AuthenticatedUser

PageFactory = Callable[[PageContext], ShellPage]
# Called with the main window when it is built, for the roles that see the page.
CompanionFactory = Callable[["QMainWindow", PageContext], PageCompanion]


@dataclass(frozen=True)
class PageSpec:
    key: str
    title: str
    icon: str
    factory: PageFactory
    required_action: Action | None = None
    order: int = 100
    commands: frozenset[ShellCommand] = field(default_factory=frozenset)
    shortcut_hint: str = ""
    companion: CompanionFactory | None = None


class PageRegistry:
    def __init__(self) -> None:
        self._specs: dict[str, PageSpec] = {}

    def register(self, spec: PageSpec) -> None:
        if spec.key in self._specs:
            raise ValueError(f"a page named {spec.key!r} is already registered")
        self._specs[spec.key] = spec

    def pages_for(self, user: AuthenticatedUser) -> list[PageSpec]:
        allowed = [
            spec
            for spec in self._specs.values()
            if spec.required_action is None or user.can(spec.required_action)
        ]
        return sorted(allowed, key=lambda spec: (spec.order, spec.title))

    def keys(self) -> list[str]:
        return sorted(self._specs)
