"""The application's look: Fusion, a calm light palette, readable type, and `style.qss`."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from clinic_app.ui.resource_paths import resource_path

MIN_POINT_SIZE = 10.0

_PALETTE: dict[QPalette.ColorRole, str] = {
    QPalette.ColorRole.Window: "#f4f6f8",
    QPalette.ColorRole.WindowText: "#1d2733",
    QPalette.ColorRole.Base: "#ffffff",
    QPalette.ColorRole.AlternateBase: "#f7f9fb",
    QPalette.ColorRole.Text: "#1d2733",
    QPalette.ColorRole.PlaceholderText: "#7d8b98",
    QPalette.ColorRole.Button: "#f7f9fb",
    QPalette.ColorRole.ButtonText: "#1d2733",
    QPalette.ColorRole.Highlight: "#1b6a8a",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.ToolTipBase: "#1d2733",
    QPalette.ColorRole.ToolTipText: "#ffffff",
    QPalette.ColorRole.Link: "#1b6a8a",
    QPalette.ColorRole.Mid: "#c4cdd6",
}


def build_palette() -> QPalette:
    palette = QPalette()
    for role, colour in _PALETTE.items():
        palette.setColor(role, QColor(colour))
    disabled = QColor("#8a96a3")
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return palette


def apply_style(app: QApplication) -> None:
    app.setStyle("Fusion")
    app.setPalette(build_palette())
    font = QFont(app.font())
    if font.pointSizeF() < MIN_POINT_SIZE:
        font.setPointSizeF(MIN_POINT_SIZE)
    app.setFont(font)
    app.setStyleSheet(load_style_sheet())


def load_style_sheet() -> str:
    """`style.qss` with `{resources}` replaced by the resources folder (for its images)."""
    sheet = resource_path("style.qss").read_text(encoding="utf-8")
    folder = resource_path("chevron-down.svg").parent.as_posix()
    return sheet.replace("{resources}", folder)
