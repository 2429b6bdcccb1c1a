"""Named icons for the GUI. qtawesome is imported on first use (it costs ~0.2 s at start)."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

ICON_COLOUR = "#3d4f5f"
ACCENT_COLOUR = "#1b6a8a"
ON_ACCENT_COLOUR = "#ffffff"

# Semantic name → Material Design Icons 6 name. Views ask for "lock", not "mdi6.lock-outline".
_NAMES: dict[str, str] = {
    "app": "mdi6.hospital-box-outline",
    "patients": "mdi6.account-multiple-outline",
    "patient": "mdi6.account-outline",
    "admin": "mdi6.shield-account-outline",
    "users": "mdi6.account-key-outline",
    "audit": "mdi6.clipboard-text-search-outline",
    "backup": "mdi6.database-lock-outline",
    "lock": "mdi6.lock-outline",
    "unlock": "mdi6.lock-open-variant-outline",
    "sign_out": "mdi6.logout",
    "search": "mdi6.magnify",
    "add": "mdi6.plus",
    "edit": "mdi6.pencil-outline",
    "delete": "mdi6.delete-outline",
    "restore": "mdi6.restore",
    "save": "mdi6.content-save-outline",
    "cancel": "mdi6.close",
    "verify": "mdi6.shield-check-outline",
    "refresh": "mdi6.refresh",
    "offline": "mdi6.cloud-off-outline",
    "help": "mdi6.help-circle-outline",
    "warning": "mdi6.alert-outline",
    "error": "mdi6.alert-circle-outline",
    "key": "mdi6.key-variant",
    "copy": "mdi6.content-copy",
    "empty": "mdi6.account-search-outline",
}


@cache
def icon(name: str, colour: str = ICON_COLOUR) -> QIcon:
    import qtawesome

    return qtawesome.icon(_NAMES[name], color=colour)


def app_icon() -> QIcon:
    """The application's own icon (a file, so the first window needs no icon font)."""
    from clinic_app.ui.resource_paths import resource_path

    return QIcon(str(resource_path("app-icon.svg")))


def icon_names() -> list[str]:
    return sorted(_NAMES)
