"""What an image viewer needs, without Qt: decoded frames, window presets, pixel spacing and
overlay text, plus `render` that turns a frame and a window into 8-bit pixels.

The viewer keeps a `DisplayImage`, lets the user drag window/level (`Window(center, width)`),
pick a preset (`presets`), step through `frame_count` frames, measure with `pixel_spacing`
(`PixelSpacing.distance_mm`), and calls `render(frame, window)` for each repaint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from clinic_app.imaging.dicom_header import DicomHeader, PixelSpacing
from clinic_app.imaging.dicom_reader import DicomImage
from clinic_app.imaging.photo_reader import PhotoImage
from clinic_app.imaging.windowing import (
    VoiLut,
    Window,
    apply_voi_lut_table,
    apply_window,
    auto_window,
    full_range_window,
    presets_for,
)


@dataclass(frozen=True)
class OverlayText:
    """Static text for the four corners; the viewer adds the live window and frame number."""

    top_left: tuple[str, ...] = ()
    top_right: tuple[str, ...] = ()
    bottom_left: tuple[str, ...] = ()
    bottom_right: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class DisplayImage:
    """`frames`: (n, rows, cols) float32 modality values, or (n, rows, cols, 3) uint8 RGB."""

    kind: str  # "dicom" | "photo"
    modality: str
    frames: NDArray[Any]
    invert: bool  # MONOCHROME1: low values white
    default_window: Window | None
    voi_lut: VoiLut | None
    presets: tuple[Window, ...]
    pixel_spacing: PixelSpacing | None
    overlay: OverlayText = field(default_factory=OverlayText)

    @property
    def is_colour(self) -> bool:
        return self.frames.ndim == 4

    @property
    def frame_count(self) -> int:
        return int(self.frames.shape[0])

    @property
    def rows(self) -> int:
        return int(self.frames.shape[1])

    @property
    def columns(self) -> int:
        return int(self.frames.shape[2])

    def frame(self, index: int) -> NDArray[Any]:
        if not 0 <= index < self.frame_count:
            raise IndexError(f"frame {index} of {self.frame_count}")
        return self.frames[index]

    def render(self, index: int = 0, window: Window | None = None) -> NDArray[np.uint8]:
        """8-bit pixels for display: (rows, cols) grey or (rows, cols, 3) RGB.

        With no `window`, the file's own display default is used: its VOI LUT if it has one,
        else its first window, else the 1st–99th percentile of this frame.
        """
        pixels = self.frame(index)
        if self.is_colour:
            return np.asarray(pixels, dtype=np.uint8)
        if window is None:
            if self.voi_lut is not None:
                return apply_voi_lut_table(pixels, self.voi_lut, invert=self.invert)
            window = self.default_window or auto_window(pixels)
        return apply_window(pixels, window, invert=self.invert)


def _join(*parts: object) -> str:
    return " ".join(str(p) for p in parts if p not in (None, ""))


def overlay_for(header: DicomHeader) -> OverlayText:
    patient = header.patient
    name = ", ".join(p for p in (patient.family_name, patient.given_name) if p)
    born = patient.birth_date.isoformat() if patient.birth_date else ""
    study_date = header.study_date.isoformat() if header.study_date else ""
    spacing = header.pixel_spacing
    return OverlayText(
        top_left=tuple(
            t for t in (name, _join("ID", patient.patient_id), _join(born, patient.sex)) if t
        ),
        top_right=tuple(t for t in (header.institution, study_date, header.study_description) if t),
        bottom_left=tuple(
            t
            for t in (
                _join("Se", header.series_number, header.series_description),
                _join("Im", header.instance_number),
                _join("Thk", f"{header.slice_thickness:g} mm" if header.slice_thickness else ""),
                _join("Pos", f"{header.slice_position:.1f}" if header.slice_position else ""),
            )
            if t not in ("Se", "Im", "Thk", "Pos")
        ),
        bottom_right=tuple(
            t
            for t in (
                _join(header.modality, header.body_part),
                f"{header.columns}×{header.rows}",
                f"{spacing.column_mm:.3g}×{spacing.row_mm:.3g} mm/px ({spacing.source})"
                if spacing
                else "",
            )
            if t
        ),
    )


def display_dicom(image: DicomImage) -> DisplayImage:
    header = image.header
    presets: tuple[Window, ...] = header.windows + presets_for(header.modality)
    if not image.is_colour:
        sample = image.frames[0]
        presets = (*presets, full_range_window(sample), auto_window(sample))
    return DisplayImage(
        kind="dicom",
        modality=header.modality,
        frames=image.frames,
        invert=header.is_monochrome1 and not image.is_colour,
        default_window=header.windows[0] if header.windows else None,
        voi_lut=header.voi_lut,
        presets=presets,
        pixel_spacing=header.pixel_spacing,
        overlay=overlay_for(header),
    )


def display_photo(photo: PhotoImage, px_per_mm: float | None = None) -> DisplayImage:
    """A photo; `px_per_mm` from a calibration ruler gives it a pixel spacing."""
    spacing = None
    if px_per_mm is not None and px_per_mm > 0:
        spacing = PixelSpacing(1.0 / px_per_mm, 1.0 / px_per_mm, "calibration")
    return DisplayImage(
        kind="photo",
        modality="XC",
        frames=photo.rgb[np.newaxis],
        invert=False,
        default_window=None,
        voi_lut=None,
        presets=(),
        pixel_spacing=spacing,
        overlay=OverlayText(bottom_right=(photo.format.upper(), f"{photo.columns}×{photo.rows}")),
    )


def calibrate_px_per_mm(p1: tuple[float, float], p2: tuple[float, float], known_mm: float) -> float:
    """Pixels per millimetre from two points on a ruler `known_mm` apart (the viewer's ruler)."""
    if known_mm <= 0:
        raise ValueError("the known length must be positive")
    pixels = float(np.hypot(p2[0] - p1[0], p2[1] - p1[1]))
    if pixels <= 0:
        raise ValueError("the two points must differ")
    return pixels / known_mm
