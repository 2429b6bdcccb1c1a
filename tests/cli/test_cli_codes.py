"""clinic codes … through the real entry point, on a store holding the ICD-10-CM release."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clinic_app.security.permissions import Role

from tests.cli.conftest import CliRunner
from tests.codes import conftest as codes_fixtures

# The store holding the ICD-10-CM release, shared with tests/codes (built once per session).
codes_template = codes_fixtures.codes_template
codes_services = codes_fixtures.codes_services
pytestmark = pytest.mark.usefixtures("codes_services")


def test_search_and_suggest_print_json(run_cli: CliRunner) -> None:
    found = run_cli("codes", "search", "e119", "--json", role=Role.DOCTOR)
    assert found.code == 0, found.err
    first = found.json()[0]
    assert (first["code"], first["billable"]) == ("E11.9", True)
    assert {"description", "score", "set_version"} <= first.keys()
    suggested = run_cli(
        "codes", "suggest", "HTN, no chest pain", "--limit", "3", "--json", role=Role.DOCTOR
    )
    assert suggested.code == 0, suggested.err
    items = suggested.json()
    assert items[0]["code"] == "I10"
    assert items[0]["evidence"] == ["HTN"]


def test_batches_answer_one_json_line_per_input_line(run_cli: CliRunner, tmp_path: Path) -> None:
    queries = tmp_path / "q.txt"
    queries.write_text("I10\n\nasthma\n", encoding="utf-8")
    result = run_cli("codes", "search", "--file", str(queries), "--limit", "2", role=Role.NURSE)
    lines = [json.loads(line) for line in result.out.splitlines()]
    assert [line["line"] for line in lines] == [1, 2, 3]
    assert lines[0]["results"][0]["code"] == "I10"
    assert lines[1]["results"] == []
    notes = tmp_path / "n.txt"
    notes.write_text("T2DM\nfamily history of diabetes\n", encoding="utf-8")
    result = run_cli("codes", "suggest", "--file", str(notes), role=Role.DOCTOR)
    lines = [json.loads(line) for line in result.out.splitlines()]
    assert [line["suggestions"][0]["code"] for line in lines] == ["E11.9", "Z83.3"]


def test_admin_imports_lists_and_activates_sets(run_cli: CliRunner, tmp_path: Path) -> None:
    local = tmp_path / "local.csv"
    local.write_text("code,description,synonyms\nLOC-1,Clinic follow-up visit,review\n", "utf-8")
    imported = run_cli(
        "codes",
        "import",
        str(local),
        "--system",
        "local",
        "--version",
        "v1",
        "--json",
        role=Role.ADMIN,
    )
    assert imported.code == 0, imported.err
    assert imported.json()[0]["system"] == "LOCAL"
    sets = run_cli("codes", "sets", "--json", role=Role.ADMIN).json()
    assert {(s["system"], s["active"]) for s in sets} == {("ICD-10-CM", True), ("LOCAL", True)}
    again = run_cli("codes", "activate", "LOCAL", "v1", role=Role.ADMIN)
    assert again.code == 0, again.err
    found = run_cli("codes", "search", "review", "--system", "LOCAL", "--json", role=Role.DOCTOR)
    assert found.json()[0]["code"] == "LOC-1"


def test_failures_are_one_line(run_cli: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("code\nX1\n", encoding="utf-8")
    refused = run_cli(
        "codes", "import", str(bad), "--system", "HCPCS", "--version", "1", role=Role.ADMIN
    )
    assert refused.code == 1
    assert refused.err.startswith("error: ")
    assert len(refused.err.strip().splitlines()) == 1
    denied = run_cli("codes", "search", "asthma", role=Role.FRONT_DESK)
    assert denied.code == 1
    assert "does not allow" in denied.err
    empty = run_cli("codes", "search", "", role=Role.DOCTOR)
    assert empty.code == 1
    assert "Type a code or words" in empty.err
    unknown = run_cli("codes", "search", "x", "--system", "ICD-11", role=Role.DOCTOR)
    assert "Unknown code system" in unknown.err


def test_show_prints_the_hierarchy(run_cli: CliRunner) -> None:
    shown = run_cli("codes", "show", "S72.001A", role=Role.DOCTOR)
    assert shown.code == 0, shown.err
    assert "S70-S79" in shown.out
    assert "> S72.001A" in shown.out
