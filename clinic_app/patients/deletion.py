"""Soft-deleting a patient and restoring them: the record stays, marked (or no longer marked)
deleted, and each change is audited in the same transaction. Doing what is already done is
allowed and changes nothing (no audit event either)."""

from __future__ import annotations

from clinic_app.errors import ValidationError
from clinic_app.patients.models import PatientSummary
from clinic_app.patients.patient_rows import RECORD_TYPE, patient_row, summary_of
from clinic_app.patients.service_base import PatientServiceBase
from clinic_app.security.permissions import Action
from clinic_app.security.users import AuthenticatedUser


class PatientDeletion(PatientServiceBase):
    def delete(self, user: AuthenticatedUser, patient_id: str) -> PatientSummary:
        return self._set_deleted(user, patient_id, deleted=True)

    def restore(self, user: AuthenticatedUser, patient_id: str) -> PatientSummary:
        return self._set_deleted(user, patient_id, deleted=False)

    def _set_deleted(
        self, user: AuthenticatedUser, patient_id: str, *, deleted: bool
    ) -> PatientSummary:
        action, event = (
            (Action.PATIENT_DELETE, "patient.delete")
            if deleted
            else (Action.PATIENT_RESTORE, "patient.restore")
        )
        self._authz.require(user, action, record_type=RECORD_TYPE, record_id=patient_id)
        with self._db.unit_of_work() as uow:
            row = patient_row(uow.session, patient_id)
            if not deleted and row.merged_into_id is not None:
                # Its records now live on the survivor: a restored chart would be an empty twin.
                raise ValidationError(
                    "This chart was merged into another patient's chart and can't be restored."
                )
            if (row.deleted_at is not None) != deleted:
                row.deleted_at = self._clock() if deleted else None
                uow.flush()
                self._audit.append(
                    uow.session, user.actor, event, record_type=RECORD_TYPE, record_id=row.id
                )
            uow.commit()
            return summary_of(row)
