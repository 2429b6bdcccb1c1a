"""Imaging: studies and series ↔ ImagingStudy, images ↔ Media with their files as Binary;
AI results and their reviews are in `imaging_results`.

FHIR nests series and instances inside one ImagingStudy; here each table's row is its own
resource (a row syncs, conflicts and is held on its own), so a study travels as an
ImagingStudy with the study's data, each series as an ImagingStudy holding that one series
(identified by the same Study Instance UID, and pointing at the study's resource in the
`study` extension), and each image as Media whose content is `Binary/<instance id>` and whose
`partOf` is its series. A reader that groups ImagingStudy resources by Study Instance UID sees
the whole study. The image files go up and down like attachments (after the other records,
resumable downloads, size and SHA-256 checked), so a result can be looked at on any
workstation.

People (importer, who ran a model, reviewer, assigned doctor) travel as user-id identifiers
and are stored as they come: accounts are local, and a workstation keeps rows naming people
it has no account for (no foreign key since migration 0009; they read "another
workstation's user").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.imaging.file_store import chunks_for
from clinic_app.imaging.tables import InstanceRow, SeriesRow, StudyRow
from clinic_app.security.permissions import Action
from clinic_app.sync.content_stores import IMAGES
from clinic_app.sync.errors import MappingError
from clinic_app.sync.fhir_values import (
    extension_value,
    extensions,
    parse_date,
    reference,
    reference_id,
    user_id_of,
    user_reference,
)
from clinic_app.sync.mappings.base import (
    TableMapping,
    Values,
    float_or_none,
    int_or_none,
    required_text,
    text_or_none,
)
from clinic_app.sync.rows import chunks

DICOM_UID = "urn:dicom:uid"
DCM = "http://dicom.nema.org/resources/ontology/DCM"
MEDIA_TYPE = "http://terminology.hl7.org/CodeSystem/media-type"
ACCESSION = {
    "coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "ACSN"}]
}
_UID = re.compile(r"^[0-9]+(\.[0-9]+)*$")


def uid_identifier(uid: str) -> dict[str, str]:
    return {"system": DICOM_UID, "value": f"urn:oid:{uid}" if _UID.match(uid) else uid}


def _uid_of(identifiers: object, what: str) -> str:
    for item in identifiers if isinstance(identifiers, list) else ():
        if isinstance(item, dict) and item.get("system") == DICOM_UID:
            value = required_text(item.get("value"), what, 72)
            return value.removeprefix("urn:oid:")[:64]
    raise MappingError(f"The {what} is missing.")


def _text(resource: Mapping[str, Any], name: str, what: str, limit: int) -> str:
    return text_or_none(extension_value(resource, name, "valueString"), what, limit) or ""


def _or_none(text: str) -> str | None:
    return text or None


class StudyMapping(TableMapping):
    row_class = StudyRow
    resource_types = ("ImagingStudy",)
    defaults = ("ImagingStudy",)
    fields: ClassVar[tuple[str, ...]] = (
        "patient_id",
        "study_uid",
        "source",
        "study_date",
        "description",
        "accession_number",
        "institution",
        "imported_by",
    )
    audience = Action.IMAGING_IMPORT

    def body(self, values: Mapping[str, Any]) -> dict[str, Any]:
        identifiers = [uid_identifier(values["study_uid"])]
        if values["accession_number"]:
            identifiers.append({"type": ACCESSION, "value": values["accession_number"]})
        body: dict[str, Any] = {
            "extension": extensions(
                [
                    ("source", "valueString", values["source"]),
                    ("institution", "valueString", _or_none(values["institution"])),
                    ("imported-by", "valueReference", user_reference(values["imported_by"])),
                ]
            ),
            "identifier": identifiers,
            "status": "available",
            "subject": reference("Patient", values["patient_id"]),
        }
        if values["study_date"] is not None:
            body["started"] = values["study_date"].isoformat()
        if values["description"]:
            body["description"] = values["description"]
        return body

    def values(self, resource: Mapping[str, Any]) -> Values:
        accession = ""
        for item in resource.get("identifier") or []:
            if isinstance(item, dict) and item.get("type") == ACCESSION:
                accession = required_text(item.get("value"), "accession number", 64)
        started = resource.get("started")
        return {
            "patient_id": reference_id(resource.get("subject"), "Patient", "study subject"),
            "study_uid": _uid_of(resource.get("identifier"), "study UID"),
            "source": required_text(
                extension_value(resource, "source", "valueString"), "study source", 16
            ),
            "study_date": None if started is None else parse_date(started, "study date"),
            "description": text_or_none(resource.get("description"), "description", 200) or "",
            "accession_number": accession,
            "institution": _text(resource, "institution", "institution", 200),
            "imported_by": user_id_of(
                extension_value(resource, "imported-by", "valueReference"), "study importer"
            ),
        }


class SeriesMapping(TableMapping):
    row_class = SeriesRow
    resource_types = ("ImagingStudy",)
    fields: ClassVar[tuple[str, ...]] = (
        "study_id",
        "series_uid",
        "series_number",
        "modality",
        "description",
        "body_part",
    )
    audience = Action.IMAGING_IMPORT

    def enrich(self, session: Session, rows: list[Values]) -> None:
        """ImagingStudy needs the patient and the study's UID, which the study row holds."""
        wanted = sorted({str(row["study_id"]) for row in rows})
        studies: dict[str, tuple[str, str]] = {}
        for part in chunks(wanted):
            for study_id, patient_id, uid in session.execute(
                select(StudyRow.id, StudyRow.patient_id, StudyRow.study_uid).where(
                    StudyRow.id.in_(part)
                )
            ):
                studies[study_id] = (patient_id, uid)
        for row in rows:
            row["_patient_id"], row["_study_uid"] = studies.get(row["study_id"], (None, None))

    def body(self, values: Mapping[str, Any]) -> dict[str, Any]:
        if not values.get("_patient_id"):
            raise MappingError("The series' study is not on this workstation.")
        series: dict[str, Any] = {
            "uid": values["series_uid"],
            "modality": {
                "system": DCM,
                **({"code": values["modality"]} if values["modality"] else {}),
            },
        }
        if values["series_number"] is not None:
            series["number"] = values["series_number"]
        if values["description"]:
            series["description"] = values["description"]
        if values["body_part"]:
            series["bodySite"] = {"display": values["body_part"]}
        return {
            "extension": extensions(
                [("study", "valueReference", reference("ImagingStudy", values["study_id"]))]
            ),
            "identifier": [uid_identifier(values["_study_uid"])],
            "status": "available",
            "subject": reference("Patient", values["_patient_id"]),
            "numberOfSeries": 1,
            "series": [series],
        }

    def values(self, resource: Mapping[str, Any]) -> Values:
        found = resource.get("series")
        if not isinstance(found, list) or len(found) != 1 or not isinstance(found[0], dict):
            raise MappingError("An image series travels as an ImagingStudy with one series.")
        series = found[0]
        modality = series.get("modality") if isinstance(series.get("modality"), dict) else {}
        body_site = series.get("bodySite") if isinstance(series.get("bodySite"), dict) else {}
        return {
            "study_id": reference_id(
                extension_value(resource, "study", "valueReference"), "ImagingStudy", "study"
            ),
            "series_uid": required_text(series.get("uid"), "series UID", 64),
            "series_number": int_or_none(series.get("number"), "series number"),
            "modality": text_or_none(modality.get("code"), "modality", 16) or "",
            "description": text_or_none(series.get("description"), "description", 200) or "",
            "body_part": text_or_none(body_site.get("display"), "body part", 64) or "",
        }


