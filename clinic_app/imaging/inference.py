"""Runs a classification model on 8-bit images: manifest-driven preprocessing, batches, progress
and cancel between batches. Pure compute: no database, no Qt (the UI runs it on its compute
lane; the CLI calls it directly)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from clinic_app.imaging.errors import InferenceError
from clinic_app.imaging.model_manifest import ModelManifest, OutputKind
from clinic_app.imaging.model_registry import LoadedModel
from clinic_app.imaging.preprocessing import batch_of, preprocess
from clinic_app.tasks import CancelToken, NullProgress, ProgressReporter

DEFAULT_BATCH = 8
DECISION_SUPPORT = "Decision support only, not a diagnosis: a clinician must review it."


@dataclass(frozen=True)
class ModelInfo:
    """Who answered: carried by every result."""

    name: str
    version: str
    sha256: str
    status: str
    title: str

    @classmethod
    def of(cls, manifest: ModelManifest) -> ModelInfo:
        return cls(
            manifest.name, manifest.version, manifest.sha256, manifest.status.value, manifest.title
        )


@dataclass(frozen=True)
class Prediction:
    probabilities: dict[str, float]  # label id -> probability in [0, 1], in the manifest's order
    top_label: str
    top_probability: float


def decision_support_label(model: ModelInfo, confidence: float | None) -> str:
    """The line every result shows beside its numbers."""
    shown = f", confidence {confidence * 100:.0f}%" if confidence is not None else ""
    return f"{DECISION_SUPPORT} Model {model.name} {model.version} ({model.status}){shown}."


def _softmax(logits: NDArray[np.float32]) -> NDArray[np.float32]:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return np.asarray(exp / exp.sum(axis=1, keepdims=True), dtype=np.float32)


def run_batch(model: LoadedModel, batch: NDArray[np.float32]) -> NDArray[np.float32]:
    """Raw class probabilities for a preprocessed batch, shape (N, labels)."""
    manifest = model.pack.manifest
    try:
        outputs = model.session.run(
            [model.output_name] if model.output_name else None, {model.input_name: batch}
        )
    except Exception as exc:
        raise InferenceError(f"The model {manifest.name} failed on this input ({exc}).") from exc
    scores = np.asarray(outputs[0], dtype=np.float32)
    if scores.ndim != 2 or scores.shape != (batch.shape[0], len(manifest.labels)):
        raise InferenceError(
            f"The model {manifest.name} returned shape {scores.shape}; its manifest lists "
            f"{len(manifest.labels)} labels."
        )
    if manifest.output_kind is OutputKind.LOGITS:
        scores = _softmax(scores)
    return scores


def to_prediction(manifest: ModelManifest, scores: NDArray[np.float32]) -> Prediction:
    labels = manifest.label_ids
    top = int(np.argmax(scores))
    return Prediction(
        probabilities={label: float(scores[i]) for i, label in enumerate(labels)},
        top_label=labels[top],
        top_probability=float(scores[top]),
    )


def classify(
    model: LoadedModel,
    images: Sequence[NDArray[np.uint8]],
    *,
    batch_size: int = DEFAULT_BATCH,
    progress: ProgressReporter | None = None,
    cancel: CancelToken | None = None,
) -> list[Prediction]:
    """One prediction per 8-bit image (grey or RGB), run in batches of `batch_size`."""
    progress = progress or NullProgress()
    manifest = model.pack.manifest
    total = len(images)
    predictions: list[Prediction] = []
    progress.report(0, total, f"Running {manifest.name}")
    for start in range(0, total, max(batch_size, 1)):
        if cancel is not None:
            cancel.raise_if_cancelled()
        chunk = images[start : start + batch_size]
        scores = run_batch(model, batch_of([preprocess(image, manifest.input) for image in chunk]))
        predictions += [to_prediction(manifest, row) for row in scores]
        progress.report(len(predictions), total, f"Running {manifest.name}")
    return predictions
