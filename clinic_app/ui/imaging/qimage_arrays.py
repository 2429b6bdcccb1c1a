"""numpy pixels ↔ QImage. QImage (unlike QPixmap) may be built on a worker thread, so frames
are converted where they are rendered and only turned into pixmaps on the GUI thread."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from PySide6.QtGui import QImage

_FORMATS = {
    1: QImage.Format.Format_Grayscale8,
    3: QImage.Format.Format_RGB888,
    4: QImage.Format.Format_RGBA8888,
}


def qimage_from_array(pixels: NDArray[np.uint8]) -> QImage:
    """A deep copy of (rows, cols) grey, (rows, cols, 3) RGB or (rows, cols, 4) RGBA pixels."""
    array = np.ascontiguousarray(pixels, dtype=np.uint8)
    channels = 1 if array.ndim == 2 else int(array.shape[2])
    if channels not in _FORMATS or array.ndim not in (2, 3):
        raise ValueError(f"can't show pixels of shape {array.shape}")
    rows, columns = int(array.shape[0]), int(array.shape[1])
    image = QImage(array.data, columns, rows, columns * channels, _FORMATS[channels])
    return image.copy()  # owns its memory: the array may go away


def array_from_qimage(image: QImage) -> NDArray[Any]:
    """Grey (rows, cols) for Grayscale8 images, else (rows, cols, 4) RGBA: for checks and tests."""
    if image.format() == QImage.Format.Format_Grayscale8:
        grey = image
        channels = 1
    else:
        grey = image.convertToFormat(QImage.Format.Format_RGBA8888)
        channels = 4
    rows, columns = grey.height(), grey.width()
    buffer = np.frombuffer(grey.constBits(), dtype=np.uint8, count=grey.sizeInBytes())
    lines = buffer.reshape(rows, grey.bytesPerLine())[:, : columns * channels]
    shaped = lines.reshape(rows, columns) if channels == 1 else lines.reshape(rows, columns, 4)
    return shaped.copy()
