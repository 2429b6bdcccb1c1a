"""How a model's status is shown: every result and every model choice says plainly whether
the model is validated, research or a demonstration (or refused, and why)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

REFUSED = "refused"

_BADGES: dict[str, tuple[str, str, str]] = {
    # status: (text, text colour, background)
    "validated": ("VALIDATED", "#1e6b34", "#e3f4e8"),
    "research": ("RESEARCH · not validated for clinical use", "#7a4f00", "#fff1cc"),
    "demonstration": ("DEMONSTRATION · not for clinical use", "#5b2a86", "#efe5fa"),
    REFUSED: ("REFUSED", "#b42318", "#fde8e7"),
}


def status_text(status: str) -> str:
    return _BADGES.get(status, (status.upper(), "", ""))[0]


def style_badge(label: QLabel, status: str) -> None:
    text, colour, background = _BADGES.get(status, (status.upper(), "#3d4f5f", "#e6edf2"))
    label.setText(text)
    if label.property("modelStatus") == status:
        return  # restyling re-polishes the widget: only when the status changes
    label.setProperty("modelStatus", status)
    label.setStyleSheet(
        f"QLabel {{ color: {colour}; background: {background}; border: 1px solid {colour};"
        " border-radius: 4px; padding: 2px 6px; font-weight: 600; }"
    )