_DECIMALS = ("spacing_row_mm", "spacing_column_mm", "slice_position", "px_per_mm")


class InstanceMapping(TableMapping):
    row_class = InstanceRow
    resource_types = ("Media",)
    defaults = ("Media",)
    fields: ClassVar[tuple[str, ...]] = (
        "series_id",
        "patient_id",
        "sop_instance_uid",
        "sop_class_uid",
        "instance_number",
        "kind",
        "content_type",
        "file_name",
        "size_bytes",
        "sha256",
        "transfer_syntax",
        "rows",
        "columns",
        "frames",
        "photometric",
        *_DECIMALS,
        "spacing_source",
    )
    audience = Action.IMAGING_IMPORT  # a photo's calibration may be changed
    content = IMAGES

    def body(self, values: Mapping[str, Any]) -> dict[str, Any]:
        items: list[tuple[str, str, Any]] = [
            ("kind", "valueString", values["kind"]),
            ("sha256", "valueString", values["sha256"]),
            ("sop-class", "valueString", _or_none(values["sop_class_uid"])),
            ("instance-number", "valueInteger", values["instance_number"]),
            ("transfer-syntax", "valueString", _or_none(values["transfer_syntax"])),
            ("photometric", "valueString", _or_none(values["photometric"])),
            ("spacing-source", "valueString", values["spacing_source"]),
        ]
        items += [(name.replace("_", "-"), "valueDecimal", values[name]) for name in _DECIMALS]
        return {
            "extension": extensions(items),
            "identifier": [uid_identifier(values["sop_instance_uid"])],
            "partOf": [reference("ImagingStudy", values["series_id"])],
            "status": "completed",
            "type": {"coding": [{"system": MEDIA_TYPE, "code": "image", "display": "Image"}]},
            "subject": reference("Patient", values["patient_id"]),
            "height": values["rows"],
            "width": values["columns"],
            "frames": values["frames"],
            "content": {
                "contentType": values["content_type"],
                "url": f"Binary/{values['id']}",
                "size": values["size_bytes"],
                "title": values["file_name"],
            },
        }

    def values(self, resource: Mapping[str, Any]) -> Values:
        content = resource.get("content")
        if not isinstance(content, dict):
            raise MappingError("The image has no content.")
        size = int_or_none(content.get("size"), "image size")
        if size is None or size <= 0:
            raise MappingError("The image has no size.")
        sha256 = required_text(extension_value(resource, "sha256", "valueString"), "hash", 64)
        if not re.fullmatch(r"[0-9a-fA-F]{64}", sha256):
            raise MappingError("The image's SHA-256 is not 64 hexadecimal digits.")
        part_of = resource.get("partOf")
        values: Values = {
            "series_id": reference_id(
                part_of[0] if isinstance(part_of, list) and part_of else None,
                "ImagingStudy",
                "image series",
            ),
            "patient_id": reference_id(resource.get("subject"), "Patient", "image subject"),
            "sop_instance_uid": _uid_of(resource.get("identifier"), "SOP instance UID"),
            "sop_class_uid": _text(resource, "sop-class", "SOP class", 64),
            "instance_number": int_or_none(
                extension_value(resource, "instance-number", "valueInteger"), "instance number"
            ),
            "kind": required_text(extension_value(resource, "kind", "valueString"), "kind", 8),
            "content_type": required_text(content.get("contentType"), "content type", 64),
            "file_name": required_text(content.get("title"), "file name", 255),
            "size_bytes": size,
            "sha256": sha256.lower(),
            "transfer_syntax": _text(resource, "transfer-syntax", "transfer syntax", 64),
            "rows": _positive(resource.get("height"), "image height"),
            "columns": _positive(resource.get("width"), "image width"),
            "frames": _positive(resource.get("frames"), "frame count"),
            "photometric": _text(resource, "photometric", "photometric interpretation", 32),
            "spacing_source": text_or_none(
                extension_value(resource, "spacing-source", "valueString"), "spacing source", 32
            ),
        }
        for name in _DECIMALS:
            values[name] = float_or_none(
                extension_value(resource, name.replace("_", "-"), "valueDecimal"), name
            )
        return values

    def derived(self, values: Mapping[str, Any]) -> Values:
        # The bytes come down afterwards, in the same 1 MiB pieces as a local import.
        return {"chunk_count": chunks_for(values["size_bytes"])}


def _positive(value: object, what: str) -> int:
    number = int_or_none(value, what)
    if number is None or number < 1:
        raise MappingError(f"The {what} must be a positive whole number.")
    return number
