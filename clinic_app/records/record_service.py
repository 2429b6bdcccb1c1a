"""Stand-alone clinical records: lab results, imaging reports, prescriptions, referrals,
clinical notes and others. A record is final once written (corrections are addenda); its
content hash is stored with it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from clinic_app.errors import ValidationError
from clinic_app.records.context import (
    RecordsContext,
    addenda_rows,
    annotation_rows,
    any_patient,
    attachment_rows,
    check_page,
    live_patient,
    record_row,
    visit_row,
)
from clinic_app.records.models import (
    Addendum,
    Annotation,
    AttachmentInfo,
    ClinicalRecord,
    RecordInput,
    RecordType,
)
from clinic_app.records.signing import record_content_hash
from clinic_app.records.snapshots import addendum_of, annotation_of, attachment_of
from clinic_app.records.tables import ClinicalRecordRow
from clinic_app.records.text_fields import clean_line, clean_multiline, raise_if_errors
from clinic_app.security.permissions import Action
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.database import UnitOfWork
from clinic_app.storage.types import new_id

RECORD_TYPE = "record"
MAX_FUTURE = timedelta(days=1)


class ClinicalRecordService:
    def __init__(self, ctx: RecordsContext) -> None:
        self._ctx = ctx

    def create_record(
        self, user: AuthenticatedUser, patient_id: str, data: RecordInput
    ) -> ClinicalRecord:
        self._ctx.require(user, Action.VISIT_WRITE, RECORD_TYPE)
        errors: dict[str, str] = {}
        try:
            record_type = RecordType(str(data.record_type).strip().lower())
        except ValueError:
            errors["record_type"] = "Use one of: " + ", ".join(t.value for t in RecordType) + "."
            record_type = RecordType.OTHER
        title = clean_line(data.title, "title", errors, required=True)
        body = clean_multiline(data.body, "body", errors, required=True)
        now = self._ctx.clock()
        recorded_at = data.recorded_at or now
        if recorded_at.tzinfo is None:
            errors["recorded_at"] = "The time must carry a time zone."
        elif recorded_at > now + MAX_FUTURE:
            errors["recorded_at"] = "Can't be in the future."
        raise_if_errors(errors)
        assert title is not None
        assert body is not None
        with self._ctx.db.unit_of_work() as uow:
            live_patient(uow.session, patient_id)
            if data.visit_id:
                visit = visit_row(uow.session, data.visit_id)
                if visit.patient_id != patient_id:
                    raise ValidationError(
                        "Please correct: visit_id.",
                        {"visit_id": "That visit belongs to another patient."},
                    )
            row = ClinicalRecordRow(
                id=new_id(),
                patient_id=patient_id,
                visit_id=data.visit_id or None,
                record_type=record_type.value,
                title=title,
                body=body,
                recorded_at=recorded_at,
                author_id=user.id,
            )
            uow.session.add(row)
            row.content_sha256 = record_content_hash(row)
            uow.flush()
            self._ctx.log(
                uow.session,
                user,
                "record.create",
                RECORD_TYPE,
                row.id,
                {"patient_id": patient_id, "record_type": record_type.value},
            )
            uow.commit()
            return self._load(uow, row)

    def get_record(self, user: AuthenticatedUser, record_id: str) -> ClinicalRecord:
        self._ctx.require(user, Action.VISIT_READ, RECORD_TYPE, record_id)
        with self._ctx.db.unit_of_work() as uow:
            row = record_row(uow.session, record_id)
            record = self._load(uow, row)
            self._ctx.log(uow.session, user, "record.read", RECORD_TYPE, row.id)
            uow.commit()
            return record

    def list_records(
        self,
        user: AuthenticatedUser,
        patient_id: str,
        *,
        record_type: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[ClinicalRecord]:
        """Newest first, without addenda/attachments/annotations (read one for those)."""
        self._ctx.require(user, Action.VISIT_READ, RECORD_TYPE)
        check_page(limit, offset)
        query = select(ClinicalRecordRow).where(
            ClinicalRecordRow.patient_id == patient_id, ClinicalRecordRow.deleted_at.is_(None)
        )
        if record_type:
            try:
                query = query.where(ClinicalRecordRow.record_type == RecordType(record_type).value)
            except ValueError as exc:
                raise ValidationError(
                    "Please correct: record_type.", {"record_type": "Unknown record type."}
                ) from exc
        with self._ctx.db.unit_of_work() as uow:
            any_patient(uow.session, patient_id)
            rows = uow.session.scalars(
                query.order_by(ClinicalRecordRow.recorded_at.desc(), ClinicalRecordRow.id)
                .limit(limit)
                .offset(offset)
            ).all()
            self._ctx.log(
                uow.session,
                user,
                "record.list",
                RECORD_TYPE,
                None,
                {"patient_id": patient_id, "results": len(rows)},
            )
            uow.commit()
            return [_record(row) for row in rows]

    @staticmethod
    def _load(uow: UnitOfWork, row: ClinicalRecordRow) -> ClinicalRecord:
        attachments = attachment_rows(uow.session, [row.id])
        targets = [row.id] + [a.id for a in attachments]
        return _record(
            row,
            addenda=tuple(addendum_of(a) for a in addenda_rows(uow.session, [row.id])),
            attachments=tuple(attachment_of(a) for a in attachments),
            annotations=tuple(annotation_of(a) for a in annotation_rows(uow.session, targets)),
        )


def _record(
    row: ClinicalRecordRow,
    *,
    addenda: tuple[Addendum, ...] = (),
    attachments: tuple[AttachmentInfo, ...] = (),
    annotations: tuple[Annotation, ...] = (),
) -> ClinicalRecord:
    return ClinicalRecord(
        id=row.id,
        patient_id=row.patient_id,
        visit_id=row.visit_id,
        record_type=RecordType(row.record_type),
        title=row.title,
        body=row.body,
        recorded_at=row.recorded_at,
        author_id=row.author_id,
        content_sha256=row.content_sha256,
        created_at=row.created_at,
        addenda=addenda,
        attachments=attachments,
        annotations=annotations,
    )
