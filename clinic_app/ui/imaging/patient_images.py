"""Everything the imaging page shows for one patient, read in one go on the database lane:
the patient, their studies' series with the instances in stack order, and the AI results."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from clinic_app.imaging.summaries import (
    AnalysisResult,
    InstanceSummary,
    SeriesSummary,
    StudySummary,
)
from clinic_app.patients.models import PatientSummary
from clinic_app.security.permissions import Action

if TYPE_CHECKING:
    from clinic_app.bootstrap import Services
    from clinic_app.security.users import AuthenticatedUser


@dataclass(frozen=True)
class SeriesEntry:
    study: StudySummary
    series: SeriesSummary
    instances: tuple[InstanceSummary, ...]

    @property
    def frame_count(self) -> int:
        return sum(max(instance.frames, 1) for instance in self.instances)

    @property
    def is_photo(self) -> bool:
        return self.study.source == "photo"

    def positions(self) -> list[tuple[InstanceSummary, int]]:
        """Every (instance, frame) of the series in viewing order: a stack's slices one
        after another, a multi-frame image's frames in order."""
        return [
            (instance, frame)
            for instance in self.instances
            for frame in range(max(instance.frames, 1))
        ]


@dataclass(frozen=True)
class PatientImages:
    patient: PatientSummary
    entries: tuple[SeriesEntry, ...]
    results: tuple[AnalysisResult, ...]

    def entry_of_instance(self, instance_id: str) -> SeriesEntry | None:
        for entry in self.entries:
            if any(instance.id == instance_id for instance in entry.instances):
                return entry
        return None


def load_patient_images(
    services: Services, user: AuthenticatedUser, patient_id: str
) -> PatientImages:
    """Runs on a worker thread: service calls only."""
    patient = services.patients.get(user, patient_id).summary
    entries = []
    for study in services.imaging.studies(user, patient_id):
        for series in services.imaging.series(user, study.id):
            instances = tuple(services.imaging.instances(user, series.id))
            if instances:
                entries.append(SeriesEntry(study, series, instances))
    results: tuple[AnalysisResult, ...] = ()
    if user.can(Action.IMAGING_VIEW):
        results = tuple(services.analyses.for_patient(user, patient_id))
    return PatientImages(patient, tuple(entries), results)
