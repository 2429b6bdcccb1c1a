"""Triage use cases: a quick analysis (nothing saved), or an analysis of a visit saved on it
with the rules' version. Both are permission-checked and audited (ids and the urgency only,
never the text). The optional online analysis runs outside any database transaction."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import select

from clinic_app.errors import ClinicError
from clinic_app.patients.tables import PatientRow
from clinic_app.records.context import RecordsContext, visit_row
from clinic_app.records.models import VitalsInput
from clinic_app.records.tables import VitalSignsRow
from clinic_app.security.permissions import Action
from clinic_app.security.users import AuthenticatedUser
from clinic_app.triage.engine import TriageEngine
from clinic_app.triage.models import (
    OnlineOpinion,
    RedFlag,
    SavedTriage,
    SuggestedCode,
    TriageInput,
    TriageResult,
    Trigger,
    Urgency,
)
from clinic_app.triage.online import OnlineAnalyst
from clinic_app.triage.rules import load_rules
from clinic_app.triage.tables import TriageAssessmentRow

RECORD_TYPE = "triage"
MAX_SUGGESTED_CODES = 10


class CodeSuggester(Protocol):
    """What triage needs from the codes feature (adapted in bootstrap when it is present)."""

    def suggest_codes(
        self, user: AuthenticatedUser, text: str, limit: int
    ) -> Sequence[SuggestedCode]: ...


def _age_years(birth: date, today: date) -> float:
    return max(0.0, (today - birth).days / 365.25)


class TriageService:
    def __init__(
        self,
        ctx: RecordsContext,
        engine: TriageEngine,
        *,
        code_suggester: CodeSuggester | None = None,
        online: OnlineAnalyst | None = None,
    ) -> None:
        self._ctx = ctx
        self.engine = engine
        self._codes = code_suggester
        self.online = online

    def assess(
        self, user: AuthenticatedUser, data: TriageInput, *, online: bool = False
    ) -> TriageResult:
        """Quick analysis: nothing is saved; the audit event records only the urgency."""
        self._ctx.require(user, Action.TRIAGE_RUN, RECORD_TYPE)
        result = self._evaluate(user, data, online=online, names=())
        with self._ctx.db.unit_of_work() as uow:
            self._ctx.log(
                uow.session,
                user,
                "triage.run",
                RECORD_TYPE,
                None,
                {
                    "urgency": result.urgency.value,
                    "rules_version": result.rules_version,
                    "flags": len(result.red_flags),
                    "online": result.online is not None,
                },
            )
            uow.commit()
        return result

    def assess_visit(
        self, user: AuthenticatedUser, visit_id: str, *, online: bool = False
    ) -> SavedTriage:
        """Triage from the visit's own symptoms, history, latest vitals and the patient's
        age and sex; saved on the visit with the rules' version."""
        self._ctx.require(user, Action.TRIAGE_RUN, RECORD_TYPE, visit_id)
        self._ctx.require(user, Action.VISIT_READ, RECORD_TYPE, visit_id)
        with self._ctx.db.unit_of_work() as uow:
            visit = visit_row(uow.session, visit_id)
            patient = uow.session.get(PatientRow, visit.patient_id)
            vitals = uow.session.scalars(
                select(VitalSignsRow)
                .where(VitalSignsRow.visit_id == visit.id, VitalSignsRow.deleted_at.is_(None))
                .order_by(VitalSignsRow.measured_at.desc())
                .limit(1)
            ).first()
            history = "\n".join(t for t in (visit.history_medical, visit.history_medication) if t)
            data = TriageInput(
                symptoms="\n".join(t for t in (visit.reason, visit.symptoms) if t),
                age_years=_age_years(patient.birth_date, visit.started_at.date())
                if patient
                else None,
                sex=patient.sex if patient else None,
                vitals=_vitals_input(vitals) if vitals else None,
                history=history,
            )
            names = [patient.given_name, patient.family_name] if patient else []
            patient_id = visit.patient_id
        result = self._evaluate(user, data, online=online, names=names)
        with self._ctx.db.unit_of_work() as uow:
            visit_row(uow.session, visit_id)
            row = TriageAssessmentRow(
                visit_id=visit_id,
                patient_id=patient_id,
                performed_by_id=user.id,
                performed_at=self._ctx.clock(),
                urgency=result.urgency.value,
                rules_version=result.rules_version,
                result_json=json.dumps(_result_json(result), ensure_ascii=False),
                online_json=json.dumps(dataclasses.asdict(result.online), ensure_ascii=False)
                if result.online
                else None,
            )
            uow.session.add(row)
            uow.flush()
            self._ctx.log(
                uow.session,
                user,
                "triage.save",
                RECORD_TYPE,
                row.id,
                {
                    "visit_id": visit_id,
                    "urgency": result.urgency.value,
                    "rules_version": result.rules_version,
                },
            )
            uow.commit()
            return SavedTriage(row.id, visit_id, user.id, row.performed_at, result)

    def saved_for_visit(self, user: AuthenticatedUser, visit_id: str) -> list[SavedTriage]:
        """Every saved triage of a visit, newest first (as computed then, with its version)."""
        self._ctx.require(user, Action.VISIT_READ, RECORD_TYPE, visit_id)
        with self._ctx.db.unit_of_work() as uow:
            visit_row(uow.session, visit_id)
            rows = uow.session.scalars(
                select(TriageAssessmentRow)
                .where(
                    TriageAssessmentRow.visit_id == visit_id,
                    TriageAssessmentRow.deleted_at.is_(None),
                )
                .order_by(TriageAssessmentRow.performed_at.desc())
            ).all()
            self._ctx.log(
                uow.session,
                user,
                "triage.list",
                RECORD_TYPE,
                None,
                {"visit_id": visit_id, "results": len(rows)},
            )
            uow.commit()
            return [_saved(row) for row in rows]

    def _evaluate(
        self,
        user: AuthenticatedUser,
        data: TriageInput,
        *,
        online: bool,
        names: Sequence[str],
    ) -> TriageResult:
        result = self.engine.evaluate(data)
        notes: list[str] = []
        text = "\n".join(t for t in (data.symptoms, data.history) if t.strip())
        if self._codes is not None and text:
            known = {c.code for c in result.suggested_codes}
            try:
                found = self._codes.suggest_codes(user, text, MAX_SUGGESTED_CODES)
            except ClinicError as exc:  # no code set imported yet, text too long for it, …
                notes.append(f"No code suggestions from the code set: {exc}")
                found = []
            extra = [c for c in found if c.code not in known]
            result = dataclasses.replace(
                result, suggested_codes=(*result.suggested_codes, *extra)[:MAX_SUGGESTED_CODES]
            )
        opinion: OnlineOpinion | None = None
        if online:
            if self.online is None:
                notes.append("Online analysis is not configured; the offline result is shown.")
            else:
                opinion, note = self.online.consult(data, result, names)
                if note:
                    notes.append(note)
        return dataclasses.replace(result, online=opinion, notes=tuple(notes))


