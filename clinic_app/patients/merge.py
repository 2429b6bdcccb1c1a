"""Merging a duplicate chart into the survivor, in one unit of work:

- every row that points at the duplicate (visits, vitals, codes, records, attachments,
  annotations, appointments, imaging, notifications, review assignments, … see
  `merge_references`) is re-pointed to the survivor, each through the ORM so its outbox entry
  is written and sync sends it;
- the person chooses, field by field, which chart's demographics survive (the survivor's by
  default); clinical notes are chosen only by a role that can read them;
- the duplicate is tombstoned with `merged_into_id`, so it is never listed, searched or
  restored again. It is deleted before its rows move: the records feature's triggers let a
  signed visit (or any final record) change its patient only from a deleted chart to a live one
  (migration 0008), which is what a merge is, here and on a workstation that pulls it.

A merge can't be undone by the user: the audit event names both ids, and the signed content
hashes keep the chart they were signed on.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from clinic_app.errors import ConflictError, ValidationError
from clinic_app.patients.merge_models import (
    CLINICAL_FIELDS,
    MERGE_FIELDS,
    Keep,
    MergeField,
    MergePreview,
    MergeResult,
)
from clinic_app.patients.merge_references import count_references, repoint
from clinic_app.patients.models import PatientInput
from clinic_app.patients.patient_rows import RECORD_TYPE, apply_details, detail_of, patient_row
from clinic_app.patients.registration import check_doctor
from clinic_app.patients.service_base import PatientServiceBase, is_whole_number
from clinic_app.patients.tables import PatientRow
from clinic_app.patients.validation import validate_patient
from clinic_app.security.permissions import Action
from clinic_app.security.users import AuthenticatedUser
from clinic_app.tasks import CancelToken, ProgressReporter

log = logging.getLogger(__name__)


class PatientMerge(PatientServiceBase):
    def merge_preview(
        self, user: AuthenticatedUser, survivor_id: str, duplicate_id: str
    ) -> MergePreview:
        """Both charts side by side (audited as a read of both)."""
        self._authz.require(user, Action.PATIENT_MERGE, record_type=RECORD_TYPE)
        clinical = user.can(Action.PATIENT_READ_CLINICAL)
        with self._db.unit_of_work() as uow:
            survivor, duplicate = _pair(uow.session, survivor_id, duplicate_id)
            preview = MergePreview(
                survivor=detail_of(survivor, clinical),
                duplicate=detail_of(duplicate, clinical),
                fields=_fields(survivor, duplicate, clinical),
                records=count_references(uow.session, duplicate.id),
                clinical_blocked=not clinical and _clinical_differs(survivor, duplicate),
            )
            self._audit.append(
                uow.session,
                user.actor,
                "patient.merge_preview",
                record_type=RECORD_TYPE,
                record_id=survivor.id,
                details={"duplicate_id": duplicate.id},
            )
            uow.commit()
            return preview

    def merge(
        self,
        user: AuthenticatedUser,
        survivor_id: str,
        duplicate_id: str,
        choices: Mapping[str, str] | None = None,
        *,
        survivor_version: int | None = None,
        duplicate_version: int | None = None,
        progress: ProgressReporter | None = None,
        cancel: CancelToken | None = None,
    ) -> MergeResult:
        """Merges `duplicate_id` into `survivor_id`. `choices` maps a field of `MERGE_FIELDS`
        to 'survivor' or 'duplicate' (unnamed fields keep the survivor's value). The versions,
        when given, are those the person saw: a chart changed since refuses the merge.
        Cancelled (`cancel`) before it commits, nothing is merged."""
        self._authz.require(
            user, Action.PATIENT_MERGE, record_type=RECORD_TYPE, record_id=survivor_id
        )
        clinical = user.can(Action.PATIENT_READ_CLINICAL)
        keep = _parse_choices(choices, clinical)
        for name, version in (("survivor", survivor_version), ("duplicate", duplicate_version)):
            if version is not None and not is_whole_number(version):
                raise ValidationError(f"The {name}'s version must be a whole number.")
        with self._db.unit_of_work() as uow:
            survivor, duplicate = _pair(uow.session, survivor_id, duplicate_id)
            if (survivor_version is not None and survivor.version != survivor_version) or (
                duplicate_version is not None and duplicate.version != duplicate_version
            ):
                raise ConflictError(
                    "One of these charts was changed after you opened the merge. "
                    "Open it again and check your choices."
                )
            if not clinical and _clinical_differs(survivor, duplicate):
                raise ValidationError(
                    "The duplicate chart has allergies or history notes that differ from the "
                    "survivor's: a doctor must merge these charts."
                )
            clean = validate_patient(_merged_input(survivor, duplicate, keep), self._today())
            check_doctor(uow.session, clean.primary_doctor_id)
            # The duplicate goes first: its deletion is what lets frozen rows move (and it is
            # pushed before them, so another workstation applies them in the same order).
            duplicate.deleted_at = self._clock()
            duplicate.merged_into_id = survivor.id
            uow.flush()

            def checkpoint(done: int, total: int, table: str) -> None:
                if cancel is not None:
                    cancel.raise_if_cancelled()
                if progress is not None:
                    # Table names only: what is moving, never whose.
                    progress.report(done, total, f"Moving {table.replace('_', ' ')}…")

            try:
                moved = repoint(uow.session, duplicate.id, survivor.id, checkpoint)
            except IntegrityError as exc:
                raise ValidationError(
                    "A record of the duplicate chart can't be moved (the database refused it); "
                    "nothing was merged."
                ) from exc
            if cancel is not None:
                cancel.raise_if_cancelled()
            apply_details(survivor, clean)
            # An empty note is stored as none, as sync stores it, so both sides compare equal.
            survivor.allergies = survivor.allergies or None
            survivor.history_notes = survivor.history_notes or None
            uow.flush()
            self._audit.append(
                uow.session,
                user.actor,
                "patient.merge",
                record_type=RECORD_TYPE,
                record_id=survivor.id,
                details={
                    "duplicate_id": duplicate.id,
                    "rows_moved": sum(moved.values()),
                    # Field names only (never values): which of the duplicate's details survived.
                    "fields_from_duplicate": ",".join(
                        sorted(name for name, side in keep.items() if side is Keep.DUPLICATE)
                    ),
                },
            )
            uow.commit()
            log.info(
                "patients merged: survivor=%s duplicate=%s rows=%d",
                survivor.id,
                duplicate.id,
                sum(moved.values()),
            )
            return MergeResult(detail_of(survivor, clinical), duplicate.id, moved)


def _pair(session: Session, survivor_id: str, duplicate_id: str) -> tuple[PatientRow, PatientRow]:
    for name, value in (("survivor", survivor_id), ("duplicate", duplicate_id)):
        if not isinstance(value, str) or not value:
            raise ValidationError(f"Choose the {name} chart.", {f"{name}_id": "Must be an id."})
    if survivor_id == duplicate_id:
        raise ValidationError("A chart can't be merged into itself: choose the other record.")
    survivor = patient_row(session, survivor_id)
    duplicate = patient_row(session, duplicate_id)
    for name, row in (("survivor", survivor), ("duplicate", duplicate)):
        if row.merged_into_id is not None:
            raise ValidationError(f"The {name} chart was already merged into another chart.")
        if row.deleted_at is not None:
            raise ValidationError(f"The {name} chart is deleted; restore it before merging.")
    return survivor, duplicate


def _value(row: PatientRow, name: str) -> Any:
    return getattr(row, name)


def _fields(survivor: PatientRow, duplicate: PatientRow, clinical: bool) -> list[MergeField]:
    fields = []
    for name in MERGE_FIELDS:
        if name in CLINICAL_FIELDS and not clinical:
            fields.append(MergeField(name, None, None, visible=False))
        else:
            fields.append(MergeField(name, _value(survivor, name), _value(duplicate, name)))
    return fields


def _clinical_differs(survivor: PatientRow, duplicate: PatientRow) -> bool:
    return any(
        (_value(duplicate, name) or "") not in ("", _value(survivor, name) or "")
        for name in CLINICAL_FIELDS
    )


def _parse_choices(choices: Mapping[str, str] | None, clinical: bool) -> dict[str, Keep]:
    if choices is None:
        return {}
    if not isinstance(choices, Mapping):
        raise ValidationError("Choices are a field → 'survivor' or 'duplicate' mapping.")
    unknown = sorted(str(name) for name in choices if name not in MERGE_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(unknown)[:200]}.")
    keep: dict[str, Keep] = {}
    for name, side in choices.items():
        try:
            keep[name] = Keep(side)
        except ValueError as exc:
            raise ValidationError(f"Choose 'survivor' or 'duplicate' for {name}.") from exc
    if not clinical and any(keep.get(name) is Keep.DUPLICATE for name in CLINICAL_FIELDS):
        raise ValidationError("Only a role that can read clinical notes may choose them.")
    return keep


def _merged_input(
    survivor: PatientRow, duplicate: PatientRow, keep: Mapping[str, Keep]
) -> PatientInput:
    def pick(name: str) -> Any:
        row = duplicate if keep.get(name) is Keep.DUPLICATE else survivor
        return _value(row, name)

    def text(name: str) -> str:
        value = pick(name)
        return "" if value is None else str(value)

    return PatientInput(
        given_name=text("given_name"),
        family_name=text("family_name"),
        sex=text("sex"),
        birth_date=pick("birth_date"),
        other_names=text("other_names"),
        phone=text("phone"),
        email=text("email"),
        address=text("address"),
        mrn=text("mrn"),
        national_id=text("national_id"),
        primary_doctor_id=text("primary_doctor_id"),
        allergies=text("allergies"),
        history_notes=text("history_notes"),
    )
