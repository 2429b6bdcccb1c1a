"""Triage through the services: quick analysis (nothing saved, audited without text) and a
visit's analysis saved with the rules' version."""

from __future__ import annotations

import pytest
from clinic_app.bootstrap import Services
from clinic_app.errors import PermissionDeniedError
from clinic_app.records.models import Visit, VisitInput, VitalsInput
from clinic_app.security.users import AuthenticatedUser
from clinic_app.triage.models import TriageInput, Urgency

from tests.store_inspection import audit_events, last_audit_seq, outbox_entries, scalar


def test_a_quick_analysis_saves_nothing_and_audits_only_the_outcome(
    services: Services, nurse: AuthenticatedUser
) -> None:
    before = last_audit_seq(services.db)
    result = services.triage.assess(nurse, TriageInput("denies SOB; wants to die", age_years=40))
    assert result.urgency is Urgency.URGENT
    assert [f.rule_id for f in result.red_flags] == ["suicidal_ideation"]
    assert scalar(services.db, "SELECT count(*) FROM triage_assessments") == 0
    events = audit_events(services.db, after_seq=before)
    assert [e.action for e in events] == ["triage.run"]
    assert events[0].details["urgency"] == "urgent"
    assert "die" not in str(events[0].details)


def test_roles_without_clinical_access_can_not_triage(
    services: Services, desk: AuthenticatedUser, admin: AuthenticatedUser, open_visit: Visit
) -> None:
    for user in (desk, admin):
        with pytest.raises(PermissionDeniedError):
            services.triage.assess(user, TriageInput("cough"))
        with pytest.raises(PermissionDeniedError):
            services.triage.assess_visit(user, open_visit.id)


def test_a_visits_triage_uses_its_notes_vitals_and_the_patients_age_and_is_saved(
    services: Services, doctor: AuthenticatedUser, nurse: AuthenticatedUser, open_visit: Visit
) -> None:
    visit = services.records.visits.update_visit(
        nurse,
        open_visit.id,
        VisitInput(symptoms="productive cough, new confusion"),
        open_visit.version,
    )
    services.records.visits.record_vitals(
        nurse,
        visit.id,
        VitalsInput(temperature=39.1, respiratory_rate=26, systolic=95, diastolic=60),
    )
    saved = services.triage.assess_visit(nurse, visit.id)
    ids = {f.rule_id for f in saved.result.red_flags}
    assert {"sepsis_signs", "qsofa", "fast_breathing_adult"} <= ids
    assert saved.result.urgency is Urgency.EMERGENCY
    assert saved.result.rules_version == services.triage.engine.version
    assert [e.operation for e in outbox_entries(services.db, saved.id)] == ["create"]
    stored = services.triage.saved_for_visit(doctor, visit.id)
    assert [s.id for s in stored] == [saved.id]
    assert stored[0].result == saved.result
