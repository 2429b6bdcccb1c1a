"""Coded diagnoses (ICD-10-CM) and procedures (HCPCS Level II, CPT): format checks.

The code picker (clinic_app.codes, when present) offers real codes; this module checks the
shape of what arrives, so a typed or scripted code is still a code, and keeps the snapshot
(description, code-set version) the clinician saw.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from clinic_app.errors import ValidationError
from clinic_app.records.models import ClinicalStatus, CodedEntryInput, CodeKind, CodeSystem
from clinic_app.records.text_fields import clean_line

MAX_ENTRIES = 50
_ICD10CM = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")
_CPT = re.compile(r"^[0-9]{4}[0-9FTU]$")
_HCPCS = re.compile(r"^[A-V][0-9]{4}$")
_PATTERNS = {CodeSystem.ICD10CM: _ICD10CM, CodeSystem.CPT: _CPT, CodeSystem.HCPCS: _HCPCS}
_ALLOWED = {
    CodeKind.DIAGNOSIS: (CodeSystem.ICD10CM,),
    CodeKind.PROCEDURE: (CodeSystem.HCPCS, CodeSystem.CPT),
}


@dataclass(frozen=True)
class CleanCodedEntry:
    kind: CodeKind
    system: CodeSystem
    code: str
    code_set_version: str
    description: str
    status: ClinicalStatus
    primary: bool


def normalise_code(system: CodeSystem, text: str) -> str:
    code = "".join(text.split()).upper()
    if system is CodeSystem.ICD10CM and "." not in code and len(code) > 3:
        code = f"{code[:3]}.{code[3:]}"
    return code


def _system(text: str) -> CodeSystem | None:
    wanted = text.strip().upper().replace("_", "-")
    if wanted in ("ICD10CM", "ICD-10"):
        wanted = CodeSystem.ICD10CM.value
    for system in CodeSystem:
        if system.value == wanted:
            return system
    return None


def validate_entries(
    kind: CodeKind, entries: tuple[CodedEntryInput, ...], field: str
) -> list[CleanCodedEntry]:
    """Field errors are keyed like `diagnoses[2].code`, so a form can mark the right row."""
    if len(entries) > MAX_ENTRIES:
        raise ValidationError(
            f"Please correct: {field}.", {field: f"At most {MAX_ENTRIES} entries."}
        )
    errors: dict[str, str] = {}
    clean: list[CleanCodedEntry] = []
    seen: set[tuple[str, str]] = set()
    for index, entry in enumerate(entries):
        prefix = f"{field}[{index}]"
        system = _system(entry.system)
        if system is None or system not in _ALLOWED[kind]:
            names = " or ".join(s.value for s in _ALLOWED[kind])
            errors[f"{prefix}.system"] = f"Use {names}."
            continue
        code = normalise_code(system, entry.code or "")
        if not _PATTERNS[system].match(code):
            errors[f"{prefix}.code"] = f"Not a valid {system.value} code."
        description = clean_line(
            entry.description, f"{prefix}.description", errors, limit=500, required=True
        )
        version = clean_line(
            entry.code_set_version, f"{prefix}.code_set_version", errors, limit=40, required=True
        )
        try:
            status = ClinicalStatus(entry.status.strip().lower())
        except ValueError:
            errors[f"{prefix}.status"] = "Use active or resolved."
            status = ClinicalStatus.ACTIVE
        if (system.value, code) in seen:
            errors[f"{prefix}.code"] = "Listed twice."
        seen.add((system.value, code))
        if description is not None and version is not None:
            clean.append(
                CleanCodedEntry(kind, system, code, version, description, status, entry.primary)
            )
    if sum(1 for entry in clean if entry.primary) > 1:
        errors[field] = "Only one entry may be primary."
    if errors:
        raise ValidationError(f"Please correct: {', '.join(sorted(errors))}.", errors)
    return clean
