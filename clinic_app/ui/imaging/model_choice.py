"""The models the AI panel offers: the registry's trusted packs, the packs it refused (shown
with the registry's reason, never run), and the built-in ABCD rule for skin photos."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from clinic_app.imaging.analysis_rows import ABCD_MODEL
from clinic_app.imaging.model_registry import ModelPack, RefusedPack

CLASSIFICATION = "classification"
ABCD = "abcd"


@dataclass(frozen=True)
class ModelChoice:
    name: str
    version: str
    title: str
    status: str  # validated | research | demonstration ("" when refused)
    kind: str  # classification | abcd
    modalities: tuple[str, ...]
    intended_use: str
    refused_reason: str = ""

    @property
    def usable(self) -> bool:
        return not self.refused_reason

    @property
    def runs_on_series(self) -> bool:
        return self.usable and self.kind == CLASSIFICATION


ABCD_CHOICE = ModelChoice(
    name=ABCD_MODEL.name,
    version=ABCD_MODEL.version,
    title="Skin lesion: ABCD rule of dermoscopy",
    status=ABCD_MODEL.status,
    kind=ABCD,
    modalities=("XC",),
    intended_use=(
        "Colour photos of one skin lesion. Measures asymmetry, border and colours on an "
        "automatic outline; D (differential structures) is your count."
    ),
)


def model_choices(packs: Sequence[ModelPack], refused: Sequence[RefusedPack]) -> list[ModelChoice]:
    choices = [
        ModelChoice(
            name=pack.manifest.name,
            version=pack.manifest.version,
            title=pack.manifest.title,
            status=pack.manifest.status.value,
            kind=CLASSIFICATION,
            modalities=pack.manifest.modalities,
            intended_use=pack.manifest.intended_use,
        )
        for pack in packs
        if pack.manifest.task == CLASSIFICATION
    ]
    choices.append(ABCD_CHOICE)
    choices += [
        ModelChoice(
            name=item.path.name,
            version="",
            title=item.path.name,
            status="",
            kind=CLASSIFICATION,
            modalities=(),
            intended_use="",
            refused_reason=item.reason,
        )
        for item in refused
    ]
    return choices
