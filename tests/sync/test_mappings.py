"""Every resource the mappings produce is valid FHIR R4 (fhir.resources R4B models) and comes
back to the same row values; malformed resources are refused with a clear MappingError."""

from __future__ import annotations

import copy
import json

import pytest
from clinic_app.bootstrap import Services
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.base import SyncedRow
from clinic_app.sync.errors import MappingError
from clinic_app.sync.mappings.registry import LOCAL_ONLY, default_registry
from clinic_app.sync.rows import same_content
from fhir.resources.R4B import get_fhir_model_class
from sqlalchemy import select

from tests.sync.clinic_data import seed_clinic

REGISTRY = default_registry()


def _rows(services: Services, table: object) -> list[dict[str, object]]:
    with services.db.unit_of_work(write=False) as uow:
        return [dict(r) for r in uow.session.execute(select(table)).mappings()]


def test_every_synced_table_is_mapped_or_declared_local_only() -> None:
    synced = {m.__tablename__ for m in SyncedRow.__subclasses__()}
    mapped = {m.entity_type for m in REGISTRY.mappings}
    assert synced == mapped | set(LOCAL_ONLY)
    assert not mapped & set(LOCAL_ONLY)


def test_every_row_becomes_valid_fhir_r4_and_comes_back_unchanged(
    services: Services, users: dict[Role, AuthenticatedUser]
) -> None:
    seed_clinic(services, users)
    seen: dict[str, int] = {}
    for mapping in REGISTRY.mappings:
        for row in _rows(services, mapping.table):
            resource = mapping.to_resource(row)
            text = json.dumps(resource)  # plain JSON, nothing Python-only
            model = get_fhir_model_class(resource["resourceType"])
            model.model_validate(json.loads(text))
            assert REGISTRY.for_resource(resource) is mapping
            values = mapping.from_resource(json.loads(text))
            assert same_content(mapping, row, values), mapping.entity_type
            seen[resource["resourceType"]] = seen.get(resource["resourceType"], 0) + 1
    for resource_type in (
        "Patient",
        "Encounter",
        "Observation",
        "Condition",
        "Procedure",
        "DocumentReference",
        "Schedule",
        "Slot",
        "Appointment",
    ):
        assert seen.get(resource_type), resource_type
    assert seen["DocumentReference"] == 4  # record, addendum, annotation, attachment


def _patient(services: Services, users: dict[Role, AuthenticatedUser]) -> dict[str, object]:
    seed_clinic(services, users)
    mapping = REGISTRY.for_table("patients")
    assert mapping is not None
    return mapping.to_resource(_rows(services, mapping.table)[0])


BROKEN = [
    ("no name", lambda r: r.pop("name")),
    ("name not a list", lambda r: r.__setitem__("name", "Ada")),
    ("bad gender", lambda r: r.__setitem__("gender", "robot")),
    ("bad birth date", lambda r: r.__setitem__("birthDate", "1985-13-40")),
    ("future birth date", lambda r: r.__setitem__("birthDate", "2999-01-01")),
    ("number as phone", lambda r: r.__setitem__("telecom", [{"system": "phone", "value": 5}])),
    (
        "huge history",
        lambda r: r.__setitem__(
            "extension",
            [
                {
                    "url": "https://fhir.clinic-app.local/StructureDefinition/history-notes",
                    "valueString": "x" * 30_000,
                }
            ],
        ),
    ),
    ("doctor not a user", lambda r: r.__setitem__("generalPractitioner", [{"display": "Dr X"}])),
    ("wrong type", lambda r: r.__setitem__("resourceType", "Encounter")),
    ("bad id", lambda r: r.__setitem__("id", "../etc/passwd")),
]


@pytest.mark.parametrize(("label", "damage"), BROKEN, ids=[label for label, _ in BROKEN])
def test_a_malformed_patient_is_refused_with_a_reason(
    services: Services, users: dict[Role, AuthenticatedUser], label: str, damage: object
) -> None:
    resource = copy.deepcopy(_patient(services, users))
    damage(resource)  # type: ignore[operator]
    mapping = REGISTRY.for_table("patients")
    assert mapping is not None
    with pytest.raises(MappingError) as caught:
        mapping.from_resource(resource)
    assert str(caught.value)
    assert "Élodie" not in str(caught.value)  # reasons name fields, never values
