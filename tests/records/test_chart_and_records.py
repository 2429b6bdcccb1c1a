"""The patient chart in one call, and stand-alone clinical records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from clinic_app.bootstrap import Services
from clinic_app.errors import PermissionDeniedError, ValidationError
from clinic_app.patients.models import PatientDetail
from clinic_app.records.chart_models import Measure
from clinic_app.records.models import (
    CodedEntryInput,
    RecordInput,
    RecordType,
    VisitInput,
    VitalsInput,
)
from clinic_app.records.services import Records
from clinic_app.security.users import AuthenticatedUser

from tests.store_inspection import audit_events, last_audit_seq

HTN = CodedEntryInput("I10", "Essential (primary) hypertension", "2026")
ASTHMA = CodedEntryInput("J45.909", "Unspecified asthma, uncomplicated", "2026")


def test_the_chart_holds_header_timeline_vitals_series_and_active_problems(
    services: Services,
    records: Records,
    doctor: AuthenticatedUser,
    nurse: AuthenticatedUser,
    patient: PatientDetail,
) -> None:
    start = datetime.now(UTC) - timedelta(days=90)
    first = records.visits.open_visit(
        doctor,
        patient.id,
        started_at=start,
        data=VisitInput(reason="Check-up", diagnoses=(HTN, ASTHMA)),
    )
    records.visits.record_vitals(
        nurse,
        first.id,
        VitalsInput(weight=80, height=180, systolic=150, diastolic=95, measured_at=start),
    )
    second = records.visits.open_visit(
        doctor,
        patient.id,
        started_at=start + timedelta(days=60),
        data=VisitInput(
            reason="Follow-up",
            diagnoses=(
                CodedEntryInput(
                    "J45.909", "Unspecified asthma, uncomplicated", "2026", status="resolved"
                ),
            ),
        ),
    )
    records.visits.record_vitals(
        nurse,
        second.id,
        VitalsInput(
            weight=78,
            height=180,
            systolic=132,
            diastolic=84,
            measured_at=start + timedelta(days=60),
        ),
    )
    lab = records.clinical_records.create_record(
        nurse,
        patient.id,
        RecordInput("lab_result", "Lipids", "LDL 3.1", recorded_at=start + timedelta(days=30)),
    )
    before = last_audit_seq(services.db)
    chart = records.charts.chart(nurse, patient.id)
    assert chart.header.display_name == "Durand-Lefèvre, Élodie"
    assert chart.header.allergies == "Penicillin (rash)"
    assert [(e.kind, e.id) for e in chart.timeline] == [
        ("visit", second.id),
        ("lab_result", lab.id),
        ("visit", first.id),
    ]
    series = {s.measure: s for s in chart.vitals}
    assert [v for _t, v in series[Measure.WEIGHT].points] == [80.0, 78.0]
    assert [v for _t, v in series[Measure.SYSTOLIC].points] == [150.0, 132.0]
    assert [v for _t, v in series[Measure.BMI].points] == [24.7, 24.1]
    assert series[Measure.BMI].unit == "kg/m²"
    assert Measure.SPO2 not in series  # no readings, no empty line
    assert chart.latest_vitals is not None
    assert chart.latest_vitals.weight_kg == 78.0
    assert [p.code for p in chart.problems] == ["I10"]  # asthma was resolved later
    assert chart.problems[0].visit_id == first.id
    assert [e.action for e in audit_events(services.db, after_seq=before)] == ["chart.read"]


def test_the_desk_and_the_administrator_can_not_open_a_chart(
    records: Records, desk: AuthenticatedUser, admin: AuthenticatedUser, patient: PatientDetail
) -> None:
    for user in (desk, admin):
        with pytest.raises(PermissionDeniedError):
            records.charts.chart(user, patient.id)


def test_an_empty_chart_is_still_a_chart(
    records: Records, doctor: AuthenticatedUser, patient: PatientDetail
) -> None:
    chart = records.charts.chart(doctor, patient.id)
    assert chart.timeline == ()
    assert chart.vitals == ()
    assert chart.latest_vitals is None
    assert chart.problems == ()


def test_a_record_is_final_with_its_hash_and_is_corrected_by_addenda(
    records: Records,
    nurse: AuthenticatedUser,
    doctor: AuthenticatedUser,
    patient: PatientDetail,
) -> None:
    record = records.clinical_records.create_record(
        nurse, patient.id, RecordInput("Referral", "Cardiology", "Please assess murmur.")
    )
    assert record.record_type is RecordType.REFERRAL
    assert len(record.content_sha256) == 64
    addendum = records.addenda.add_addendum(
        doctor, "record", record.id, "Urgent, please.", field="body"
    )
    again = records.clinical_records.get_record(doctor, record.id)
    assert again.addenda == (addendum,)
    assert again.body == "Please assess murmur."
    listed = records.clinical_records.list_records(doctor, patient.id, record_type="referral")
    assert [r.id for r in listed] == [record.id]
    assert records.clinical_records.list_records(doctor, patient.id, record_type="lab_result") == []


def test_bad_records_are_refused_by_field(
    records: Records, nurse: AuthenticatedUser, patient: PatientDetail
) -> None:
    cases = [
        (RecordInput("x-ray", "Chest", "Clear"), "record_type"),
        (RecordInput("lab_result", "", "K 4.0"), "title"),
        (RecordInput("lab_result", "Line\nbreak", "K 4.0"), "title"),
        (RecordInput("lab_result", "K", ""), "body"),
        (RecordInput("lab_result", "K", "4.0", recorded_at=datetime(2026, 1, 1)), "recorded_at"),
        (
            RecordInput(
                "lab_result", "K", "4.0", recorded_at=datetime.now(UTC) + timedelta(days=5)
            ),
            "recorded_at",
        ),
    ]
    for data, field in cases:
        with pytest.raises(ValidationError) as error:
            records.clinical_records.create_record(nurse, patient.id, data)
        assert field in error.value.field_errors, field
    assert records.clinical_records.list_records(nurse, patient.id) == []


def test_the_desk_can_not_write_or_read_records(
    records: Records, desk: AuthenticatedUser, patient: PatientDetail
) -> None:
    with pytest.raises(PermissionDeniedError):
        records.clinical_records.create_record(desk, patient.id, RecordInput("other", "T", "B"))
    with pytest.raises(PermissionDeniedError):
        records.clinical_records.list_records(desk, patient.id)
