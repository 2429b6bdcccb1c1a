"""`clinic visit add|show|list|sign` for scripted use."""

from __future__ import annotations

from clinic_app.bootstrap import Services
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser

from tests.cli.conftest import CliRunner
from tests.patient_inputs import patient_input
from tests.store_inspection import scalar


def _patient(services: Services, doctor: AuthenticatedUser) -> str:
    return services.patients.create(doctor, patient_input()).patient.id


def test_add_show_list_and_sign_a_visit(
    run_cli: CliRunner, services: Services, users: dict[Role, AuthenticatedUser]
) -> None:
    pid = _patient(services, users[Role.DOCTOR])
    added = run_cli(
        "visit",
        "add",
        "--patient",
        pid,
        "--reason",
        "Fever",
        "--symptoms",
        "fever, cough",
        "--temp",
        "101.3F",
        "--pulse",
        "96",
        "--bp",
        "128/84",
        "--spo2",
        "97",
        "--weight",
        "70",
        "--height",
        "175",
        "--json",
        role=Role.NURSE,
    )
    assert added.code == 0, added.err
    visit = added.json()
    vid = visit["summary"]["id"]
    assert visit["summary"]["reason"] == "Fever"
    assert visit["vitals"][0]["temperature_c"] == 38.5
    assert visit["vitals"][0]["systolic_mmhg"] == 128
    assert visit["vitals"][0]["bmi"] == 22.9

    listed = run_cli("visit", "list", "--patient", pid, "--json", role=Role.DOCTOR)
    assert [v["id"] for v in listed.json()] == [vid]
    text = run_cli("visit", "show", vid, role=Role.DOCTOR)
    assert "BP 128/84" in text.out
    assert "Fever" in text.out

    denied = run_cli("visit", "sign", vid, role=Role.NURSE)
    assert denied.code == 1
    assert denied.err.startswith("error: Your role (nurse) does not allow this")
    signed = run_cli("visit", "sign", vid, "--json", role=Role.DOCTOR)
    assert signed.code == 0, signed.err
    assert signed.json()["summary"]["status"] == "signed"


def test_bad_input_is_one_line_naming_the_field(
    run_cli: CliRunner, services: Services, users: dict[Role, AuthenticatedUser]
) -> None:
    pid = _patient(services, users[Role.DOCTOR])
    cases = [
        (["--pulse", "900"], "pulse: Pulse must be between 20 and 300"),
        (["--bp", "120-80"], "blood_pressure: Use systolic/diastolic"),
    ]
    for extra, message in cases:
        result = run_cli("visit", "add", "--patient", pid, *extra, role=Role.NURSE)
        assert result.code == 1
        assert result.err.startswith(f"error: {message}"), result.err
        assert result.err.count("\n") == 1
    assert scalar(services.db, "SELECT count(*) FROM visits") == 0
    missing = run_cli("visit", "show", "nope", role=Role.DOCTOR)
    assert missing.code == 1
    assert "No visit with that id" in missing.err
    desk = run_cli("visit", "list", "--patient", pid, role=Role.FRONT_DESK)
    assert desk.code == 1
