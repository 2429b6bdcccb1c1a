"""The patient chart in one call, for the GUI's chart screen.

Reads columns on the session's connection (Core rows, not ORM objects or ORM result
loading: a chart may span hundreds of visits and thousands of vitals readings); see
tests/benchmarks/bench_chart.py for the figure against a bare SELECT.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinic_app.records.chart_models import (
    MEASURE_UNITS,
    Measure,
    PatientChart,
    PatientHeader,
    Problem,
    TimelineEntry,
    VitalsSeries,
)
from clinic_app.records.context import RecordsContext, any_patient
from clinic_app.records.models import ClinicalStatus, CodeKind, ReviewStatus, Vitals
from clinic_app.records.tables import (
    ClinicalRecordRow,
    CodedEntryRow,
    ReviewAssignmentRow,
    VisitRow,
    VitalSignsRow,
)
from clinic_app.security.permissions import Action
from clinic_app.security.users import AuthenticatedUser

RECORD_TYPE = "chart"
_V = VitalSignsRow
_VITAL_COLUMNS = (
    _V.id,
    _V.visit_id,
    _V.measured_at,
    _V.recorded_by_id,
    _V.temperature_c,
    _V.pulse_bpm,
    _V.systolic_mmhg,
    _V.diastolic_mmhg,
    _V.respiratory_rate,
    _V.spo2_percent,
    _V.weight_kg,
    _V.height_cm,
    _V.bmi,
)
_MEASURE_INDEX = {
    measure: 4 + i
    for i, measure in enumerate(
        (
            Measure.TEMPERATURE,
            Measure.PULSE,
            Measure.SYSTOLIC,
            Measure.DIASTOLIC,
            Measure.RESPIRATORY_RATE,
            Measure.SPO2,
            Measure.WEIGHT,
            Measure.HEIGHT,
            Measure.BMI,
        )
    )
}


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


class ChartService:
    def __init__(self, ctx: RecordsContext) -> None:
        self._ctx = ctx

    def chart(self, user: AuthenticatedUser, patient_id: str) -> PatientChart:
        self._ctx.require(user, Action.VISIT_READ, RECORD_TYPE, patient_id)
        with self._ctx.db.unit_of_work() as uow:
            session = uow.session
            patient = any_patient(session, patient_id)
            today = self._ctx.clock().date()
            header = PatientHeader(
                id=patient.id,
                display_name=f"{patient.family_name}, {patient.given_name}",
                sex=patient.sex,
                birth_date=patient.birth_date,
                age_years=age_on(patient.birth_date, today),
                mrn=patient.mrn,
                allergies=patient.allergies if user.can(Action.PATIENT_READ_CLINICAL) else None,
                primary_doctor_id=patient.primary_doctor_id,
            )
            series, latest = _vitals(session, patient_id)
            chart = PatientChart(
                header=header,
                timeline=_timeline(session, patient_id),
                vitals=series,
                latest_vitals=latest,
                problems=_problems(session, patient_id),
                pending_reviews=_pending_reviews(session, patient_id),
            )
            self._ctx.log(
                session,
                user,
                "chart.read",
                RECORD_TYPE,
                patient_id,
                {"timeline": len(chart.timeline), "problems": len(chart.problems)},
            )
            uow.commit()
            return chart


def _timeline(session: Session, patient_id: str) -> tuple[TimelineEntry, ...]:
    visits = (
        session.connection()
        .execute(
            select(
                VisitRow.id,
                VisitRow.started_at,
                VisitRow.reason,
                VisitRow.status,
                VisitRow.clinician_id,
            ).where(VisitRow.patient_id == patient_id, VisitRow.deleted_at.is_(None))
        )
        .all()
    )
    records = (
        session.connection()
        .execute(
            select(
                ClinicalRecordRow.id,
                ClinicalRecordRow.recorded_at,
                ClinicalRecordRow.title,
                ClinicalRecordRow.record_type,
                ClinicalRecordRow.author_id,
            ).where(
                ClinicalRecordRow.patient_id == patient_id, ClinicalRecordRow.deleted_at.is_(None)
            )
        )
        .all()
    )
    entries = [
        TimelineEntry("visit", vid, when, reason or "Visit", status, author)
        for vid, when, reason, status, author in visits
    ]
    entries += [
        TimelineEntry(kind, rid, when, title, "final", author)
        for rid, when, title, kind, author in records
    ]
    entries.sort(key=lambda e: (e.occurred_at, e.id), reverse=True)
    return tuple(entries)


def _vitals(session: Session, patient_id: str) -> tuple[tuple[VitalsSeries, ...], Vitals | None]:
    rows = (
        session.connection()
        .execute(
            select(*_VITAL_COLUMNS)
            .where(_V.patient_id == patient_id, _V.deleted_at.is_(None))
            .order_by(_V.measured_at, _V.id)
        )
        .all()
    )
    series = []
    for measure, index in _MEASURE_INDEX.items():
        points = tuple((row[2], float(row[index])) for row in rows if row[index] is not None)
        if points:
            series.append(VitalsSeries(measure, MEASURE_UNITS[measure], points))
    latest = Vitals(*rows[-1]) if rows else None
    return tuple(series), latest


def _problems(session: Session, patient_id: str) -> tuple[Problem, ...]:
    rows = (
        session.connection()
        .execute(
            select(
                CodedEntryRow.code,
                CodedEntryRow.system,
                CodedEntryRow.code_set_version,
                CodedEntryRow.description,
                CodedEntryRow.clinical_status,
                VisitRow.started_at,
                VisitRow.id,
            )
            .join(VisitRow, VisitRow.id == CodedEntryRow.visit_id)
            .where(
                CodedEntryRow.patient_id == patient_id,
                CodedEntryRow.kind == CodeKind.DIAGNOSIS.value,
                CodedEntryRow.deleted_at.is_(None),
                VisitRow.deleted_at.is_(None),
            )
            .order_by(VisitRow.started_at, CodedEntryRow.id)
        )
        .all()
    )
    first_seen: dict[tuple[str, str], Problem] = {}
    latest: dict[tuple[str, str], tuple[str, Problem]] = {}
    for code, system, version, description, status, when, visit_id in rows:
        key = (system, code)
        problem = Problem(
            code=code,
            system=system,
            code_set_version=version,
            description=description,
            first_recorded_at=first_seen[key].first_recorded_at if key in first_seen else when,
            last_recorded_at=when,
            visit_id=visit_id,
        )
        first_seen.setdefault(key, problem)
        latest[key] = (status, problem)
    active = [p for status, p in latest.values() if status == ClinicalStatus.ACTIVE.value]
    active.sort(key=lambda p: p.last_recorded_at, reverse=True)
    return tuple(active)


def _pending_reviews(session: Session, patient_id: str) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(ReviewAssignmentRow)
            .where(
                ReviewAssignmentRow.patient_id == patient_id,
                ReviewAssignmentRow.status == ReviewStatus.PENDING.value,
                ReviewAssignmentRow.deleted_at.is_(None),
            )
        )
        or 0
    )
