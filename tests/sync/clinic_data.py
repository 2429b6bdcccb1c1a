"""A small but complete clinic, written through the real services: every synced table gets
rows (patients, visits open and signed with vitals and codes, a record, an addendum, an
annotation, an attachment, a doctor's profile with slots, a booking)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta

from clinic_app.bootstrap import Services
from clinic_app.patients.models import PatientInput
from clinic_app.records.models import CodedEntryInput, RecordInput, VisitInput, VitalsInput
from clinic_app.scheduling.hours import parse_weekly
from clinic_app.scheduling.models import BookingRequest, DoctorProfileInput
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser

PNEUMONIA = CodedEntryInput("J18.9", "Pneumonia, unspecified organism", "ICD-10-CM 2026")
OFFICE_VISIT = CodedEntryInput("99213", "Office visit", "CPT 2026", system="CPT")
ATTACHMENT = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


@dataclass(frozen=True)
class SeededClinic:
    patient_id: str
    other_patient_id: str
    open_visit_id: str
    signed_visit_id: str
    record_id: str
    attachment_id: str
    appointment_id: str
    slot_ids: list[str]


def patient(given: str, family: str, birth: str, **extra: str) -> PatientInput:
    return PatientInput(
        given_name=given, family_name=family, sex="female", birth_date=birth, **extra
    )


def seed_clinic(services: Services, users: dict[Role, AuthenticatedUser]) -> SeededClinic:
    doctor, desk, admin = users[Role.DOCTOR], users[Role.FRONT_DESK], users[Role.ADMIN]
    records = services.records
    first = services.patients.create(
        doctor,
        PatientInput(
            given_name="Élodie",
            family_name="Durand-Lefèvre",
            sex="female",
            birth_date="1984-03-09",
            other_names="Lodie",
            phone="+33 6 12 34 56 78",
            email="elodie@example.org",
            address="1 rue de la Paix, Lyon",
            mrn="MRN-0001",
            national_id="2840369123456",
            primary_doctor_id=doctor.id,
            allergies="Penicillin",
            history_notes="Asthma since childhood",
        ),
    ).patient
    second = services.patients.create(desk, patient("Ada", "Lovelace", "1985-12-10")).patient
    open_visit = records.visits.open_visit(
        doctor,
        first.id,
        data=VisitInput(
            reason="Cough for a week",
            symptoms="dry cough, no fever",
            diagnoses=(PNEUMONIA,),
            procedures=(OFFICE_VISIT,),
        ),
    )
    records.visits.record_vitals(
        doctor,
        open_visit.id,
        VitalsInput(
            temperature="38.2",
            pulse=88,
            systolic=128,
            diastolic=82,
            spo2=96,
            respiratory_rate=18,
            weight=61.5,
            height=168,
        ),
    )
    signed = records.visits.open_visit(doctor, second.id, data=VisitInput(reason="Check-up"))
    records.visits.record_vitals(doctor, signed.id, VitalsInput(pulse=72, spo2=98))
    current = records.visits.get_visit(doctor, signed.id)
    records.visits.sign_visit(doctor, signed.id, current.version)
    record = records.clinical_records.create_record(
        doctor,
        first.id,
        RecordInput(
            record_type="lab_result",
            title="CBC",
            body="Hb 13.1 g/dL\nWBC 7.2",
            visit_id=open_visit.id,
        ),
    )
    records.addenda.add_addendum(doctor, "visit", signed.id, "BP re-checked: 118/76")
    records.annotations.annotate(doctor, "visit", signed.id, "Agree with plan.")
    attachment = records.attachments.add_stream(
        doctor, "visit", open_visit.id, io.BytesIO(ATTACHMENT), "scan.pdf"
    )
    services.scheduling.profiles.save_profile(
        admin,
        doctor.id,
        DoctorProfileInput(
            specialisation="General practice",
            consultation_minutes=30,
            time_zone="Europe/Berlin",
            room="2.14",
            weekly_hours=parse_weekly("mon-sun=09:00-11:00"),
            breaks=parse_weekly(""),
        ),
    )
    day = date.today() + timedelta(days=7)
    services.scheduling.slots.generate(admin, doctor.id, day, day)
    view = services.scheduling.calendar.day_view(admin, day, doctor_id=doctor.id)
    slot_ids = [e.slot_id for column in view.columns for e in column.entries if e.slot_id]
    booked = services.scheduling.booking.book(desk, slot_ids[0], BookingRequest(second.id))
    return SeededClinic(
        patient_id=first.id,
        other_patient_id=second.id,
        open_visit_id=open_visit.id,
        signed_visit_id=signed.id,
        record_id=record.id,
        attachment_id=attachment.id,
        appointment_id=booked.id,
        slot_ids=slot_ids,
    )
