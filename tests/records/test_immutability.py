"""Signed visits, records, addenda, annotations and attachment bytes can't be changed: not
through the services, and not by a raw ORM or SQL update either (triggers in migration 0004).
Sync may still stamp the server's version on them."""

from __future__ import annotations

from io import BytesIO

import pytest
from clinic_app.bootstrap import Services
from clinic_app.errors import ValidationError
from clinic_app.records.models import RecordInput, Visit, VitalsInput
from clinic_app.records.services import Records
from clinic_app.records.tables import VisitRow, VitalSignsRow
from clinic_app.security.users import AuthenticatedUser
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError


def _raw(services: Services, sql: str, **params: object) -> None:
    with services.db.engine.begin() as connection:
        connection.execute(text(sql), params)


def test_an_orm_update_of_a_signed_visit_is_refused_by_the_database(
    services: Services, signed_visit: Visit
) -> None:
    with services.db.unit_of_work() as uow:
        row = uow.session.get(VisitRow, signed_visit.id)
        assert row is not None
        row.assessment = "rewritten after signing"
        with pytest.raises(IntegrityError, match="signed visit is immutable"):
            uow.commit()


RAW_CHANGES = [
    "UPDATE visits SET symptoms = 'changed' WHERE id = :id",
    "UPDATE visits SET status = 'open' WHERE id = :id",
    "UPDATE visits SET deleted_at = '2026-01-01 00:00:00' WHERE id = :id",
    "DELETE FROM visits WHERE id = :id",
    "UPDATE vital_signs SET pulse_bpm = 200 WHERE visit_id = :id",
]


def test_raw_sql_can_not_change_a_signed_visit(services: Services, signed_visit: Visit) -> None:
    for sql in RAW_CHANGES:
        with pytest.raises(IntegrityError, match="signed"):
            _raw(services, sql, id=signed_visit.id)


def test_new_vitals_can_not_be_slipped_into_a_signed_visit(
    services: Services, doctor: AuthenticatedUser, signed_visit: Visit
) -> None:
    with services.db.unit_of_work() as uow:
        uow.session.add(
            VitalSignsRow(
                visit_id=signed_visit.id,
                patient_id=signed_visit.summary.patient_id,
                measured_at=signed_visit.summary.started_at,
                recorded_by_id=doctor.id,
                pulse_bpm=180,
            )
        )
        with pytest.raises(IntegrityError, match="visit is signed"):
            uow.commit()


def test_sync_may_still_stamp_the_server_version_on_a_signed_visit(
    services: Services, records: Records, doctor: AuthenticatedUser, signed_visit: Visit
) -> None:
    _raw(services, "UPDATE visits SET version_id = 'srv-7' WHERE id = :id", id=signed_visit.id)
    assert records.visits.get_visit(doctor, signed_visit.id).content_sha256 == (
        signed_visit.content_sha256
    )


def test_an_open_visit_can_still_be_edited_in_sql(services: Services, open_visit: Visit) -> None:
    _raw(services, "UPDATE visits SET symptoms = 'edited' WHERE id = :id", id=open_visit.id)


def test_records_addenda_annotations_and_attachment_bytes_are_append_only(
    services: Services, records: Records, doctor: AuthenticatedUser, signed_visit: Visit
) -> None:
    record = records.clinical_records.create_record(
        doctor,
        signed_visit.summary.patient_id,
        RecordInput("lab_result", "Full blood count", "Hb 13.2 g/dL"),
    )
    addendum = records.addenda.add_addendum(doctor, "record", record.id, "Repeat in 3 months")
    note = records.annotations.annotate(doctor, "record", record.id, "Reviewed, normal")
    attachment = records.attachments.add_stream(
        doctor, "record", record.id, BytesIO(b"plain text report\n"), "report.txt"
    )
    statements = [
        ("UPDATE clinical_records SET body = 'Hb 9' WHERE id = :id", record.id, "final"),
        ("UPDATE addenda SET text = 'x' WHERE id = :id", addendum.id, "append-only"),
        ("UPDATE annotations SET text = 'x' WHERE id = :id", note.id, "append-only"),
        ("UPDATE attachments SET sha256 = 'x' WHERE id = :id", attachment.id, "immutable"),
        (
            "UPDATE attachment_chunks SET data = x'00' WHERE attachment_id = :id",
            attachment.id,
            "immutable",
        ),
    ]
    for sql, row_id, message in statements:
        with pytest.raises(IntegrityError, match=message):
            _raw(services, sql, id=row_id)


def test_the_service_refuses_vitals_on_a_signed_visit_before_the_database_must(
    records: Records, nurse: AuthenticatedUser, signed_visit: Visit
) -> None:
    with pytest.raises(ValidationError, match="signed"):
        records.visits.record_vitals(nurse, signed_visit.id, VitalsInput(pulse=70))
