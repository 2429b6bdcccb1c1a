"""Grey-level display: window/level (DICOM VOI), VOI lookup tables, MONOCHROME1 inversion and
the window presets offered per modality.

The formulas are DICOM PS3.3 C.11.2.1.2 (LINEAR, LINEAR_EXACT, SIGMOID) with an 8-bit output
range [0, 255]; results are rounded to the nearest integer (half to even). Input values are
modality values (after the modality LUT: Hounsfield units for CT).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

OUT_MAX = 255.0


class VoiFunction(StrEnum):
    LINEAR = "LINEAR"
    LINEAR_EXACT = "LINEAR_EXACT"
    SIGMOID = "SIGMOID"

    @classmethod
    def parse(cls, value: object) -> VoiFunction:
        text = str(value or "").strip().upper()
        return cls(text) if text in cls.__members__ else cls.LINEAR


@dataclass(frozen=True)
class Window:
    """A window: `center` (level) and `width` in modality units."""

    center: float
    width: float
    name: str = ""
    function: VoiFunction = VoiFunction.LINEAR

    @property
    def low(self) -> float:
        return self.center - self.width / 2

    @property
    def high(self) -> float:
        return self.center + self.width / 2


@dataclass(frozen=True, eq=False)
class VoiLut:
    """A VOI LUT from the file (VOI LUT Sequence): `data[i]` is the output for input
    `first_mapped + i`; inputs outside the table take its first or last entry."""

    first_mapped: int
    bits: int
    data: NDArray[np.uint16]
    name: str = ""


# Widely used CT presets (centre, width) in Hounsfield units.
CT_PRESETS: tuple[Window, ...] = (
    Window(40, 80, "Brain"),
    Window(75, 215, "Subdural"),
    Window(40, 40, "Stroke"),
    Window(50, 400, "Soft tissue"),
    Window(40, 400, "Abdomen"),
    Window(30, 150, "Liver"),
    Window(50, 350, "Mediastinum"),
    Window(-600, 1500, "Lung"),
    Window(400, 1800, "Bone"),
    Window(600, 2800, "Temporal bone"),
)

# Modalities without absolute units (MR, CR, DX, US, …) get windows derived from the data.
MODALITY_PRESETS: dict[str, tuple[Window, ...]] = {"CT": CT_PRESETS}


def presets_for(modality: str) -> tuple[Window, ...]:
    return MODALITY_PRESETS.get(modality.upper(), ())


def full_range_window(values: NDArray[np.generic]) -> Window:
    low, high = float(np.min(values)), float(np.max(values))
    return Window((low + high) / 2, max(high - low, 1.0), "Full range")


def auto_window(
    values: NDArray[np.generic], low_pct: float = 1.0, high_pct: float = 99.0
) -> Window:
    """The window spanning the 1st to 99th percentile: robust to a few outliers."""
    low, high = (float(v) for v in np.percentile(values, [low_pct, high_pct]))
    if high <= low:
        return full_range_window(values)
    return Window((low + high) / 2, high - low, "Auto")


def apply_window(
    values: NDArray[np.generic], window: Window, *, invert: bool = False
) -> NDArray[np.uint8]:
    x = np.asarray(values, dtype=np.float64)
    c, w = window.center, window.width
    if window.function is VoiFunction.SIGMOID:
        y = OUT_MAX / (1.0 + np.exp(-4.0 * (x - c) / max(w, 1e-9)))
    elif window.function is VoiFunction.LINEAR_EXACT:
        w = max(w, 1e-9)
        y = np.clip(((x - c) / w + 0.5) * OUT_MAX, 0.0, OUT_MAX)
    else:
        w = max(w, 1.0)  # LINEAR requires width >= 1
        if w == 1.0:
            y = np.where(x > c - 0.5, OUT_MAX, 0.0)
        else:
            y = np.clip(((x - (c - 0.5)) / (w - 1.0) + 0.5) * OUT_MAX, 0.0, OUT_MAX)
    out = np.rint(y).astype(np.uint8)
    return invert_grey(out) if invert else out


def apply_voi_lut_table(
    values: NDArray[np.generic], lut: VoiLut, *, invert: bool = False
) -> NDArray[np.uint8]:
    index = np.clip(
        np.rint(np.asarray(values, dtype=np.float64)) - lut.first_mapped, 0, len(lut.data) - 1
    ).astype(np.intp)
    top = float(max(int(lut.data.max()), 1)) if lut.bits > 16 else float((1 << lut.bits) - 1)
    y = lut.data[index].astype(np.float64) * (OUT_MAX / top)
    out = np.rint(np.clip(y, 0.0, OUT_MAX)).astype(np.uint8)
    return invert_grey(out) if invert else out


def invert_grey(values: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """MONOCHROME1: the lowest value is shown white."""
    return np.subtract(np.uint8(255), values, dtype=np.uint8)
