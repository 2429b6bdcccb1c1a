"""Occlusion sensitivity: which parts of the image the model's answer depends on.

Model-agnostic (Zeiler & Fergus 2014): the model input is divided into a grid; each cell in
turn is replaced by the image's mean value and the model is run again. A cell's value is how
much the probability of the explained label drops when that cell is hidden (negative: hiding it
made the label more likely). Costs grid² extra inferences, batched.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from clinic_app.imaging.inference import run_batch
from clinic_app.imaging.model_registry import LoadedModel
from clinic_app.imaging.preprocessing import batch_of, normalised_hwc, to_layout
from clinic_app.tasks import CancelToken, NullProgress, ProgressReporter

DEFAULT_GRID = 7
MAX_GRID = 32


@dataclass(frozen=True, eq=False)
class Heatmap:
    """`drops[r, c]`: fall in the label's probability when grid cell (r, c) is hidden."""

    label: str
    baseline: float
    drops: NDArray[np.float32]

    @property
    def grid(self) -> int:
        return int(self.drops.shape[0])

    def normalised(self) -> NDArray[np.float32]:
        """Positive drops scaled to [0, 1] (all zeros when nothing mattered)."""
        positive = np.clip(self.drops, 0.0, None)
        top = float(positive.max())
        return (positive / top if top > 0 else positive).astype(np.float32)

    def to_json(self) -> dict[str, object]:
        return {
            "label": self.label,
            "baseline": self.baseline,
            "drops": [[round(float(v), 6) for v in row] for row in self.drops],
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Heatmap:
        drops = np.asarray(data["drops"], dtype=np.float32)
        return cls(str(data["label"]), float(data["baseline"]), drops)  # type: ignore[arg-type]


def occlusion_heatmap(
    model: LoadedModel,
    pixels: NDArray[np.uint8],
    *,
    label: str | None = None,
    grid: int = DEFAULT_GRID,
    batch_size: int = 8,
    progress: ProgressReporter | None = None,
    cancel: CancelToken | None = None,
) -> Heatmap:
    """Explains `label` (default: the top label) for one 8-bit image."""
    if not 1 <= grid <= MAX_GRID:
        raise ValueError(f"grid must be 1..{MAX_GRID}")
    progress = progress or NullProgress()
    spec = model.pack.manifest.input
    labels = model.pack.manifest.label_ids
    hwc = normalised_hwc(pixels, spec)
    scores = run_batch(model, batch_of([to_layout(hwc, spec)]))[0]
    index = labels.index(label) if label is not None else int(np.argmax(scores))
    baseline = float(scores[index])
    fill = hwc.mean(axis=(0, 1))
    height, width = hwc.shape[:2]
    rows = np.linspace(0, height, grid + 1).round().astype(int)
    cols = np.linspace(0, width, grid + 1).round().astype(int)
    cells = [(r, c) for r in range(grid) for c in range(grid)]
    drops = np.zeros((grid, grid), dtype=np.float32)
    total = len(cells)
    for start in range(0, total, max(batch_size, 1)):
        if cancel is not None:
            cancel.raise_if_cancelled()
        chunk = cells[start : start + batch_size]
        samples = []
        for r, c in chunk:
            occluded = hwc.copy()
            occluded[rows[r] : rows[r + 1], cols[c] : cols[c + 1], :] = fill
            samples.append(to_layout(occluded, spec))
        occluded_scores = run_batch(model, batch_of(samples))
        for (r, c), row in zip(chunk, occluded_scores, strict=True):
            drops[r, c] = baseline - float(row[index])
        progress.report(min(start + len(chunk), total), total, "Explaining the result")
    return Heatmap(labels[index], baseline, drops)


def heatmap_image(heatmap: Heatmap, rows: int, columns: int) -> NDArray[np.float32]:
    """The normalised heatmap upsampled (bilinear) to an image's size, values in [0, 1]."""
    small = heatmap.normalised()
    big = cv2.resize(small, (columns, rows), interpolation=cv2.INTER_LINEAR)
    return np.clip(np.asarray(big, dtype=np.float32), 0.0, 1.0)


def heatmap_overlay_rgba(
    heatmap: Heatmap, rows: int, columns: int, opacity: float = 0.5
) -> NDArray[np.uint8]:
    """An RGBA layer (jet colours, alpha = opacity × importance) for the viewer to draw on top."""
    values = heatmap_image(heatmap, rows, columns)
    colours = cv2.applyColorMap(np.rint(values * 255).astype(np.uint8), cv2.COLORMAP_JET)
    rgba = np.empty((rows, columns, 4), dtype=np.uint8)
    rgba[..., :3] = cv2.cvtColor(colours, cv2.COLOR_BGR2RGB)
    rgba[..., 3] = np.rint(np.clip(opacity, 0.0, 1.0) * values * 255).astype(np.uint8)
    return rgba
