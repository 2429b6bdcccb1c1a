"""Content hashes and signatures.

A signature here is a SHA-256 over a canonical JSON form of what was signed, stored beside
it: it proves the row was not changed after the fact (a changed field no longer matches),
and names the author and time. It is not a cryptographic identity (no private key per user);
that would need a PKI the clinic does not have. The annotation's signature also covers the
hash of the content it annotates, so a note stays tied to exactly what the doctor saw.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from clinic_app.records.tables import (
    AnnotationRow,
    ClinicalRecordRow,
    CodedEntryRow,
    VisitRow,
    VitalSignsRow,
)

VISIT_TEXT_FIELDS = (
    "reason",
    "symptoms",
    "history_medical",
    "history_medication",
    "history_allergy",
    "examination",
    "assessment",
    "plan",
)
_VITAL_FIELDS = (
    "measured_at",
    "temperature_c",
    "pulse_bpm",
    "systolic_mmhg",
    "diastolic_mmhg",
    "respiratory_rate",
    "spo2_percent",
    "weight_kg",
    "height_cm",
)
_CODE_FIELDS = ("kind", "system", "code", "code_set_version", "description", "clinical_status")


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value


def sha256_json(payload: Any) -> str:
    text = json.dumps(payload, default=_canonical, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def visit_content_hash(
    visit: VisitRow, vitals: Sequence[VitalSignsRow], codes: Sequence[CodedEntryRow]
) -> str:
    return sha256_json(
        {
            "id": visit.id,
            "patient_id": visit.patient_id,
            "started_at": visit.started_at,
            "clinician_id": visit.clinician_id,
            "text": {name: getattr(visit, name) for name in VISIT_TEXT_FIELDS},
            "vitals": sorted(
                ([v.id] + [getattr(v, name) for name in _VITAL_FIELDS] for v in vitals),
                key=lambda item: str(item[0]),
            ),
            "codes": sorted(
                ([c.id] + [getattr(c, name) for name in _CODE_FIELDS] for c in codes),
                key=lambda item: str(item[0]),
            ),
        }
    )


def record_content_hash(row: ClinicalRecordRow) -> str:
    return sha256_json(
        {
            "id": row.id,
            "patient_id": row.patient_id,
            "visit_id": row.visit_id,
            "record_type": row.record_type,
            "title": row.title,
            "body": row.body,
            "recorded_at": row.recorded_at,
            "author_id": row.author_id,
        }
    )


def annotation_signature(
    *,
    author_id: str,
    annotated_at: datetime,
    target_type: str,
    target_id: str,
    target_sha256: str,
    text: str,
) -> str:
    return sha256_json([author_id, annotated_at, target_type, target_id, target_sha256, text])


def annotation_signature_ok(row: AnnotationRow) -> bool:
    return row.signature == annotation_signature(
        author_id=row.author_id,
        annotated_at=row.annotated_at,
        target_type=row.target_type,
        target_id=row.target_id,
        target_sha256=row.target_sha256,
        text=row.text,
    )


def hash_iterable(chunks: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.hexdigest()
