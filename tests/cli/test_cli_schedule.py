"""`clinic schedule hours|slots|book|earliest|cancel|list`, as IT scripts would run them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from clinic_app.bootstrap import Services
from clinic_app.patients.models import PatientInput
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser

from tests.cli.conftest import CliRunner

HOURS = ["--hours", "mon-sun=08:00-12:00", "--minutes", "30", "--tz", "Europe/Berlin"]


def _patient(services: Services, desk: AuthenticatedUser) -> str:
    data = PatientInput(
        given_name="Ada",
        family_name="Lovelace",
        sex="female",
        birth_date="1985-12-10",
        phone="+44 20 7946 0018",
    )
    return services.patients.create(desk, data).patient.id


def test_a_scripted_day_at_the_desk(
    run_cli: CliRunner, services: Services, users: dict[Role, AuthenticatedUser]
) -> None:
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date()
    week_end = tomorrow + timedelta(days=6)
    no_profile = run_cli(
        "schedule", "hours", "drhouse", "--hours", "mon=08:00-09:00", role=Role.ADMIN
    )
    assert no_profile.code == 2
    assert "no profile yet" in no_profile.err

    hours = run_cli(
        "schedule",
        "hours",
        "drhouse",
        *HOURS,
        "--specialisation",
        "Dermatology",
        "--room",
        "2.14",
        "--json",
        role=Role.ADMIN,
    )
    assert hours.code == 0, hours.err
    assert hours.json()["profile"]["weekly_hours"]["0"] == [{"start": 480, "end": 720}]
    slots = run_cli(
        "schedule",
        "slots",
        "drhouse",
        "--from",
        tomorrow.isoformat(),
        "--to",
        week_end.isoformat(),
        "--json",
        role=Role.FRONT_DESK,
    )
    assert slots.code == 0, slots.err
    assert slots.json()["created"] == 7 * 8

    patient = _patient(services, users[Role.FRONT_DESK])
    found = run_cli("schedule", "earliest", "--doctor", "drhouse", "--json", role=Role.FRONT_DESK)
    assert found.code == 0, found.err
    slot = found.json()
    assert slot["local_start"].startswith(f"{tomorrow.isoformat()}T08:00:00+0")
    booked = run_cli(
        "schedule",
        "book",
        "--patient",
        patient,
        "--slot",
        slot["id"],
        "--json",
        role=Role.FRONT_DESK,
    )
    assert booked.code == 0, booked.err
    appointment = booked.json()
    assert appointment["status"] == "booked"
    assert appointment["confirmed"] is False

    taken = run_cli(
        "schedule",
        "book",
        "--patient",
        patient,
        "--slot",
        slot["id"],
        "--json",
        role=Role.FRONT_DESK,
    )
    assert taken.code == 1
    assert "just taken" in taken.err
    assert len(taken.err.strip().splitlines()) == 1
    assert taken.json()["next_slot"]["local_start"].startswith(f"{tomorrow.isoformat()}T08:30")

    late = run_cli(
        "schedule",
        "earliest",
        "--doctor",
        "drhouse",
        "--after",
        "10:00",
        "--weekdays",
        "mon-sun",
        "--book",
        patient,
        "--type",
        "telehealth",
        "--link",
        "https://meet.example.org/r/1",
        "--json",
        role=Role.FRONT_DESK,
    )
    assert late.code == 0, late.err
    assert late.json()["meeting_link"] == "https://meet.example.org/r/1"

    own = run_cli(
        "schedule",
        "list",
        "--day",
        tomorrow.isoformat(),
        "--doctor",
        "drhouse",
        "--json",
        role=Role.DOCTOR,
    )
    assert own.code == 0, own.err
    entries = own.json()["columns"][0]["entries"]
    assert len(entries) == 8
    assert entries[0]["appointment"]["patient_name"] == "Lovelace, Ada"
    clinic_wide = run_cli("schedule", "list", "--week", tomorrow.isoformat(), role=Role.DOCTOR)
    assert clinic_wide.code == 1
    assert "does not allow" in clinic_wide.err
    text = run_cli("schedule", "list", "--day", tomorrow.isoformat(), role=Role.NURSE)
    assert text.code == 0, text.err
    assert "Lovelace, Ada" in text.out
    assert "Greg House" in text.out

    shorter = run_cli(
        "schedule", "hours", "drhouse", "--hours", "mon-sun=08:00-09:00", "--json", role=Role.ADMIN
    )
    assert shorter.code == 0, shorter.err
    moved = shorter.json()["change"]["appointments_to_move"]
    assert [a["id"] for a in moved] == [late.json()["id"]]
    assert shorter.json()["profile"]["specialisation"] == "Dermatology"  # kept

    cancelled = run_cli(
        "schedule",
        "cancel",
        appointment["id"],
        "--reason",
        "patient called",
        "--json",
        role=Role.FRONT_DESK,
    )
    assert cancelled.code == 0, cancelled.err
    assert cancelled.json()["status"] == "cancelled"


def test_bad_input_gets_one_line_and_a_failing_exit(run_cli: CliRunner, services: Services) -> None:
    run_cli(
        "schedule", "hours", "drhouse", *HOURS, "--specialisation", "Dermatology", role=Role.ADMIN
    )
    cases = [
        (
            ["schedule", "slots", "drhouse", "--from", "2026-01-01", "--to", "2036-01-01"],
            Role.FRONT_DESK,
            "at most 366 days",
        ),
        (
            ["schedule", "slots", "drhouse", "--from", "2026-02-30", "--to", "2026-03-02"],
            Role.FRONT_DESK,
            "YYYY-MM-DD",
        ),
        (["schedule", "hours", "drhouse", "--tz", "Mars/Base"], Role.ADMIN, "time_zone"),
        (["schedule", "earliest", "--after", "25:00"], Role.FRONT_DESK, "HH:MM"),
        (["schedule", "earliest", "--doctor", "nobody"], Role.FRONT_DESK, "No active doctor"),
        (["schedule", "cancel", "nope", "--reason", "x"], Role.FRONT_DESK, "No appointment"),
        (["schedule", "book", "--patient", "p", "--slot", "s"], Role.NURSE, "does not allow"),
    ]
    for argv, role, message in cases:
        result = run_cli(*argv, role=role)
        assert result.code == 1, (argv, result.err)
        assert message.lower() in result.err.lower(), (argv, result.err)
        assert len(result.err.strip().splitlines()) == 1, result.err
    usage = run_cli("schedule", "list", role=Role.FRONT_DESK)
    assert usage.code == 2
    assert "--day or --week" in usage.err
