"""Named icons for the GUI, drawn from SVG files in `resources/` in any colour.

The SVGs are Material Design Icons (Pictogrammers, Apache License 2.0) exported once from the
font qtawesome ships (`resources/generate_icons.py`); loading qtawesome itself at run time
would cost ~0.6 s and ~30 MB. An icon engine renders each SVG at the size and pixel ratio it
is asked for, so icons stay sharp on high-DPI screens and cost memory only when painted.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QByteArray, QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QIcon, QIconEngine, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from clinic_app.ui.resource_paths import resource_path, resources_dir

ICON_COLOUR = "#3d4f5f"
ACCENT_COLOUR = "#1b6a8a"
ON_ACCENT_COLOUR = "#ffffff"
_DISABLED_OPACITY = 0.4


class SvgIconEngine(QIconEngine):
    """Paints one SVG, tinted, at whatever size a widget asks for (disabled: faded)."""

    def __init__(self, svg: bytes) -> None:
        super().__init__()
        self._svg = svg
        self._renderer = QSvgRenderer(QByteArray(svg))

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if mode == QIcon.Mode.Disabled:
            painter.setOpacity(painter.opacity() * _DISABLED_OPACITY)
        self._renderer.render(painter, QRectF(rect))
        painter.restore()

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        self.paint(painter, QRect(QPoint(0, 0), size), mode, state)
        painter.end()
        return QPixmap.fromImage(image)

    def scaledPixmap(
        self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float
    ) -> QPixmap:
        pixmap = self.pixmap(size * scale, mode, state)
        pixmap.setDevicePixelRatio(scale)
        return pixmap

    def clone(self) -> QIconEngine:
        return SvgIconEngine(self._svg)


@cache
def icon(name: str, colour: str = ICON_COLOUR) -> QIcon:
    svg = resource_path(f"icon-{name}.svg").read_text(encoding="utf-8")
    return QIcon(SvgIconEngine(svg.replace("#000000", colour).encode("utf-8")))


def app_icon() -> QIcon:
    """The application's own icon (scalable, straight from its SVG file)."""
    return QIcon(str(resource_path("app-icon.svg")))


def icon_names() -> list[str]:
    return sorted(path.stem.removeprefix("icon-") for path in resources_dir().glob("icon-*.svg"))
