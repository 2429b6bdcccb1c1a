"""`clinic audit verify|list` and `clinic backup create|verify|restore`."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from clinic_app.bootstrap import Services
from clinic_app.security.permissions import Role
from clinic_app.settings import Settings
from sqlalchemy import text

from tests.cli.conftest import CliRunner


def test_audit_verify_passes_then_finds_a_tampered_event(
    run_cli: CliRunner, services: Services
) -> None:
    run_cli("demo", "seed", "--patients", "3", role=Role.ADMIN)
    ok = run_cli("audit", "verify", "--json", role=Role.ADMIN)
    assert ok.code == 0, ok.err
    assert ok.json()["ok"] is True
    with services.db.unit_of_work() as uow:
        uow.session.execute(text("DROP TRIGGER audit_events_no_update"))
        uow.session.execute(text("UPDATE audit_events SET action = 'x' WHERE seq = 3"))
        uow.commit()
    broken = run_cli("audit", "verify", role=Role.ADMIN)
    assert broken.code == 1
    assert "BROKEN at event 3" in broken.out


def test_audit_list_filters(run_cli: CliRunner, services: Services) -> None:
    run_cli("patient", "list", role=Role.DOCTOR)
    events = run_cli(
        "audit", "list", "--by", "drhouse", "--action", "patient.", "--json", role=Role.ADMIN
    ).json()
    assert events
    assert {e["username"] for e in events} == {"drhouse"}
    assert all(e["action"].startswith("patient.") for e in events)
    future = run_cli("audit", "list", "--since", "2999-01-01", "--json", role=Role.ADMIN)
    assert future.json() == []


@pytest.mark.parametrize("since", ["yesterday", "2026-13-01", "'; --", ""])
def test_audit_list_rejects_bad_dates(run_cli: CliRunner, services: Services, since: str) -> None:
    result = run_cli("audit", "list", "--since", since, role=Role.ADMIN)
    assert result.code == 1
    assert "--since" in result.err


def test_audit_needs_the_admin_role(run_cli: CliRunner, services: Services) -> None:
    assert run_cli("audit", "list", role=Role.DOCTOR).code == 1
    assert run_cli("audit", "verify", role=Role.NURSE).code == 1


def test_backup_round_trip_restores_the_data_and_keeps_the_old_copy(
    run_cli: CliRunner, services: Services, tmp_path: Path
) -> None:
    run_cli("demo", "seed", "--patients", "10", role=Role.ADMIN)
    target = tmp_path / "nightly.clinicbak"
    made = run_cli("backup", "create", str(target), "--json", role=Role.ADMIN)
    assert made.code == 0, made.err
    assert made.json()["ok"] is True
    assert run_cli("backup", "verify", str(target), role=Role.ADMIN).code == 0
    with open(target, "rb") as handle:
        assert not handle.read(16).startswith(b"SQLite format 3")

    run_cli("demo", "seed", "--patients", "5", role=Role.ADMIN)
    restored = run_cli("backup", "restore", str(target), "--yes", "--json", role=Role.ADMIN)
    assert restored.code == 0, restored.err
    kept = Path(restored.json()["previous_database_kept_as"])
    assert kept.exists()
    total = run_cli("patient", "list", "--json", role=Role.DOCTOR).json()["total"]
    assert total == 10


def test_backup_create_refuses_to_overwrite(
    run_cli: CliRunner, services: Services, tmp_path: Path
) -> None:
    target = tmp_path / "exists.clinicbak"
    target.write_bytes(b"keep me")
    result = run_cli("backup", "create", str(target), role=Role.ADMIN)
    assert result.code == 1
    assert "already exists" in result.err
    assert target.read_bytes() == b"keep me"


def _corrupt(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 32] = os.urandom(32)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", ["flipped", "truncated", "empty", "random", "missing"])
def test_a_bad_backup_is_refused_and_current_data_untouched(
    run_cli: CliRunner, services: Services, tmp_path: Path, settings: Settings, damage: str
) -> None:
    run_cli("demo", "seed", "--patients", "4", role=Role.ADMIN)
    target = tmp_path / "b.clinicbak"
    assert run_cli("backup", "create", str(target), role=Role.ADMIN).code == 0
    if damage == "flipped":
        _corrupt(target)
    elif damage == "truncated":
        target.write_bytes(target.read_bytes()[: target.stat().st_size // 3])
    elif damage == "empty":
        target.write_bytes(b"")
    elif damage == "random":
        target.write_bytes(os.urandom(65536))
    else:
        target.unlink()
    run_cli("demo", "seed", "--patients", "2", role=Role.ADMIN)
    assert run_cli("backup", "verify", str(target), role=Role.ADMIN).code == 1
    refused = run_cli("backup", "restore", str(target), "--yes", role=Role.ADMIN)
    assert refused.code == 1
    assert "refused" in refused.err or "can't" in refused.err
    assert run_cli("patient", "list", "--json", role=Role.DOCTOR).json()["total"] == 6
    assert not list(settings.backup_dir.glob("pre-restore-*"))


def test_a_backup_of_another_store_is_refused(
    run_cli: CliRunner, services: Services, tmp_path: Path
) -> None:
    other = tmp_path / "other"
    created = run_cli(
        "init",
        "--admin",
        "boss",
        env={"CLINIC_ADMIN_PASSWORD": "other-admin-9"},
        data_dir=str(other),
    )
    assert created.code == 0, created.err
    foreign = tmp_path / "foreign.clinicbak"
    made = run_cli(
        "backup",
        "create",
        str(foreign),
        "--user",
        "boss",
        env={"CLINIC_PASSWORD": "other-admin-9"},
        data_dir=str(other),
    )
    assert made.code == 0, made.err
    refused = run_cli("backup", "restore", str(foreign), "--yes", role=Role.ADMIN)
    assert refused.code == 1
    assert "not a backup of this clinic database" in refused.err


def test_restore_asks_first_and_a_no_changes_nothing(
    run_cli: CliRunner, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "b.clinicbak"
    run_cli("backup", "create", str(target), role=Role.ADMIN)
    run_cli("demo", "seed", "--patients", "3", role=Role.ADMIN)
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    result = run_cli("backup", "restore", str(target), role=Role.ADMIN)
    assert result.code == 130
    assert run_cli("patient", "list", "--json", role=Role.DOCTOR).json()["total"] == 3


def test_backups_need_the_admin_role(
    run_cli: CliRunner, services: Services, tmp_path: Path
) -> None:
    result = run_cli("backup", "create", str(tmp_path / "x.clinicbak"), role=Role.DOCTOR)
    assert result.code == 1
    assert not (tmp_path / "x.clinicbak").exists()
