"""Named icons for the GUI, drawn from SVG files in `resources/` in any colour.

The SVGs are Material Design Icons (Pictogrammers, Apache License 2.0) exported once from the
font qtawesome ships (`resources/generate_icons.py`); loading qtawesome itself at run time
would cost ~0.6 s and ~30 MB. Each icon is rendered at the usual sizes for the screen's pixel
ratio, so it stays sharp on high-DPI screens.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from clinic_app.ui.resource_paths import resource_path, resources_dir

ICON_COLOUR = "#3d4f5f"
ACCENT_COLOUR = "#1b6a8a"
ON_ACCENT_COLOUR = "#ffffff"
_SIZES = (16, 20, 24, 32, 48, 64)


def _svg(name: str) -> str:
    return resource_path(f"icon-{name}.svg").read_text(encoding="utf-8")


def _render(renderer: QSvgRenderer, size: int, ratio: float) -> QPixmap:
    pixels = max(1, round(size * ratio))
    image = QImage(pixels, pixels, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, pixels, pixels))
    painter.end()
    pixmap = QPixmap.fromImage(image)
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


@cache
def icon(name: str, colour: str = ICON_COLOUR) -> QIcon:
    renderer = QSvgRenderer(QByteArray(_svg(name).replace("#000000", colour).encode("utf-8")))
    screen = QGuiApplication.primaryScreen()
    ratio = screen.devicePixelRatio() if screen is not None else 1.0
    result = QIcon()
    for size in _SIZES:
        result.addPixmap(_render(renderer, size, ratio))
    return result


def app_icon() -> QIcon:
    """The application's own icon (scalable, straight from its SVG file)."""
    return QIcon(str(resource_path("app-icon.svg")))


def icon_names() -> list[str]:
    return sorted(path.stem.removeprefix("icon-") for path in resources_dir().glob("icon-*.svg"))
