"""Turns 8-bit pixels into a model's input tensor, as its manifest says: colour order, resize
(OpenCV), scaling, mean/std normalisation and layout. DICOM frames are windowed to 8 bits
first (`eight_bit_frame`), with the file's own window unless one is given."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from clinic_app.imaging.display import DisplayImage
from clinic_app.imaging.model_manifest import Colour, InputSpec, Layout, Resize
from clinic_app.imaging.windowing import Window

_INTERPOLATION = {
    Resize.AREA: cv2.INTER_AREA,
    Resize.LINEAR: cv2.INTER_LINEAR,
    Resize.CUBIC: cv2.INTER_CUBIC,
    Resize.NEAREST: cv2.INTER_NEAREST,
}


def eight_bit_frame(
    image: DisplayImage, frame: int = 0, window: Window | None = None
) -> NDArray[np.uint8]:
    """The frame as the viewer shows it by default: windowed (VOI LUT or window), MONOCHROME1
    inverted, 8 bits; colour frames as they are."""
    return image.render(frame, window)


def _convert_colour(pixels: NDArray[np.uint8], colour: Colour) -> NDArray[np.uint8]:
    grey = pixels.ndim == 2
    if colour is Colour.GRAY:
        return pixels if grey else cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY)
    rgb = cv2.cvtColor(pixels, cv2.COLOR_GRAY2RGB) if grey else pixels
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR) if colour is Colour.BGR else rgb


def resize_to(pixels: NDArray[Any], spec: InputSpec) -> NDArray[Any]:
    if pixels.shape[0] == spec.height and pixels.shape[1] == spec.width:
        return pixels
    return np.asarray(
        cv2.resize(pixels, (spec.width, spec.height), interpolation=_INTERPOLATION[spec.resize])
    )


def preprocess(pixels: NDArray[np.uint8], spec: InputSpec) -> NDArray[np.float32]:
    """One sample (no batch axis): (C, H, W) for NCHW models, (H, W, C) for NHWC.

    `pixels` is 8-bit grey (H, W) or RGB (H, W, 3)."""
    return to_layout(normalised_hwc(pixels, spec), spec)


def normalised_hwc(pixels: NDArray[np.uint8], spec: InputSpec) -> NDArray[np.float32]:
    """Colour-converted, resized and normalised, still (H, W, C)."""
    if pixels.dtype != np.uint8 or pixels.ndim not in (2, 3):
        raise ValueError("preprocess takes 8-bit grey or RGB pixels")
    converted = resize_to(_convert_colour(pixels, spec.colour), spec)
    if converted.ndim == 2:
        converted = converted[:, :, np.newaxis]
    values = converted.astype(np.float32) * np.float32(spec.scale)
    mean = np.asarray(spec.mean, dtype=np.float32)
    std = np.asarray(spec.std, dtype=np.float32)
    if np.any(mean != 0) or np.any(std != 1):
        values = (values - mean) / std
    return np.asarray(values, dtype=np.float32)


def to_layout(hwc: NDArray[np.float32], spec: InputSpec) -> NDArray[np.float32]:
    values = np.transpose(hwc, (2, 0, 1)) if spec.layout is Layout.NCHW else hwc
    return np.ascontiguousarray(values, dtype=np.float32)


def batch_of(samples: Sequence[NDArray[np.float32]]) -> NDArray[np.float32]:
    return np.ascontiguousarray(np.stack(samples), dtype=np.float32)
