"""Screenshots of the clinical screens, for review by eye: written under the test's temporary
folder and copied to /tmp/clinic_screens/records/. The assertions only check that a real,
non-blank image was rendered; the look is reviewed by a person."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QWidget

REVIEW_FOLDER = Path("/tmp/clinic_screens/records")
WINDOW = (1366, 728)  # a 1366×768 screen less its task bar


def settle() -> None:
    """Lets pending layout requests run, so the picture shows the layout as it now is."""
    QApplication.sendPostedEvents()
    QApplication.processEvents()


def grab_with(window: QWidget, *overlays: QWidget) -> QPixmap:
    """The window with top-level pop-ups (a code picker's list) painted where they are."""
    settle()
    picture = window.grab()
    painter = QPainter(picture)
    for overlay in overlays:
        if overlay.isVisible():
            top_left = window.mapFromGlobal(overlay.mapToGlobal(overlay.rect().topLeft()))
            painter.drawPixmap(top_left, overlay.grab())
    painter.end()
    return picture


def save(picture: QPixmap | QWidget, folder: Path, name: str) -> Path:
    if isinstance(picture, QWidget):
        settle()
        picture = picture.grab()
    path = folder / f"{name}.png"
    assert picture.save(str(path)), f"could not write {path}"
    image = QImage(str(path))
    assert image.width() >= 300
    assert image.height() >= 200
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 37) for y in range(0, image.height(), 29)
    }
    assert len(colours) > 4, "the screen is not blank"
    REVIEW_FOLDER.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, REVIEW_FOLDER / path.name)
    return path
