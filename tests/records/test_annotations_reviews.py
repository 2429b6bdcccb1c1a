"""Doctors' signed annotations, the primary doctor's notice, review assignment, worklist and
completion (which needs an annotation), and the inbox posts that go with them."""

from __future__ import annotations

import io

import pytest
from clinic_app.bootstrap import Services
from clinic_app.errors import PermissionDeniedError, ValidationError
from clinic_app.notifications.models import NotificationKind
from clinic_app.records.models import RecordInput, ReviewStatus, TargetType, Visit
from clinic_app.records.services import Records
from clinic_app.records.signing import annotation_signature
from clinic_app.security.users import AuthenticatedUser

from tests.store_inspection import audit_events, last_audit_seq


def test_an_annotation_is_signed_over_author_time_and_the_content_it_annotates(
    records: Records, doctor: AuthenticatedUser, signed_visit: Visit
) -> None:
    note = records.annotations.annotate(doctor, "visit", signed_visit.id, "Agree with plan.")
    assert note.author_id == doctor.id
    assert note.target_sha256 == signed_visit.content_sha256
    assert note.signature_valid
    assert note.signature == annotation_signature(
        author_id=doctor.id,
        annotated_at=note.annotated_at,
        target_type="visit",
        target_id=signed_visit.id,
        target_sha256=note.target_sha256,
        text="Agree with plan.",
    )
    assert note.signature != annotation_signature(
        author_id=doctor.id,
        annotated_at=note.annotated_at,
        target_type="visit",
        target_id=signed_visit.id,
        target_sha256=note.target_sha256,
        text="Agree with plan",
    )
    listed = records.annotations.list_annotations(doctor, "visit", signed_visit.id)
    assert listed == [note]
    assert records.visits.get_visit(doctor, signed_visit.id).annotations == (note,)


def test_an_attachment_annotation_carries_the_attachments_hash(
    records: Records, doctor: AuthenticatedUser, open_visit: Visit
) -> None:
    info = records.attachments.add_stream(
        doctor, "visit", open_visit.id, io.BytesIO(b"ECG: sinus rhythm\n"), "ecg.txt"
    )
    note = records.annotations.annotate(doctor, TargetType.ATTACHMENT, info.id, "Normal ECG")
    assert note.target_sha256 == info.sha256
    assert note.patient_id == open_visit.summary.patient_id


def test_someone_else_annotating_notifies_the_primary_doctor_once(
    services: Services,
    records: Records,
    doctor: AuthenticatedUser,
    second_doctor: AuthenticatedUser,
    signed_visit: Visit,
) -> None:
    records.annotations.annotate(doctor, "visit", signed_visit.id, "Own note")
    assert services.notifications.unread_count(doctor) == 0  # no notice to oneself
    records.annotations.annotate(second_doctor, "visit", signed_visit.id, "Second opinion")
    inbox = services.notifications.inbox(doctor)
    assert [n.kind for n in inbox] == [NotificationKind.ANNOTATION_ADDED]
    assert inbox[0].record_id == signed_visit.id
    assert inbox[0].patient_id == signed_visit.summary.patient_id
    assert "Second opinion" not in inbox[0].title + inbox[0].body  # no clinical text


def test_only_doctors_annotate_and_bad_text_is_refused(
    records: Records,
    doctor: AuthenticatedUser,
    nurse: AuthenticatedUser,
    desk: AuthenticatedUser,
    admin: AuthenticatedUser,
    signed_visit: Visit,
) -> None:
    for user in (nurse, desk, admin):
        with pytest.raises(PermissionDeniedError):
            records.annotations.annotate(user, "visit", signed_visit.id, "x")
    for text in ("", "   ", "bad\x07bell", "x" * 20_001):
        with pytest.raises(ValidationError) as error:
            records.annotations.annotate(doctor, "visit", signed_visit.id, text)
        assert "text" in error.value.field_errors
    assert records.annotations.list_annotations(doctor, "visit", signed_visit.id) == []


def test_a_review_waits_in_the_doctors_worklist_until_an_annotation_completes_it(
    services: Services,
    records: Records,
    nurse: AuthenticatedUser,
    second_doctor: AuthenticatedUser,
    doctor: AuthenticatedUser,
    signed_visit: Visit,
) -> None:
    lab = records.clinical_records.create_record(
        nurse,
        signed_visit.summary.patient_id,
        RecordInput("lab_result", "Potassium", "K 6.1 mmol/L", visit_id=signed_visit.id),
    )
    before = last_audit_seq(services.db)
    assignment = records.reviews.assign(nurse, "record", lab.id, second_doctor.id)
    assert records.reviews.assign(nurse, "record", lab.id, second_doctor.id) == assignment
    notices = services.notifications.inbox(second_doctor)
    assert [(n.kind, n.record_id) for n in notices] == [(NotificationKind.ASSIGNED, lab.id)]
    work = records.reviews.worklist(second_doctor)
    assert [(w.assignment.id, w.target_title) for w in work] == [(assignment.id, "Potassium")]
    assert work[0].patient_name.startswith("Durand-Lefèvre")
    assert records.reviews.worklist(doctor) == []  # each doctor sees their own list

    denied_from = last_audit_seq(services.db)
    with pytest.raises(PermissionDeniedError):
        records.reviews.complete_review(doctor, assignment.id, "not mine")
    denied = audit_events(services.db, after_seq=denied_from)
    assert [(e.action, e.outcome, e.user_id) for e in denied] == [
        ("review.complete", "denied", doctor.id)
    ]
    with pytest.raises(ValidationError):
        records.reviews.complete_review(second_doctor, assignment.id, "  ")
    done = records.reviews.complete_review(second_doctor, assignment.id, "Repeat K today.")
    assert done.status is ReviewStatus.COMPLETED
    assert done.annotation_id is not None
    assert records.reviews.worklist(second_doctor) == []
    assert len(records.reviews.worklist(second_doctor, include_completed=True)) == 1
    annotations = records.clinical_records.get_record(doctor, lab.id).annotations
    assert [(a.id, a.text) for a in annotations] == [(done.annotation_id, "Repeat K today.")]
    with pytest.raises(ValidationError, match="already completed"):
        records.reviews.complete_review(second_doctor, assignment.id, "again")
    actions = [e.action for e in audit_events(services.db, after_seq=before)]
    assert "review.assign" in actions
    assert "review.complete" in actions
    assert "annotation.add" in actions


def test_reviews_go_only_to_active_doctors_and_not_from_the_desk(
    records: Records,
    nurse: AuthenticatedUser,
    desk: AuthenticatedUser,
    doctor: AuthenticatedUser,
    signed_visit: Visit,
) -> None:
    with pytest.raises(ValidationError) as error:
        records.reviews.assign(nurse, "visit", signed_visit.id, nurse.id)
    assert "assignee_id" in error.value.field_errors
    with pytest.raises(PermissionDeniedError):
        records.reviews.assign(desk, "visit", signed_visit.id, doctor.id)
    with pytest.raises(ValidationError):
        records.reviews.assign(nurse, "patient", signed_visit.id, doctor.id)
