"""Suggested codes: the rules' own codes, plus the codes feature's suggestions from the text
when an ICD-10-CM release is active; without one, a note says why there are none."""

from __future__ import annotations

from clinic_app.bootstrap import Services
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser
from clinic_app.triage.code_suggestions import SOURCE
from clinic_app.triage.models import TriageInput

from tests.conftest import Template


def test_the_active_code_set_adds_suggestions_with_their_words(
    codes_services: Services, store_template: Template
) -> None:
    doctor = store_template.users[Role.DOCTOR]  # the same account in every copy of the store
    result = codes_services.triage.assess(
        doctor, TriageInput("crushing chest pain and type 2 diabetes", age_years=60)
    )
    codes = {c.code: c for c in result.suggested_codes}
    assert codes["R07.9"].source == "rule"
    suggested = [c for c in result.suggested_codes if c.source == SOURCE]
    assert suggested, "the codes feature suggested nothing for plain clinical words"
    assert all(c.matched for c in suggested)
    assert any(c.code.startswith("E11") for c in suggested)
    assert len(result.suggested_codes) == len(codes)  # no code listed twice
    assert result.notes == ()


def test_without_a_code_set_the_rules_codes_remain_and_a_note_says_why(
    services: Services, doctor: AuthenticatedUser
) -> None:
    result = services.triage.assess(doctor, TriageInput("chest pain"))
    assert [c.code for c in result.suggested_codes] == ["R07.9"]
    assert any("No ICD-10-CM code set is active" in note for note in result.notes)
