"""Separates a pigmented skin lesion from the surrounding skin in a photo (OpenCV).

Otsu's threshold on the smoothed CIELAB lightness (lesions are darker than skin), morphological
clean-up, then the connected component that is largest and nearest the centre, holes filled.
Returns the mask and the outer contour; refuses images where no plausible lesion separates.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from clinic_app.imaging.errors import ImagingError

MAX_SIDE = 1024
MIN_AREA_FRACTION = 0.002
MAX_AREA_FRACTION = 0.85


class SegmentationError(ImagingError):
    pass


@dataclass(frozen=True, eq=False)
class Segmentation:
    """`mask` (uint8 0/255) and `contour` ((n, 2) x, y points) in the analysed image's pixels;
    `scale` = analysed size / original size (≤ 1: large photos are reduced first)."""

    rgb: NDArray[np.uint8]
    mask: NDArray[np.uint8]
    contour: NDArray[np.int32]
    scale: float

    @property
    def area_px(self) -> int:
        return int(np.count_nonzero(self.mask))

    def contour_in_original(self) -> list[tuple[int, int]]:
        points = np.rint(self.contour / self.scale).astype(int)
        return [(int(x), int(y)) for x, y in points]


def reduce(rgb: NDArray[np.uint8], max_side: int = MAX_SIDE) -> tuple[NDArray[np.uint8], float]:
    side = max(rgb.shape[:2])
    if side <= max_side:
        return rgb, 1.0
    scale = max_side / side
    size = (round(rgb.shape[1] * scale), round(rgb.shape[0] * scale))
    return np.asarray(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)), scale


def lightness(rgb: NDArray[np.uint8]) -> NDArray[np.uint8]:
    return np.asarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)[..., 0])


def _pick_component(mask: NDArray[np.uint8]) -> NDArray[np.uint8]:
    count, labels, stats, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    height, width = mask.shape
    centre = np.array([width / 2, height / 2])
    diagonal = float(np.hypot(width, height))
    best, best_score = 0, 0.0
    for index in range(1, count):
        area = float(stats[index, cv2.CC_STAT_AREA])
        if area < MIN_AREA_FRACTION * height * width:
            continue
        distance = float(np.linalg.norm(centroids[index] - centre)) / diagonal
        x, y, w, h = stats[index, :4]
        touches = x == 0 or y == 0 or x + w == width or y + h == height
        score = area * (1.0 - distance) * (0.25 if touches else 1.0)
        if score > best_score:
            best, best_score = index, score
    if best == 0:
        raise SegmentationError(
            "No lesion could be separated from the skin in this photo (too small or no "
            "contrast). Take a closer, evenly lit photo with the lesion in the centre."
        )
    return np.where(labels == best, 255, 0).astype(np.uint8)


def segment_lesion(rgb: NDArray[np.uint8]) -> Segmentation:
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError("segment_lesion takes an 8-bit RGB image")
    small, scale = reduce(rgb)
    height, width = small.shape[:2]
    sigma = max(1.0, min(height, width) / 200)
    smooth = cv2.GaussianBlur(lightness(small), (0, 0), sigma)
    _threshold, mask = cv2.threshold(smooth, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    radius = max(1, round(min(height, width) / 150))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel)
    component = _pick_component(mask)
    contours, _hierarchy = cv2.findContours(component, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    contour = max(contours, key=cv2.contourArea)
    filled = np.zeros_like(component)
    cv2.drawContours(filled, [contour], -1, 255, thickness=cv2.FILLED)
    if np.count_nonzero(filled) > MAX_AREA_FRACTION * height * width:
        raise SegmentationError(
            "The lesion could not be told apart from the skin (it fills the whole photo). "
            "Include a margin of normal skin around it."
        )
    return Segmentation(small, filled, contour.reshape(-1, 2).astype(np.int32), scale)
