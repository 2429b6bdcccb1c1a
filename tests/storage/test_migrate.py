"""Migrations at start-up: a database from a newer version is refused untouched, a failed
upgrade rolls back entirely, a current database is left alone."""

from __future__ import annotations

import pytest
import sqlcipher3
from alembic import command
from alembic.script import ScriptDirectory
from clinic_app.bootstrap import Services
from clinic_app.errors import DatabaseTooNewError, MigrationError
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser
from clinic_app.settings import Settings
from clinic_app.storage.backup import verify_backup
from clinic_app.storage.migrate import (
    alembic_config,
    current_revisions,
    head_revisions,
    known_revisions,
)
from clinic_app.storage.store import open_store

from tests.patient_inputs import patient_input
from tests.store_inspection import scalar, table_counts


def _close_and_run(services: Services, *statements: str) -> dict[str, int]:
    """Apply raw SQL to the closed store; returns the table counts as they were."""
    counts = table_counts(services.db)
    with services.db.engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)
    services.db.checkpoint()
    services.close()
    return counts


def _reopened_scalar(settings: Settings, sql: str) -> object:
    opened = open_store(settings)
    try:
        return scalar(opened.db, sql)
    finally:
        opened.db.dispose()


def _automatic_backups(settings: Settings) -> list[str]:
    if not settings.backup_dir.exists():
        return []
    return sorted(path.name for path in settings.backup_dir.glob("auto-*"))


def test_a_current_store_opens_without_migrating_or_backing_up(services: Services) -> None:
    assert not services.store.migrated
    assert current_revisions(services.db.engine) == head_revisions()
    assert head_revisions() <= known_revisions()
    assert _automatic_backups(services.settings) == []


def test_an_older_schema_is_backed_up_then_upgraded_at_start_up(
    services: Services, users: dict[Role, AuthenticatedUser]
) -> None:
    """Take the newest migration back off the store (an install one release behind), then
    open it: the upgrade runs after an automatic, verified backup of the old schema."""
    services.patients.create(users[Role.DOCTOR], patient_input())
    scripts = ScriptDirectory.from_config(alembic_config())
    newest = next(
        script
        for script in scripts.walk_revisions()
        if script.revision in head_revisions() and script.down_revision is not None
    )
    config = alembic_config()
    with services.db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, f"{newest.revision}-1")
    older = current_revisions(services.db.engine)
    assert newest.revision not in older
    counts = table_counts(services.db)
    services.db.checkpoint()
    services.close()

    opened = open_store(services.settings)
    try:
        assert opened.migrated
        assert current_revisions(opened.db.engine) == head_revisions()
        after = table_counts(opened.db)
    finally:
        opened.db.dispose()
    assert after == counts
    backups = _automatic_backups(services.settings)
    assert len(backups) == 1
    assert backups[0].endswith("pre-migration.clinicbak")
    report = verify_backup(services.settings.backup_dir / backups[0], services.store.key)
    assert report.ok, report.message
    assert set((report.schema_revision or "").split(",")) == older


def test_a_database_from_a_newer_version_is_refused_with_nothing_changed(
    services: Services, users: dict[Role, AuthenticatedUser]
) -> None:
    services.patients.create(users[Role.DOCTOR], patient_input())
    # A newer release added a migration branch this release does not know.
    revisions = current_revisions(services.db.engine)
    counts = _close_and_run(
        services, "INSERT INTO alembic_version (version_num) VALUES ('f00dfacef00d')"
    )
    with pytest.raises(DatabaseTooNewError, match="newer version") as caught:
        open_store(services.settings)
    assert "nothing was changed" in str(caught.value)
    assert _automatic_backups(services.settings) == []
    # Still the newer revisions, still every row.
    opened_file = services.settings.database_path
    assert opened_file.exists()
    connection = sqlcipher3.connect(str(opened_file))
    try:
        connection.execute(f"PRAGMA key = \"x'{services.store.key.hex()}'\"")
        stored = {row[0] for row in connection.execute("SELECT version_num FROM alembic_version")}
        assert stored == revisions | {"f00dfacef00d"}
        for table, count in counts.items():
            assert connection.execute(f"SELECT count(*) FROM {table}").fetchone() == (count,)
    finally:
        connection.close()


def test_a_failed_upgrade_is_rolled_back_entirely(services: Services) -> None:
    """The first migration is made to run again over a store that already has most of its
    tables: it creates `audit_events` (which we dropped), then fails on `outbox`. The whole
    upgrade is one transaction, so `audit_events` must not exist afterwards either."""
    counts = _close_and_run(
        services,
        "DROP TABLE audit_events",
        "DELETE FROM alembic_version",
    )
    with pytest.raises(MigrationError, match="rolled back"):
        open_store(services.settings)
    assert _automatic_backups(services.settings) == []
    connection = sqlcipher3.connect(str(services.settings.database_path))
    try:
        connection.execute(f"PRAGMA key = \"x'{services.store.key.hex()}'\"")
        tables = {
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        assert "audit_events" not in tables
        assert {"patients", "outbox", "users", "store_meta", "alembic_version"} <= tables
        assert connection.execute("SELECT count(*) FROM alembic_version").fetchone() == (0,)
        assert connection.execute("SELECT count(*) FROM users").fetchone() == (counts["users"],)
    finally:
        connection.close()
