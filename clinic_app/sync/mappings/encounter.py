"""The visit family: visits ↔ Encounter, vital signs ↔ Observation (a vital-signs panel with
one component per reading, LOINC-coded, UCUM units), coded entries ↔ Condition (diagnoses) or
Procedure (procedures).

The narrative sections of a visit (symptoms, history, examination, assessment, plan) and its
signature travel as extensions on the Encounter, so one visit is one resource.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from clinic_app.records.tables import CodedEntryRow, VisitRow, VitalSignsRow
from clinic_app.security.permissions import Action
from clinic_app.sync.errors import MappingError
from clinic_app.sync.fhir_values import (
    EXTENSION_BASE,
    as_object,
    extension_value,
    extensions,
    instant,
    optional_reference_id,
    parse_instant,
    reference,
    reference_id,
    user_id_of,
    user_reference,
)
from clinic_app.sync.mappings.base import (
    TableMapping,
    Values,
    bool_value,
    float_or_none,
    instant_or_none,
    instant_text,
    int_or_none,
    required_text,
    text_or_none,
)

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
MAX_TEXT = 20_000
_VISIT_STATUS = {"open": "in-progress", "signed": "finished"}
_VISIT_STATUS_BACK = {"in-progress": "open", "finished": "signed"}
_NARRATIVE = (
    ("symptoms", "symptoms"),
    ("history_medical", "history-medical"),
    ("history_medication", "history-medication"),
    ("history_allergy", "history-allergy"),
    ("examination", "examination"),
    ("assessment", "assessment"),
    ("plan", "plan"),
)


class VisitMapping(TableMapping):
    row_class = VisitRow
    resource_types = ("Encounter",)
    defaults = ("Encounter",)
    fields: ClassVar[tuple[str, ...]] = (
        "patient_id",
        "started_at",
        "clinician_id",
        "appointment_id",
        "status",
        "reason",
        *(column for column, _ in _NARRATIVE),
        "signed_at",
        "signed_by_id",
        "content_sha256",
    )
    audience = Action.VISIT_WRITE
    children = (("vital_signs", "visit_id"), ("coded_entries", "visit_id"))

    def is_final(self, values: Mapping[str, Any]) -> bool:
        return values.get("status") == "signed"

    def body(self, values: Mapping[str, Any]) -> dict[str, Any]:
        ext = extensions(
            [(name, "valueString", values[column] or None) for column, name in _NARRATIVE]
            + [
                ("signed-at", "valueInstant", instant_text(values["signed_at"])),
                ("content-sha256", "valueString", values["content_sha256"]),
            ]
        )
        if values["signed_by_id"]:
            ext.append(
                {
                    "url": EXTENSION_BASE + "signed-by",
                    "valueReference": user_reference(values["signed_by_id"]),
                }
            )
        body: dict[str, Any] = {
            "status": _VISIT_STATUS[values["status"]],
            "class": {
                "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                "code": "AMB",
                "display": "ambulatory",
            },
            "subject": reference("Patient", values["patient_id"]),
            "participant": [{"individual": user_reference(values["clinician_id"])}],
            "period": {"start": instant(values["started_at"])},
        }
        if ext:
            body["extension"] = ext
        if values["appointment_id"]:
            body["appointment"] = [reference("Appointment", values["appointment_id"])]
        if values["reason"]:
            body["reasonCode"] = [{"text": values["reason"]}]
        return body

    def values(self, resource: Mapping[str, Any]) -> Values:
        status = _VISIT_STATUS_BACK.get(str(resource.get("status")))
        if status is None:
            raise MappingError("The encounter's status is neither in progress nor finished.")
        participants = resource.get("participant")
        if not isinstance(participants, list) or not participants:
            raise MappingError("The encounter has no clinician.")
        first = participants[0] if isinstance(participants[0], dict) else {}
        period = as_object(resource.get("period"))
        appointments = resource.get("appointment") or [None]
        reasons = resource.get("reasonCode") or [{}]
        signed_by = extension_value(resource, "signed-by", "valueReference")
        data = resource
        values: Values = {
            "patient_id": reference_id(resource.get("subject"), "Patient", "encounter subject"),
            "started_at": parse_instant(period.get("start"), "encounter start"),
            "clinician_id": user_id_of(first.get("individual"), "encounter clinician"),
            "appointment_id": optional_reference_id(
                appointments[0], "Appointment", "encounter appointment"
            ),
            "status": status,
            "reason": text_or_none(
                reasons[0].get("text") if isinstance(reasons[0], dict) else None,
                "reason",
                MAX_TEXT,
            ),
            "signed_at": instant_or_none(
                extension_value(data, "signed-at", "valueInstant"), "signature time"
            ),
            "signed_by_id": user_id_of(signed_by, "signer") if signed_by else None,
            "content_sha256": text_or_none(
                extension_value(data, "content-sha256", "valueString"), "content hash", 64
            ),
        }
        for column, name in _NARRATIVE:
            values[column] = text_or_none(
                extension_value(data, name, "valueString"), column, MAX_TEXT
            )
        return values


# column, LOINC code, display, UCUM unit, whole number
_VITALS = (
    ("temperature_c", "8310-5", "Body temperature", "Cel", False),
    ("pulse_bpm", "8867-4", "Heart rate", "/min", True),
    ("systolic_mmhg", "8480-6", "Systolic blood pressure", "mm[Hg]", True),
    ("diastolic_mmhg", "8462-4", "Diastolic blood pressure", "mm[Hg]", True),
    ("respiratory_rate", "9279-1", "Respiratory rate", "/min", True),
    ("spo2_percent", "59408-5", "Oxygen saturation by pulse oximetry", "%", True),
    ("weight_kg", "29463-7", "Body weight", "kg", False),
    ("height_cm", "8302-2", "Body height", "cm", False),
    ("bmi", "39156-5", "Body mass index", "kg/m2", False),
)
_VITALS_BY_CODE = {code: (column, whole) for column, code, _, _, whole in _VITALS}


class VitalSignsMapping(TableMapping):
    row_class = VitalSignsRow
    resource_types = ("Observation",)
    defaults = ("Observation",)
    fields: ClassVar[tuple[str, ...]] = (
        "visit_id",
        "patient_id",
        "measured_at",
        "recorded_by_id",
        *(column for column, *_ in _VITALS),
    )
    audience = Action.VITALS_WRITE

    def body(self, values: Mapping[str, Any]) -> dict[str, Any]:
        components = [
            {
                "code": {"coding": [{"system": LOINC, "code": code, "display": display}]},
                "valueQuantity": {
                    "value": values[column],
                    "unit": unit,
                    "system": UCUM,
                    "code": unit,
                },
            }
            for column, code, display, unit, _ in _VITALS
            if values[column] is not None
        ]
        body: dict[str, Any] = {
            "status": "final",
            "category": [
                {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                            "code": "vital-signs",
                        }
                    ]
                }
            ],
            "code": {"coding": [{"system": LOINC, "code": "85353-1", "display": "Vital signs"}]},
            "subject": reference("Patient", values["patient_id"]),
            "encounter": reference("Encounter", values["visit_id"]),
            "effectiveDateTime": instant(values["measured_at"]),
            "performer": [user_reference(values["recorded_by_id"])],
        }
        if components:
            body["component"] = components
        return body

    def values(self, resource: Mapping[str, Any]) -> Values:
        performers = resource.get("performer")
        if not isinstance(performers, list) or not performers:
            raise MappingError("The vital signs have no performer.")
        values: Values = {
            "visit_id": reference_id(resource.get("encounter"), "Encounter", "vitals encounter"),
            "patient_id": reference_id(resource.get("subject"), "Patient", "vitals subject"),
            "measured_at": parse_instant(resource.get("effectiveDateTime"), "measurement time"),
            "recorded_by_id": user_id_of(performers[0], "vitals performer"),
        }
        values.update({column: None for column, *_ in _VITALS})
        components = resource.get("component") or []
        if not isinstance(components, list):
            raise MappingError("The vital signs' components must be a list.")
        for component in components:
            column, whole, number = _component(component)
            values[column] = int_or_none(number, column) if whole else float_or_none(number, column)
        return values


def _component(component: object) -> tuple[str, bool, object]:
    if not isinstance(component, dict):
        raise MappingError("A vital-signs component is not an object.")
    coding = (component.get("code") or {}).get("coding") or [{}]
    code = coding[0].get("code") if isinstance(coding[0], dict) else None
    if code not in _VITALS_BY_CODE:
        raise MappingError("A vital-signs component has a code this workstation doesn't know.")
    column, whole = _VITALS_BY_CODE[str(code)]
    quantity = component.get("valueQuantity")
    if not isinstance(quantity, dict):
        raise MappingError("A vital-signs component has no quantity.")
    return column, whole, quantity.get("value")


CODE_SYSTEMS = {
    "ICD-10-CM": "http://hl7.org/fhir/sid/icd-10-cm",
    "ICD-10-PCS": "http://www.cms.gov/Medicare/Coding/ICD10",
    "HCPCS": "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
    "CPT": "http://www.ama-assn.org/go/cpt",
    "LOCAL": "https://fhir.clinic-app.local/CodeSystem/local",
}
_SYSTEM_NAMES = {url: name for name, url in CODE_SYSTEMS.items()}
_CONDITION_STATUSES = ("active", "recurrence", "relapse", "inactive", "remission", "resolved")


class CodedEntryMapping(TableMapping):
    row_class = CodedEntryRow
    resource_types = ("Condition", "Procedure")
    defaults = ("Condition", "Procedure")
    fields: ClassVar[tuple[str, ...]] = (
        "visit_id",
        "patient_id",
        "kind",
        "system",
        "code",
        "code_set_version",
        "description",
        "clinical_status",
        "is_primary",
        "position",
    )
    audience = Action.VISIT_ASSESS

    def resource_type(self, values: Mapping[str, Any]) -> str:
        return "Procedure" if values["kind"] == "procedure" else "Condition"

    def body(self, values: Mapping[str, Any]) -> dict[str, Any]:
        coding = {
            "system": CODE_SYSTEMS.get(values["system"], CODE_SYSTEMS["LOCAL"]),
            "version": values["code_set_version"],
            "code": values["code"],
            "display": values["description"],
        }
        body: dict[str, Any] = {
            "extension": extensions(
                [
                    ("code-system", "valueString", values["system"]),
                    ("primary", "valueBoolean", bool(values["is_primary"])),
                    ("position", "valueInteger", values["position"]),
                    ("clinical-status", "valueString", values["clinical_status"]),
                ]
            ),
            "code": {"coding": [coding], "text": values["description"]},
            "subject": reference("Patient", values["patient_id"]),
            "encounter": reference("Encounter", values["visit_id"]),
        }
        if values["kind"] == "procedure":
            body["status"] = "completed"
            return body
        status = values["clinical_status"]
        body["clinicalStatus"] = {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": status if status in _CONDITION_STATUSES else "active",
                }
            ]
        }
        body["category"] = [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                        "code": "encounter-diagnosis",
                    }
                ]
            }
        ]
        return body

    def values(self, resource: Mapping[str, Any]) -> Values:
        code = as_object(resource.get("code"))
        codings = code.get("coding")
        if not isinstance(codings, list) or not codings or not isinstance(codings[0], dict):
            raise MappingError("The coded entry has no code.")
        coding = codings[0]
        data = resource
        system = extension_value(data, "code-system", "valueString") or _SYSTEM_NAMES.get(
            str(coding.get("system"))
        )
        if system is None:
            raise MappingError("The coded entry's code system is not one this clinic uses.")
        status = extension_value(data, "clinical-status", "valueString") or "active"
        return {
            "visit_id": reference_id(resource.get("encounter"), "Encounter", "entry encounter"),
            "patient_id": reference_id(resource.get("subject"), "Patient", "entry subject"),
            "kind": "procedure" if resource.get("resourceType") == "Procedure" else "diagnosis",
            "system": required_text(system, "code system", 16),
            "code": required_text(coding.get("code"), "code", 16),
            "code_set_version": required_text(coding.get("version"), "code-set version", 40),
            "description": required_text(
                coding.get("display") or code.get("text"), "code description", 500
            ),
            "clinical_status": required_text(status, "clinical status", 16),
            "is_primary": bool_value(extension_value(data, "primary", "valueBoolean"), "primary"),
            "position": int_or_none(extension_value(data, "position", "valueInteger"), "position")
            or 0,
        }
