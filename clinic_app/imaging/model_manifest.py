"""The model pack manifest (`manifest.json`): what a model is, what it takes, what it says.

    {
      "format": 1,
      "name": "brain-mri-tumour-vgg16", "version": "0.1.1", "title": "…",
      "task": "classification", "modalities": ["MR"],
      "status": "validated" | "research" | "demonstration",
      "model_file": "model.onnx", "sha256": "<64 hex digits of model_file>",
      "input": {"name": "…", "layout": "NHWC" | "NCHW", "height": 240, "width": 240,
                "colour": "RGB" | "BGR" | "GRAY", "resize": "area" | "linear" | "cubic",
                "scale": 0.00392156862745098, "mean": [0, 0, 0], "std": [1, 1, 1]},
      "output": {"name": "…" | null, "kind": "probabilities" | "logits"},
      "labels": [{"id": "glioma", "name": "Glioma", "description": "…"}, …],
      "intended_use": "…", "limitations": "…", "licence": "…", "source": "…"
    }

A pixel p (0–255, after DICOM windowing for DICOM input) becomes (p × scale − mean) / std per
channel, in the manifest's colour order.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from clinic_app.imaging.errors import ModelPackError

MANIFEST_FILE = "manifest.json"
FORMAT = 1
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+-]{0,31}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
MAX_MANIFEST_BYTES = 256 * 1024


class ModelStatus(StrEnum):
    VALIDATED = "validated"
    RESEARCH = "research"
    DEMONSTRATION = "demonstration"


class Layout(StrEnum):
    NCHW = "NCHW"
    NHWC = "NHWC"


class Colour(StrEnum):
    RGB = "RGB"
    BGR = "BGR"
    GRAY = "GRAY"

    @property
    def channels(self) -> int:
        return 1 if self is Colour.GRAY else 3


class Resize(StrEnum):
    AREA = "area"
    LINEAR = "linear"
    CUBIC = "cubic"
    NEAREST = "nearest"


class OutputKind(StrEnum):
    PROBABILITIES = "probabilities"
    LOGITS = "logits"


@dataclass(frozen=True)
class LabelInfo:
    id: str
    name: str
    description: str


@dataclass(frozen=True)
class InputSpec:
    name: str
    layout: Layout
    height: int
    width: int
    colour: Colour
    resize: Resize
    scale: float
    mean: tuple[float, ...]
    std: tuple[float, ...]


@dataclass(frozen=True)
class ModelManifest:
    name: str
    version: str
    title: str
    task: str
    modalities: tuple[str, ...]
    status: ModelStatus
    model_file: str
    sha256: str
    input: InputSpec
    output_name: str | None
    output_kind: OutputKind
    labels: tuple[LabelInfo, ...]
    intended_use: str
    limitations: str
    licence: str
    source: str

    @property
    def label_ids(self) -> tuple[str, ...]:
        return tuple(label.id for label in self.labels)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["input"] = {
            **data["input"],
            "mean": list(self.input.mean),
            "std": list(self.input.std),
        }
        data["output"] = {"name": data.pop("output_name"), "kind": data.pop("output_kind")}
        data["labels"] = [asdict(label) for label in self.labels]
        data["modalities"] = list(self.modalities)
        return {"format": FORMAT, **_plain(data)}


def _plain(value: Any) -> Any:
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _field(data: dict[str, Any], key: str, kind: type, where: str = "") -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ModelPackError(f"The manifest's {where}{key!r} is missing or not a {kind.__name__}.")
    return value


def _text(data: dict[str, Any], key: str, where: str = "", *, limit: int = 4000) -> str:
    value = str(_field(data, key, str, where)).strip()
    if not value or len(value) > limit:
        raise ModelPackError(f"The manifest's {where}{key!r} is empty or too long.")
    return value


def _enum(enum: type[StrEnum], data: dict[str, Any], key: str, where: str = "") -> Any:
    value = _field(data, key, str, where)
    try:
        return enum(value)
    except ValueError as exc:
        allowed = ", ".join(member.value for member in enum)  # type: ignore[attr-defined]
        raise ModelPackError(f"The manifest's {where}{key!r} must be one of: {allowed}.") from exc


def _numbers(data: dict[str, Any], key: str, count: int) -> tuple[float, ...]:
    values = data.get(key, [0.0] * count if key == "mean" else [1.0] * count)
    if (
        not isinstance(values, list)
        or len(values) != count
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    ):
        raise ModelPackError(f"The manifest's input {key!r} must list {count} numbers.")
    if key == "std" and any(v == 0 for v in values):
        raise ModelPackError("The manifest's input 'std' must not contain zero.")
    return tuple(float(v) for v in values)


def _input(data: dict[str, Any]) -> InputSpec:
    colour = _enum(Colour, data, "colour", "input ")
    height, width = _field(data, "height", int, "input "), _field(data, "width", int, "input ")
    if not (8 <= height <= 4096 and 8 <= width <= 4096):
        raise ModelPackError("The manifest's input size must be between 8 and 4096 pixels.")
    scale = data.get("scale", 1.0 / 255.0)
    if not isinstance(scale, int | float) or isinstance(scale, bool) or scale <= 0:
        raise ModelPackError("The manifest's input 'scale' must be a positive number.")
    return InputSpec(
        name=_text(data, "name", "input ", limit=200),
        layout=_enum(Layout, data, "layout", "input "),
        height=height,
        width=width,
        colour=colour,
        resize=_enum(Resize, {"resize": data.get("resize", "area")}, "resize", "input "),
        scale=float(scale),
        mean=_numbers(data, "mean", colour.channels),
        std=_numbers(data, "std", colour.channels),
    )


def _labels(items: Any) -> tuple[LabelInfo, ...]:
    if not isinstance(items, list) or not 2 <= len(items) <= 1000:
        raise ModelPackError("The manifest must list at least two labels.")
    labels = []
    for item in items:
        if not isinstance(item, dict):
            raise ModelPackError("Each manifest label is an object with id, name, description.")
        labels.append(
            LabelInfo(
                id=_text(item, "id", "label ", limit=64),
                name=_text(item, "name", "label ", limit=200),
                description=str(item.get("description") or "").strip()[:2000],
            )
        )
    if len({label.id for label in labels}) != len(labels):
        raise ModelPackError("The manifest's label ids must be unique.")
    return tuple(labels)


def parse_manifest(data: Any) -> ModelManifest:
    if not isinstance(data, dict):
        raise ModelPackError("The manifest is not a JSON object.")
    if data.get("format") != FORMAT:
        raise ModelPackError(f"The manifest's format must be {FORMAT}.")
    name, version = _text(data, "name", limit=64), _text(data, "version", limit=32)
    if not _NAME.match(name):
        raise ModelPackError("The model name must be lower-case letters, digits, '.', '_', '-'.")
    if not _VERSION.match(version):
        raise ModelPackError("The model version must be letters, digits, '.', '+', '-'.")
    sha256 = _text(data, "sha256", limit=64).lower()
    if not _SHA256.match(sha256):
        raise ModelPackError("The manifest's 'sha256' must be 64 hexadecimal digits.")
    model_file = str(data.get("model_file") or "model.onnx")
    if "/" in model_file or "\\" in model_file or not model_file.endswith(".onnx"):
        raise ModelPackError("The manifest's 'model_file' must be an .onnx file in the pack.")
    modalities = data.get("modalities", [])
    if not isinstance(modalities, list) or not all(isinstance(m, str) for m in modalities):
        raise ModelPackError("The manifest's 'modalities' must be a list of modality codes.")
    output = data.get("output") or {}
    if not isinstance(output, dict):
        raise ModelPackError("The manifest's 'output' must be an object.")
    output_name = output.get("name")
    if output_name is not None and not isinstance(output_name, str):
        raise ModelPackError("The manifest's output 'name' must be text.")
    task = _text(data, "task", limit=64)
    if task != "classification":
        raise ModelPackError("Only 'classification' models are supported.")
    return ModelManifest(
        name=name,
        version=version,
        title=_text(data, "title", limit=200),
        task=task,
        modalities=tuple(m.upper()[:16] for m in modalities),
        status=_enum(ModelStatus, data, "status"),
        model_file=model_file,
        sha256=sha256,
        input=_input(_field(data, "input", dict)),
        output_name=output_name,
        output_kind=_enum(OutputKind, {"kind": output.get("kind", "probabilities")}, "kind"),
        labels=_labels(data.get("labels")),
        intended_use=_text(data, "intended_use"),
        limitations=str(data.get("limitations") or "").strip()[:4000],
        licence=_text(data, "licence"),
        source=_text(data, "source"),
    )


def load_manifest(pack_dir: Path) -> ModelManifest:
    path = pack_dir / MANIFEST_FILE
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ModelPackError(f"{pack_dir.name} has no readable {MANIFEST_FILE}.") from exc
    if len(raw) > MAX_MANIFEST_BYTES:
        raise ModelPackError(f"{pack_dir.name}'s {MANIFEST_FILE} is too large.")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelPackError(f"{pack_dir.name}'s {MANIFEST_FILE} is not valid JSON.") from exc
    try:
        return parse_manifest(data)
    except ModelPackError as exc:
        raise ModelPackError(f"{pack_dir.name}: {exc}") from exc


def write_manifest(pack_dir: Path, manifest: ModelManifest) -> None:
    text = json.dumps(manifest.to_json(), indent=2, ensure_ascii=False) + "\n"
    (pack_dir / MANIFEST_FILE).write_text(text, encoding="utf-8")
