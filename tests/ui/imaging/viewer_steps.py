"""Steps the imaging GUI tests share: make test images, open a patient on the page, drag on
the canvas with real mouse events, read the pixels on screen."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pydicom
from clinic_app.ui.imaging.image_canvas import ImageCanvas
from clinic_app.ui.imaging.imaging_page import ImagingPage
from clinic_app.ui.imaging.qimage_arrays import array_from_qimage
from numpy.typing import NDArray
from pydicom.uid import generate_uid
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.imaging.conftest import shipped

WAIT_MS = 10_000


def open_patient(qtbot: QtBot, page: ImagingPage, patient_id: str) -> None:
    """Opens the patient and waits for the first frame of the first series."""
    with qtbot.waitSignals([page.patient_loaded, page.viewer.frame_shown], timeout=WAIT_MS):
        assert page.open_item(patient_id)


def make_stack(folder: Path, count: int) -> list[Path]:
    """`count` slices of one MR series (pydicom's MR_small.dcm, each a little brighter), saved
    in reverse order so the viewer must sort them by position."""
    source = shipped("MR_small.dcm")
    base = pydicom.dcmread(source).pixel_array.astype(np.float32)
    series, study = generate_uid(), generate_uid()
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in reversed(range(count)):
        ds = pydicom.dcmread(source)
        ds.PixelData = np.clip(base * (1 + 0.25 * index), 0, 32767).astype(np.int16).tobytes()
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.SeriesInstanceUID, ds.StudyInstanceUID = series, study
        ds.InstanceNumber = index + 1
        ds.ImagePositionPatient = [0.0, 0.0, float(index) * 5]
        path = folder / f"slice{index}.dcm"
        ds.save_as(path)
        paths.append(path)
    return paths


def bright_corner_photo(folder: Path, side: int = 96) -> Path:
    """A photo whose top-left quadrant is bright: the quadrant test model says "bright"."""
    image = np.full((side, side, 3), 30, dtype=np.uint8)
    image[: side // 2, : side // 2] = 230
    path = folder / "bright.png"
    cv2.imwrite(str(path), image)
    return path


def _send(canvas: ImageCanvas, kind: QEvent.Type, at: QPoint, button: Qt.MouseButton) -> None:
    buttons = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseButtonRelease else button
    event = QMouseEvent(
        kind,
        QPointF(at),
        QPointF(canvas.viewport().mapToGlobal(at)),
        button if kind != QEvent.Type.MouseMove else Qt.MouseButton.NoButton,
        buttons,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(canvas.viewport(), event)


def ctrl_wheel(canvas: ImageCanvas, notches: int) -> None:
    """Turns the wheel over the image with Ctrl held (positive: away from the user)."""
    at = QPointF(canvas.viewport().rect().center())
    event = QWheelEvent(
        at,
        QPointF(canvas.viewport().mapToGlobal(at.toPoint())),
        QPoint(),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.ControlModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(canvas.viewport(), event)


def drag_on_screen(
    canvas: ImageCanvas,
    start: QPoint,
    end: QPoint,
    button: Qt.MouseButton = Qt.MouseButton.LeftButton,
    steps: int = 4,
) -> None:
    _send(canvas, QEvent.Type.MouseButtonPress, start, button)
    for step in range(1, steps + 1):
        point = start + (end - start) * (step / steps)
        _send(canvas, QEvent.Type.MouseMove, point, button)
    _send(canvas, QEvent.Type.MouseButtonRelease, end, button)


def drag_on_image(
    canvas: ImageCanvas,
    start: tuple[float, float],
    end: tuple[float, float],
    button: Qt.MouseButton = Qt.MouseButton.LeftButton,
) -> None:
    """A drag between two image points (x, y) in pixels."""
    drag_on_screen(
        canvas,
        canvas.mapFromScene(QPointF(*start)),
        canvas.mapFromScene(QPointF(*end)),
        button,
    )


def viewport_pixel(canvas: ImageCanvas, image_point: tuple[float, float]) -> tuple[int, ...]:
    """The colour on screen (R, G, B) where an image point is drawn."""
    picture = canvas.viewport().grab().toImage()
    at = canvas.mapFromScene(QPointF(*image_point))
    ratio = picture.devicePixelRatio()
    colour = picture.pixelColor(int(at.x() * ratio), int(at.y() * ratio))
    return colour.red(), colour.green(), colour.blue()


def shown_pixels(page: ImagingPage, colour: bool = False) -> NDArray[np.uint8]:
    """The pixels of the picture on the canvas: grey (rows, cols) or RGB (rows, cols, 3)."""
    pixmap = page.viewer_view.canvas.image_item.pixmap()
    assert not pixmap.isNull()
    pixels = array_from_qimage(pixmap.toImage())
    if pixels.ndim == 2:
        return pixels
    return pixels[..., :3] if colour else pixels[..., 0]
