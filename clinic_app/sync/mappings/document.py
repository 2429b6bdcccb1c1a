"""Documents: stand-alone records, addenda and annotations ↔ DocumentReference with their text
inline; attachments ↔ DocumentReference whose content points at a Binary with the bytes.

Records, addenda and annotations are written once and never edited (a correction is an
addendum), so they can't conflict. An attachment's bytes go up as `Binary/<attachment id>`
before its DocumentReference (see `clinic_app.sync.binaries`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, ClassVar

from clinic_app.records.attachment_store import CHUNK_SIZE
from clinic_app.records.tables import AddendumRow, AnnotationRow, AttachmentRow, ClinicalRecordRow
from clinic_app.security.permissions import Action
from clinic_app.sync.content_stores import ATTACHMENTS
from clinic_app.sync.errors import MappingError
from clinic_app.sync.fhir_values import (
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
    int_or_none,
    read_text_content,
    required_text,
    text_content,
    text_or_none,
)

DOCUMENT_KIND_SYSTEM = "https://fhir.clinic-app.local/CodeSystem/document-kind"
MAX_TEXT = 200_000


def _kind(code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": DOCUMENT_KIND_SYSTEM, "code": code, "display": display}]}


def _author(resource: Mapping[str, Any], what: str) -> str:
    authors = resource.get("author")
    if not isinstance(authors, list) or not authors:
        raise MappingError(f"The {what} has no author.")
    return user_id_of(authors[0], f"{what} author")


def _target_extensions(values: Mapping[str, Any]) -> list[tuple[str, str, Any]]:
    return [
        ("target-type", "valueString", values["target_type"]),
        ("target-id", "valueString", values["target_id"]),
    ]


def _target(resource: Mapping[str, Any], what: str) -> tuple[str, str]:
    data = resource
    target_type = required_text(
        extension_value(data, "target-type", "valueString"), f"{what} target type", 16
    )
    target_id = required_text(
        extension_value(data, "target-id", "valueString"), f"{what} target", 36
    )
    return target_type, target_id


class ClinicalRecordMapping(TableMapping):
    row_class = ClinicalRecordRow
    resource_types = ("DocumentReference",)
    fields: ClassVar[tuple[str, ...]] = (
        "patient_id",
        "visit_id",
        "record_type",
        "title",
        "body",
        "recorded_at",
        "author_id",
        "content_sha256",
    )
    audience = Action.VISIT_WRITE
    append_only = True

    def body(self, values: Mapping[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "extension": extensions(
                [
                    ("record-type", "valueString", values["record_type"]),
                    ("content-sha256", "valueString", values["content_sha256"]),
                ]
            ),
            "status": "current",
            "docStatus": "final",
            "type": _kind("record", "Clinical record"),
            "category": [{"text": values["record_type"]}],
            "subject": reference("Patient", values["patient_id"]),
            "date": instant(values["recorded_at"]),
            "author": [user_reference(values["author_id"])],
            "description": values["title"],
            "content": [text_content(values["body"])],
        }
        if values["visit_id"]:
            body["context"] = {"encounter": [reference("Encounter", values["visit_id"])]}
        return body

    def values(self, resource: Mapping[str, Any]) -> Values:
        data = resource
        context = as_object(resource.get("context"))
        encounters = context.get("encounter") or [None]
        return {
            "patient_id": reference_id(resource.get("subject"), "Patient", "record subject"),
            "visit_id": optional_reference_id(encounters[0], "Encounter", "record encounter"),
            "record_type": required_text(
                extension_value(data, "record-type", "valueString"), "record type", 32
            ),
            "title": required_text(resource.get("description"), "record title", 200),
            "body": read_text_content(resource, "record", MAX_TEXT),
            "recorded_at": parse_instant(resource.get("date"), "record date"),
            "author_id": _author(resource, "record"),
            "content_sha256": required_text(
                extension_value(data, "content-sha256", "valueString"), "content hash", 64
            ),
        }


class AddendumMapping(TableMapping):
    row_class = AddendumRow
    resource_types = ("DocumentReference",)
    fields: ClassVar[tuple[str, ...]] = (
        "target_type",
        "target_id",
        "patient_id",
        "field",
        "text",
        "author_id",
    )
    audience = Action.VISIT_WRITE
    append_only = True

    def body(self, values: Mapping[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = {
            "extension": extensions(
                [*_target_extensions(values), ("field", "valueString", values["field"])]
            ),
            "status": "current",
            "docStatus": "amended",
            "type": _kind("addendum", "Addendum"),
            "subject": reference("Patient", values["patient_id"]),
            "author": [user_reference(values["author_id"])],
            "content": [text_content(values["text"])],
        }
        if values["target_type"] == "visit":
            body["context"] = {"encounter": [reference("Encounter", values["target_id"])]}
        else:
            body["relatesTo"] = [
                {"code": "appends", "target": reference("DocumentReference", values["target_id"])}
            ]
        return body

    def values(self, resource: Mapping[str, Any]) -> Values:
        target_type, target_id = _target(resource, "addendum")
        return {
            "target_type": target_type,
            "target_id": target_id,
            "patient_id": reference_id(resource.get("subject"), "Patient", "addendum subject"),
            "field": text_or_none(extension_value(resource, "field", "valueString"), "field", 32),
            "text": read_text_content(resource, "addendum", MAX_TEXT),
            "author_id": _author(resource, "addendum"),
        }


class AnnotationMapping(TableMapping):
    row_class = AnnotationRow
    resource_types = ("DocumentReference",)
    fields: ClassVar[tuple[str, ...]] = (
        "target_type",
        "target_id",
        "patient_id",
        "author_id",
        "annotated_at",
        "target_sha256",
        "text",
        "signature",
    )
    audience = Action.ANNOTATE
    append_only = True

    def body(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "extension": extensions(
                [
                    *_target_extensions(values),
                    ("target-sha256", "valueString", values["target_sha256"]),
                    ("signature", "valueString", values["signature"]),
                ]
            ),
            "status": "current",
            "docStatus": "final",
            "type": _kind("annotation", "Annotation"),
            "subject": reference("Patient", values["patient_id"]),
            "date": instant(values["annotated_at"]),
            "author": [user_reference(values["author_id"])],
            "content": [text_content(values["text"])],
        }

    def values(self, resource: Mapping[str, Any]) -> Values:
        target_type, target_id = _target(resource, "annotation")
        data = resource
        return {
            "target_type": target_type,
            "target_id": target_id,
            "patient_id": reference_id(resource.get("subject"), "Patient", "annotation subject"),
            "author_id": _author(resource, "annotation"),
            "annotated_at": parse_instant(resource.get("date"), "annotation time"),
            "target_sha256": required_text(
                extension_value(data, "target-sha256", "valueString"), "target hash", 64
            ),
            "text": read_text_content(resource, "annotation", MAX_TEXT),
            "signature": required_text(
                extension_value(data, "signature", "valueString"), "signature", 64
            ),
        }


class AttachmentMapping(TableMapping):
    row_class = AttachmentRow
    resource_types = ("DocumentReference",)
    defaults = ("DocumentReference",)
    content = ATTACHMENTS
    fields: ClassVar[tuple[str, ...]] = (
        "patient_id",
        "owner_type",
        "owner_id",
        "filename",
        "content_type",
        "declared_type",
        "type_mismatch",
        "problems",
        "size_bytes",
        "sha256",
        "added_by_id",
    )
    audience = Action.VISIT_WRITE
    append_only = True

    def body(self, values: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "extension": extensions(
                [
                    ("owner-type", "valueString", values["owner_type"]),
                    ("owner-id", "valueString", values["owner_id"]),
                    ("sha256", "valueString", values["sha256"]),
                    ("declared-type", "valueString", values["declared_type"]),
                    ("type-mismatch", "valueBoolean", bool(values["type_mismatch"])),
                    ("problems", "valueString", values["problems"]),
                ]
            ),
            "status": "current",
            "docStatus": "final",
            "type": _kind("attachment", "Attachment"),
            "subject": reference("Patient", values["patient_id"]),
            "author": [user_reference(values["added_by_id"])],
            "content": [
                {
                    "attachment": {
                        "contentType": values["content_type"],
                        "url": f"Binary/{values['id']}",
                        "size": values["size_bytes"],
                        "title": values["filename"],
                    }
                }
            ],
        }

    def values(self, resource: Mapping[str, Any]) -> Values:
        data = resource
        content = resource.get("content")
        if not isinstance(content, list) or not content or not isinstance(content[0], dict):
            raise MappingError("The attachment has no content.")
        attachment = content[0].get("attachment")
        if not isinstance(attachment, dict):
            raise MappingError("The attachment has no content.")
        size = int_or_none(attachment.get("size"), "attachment size")
        if size is None or size <= 0:
            raise MappingError("The attachment has no size.")
        sha256 = required_text(extension_value(data, "sha256", "valueString"), "file hash", 64)
        if len(sha256) != 64:
            raise MappingError("The attachment's SHA-256 is not 64 hexadecimal digits.")
        return {
            "patient_id": reference_id(resource.get("subject"), "Patient", "attachment subject"),
            "owner_type": required_text(
                extension_value(data, "owner-type", "valueString"), "owner type", 16
            ),
            "owner_id": required_text(
                extension_value(data, "owner-id", "valueString"), "owner", 36
            ),
            "filename": required_text(attachment.get("title"), "file name", 255),
            "content_type": required_text(attachment.get("contentType"), "content type", 100),
            "declared_type": text_or_none(
                extension_value(data, "declared-type", "valueString"), "declared type", 100
            ),
            "type_mismatch": bool_value(
                extension_value(data, "type-mismatch", "valueBoolean"), "type mismatch"
            ),
            "problems": text_or_none(
                extension_value(data, "problems", "valueString"), "problems", 500
            ),
            "size_bytes": size,
            "sha256": sha256.lower(),
            "added_by_id": _author(resource, "attachment"),
        }

    def derived(self, values: Mapping[str, Any]) -> Values:
        # Chunks are written by the download, in the same 1 MiB pieces as a local attach.
        return {"chunk_count": math.ceil(values["size_bytes"] / CHUNK_SIZE)}
