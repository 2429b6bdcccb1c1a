"""Small pictures for the series list: one frame of a series, as the viewer shows it by default
(its window, VOI LUT, MONOCHROME1 inversion), shrunk to fit a square, aspect kept."""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

from clinic_app.imaging.display import DisplayImage

DEFAULT_SIZE = 64
MAX_SIZE = 512


def middle_frame(frame_count: int) -> int:
    return max(frame_count, 1) // 2 if frame_count > 1 else 0


def thumbnail_pixels(
    image: DisplayImage, frame: int | None = None, size: int = DEFAULT_SIZE
) -> NDArray[np.uint8]:
    """8-bit grey (h, w) or RGB (h, w, 3), the longer side `size` pixels (never enlarged).
    `frame` None: the middle frame. Raises ValueError for a size or frame out of range."""
    if not 1 <= size <= MAX_SIZE:
        raise ValueError(f"a thumbnail is 1 to {MAX_SIZE} pixels across, not {size}")
    index = middle_frame(image.frame_count) if frame is None else frame
    if not 0 <= index < image.frame_count:
        raise ValueError(f"frame {index} of an image with {image.frame_count} frame(s)")
    pixels = image.render(index)
    rows, columns = pixels.shape[:2]
    scale = min(size / max(rows, columns), 1.0)
    if scale >= 1.0:
        return np.ascontiguousarray(pixels)
    target = (max(1, round(columns * scale)), max(1, round(rows * scale)))
    # INTER_AREA averages the pixels a thumbnail pixel covers: no aliasing on a 512² CT.
    return np.ascontiguousarray(cv2.resize(pixels, target, interpolation=cv2.INTER_AREA))
