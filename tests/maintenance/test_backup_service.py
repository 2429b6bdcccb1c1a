"""Backups: a verified round trip, and every kind of bad file refused with the current data
untouched and the application still working."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlcipher3
from clinic_app.bootstrap import Services
from clinic_app.errors import BackupError, OperationCancelledError, ValidationError
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser
from clinic_app.settings import Settings
from clinic_app.storage.backup import create_backup, verify_backup
from clinic_app.storage.keys import UnlockMode
from clinic_app.storage.store import create_store
from clinic_app.tasks import CancelToken, RecordingProgress

from tests.patient_inputs import patient_input
from tests.store_inspection import audit_events, last_audit_seq, scalar, table_counts


@pytest.fixture
def backup_file(services: Services, users: dict[Role, AuthenticatedUser], tmp_path: Path) -> Path:
    """A verified backup of a store holding one patient."""
    services.patients.create(users[Role.DOCTOR], patient_input())
    target = tmp_path / "nightly.clinicbak"
    report = services.backups.create(users[Role.ADMIN], target)
    assert report.ok, report.message
    return target


def _names(services: Services) -> list[str]:
    with services.db.engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT family_name FROM patients ORDER BY family_name")
        return [row[0] for row in rows]


def _still_works(services: Services, users: dict[Role, AuthenticatedUser]) -> None:
    doctor = users[Role.DOCTOR]
    created = services.patients.create(doctor, patient_input(family_name="Afterwards", mrn=""))
    assert services.patients.get(doctor, created.patient.id).summary.family_name == "Afterwards"


def test_a_backup_round_trip_brings_the_data_back_and_keeps_the_replaced_copy(
    services: Services, users: dict[Role, AuthenticatedUser], backup_file: Path
) -> None:
    admin, doctor = users[Role.ADMIN], users[Role.DOCTOR]
    at_backup = _names(services)
    report = services.backups.verify(admin, backup_file)
    assert report.ok, report.message
    assert report.store_id == scalar(
        services.db, "SELECT value FROM store_meta WHERE key = 'store_id'"
    )

    # Work goes on after the backup: a new patient, an edit.
    first = services.patients.list(doctor).items[0]
    services.patients.update(doctor, first.id, patient_input(family_name="Changed"), 1)
    services.patients.create(doctor, patient_input(family_name="Newcomer", mrn="MRN-9"))
    after_backup = _names(services)
    assert after_backup != at_backup

    db, kept = services.backups.restore(admin, backup_file)
    assert db is services.db  # the services were rewired onto the restored file
    assert _names(services) == at_backup
    assert services.patients.get(doctor, first.id).version == 1

    # The replaced database is kept, whole and readable with the same key.
    assert kept.exists()
    assert kept.parent == services.settings.backup_dir
    assert "pre-restore" in kept.name
    kept_report = verify_backup(kept, services.store.key)
    assert kept_report.ok, kept_report.message
    # The restore is itself audited, in the restored database's chain.
    restores = [e for e in audit_events(services.db) if e.action == "backup.restore"]
    assert [e.outcome for e in restores] == ["ok"]
    assert services.audit.verify(admin).ok
    _still_works(services, users)


def test_two_restores_in_a_row_keep_both_replaced_copies(
    services: Services, users: dict[Role, AuthenticatedUser], backup_file: Path
) -> None:
    admin = users[Role.ADMIN]
    _, first_kept = services.backups.restore(admin, backup_file)
    _, second_kept = services.backups.restore(admin, backup_file)
    assert first_kept != second_kept
    assert first_kept.exists()
    assert second_kept.exists()


def _flip_middle(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    for offset in range(middle, middle + 16):
        data[offset] ^= 0xFF
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 + 100])


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _random(path: Path) -> None:
    path.write_bytes(os.urandom(64 * 1024))


def _plain_text(path: Path) -> None:
    path.write_text("this is a shopping list, not a backup\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (_flip_middle, "damaged"),
        (_truncate, "damaged"),
        (_empty, "empty"),
        (_random, "not a backup of this clinic database"),
        (_plain_text, "not a backup of this clinic database"),
    ],
    ids=["flipped-bytes", "truncated", "empty", "random", "text"],
)
def test_a_bad_backup_is_refused_and_the_current_data_is_untouched(
    services: Services,
    users: dict[Role, AuthenticatedUser],
    backup_file: Path,
    damage: Callable[[Path], None],
    message: str,
) -> None:
    admin = users[Role.ADMIN]
    damage(backup_file)
    before_names = _names(services)
    before = table_counts(services.db)
    with pytest.raises(BackupError, match=message) as caught:
        services.backups.restore(admin, backup_file)
    assert "current data is untouched" in str(caught.value)
    assert not services.backups.verify(admin, backup_file).ok
    assert _names(services) == before_names
    after = table_counts(services.db)
    # Only the refusal itself (and the verify) were recorded.
    assert after == {**before, "audit_events": before["audit_events"] + 2}
    failed = audit_events(services.db, after_seq=last_audit_seq(services.db) - 2)
    assert [(e.action, e.outcome) for e in failed] == [
        ("backup.restore", "failed"),
        ("backup.verify", "failed"),
    ]
    assert list(services.settings.backup_dir.glob("pre-restore-*")) == []
    _still_works(services, users)


def test_a_backup_of_another_clinics_store_is_refused(
    services: Services, users: dict[Role, AuthenticatedUser], tmp_path: Path
) -> None:
    other_settings = Settings(data_dir=tmp_path / "other-clinic", workstation="elsewhere")
    other, _recovery = create_store(other_settings, UnlockMode.KEYRING, None)
    foreign = tmp_path / "foreign.clinicbak"
    create_backup(other_settings.database_path, other.key, foreign)
    other.db.dispose()
    before = table_counts(services.db)
    with pytest.raises(BackupError, match="not a backup of this clinic database"):
        services.backups.restore(users[Role.ADMIN], foreign)
    assert table_counts(services.db)["patients"] == before["patients"]
    _still_works(services, users)


def test_a_missing_backup_file_is_refused(
    services: Services, users: dict[Role, AuthenticatedUser], tmp_path: Path
) -> None:
    with pytest.raises(BackupError, match="does not exist"):
        services.backups.restore(users[Role.ADMIN], tmp_path / "nowhere.clinicbak")
    _still_works(services, users)


def test_a_backup_never_overwrites_a_file(
    services: Services, users: dict[Role, AuthenticatedUser], tmp_path: Path
) -> None:
    existing = tmp_path / "precious.txt"
    existing.write_text("keep me", encoding="utf-8")
    with pytest.raises(BackupError, match="already exists"):
        services.backups.create(users[Role.ADMIN], existing)
    assert existing.read_text(encoding="utf-8") == "keep me"
    with pytest.raises(BackupError, match="does not exist"):
        services.backups.create(users[Role.ADMIN], tmp_path / "no-such-folder" / "b.clinicbak")


def test_a_backup_reports_progress(
    services: Services, users: dict[Role, AuthenticatedUser], tmp_path: Path
) -> None:
    progress = RecordingProgress()
    services.backups.create(users[Role.ADMIN], tmp_path / "b.clinicbak", progress)
    assert progress.events
    assert progress.events[-1][:2] == (3, 3)


def _seed_enough_pages(services: Services, users: dict[Role, AuthenticatedUser]) -> None:
    # More pages than one backup step copies, so a cancel can land between steps.
    from clinic_app.patients.demo import seed_patients

    seed_patients(
        services.db, services.audit_log, services.authorizer, users[Role.ADMIN], 3000, seed=7
    )
    services.db.checkpoint()


class _CancelWhen:
    """A progress reporter that presses Cancel when a given step is reported."""

    def __init__(self, token: CancelToken, message: str) -> None:
        self.token = token
        self.message = message
        self.events: list[tuple[int, int, str]] = []

    def report(self, done: int, total: int, message: str = "") -> None:
        self.events.append((done, total, message))
        if message == self.message and done < total:
            self.token.cancel()


@pytest.mark.parametrize(
    "cancel_at", ["Writing the backup", "Checking the audit chain"], ids=["copying", "verifying"]
)
def test_a_cancelled_backup_leaves_no_file_behind(
    services: Services, users: dict[Role, AuthenticatedUser], tmp_path: Path, cancel_at: str
) -> None:
    _seed_enough_pages(services, users)
    folder = tmp_path / "backups"
    folder.mkdir()
    token = CancelToken()
    progress = _CancelWhen(token, cancel_at)
    with pytest.raises(OperationCancelledError):
        services.backups.create(users[Role.ADMIN], folder / "b.clinicbak", progress, token)
    assert any(message == cancel_at for _, _, message in progress.events)
    assert list(folder.iterdir()) == []
    _still_works(services, users)


def test_a_backup_taken_while_another_connection_writes_is_consistent(
    services: Services, users: dict[Role, AuthenticatedUser], tmp_path: Path
) -> None:
    """The online backup copies a consistent snapshot even with uncheckpointed WAL content."""
    doctor = users[Role.DOCTOR]
    for index in range(20):
        services.patients.create(doctor, patient_input(mrn=f"W-{index}", national_id=""))
    target = tmp_path / "live.clinicbak"
    report = create_backup(services.settings.database_path, services.store.key, target)
    assert report.ok, report.message
    assert report.audit_events == last_audit_seq(services.db)


def test_a_backup_from_a_newer_version_is_refused(
    services: Services, users: dict[Role, AuthenticatedUser], backup_file: Path
) -> None:
    connection = sqlcipher3.connect(str(backup_file), isolation_level=None)
    try:
        connection.execute(f"PRAGMA key = \"x'{services.store.key.hex()}'\"")
        connection.execute("INSERT INTO alembic_version (version_num) VALUES ('f00dfacef00d')")
    finally:
        connection.close()
    before = _names(services)
    with pytest.raises(BackupError, match="newer version"):
        services.backups.restore(users[Role.ADMIN], backup_file)
    assert _names(services) == before
    _still_works(services, users)


@pytest.mark.parametrize("path", [None, 42, b"backup.clinicbak", "bad\ud800name"])
def test_a_backup_path_that_is_not_a_path_is_refused(
    services: Services, users: dict[Role, AuthenticatedUser], path: object
) -> None:
    admin = users[Role.ADMIN]
    before = table_counts(services.db)
    for call in (services.backups.create, services.backups.verify, services.backups.restore):
        with pytest.raises(ValidationError, match="path"):
            call(admin, path)  # type: ignore[arg-type]
    assert table_counts(services.db) == before


def test_a_backup_path_may_be_given_as_text(
    services: Services, users: dict[Role, AuthenticatedUser], tmp_path: Path
) -> None:
    target = str(tmp_path / "as-text.clinicbak")
    assert services.backups.create(users[Role.ADMIN], target).ok  # type: ignore[arg-type]
    assert services.backups.verify(users[Role.ADMIN], target).ok  # type: ignore[arg-type]


def test_a_failed_backup_is_recorded_as_failed(
    services: Services, users: dict[Role, AuthenticatedUser], tmp_path: Path
) -> None:
    start = last_audit_seq(services.db)
    with pytest.raises(BackupError):
        services.backups.create(users[Role.ADMIN], tmp_path)  # a folder that exists
    events = audit_events(services.db, after_seq=start)
    assert [(e.action, e.outcome) for e in events] == [
        ("backup.create", "ok"),
        ("backup.create", "failed"),
    ]
