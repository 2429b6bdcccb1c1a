"""patients ↔ Patient.

Demographics are standard elements (name, gender, birthDate, telecom, address, identifiers);
allergies and history notes travel as extensions. A pulled patient goes through the patients
feature's own validation, which also gives the search columns (folds, phone digits).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, ClassVar

from clinic_app.errors import ValidationError
from clinic_app.patients.models import PatientInput
from clinic_app.patients.tables import PatientRow
from clinic_app.patients.validation import fold, validate_patient
from clinic_app.security.permissions import Action
from clinic_app.sync.errors import MappingError
from clinic_app.sync.fhir_values import (
    MRN_SYSTEM,
    NATIONAL_ID_SYSTEM,
    extension_value,
    extensions,
    parse_date,
    user_id_of,
    user_reference,
)
from clinic_app.sync.mappings.base import TableMapping, Values, text_or_none

_MR_TYPE = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]}
_NATIONAL_TYPE = {
    "coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "NI"}]
}
_GENDERS = ("female", "male", "other", "unknown")
# The demographics (not the clinical notes) are what two desks may edit at once.
DEMOGRAPHIC_FIELDS = (
    "given_name",
    "family_name",
    "other_names",
    "sex",
    "birth_date",
    "phone",
    "email",
    "address",
    "mrn",
    "national_id",
    "primary_doctor_id",
)


class PatientMapping(TableMapping):
    row_class = PatientRow
    resource_types = ("Patient",)
    defaults = ("Patient",)
    fields: ClassVar[tuple[str, ...]] = (*DEMOGRAPHIC_FIELDS, "allergies", "history_notes")
    audience = Action.PATIENT_UPDATE
    auto_merge = True

    def patient_id(self, values: Mapping[str, Any]) -> str | None:
        found = values.get("id")
        return found if isinstance(found, str) else None

    def body(self, values: Mapping[str, Any]) -> dict[str, Any]:
        names: list[dict[str, Any]] = [
            {"use": "official", "family": values["family_name"], "given": [values["given_name"]]}
        ]
        if values["other_names"]:
            names.append({"use": "nickname", "text": values["other_names"]})
        identifiers = []
        if values["mrn"]:
            identifiers.append({"type": _MR_TYPE, "system": MRN_SYSTEM, "value": values["mrn"]})
        if values["national_id"]:
            national = values["national_id"]
            identifiers.append(
                {"type": _NATIONAL_TYPE, "system": NATIONAL_ID_SYSTEM, "value": national}
            )
        telecom = []
        if values["phone"]:
            telecom.append({"system": "phone", "value": values["phone"]})
        if values["email"]:
            telecom.append({"system": "email", "value": values["email"]})
        body: dict[str, Any] = {
            "name": names,
            "gender": values["sex"],
            "birthDate": values["birth_date"].isoformat(),
        }
        ext = extensions(
            [
                ("allergies", "valueString", values["allergies"] or None),
                ("history-notes", "valueString", values["history_notes"] or None),
            ]
        )
        if ext:
            body["extension"] = ext
        if identifiers:
            body["identifier"] = identifiers
        if telecom:
            body["telecom"] = telecom
        if values["address"]:
            body["address"] = [{"text": values["address"]}]
        if values["primary_doctor_id"]:
            body["generalPractitioner"] = [user_reference(values["primary_doctor_id"])]
        return body

    def values(self, resource: Mapping[str, Any]) -> Values:
        official, nickname = _names(resource.get("name"))
        given = official.get("given")
        if not isinstance(given, list) or not given:
            raise MappingError("The patient has no given name.")
        gender = resource.get("gender", "unknown")
        if gender not in _GENDERS:
            raise MappingError("The patient's gender is not a FHIR administrative gender.")
        doctors = resource.get("generalPractitioner") or []
        if not isinstance(doctors, list):
            raise MappingError("The patient's general practitioner must be a list.")
        raw = PatientInput(
            given_name=_text(" ".join(str(g) for g in given), "given name"),
            family_name=_text(official.get("family"), "family name"),
            sex=gender,
            birth_date=parse_date(resource.get("birthDate"), "birth date"),
            other_names=_text(nickname.get("text"), "other names"),
            phone=_text(_telecom(resource, "phone"), "phone"),
            email=_text(_telecom(resource, "email"), "e-mail"),
            address=_text(_address(resource), "address"),
            mrn=_text(_identifier(resource, MRN_SYSTEM), "MRN"),
            national_id=_text(_identifier(resource, NATIONAL_ID_SYSTEM), "national id"),
            primary_doctor_id=user_id_of(doctors[0], "general practitioner") if doctors else "",
            allergies=_text(extension_value(resource, "allergies", "valueString"), "x"),
            history_notes=_text(extension_value(resource, "history-notes", "valueString"), "x"),
        )
        clean = _validate(raw)
        return {
            "given_name": clean.given_name,
            "family_name": clean.family_name,
            "other_names": clean.other_names,
            "sex": clean.sex.value,
            "birth_date": clean.birth_date,
            "phone": clean.phone,
            "email": clean.email,
            "address": clean.address,
            "mrn": clean.mrn,
            "national_id": clean.national_id,
            "primary_doctor_id": clean.primary_doctor_id,
            "allergies": clean.allergies or None,
            "history_notes": clean.history_notes or None,
        }

    def derived(self, values: Mapping[str, Any]) -> Values:
        clean = _validate(
            PatientInput(
                given_name=values["given_name"],
                family_name=values["family_name"],
                sex=values["sex"],
                birth_date=values["birth_date"],
                phone=values["phone"] or "",
            )
        )
        return {
            "given_fold": fold(clean.given_name),
            "family_fold": fold(clean.family_name),
            "phone_digits": clean.phone_digits,
            "phone_search": clean.phone_search,
        }


def _validate(raw: PatientInput) -> Any:
    try:
        return validate_patient(raw, date.today())
    except ValidationError as exc:
        fields = ", ".join(sorted(exc.field_errors)) or str(exc)
        raise MappingError(f"The patient's details are not valid here ({fields}).") from exc


def _text(value: object, what: str) -> str:
    return text_or_none(value, what, 20_000) or ""


def _names(value: object) -> tuple[dict[str, Any], dict[str, Any]]:
    if not isinstance(value, list) or not value:
        raise MappingError("The patient has no name.")
    names = [name for name in value if isinstance(name, dict)]
    official = next((n for n in names if n.get("use") in (None, "official", "usual")), None)
    if official is None:
        raise MappingError("The patient has no official name.")
    nickname = next((n for n in names if n.get("use") == "nickname"), {})
    return official, nickname


def _telecom(resource: Mapping[str, Any], system: str) -> str | None:
    for item in resource.get("telecom") or []:
        if isinstance(item, dict) and item.get("system") == system:
            return _string(item.get("value"), f"patient's {system}")
    return None


def _string(value: object, what: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise MappingError(f"The {what} must be text.")


def _identifier(resource: Mapping[str, Any], system: str) -> str | None:
    for item in resource.get("identifier") or []:
        if isinstance(item, dict) and item.get("system") == system:
            return _string(item.get("value"), "patient's identifier")
    return None


def _address(resource: Mapping[str, Any]) -> str | None:
    addresses = resource.get("address") or []
    if not isinstance(addresses, list) or not addresses or not isinstance(addresses[0], dict):
        return None
    first = addresses[0]
    if isinstance(first.get("text"), str):
        return str(first["text"])
    lines = [*(first.get("line") or []), first.get("city"), first.get("postalCode")]
    joined = ", ".join(part for part in lines if isinstance(part, str) and part)
    return joined or None
