"""Which table travels as which resource. A feature adds its resources in its family module
(patient, encounter, document, scheduling, …) and lists them here once.

Tables in `LOCAL_ONLY` are synced rows that stay on the workstation for now: their outbox
entries are cleared by the push with a log line saying so, never silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from clinic_app.sync.errors import MappingError
from clinic_app.sync.mappings.base import TableMapping
from clinic_app.sync.mappings.document import (
    AddendumMapping,
    AnnotationMapping,
    AttachmentMapping,
    ClinicalRecordMapping,
)
from clinic_app.sync.mappings.encounter import CodedEntryMapping, VisitMapping, VitalSignsMapping
from clinic_app.sync.mappings.imaging import InstanceMapping, SeriesMapping, StudyMapping
from clinic_app.sync.mappings.imaging_results import AnalysisMapping, ReviewMapping
from clinic_app.sync.mappings.patient import PatientMapping
from clinic_app.sync.mappings.scheduling import (
    AppointmentMapping,
    DoctorProfileMapping,
    SlotMapping,
)

# table → why it stays local (shown in the sync log).
LOCAL_ONLY: dict[str, str] = {
    "doctor_leave": "leave is applied to the slots, which sync",
    "appointment_status_changes": "the server keeps every version of the appointment",
    "review_assignments": "review work lists are per workstation",
    "triage_assessments": "triage suggestions are per workstation",
}


class MappingRegistry:
    def __init__(self, mappings: Iterable[TableMapping]) -> None:
        self._by_table: dict[str, TableMapping] = {}
        self._by_type: dict[str, list[TableMapping]] = {}
        for mapping in mappings:
            if mapping.entity_type in self._by_table:
                raise ValueError(f"{mapping.entity_type} is mapped twice")
            self._by_table[mapping.entity_type] = mapping
            for resource_type in mapping.resource_types:
                self._by_type.setdefault(resource_type, []).append(mapping)

    @property
    def mappings(self) -> list[TableMapping]:
        return list(self._by_table.values())

    @property
    def resource_types(self) -> set[str]:
        return set(self._by_type)

    def for_table(self, table: str) -> TableMapping | None:
        return self._by_table.get(table)

    def for_type(self, resource_type: str) -> list[TableMapping]:
        """Every table a resource type may come from (a DELETE carries no body to ask)."""
        return list(self._by_type.get(resource_type, ()))

    def for_resource(self, resource: Mapping[str, Any]) -> TableMapping:
        candidates = self._by_type.get(str(resource.get("resourceType")), [])
        for mapping in candidates:
            if mapping.claims(resource):
                return mapping
        raise MappingError(
            f"This workstation does not keep {str(resource.get('resourceType'))[:40]} resources "
            "of this kind."
        )


def default_registry() -> MappingRegistry:
    return MappingRegistry(
        [
            PatientMapping(),
            VisitMapping(),
            VitalSignsMapping(),
            CodedEntryMapping(),
            ClinicalRecordMapping(),
            AddendumMapping(),
            AnnotationMapping(),
            AttachmentMapping(),
            DoctorProfileMapping(),
            SlotMapping(),
            AppointmentMapping(),
            StudyMapping(),
            SeriesMapping(),
            InstanceMapping(),
            AnalysisMapping(),
            ReviewMapping(),
        ]
    )
