"""`clinic patient …` and `clinic demo seed`."""

from __future__ import annotations

import pytest
from clinic_app.bootstrap import Services
from clinic_app.security.permissions import Role

from tests.cli.conftest import CliRunner

BASE = [
    "patient",
    "add",
    "--given",
    "Zoë",
    "--family",
    "Ångström",
    "--sex",
    "female",
    "--birth-date",
    "1975-03-09",
]


def _count(run_cli: CliRunner) -> int:
    return int(
        run_cli("patient", "list", "--json", "--include-deleted", role=Role.DOCTOR).json()["total"]
    )


def test_add_show_search_list_delete_restore(run_cli: CliRunner, services: Services) -> None:
    added = run_cli(
        *BASE,
        "--phone",
        "+44 20 7946 0018",
        "--mrn",
        "MRN-77",
        "--primary-doctor",
        "drhouse",
        "--allergies",
        "latex",
        "--json",
        role=Role.DOCTOR,
    )
    assert added.code == 0, added.err
    patient = added.json()["patient"]
    pid = patient["summary"]["id"]
    assert patient["allergies"] == "latex"
    assert patient["summary"]["primary_doctor_id"]

    shown = run_cli("patient", "show", pid, "--json", role=Role.NURSE).json()
    assert shown["summary"]["family_name"] == "Ångström"
    assert shown["allergies"] == "latex"

    desk = run_cli("patient", "show", pid, "--json", role=Role.FRONT_DESK).json()
    assert desk["allergies"] is None
    assert desk["clinical_visible"] is False
    desk_text = run_cli("patient", "show", pid, role=Role.FRONT_DESK)
    assert "latex" not in desk_text.out

    for query in ("angst", "zoe ang", "MRN-77", "7946 0018", "1975"):
        found = run_cli("patient", "search", query, "--json", role=Role.FRONT_DESK).json()
        assert [p["id"] for p in found] == [pid], query

    assert run_cli("patient", "delete", pid, role=Role.DOCTOR).code == 0
    assert run_cli("patient", "search", "angst", "--json", role=Role.DOCTOR).json() == []
    assert run_cli("patient", "restore", pid, role=Role.DOCTOR).code == 0
    listed = run_cli("patient", "list", "--json", role=Role.DOCTOR).json()
    assert listed["total"] == 1


def test_a_possible_duplicate_is_reported_on_stderr(run_cli: CliRunner, services: Services) -> None:
    first = run_cli(*BASE, role=Role.FRONT_DESK)
    second = run_cli(
        "patient",
        "add",
        "--given",
        "zoe",
        "--family",
        "ANGSTROM",
        "--sex",
        "female",
        "--birth-date",
        "1975-03-09",
        role=Role.FRONT_DESK,
    )
    assert second.code == 0
    assert f"possible duplicate of {first.out.strip()}" in second.err


def test_front_desk_may_not_write_clinical_fields(run_cli: CliRunner, services: Services) -> None:
    result = run_cli(*BASE, "--allergies", "peanuts", role=Role.FRONT_DESK)
    assert result.code == 1
    assert "does not allow" in result.err
    assert _count(run_cli) == 0


@pytest.mark.parametrize(
    ("override", "fragment"),
    [
        (["--given", ""], "given_name"),
        (["--given", "   "], "given_name"),
        (["--family", "x" * 1_000_000], "family_name"),
        (["--given", "Bob\x07by"], "given_name"),
        (["--given", "Line\nBreak"], "given_name"),
        (["--birth-date", "2023-02-30"], "birth_date"),
        (["--birth-date", "3024-01-01"], "birth_date"),
        (["--birth-date", "1700-01-01"], "birth_date"),
        (["--birth-date", "yesterday"], "birth_date"),
        (["--birth-date", ""], "birth_date"),
        (["--phone", "call me maybe"], "phone"),
        (["--email", "not-an-email"], "email"),
        (["--mrn", "'; DROP TABLE patients; --"], "mrn"),
        (["--primary-doctor", "nurse.joy"], "doctor"),
    ],
)
def test_bad_patient_input_is_refused_and_nothing_is_written(
    run_cli: CliRunner, services: Services, override: list[str], fragment: str
) -> None:
    args = list(BASE)
    flag = override[0]
    if flag in args:
        args[args.index(flag) + 1] = override[1]
    else:
        args += override
    result = run_cli(*args, role=Role.DOCTOR)
    assert result.code == 1, result.out
    assert fragment in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert _count(run_cli) == 0


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "*",
        "NEAR(",
        "a AND b",
        "x OR y",
        "-",
        "'; DROP TABLE patients; --",
        "\x00",
        "é" * 5000,
        "🙂",
        "((",
        "col:val",
        "^start",
        "",
    ],
)
def test_search_treats_every_string_as_text(
    run_cli: CliRunner, services: Services, query: str
) -> None:
    run_cli(*BASE, role=Role.DOCTOR)
    result = run_cli("patient", "search", query, "--json", role=Role.DOCTOR)
    assert result.code == 0, result.err
    assert isinstance(result.json(), list)
    assert _count(run_cli) == 1


def test_show_of_an_unknown_id_is_a_clear_error(run_cli: CliRunner, services: Services) -> None:
    result = run_cli("patient", "show", "no-such-id" * 50, role=Role.DOCTOR)
    assert result.code == 1
    assert result.err.strip() == "error: No patient with that id."


def test_demo_seed_creates_plainly_synthetic_patients(
    run_cli: CliRunner, services: Services
) -> None:
    result = run_cli("demo", "seed", "--patients", "25", "--seed", "7", "--json", role=Role.ADMIN)
    assert result.code == 0, result.err
    assert result.json() == {"created": 25}
    items = run_cli("patient", "list", "--limit", "500", "--json", role=Role.DOCTOR).json()
    assert items["total"] == 25
    assert all(p["mrn"].startswith("DEMO-") for p in items["items"])
    shown = run_cli("patient", "show", items["items"][0]["id"], "--json", role=Role.DOCTOR)
    assert "SYNTHETIC" in shown.json()["history_notes"]


@pytest.mark.parametrize("count", ["0", "-5", "abc", "100000000"])
def test_demo_seed_rejects_bad_counts(run_cli: CliRunner, services: Services, count: str) -> None:
    result = run_cli("demo", "seed", "--patients", count, role=Role.ADMIN)
    assert result.code == 2
    assert _count(run_cli) == 0


def test_demo_seed_needs_the_admin_role(run_cli: CliRunner, services: Services) -> None:
    result = run_cli("demo", "seed", "--patients", "3", role=Role.DOCTOR)
    assert result.code == 1
    assert "does not allow" in result.err