def _vitals_input(row: VitalSignsRow) -> VitalsInput:
    return VitalsInput(
        temperature=row.temperature_c,
        pulse=row.pulse_bpm,
        systolic=row.systolic_mmhg,
        diastolic=row.diastolic_mmhg,
        respiratory_rate=row.respiratory_rate,
        spo2=row.spo2_percent,
    )


def _result_json(result: TriageResult) -> dict[str, Any]:
    data = dataclasses.asdict(result)
    data.pop("online", None)
    return data


def _saved(row: TriageAssessmentRow) -> SavedTriage:
    data = json.loads(row.result_json)
    flags = tuple(
        RedFlag(
            rule_id=f["rule_id"],
            name=f["name"],
            urgency=Urgency(f["urgency"]),
            triggers=tuple(Trigger(**t) for t in f["triggers"]),
            recommendation=f["recommendation"],
            sources=tuple(f["sources"]),
        )
        for f in data["red_flags"]
    )
    online = None
    if row.online_json:
        raw = json.loads(row.online_json)
        online = OnlineOpinion(
            model=raw["model"],
            label=raw["label"],
            text=raw["text"],
            urgency=Urgency(raw["urgency"]) if raw.get("urgency") else None,
        )
    result = TriageResult(
        urgency=Urgency(data["urgency"]),
        red_flags=flags,
        recommendations=tuple(data["recommendations"]),
        suggested_codes=tuple(
            SuggestedCode(**{**c, "matched": tuple(c.get("matched", ()))})
            for c in data["suggested_codes"]
        ),
        rules_version=data["rules_version"],
        disclaimer=data["disclaimer"],
        online=online,
        notes=tuple(data.get("notes", ())),
    )
    return SavedTriage(row.id, row.visit_id, row.performed_by_id, row.performed_at, result)


def build_triage(
    ctx: RecordsContext,
    *,
    online: OnlineAnalyst | None = None,
    code_suggester: CodeSuggester | None = None,
    rules_path: Path | None = None,
) -> TriageService:
    return TriageService(
        ctx, TriageEngine(load_rules(rules_path)), code_suggester=code_suggester, online=online
    )
