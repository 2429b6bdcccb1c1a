"""Analysing a file without storing anything (the CLI's `clinic imaging analyze`, scripted
checks): read it, run a model pack or the ABCD rule, return plain values."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clinic_app.imaging.abcd import analyse_lesion
from clinic_app.imaging.analysis_rows import ABCD_MODEL
from clinic_app.imaging.dicom_reader import looks_like_dicom, read_dicom
from clinic_app.imaging.display import DisplayImage, display_dicom, display_photo
from clinic_app.imaging.errors import ImagingError, UnreadableImageError
from clinic_app.imaging.heatmap import occlusion_heatmap
from clinic_app.imaging.inference import ModelInfo, classify, decision_support_label
from clinic_app.imaging.model_registry import ModelRegistry
from clinic_app.imaging.photo_reader import read_photo
from clinic_app.tasks import CancelToken, ProgressReporter

ABCD = "abcd"


@dataclass(frozen=True)
class FileAnalysis:
    file: str
    task: str
    model: ModelInfo
    decision_support: str
    top_label: str | None = None
    top_label_name: str | None = None
    top_probability: float | None = None
    probabilities: dict[str, float] | None = None
    label_names: dict[str, str] | None = None
    heatmap: dict[str, Any] | None = None
    measurements: dict[str, Any] | None = None


def load_file(path: Path, px_per_mm: float | None = None) -> DisplayImage:
    try:
        with path.open("rb") as handle:
            head = handle.read(132)
    except OSError as exc:
        raise UnreadableImageError(f"{path.name} could not be opened ({exc.strerror}).") from exc
    if looks_like_dicom(head):
        return display_dicom(read_dicom(path))
    return display_photo(read_photo(path), px_per_mm)


def analyze_file(
    registry: ModelRegistry,
    path: Path,
    model_name: str,
    *,
    frame: int = 0,
    heatmap_grid: int = 0,
    progress: ProgressReporter | None = None,
    cancel: CancelToken | None = None,
) -> FileAnalysis:
    image = load_file(path)
    if not 0 <= frame < image.frame_count:
        raise ImagingError(f"{path.name} has {image.frame_count} frame(s); no frame {frame}.")
    model = registry.load(model_name)
    pixels = image.render(frame)
    prediction = classify(model, [pixels], progress=progress, cancel=cancel)[0]
    manifest = model.pack.manifest
    names = {label.id: label.name for label in manifest.labels}
    info = ModelInfo.of(manifest)
    heatmap = None
    if heatmap_grid:
        heatmap = occlusion_heatmap(
            model, pixels, grid=heatmap_grid, progress=progress, cancel=cancel
        ).to_json()
    return FileAnalysis(
        file=path.name,
        task=manifest.task,
        model=info,
        decision_support=decision_support_label(info, prediction.top_probability),
        top_label=prediction.top_label,
        top_label_name=names[prediction.top_label],
        top_probability=prediction.top_probability,
        probabilities=prediction.probabilities,
        label_names=names,
        heatmap=heatmap,
    )


def analyze_lesion_file(
    path: Path, *, px_per_mm: float | None = None, differential_structures: int | None = None
) -> FileAnalysis:
    image = load_file(path, px_per_mm)
    if not image.is_colour:
        raise ImagingError(f"{path.name} is not a colour photo; the ABCD rule needs one.")
    result = analyse_lesion(
        image.render(0), px_per_mm=px_per_mm, differential_structures=differential_structures
    )
    return FileAnalysis(
        file=path.name,
        task=ABCD,
        model=ABCD_MODEL,
        decision_support=result.note,
        top_label=result.category,
        measurements=dataclasses.asdict(result),
    )
