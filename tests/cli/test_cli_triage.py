"""`clinic triage TEXT` — a quick analysis, nothing saved."""

from __future__ import annotations

from clinic_app.bootstrap import Services
from clinic_app.security.permissions import Role

from tests.cli.conftest import CliRunner
from tests.store_inspection import scalar


def test_triage_json_names_urgency_flags_words_and_codes(
    run_cli: CliRunner, services: Services
) -> None:
    result = run_cli(
        "triage",
        "Crushing chest pain, denies SOB",
        "--age",
        "61",
        "--sex",
        "male",
        "--json",
        role=Role.NURSE,
    )
    assert result.code == 0, result.err
    data = result.json()
    assert data["urgency"] == "emergency"
    flags = {f["rule_id"]: f for f in data["red_flags"]}
    assert set(flags) == {"chest_pain"}  # SOB is negated
    assert flags["chest_pain"]["triggers"] == [{"field": "symptoms", "text": "Crushing chest pain"}]
    assert data["recommendations"]
    assert data["suggested_codes"][0]["code"] == "R07.9"
    assert data["online"] is None
    assert scalar(services.db, "SELECT count(*) FROM triage_assessments") == 0


def test_triage_text_output_and_vitals(run_cli: CliRunner, services: Services) -> None:
    result = run_cli("triage", "cough", "--spo2", "89", "--age", "70", role=Role.DOCTOR)
    assert result.code == 0, result.err
    assert result.out.startswith("Urgency: EMERGENCY")
    assert '"SpO2 89 % (below 92)" (spo2_percent)' in result.out
    assert "not a diagnosis" in result.out
    routine = run_cli("triage", "mild itch", role=Role.DOCTOR)
    assert routine.out.startswith("Urgency: ROUTINE")


def test_triage_refuses_bad_input_and_the_desk(run_cli: CliRunner, services: Services) -> None:
    empty = run_cli("triage", "  ", role=Role.NURSE)
    assert empty.code == 1
    assert empty.err.startswith("error: symptoms: Describe the symptoms")
    pulse = run_cli("triage", "cough", "--pulse", "900", role=Role.NURSE)
    assert pulse.err.startswith("error: pulse: Pulse must be between 20 and 300")
    age = run_cli("triage", "cough", "--age", "200", role=Role.NURSE)
    assert age.code == 2  # click's own range check
    desk = run_cli("triage", "cough", role=Role.FRONT_DESK)
    assert desk.code == 1
    assert "does not allow" in desk.err
