"""Migration 0009 (imaging user ids without a foreign key to the local accounts) upgrades a
real encrypted store written at the previous imaging head, with images, results and reviews in
it: every row is kept, the keys between imaging tables and to patients still hold, the
triggers on and beside the rebuilt tables still refuse what they refused, and a row may now
name a user who has no account here. A failed upgrade leaves the previous schema and every
row; the downgrade is refused while a row names a user from elsewhere."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import pytest
from alembic import command
from clinic_app.bootstrap import Services
from clinic_app.errors import MigrationError
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.migrate import alembic_config, current_revisions, head_revisions
from clinic_app.storage.store import OpenedStore, open_store
from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.exc import IntegrityError

from tests.imaging.test_abcd import irregular_lesion
from tests.patient_inputs import patient_input

REBUILT = ("imaging_studies", "imaging_analyses", "imaging_analysis_reviews")
IMAGING = (
    "imaging_studies",
    "imaging_series",
    "imaging_instances",
    "imaging_file_chunks",
    "imaging_analyses",
    "imaging_analysis_reviews",
)
USER_COLUMNS = {"imported_by", "run_by", "actor_id", "assigned_to"}
# Stands for a trigger another feature's migration may put on a rebuilt table: dropping the
# table drops it, and the rebuild must create it again.
REVIEWS_KEPT = (
    "CREATE TRIGGER imaging_reviews_kept BEFORE DELETE ON imaging_analysis_reviews "
    "BEGIN SELECT RAISE(ABORT, 'reviews are kept'); END"
)


def _seed(services: Services, users: dict[Role, AuthenticatedUser], root: Path) -> str:
    """A skin photo (study, series, image, file bytes), its ABCD result, a review request
    and an acceptance. Returns the result's id."""
    nurse, doctor = users[Role.NURSE], users[Role.DOCTOR]
    root.mkdir(parents=True, exist_ok=True)
    photo = root / "lesion.png"
    cv2.imwrite(str(photo), irregular_lesion())
    person = services.patients.create(nurse, patient_input()).patient
    scan = services.imaging_import.scan(nurse, [photo])
    report = services.imaging_import.import_files(nurse, scan, person.id, px_per_mm=20.0)
    result = services.analyses.analyze_lesion(nurse, report.instance_ids[0])
    services.analyses.request_review(nurse, result.id, doctor.id, "please check")
    services.analyses.review(doctor, result.id, accept=True, comment="agree")
    return result.id


def _rows(engine: Engine) -> dict[str, list[tuple]]:
    with engine.connect() as connection:
        return {
            table: list(connection.exec_driver_sql(f"SELECT * FROM {table} ORDER BY 1, 2"))
            for table in IMAGING
        }


def _schema_objects(engine: Engine) -> set[tuple[str, str]]:
    """Every index and trigger of the imaging tables, with its SQL."""
    with engine.connect() as connection:
        found = connection.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
            "AND sql IS NOT NULL AND tbl_name LIKE 'imaging%'"
        )
        return {(name, sql) for name, sql in found}


def _keys(engine: Engine, table: str) -> set[tuple[str, str]]:
    """(column, referred table) of each foreign key."""
    with engine.connect() as connection:
        found = connection.exec_driver_sql(f"PRAGMA foreign_key_list({table})").mappings()
        return {(key["from"], key["table"]) for key in found}


def _imaging_sql(connection: Connection) -> set[tuple[str, str]]:
    found = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE tbl_name LIKE 'imaging%' AND sql IS NOT NULL"
    )
    return {(name, sql) for name, sql in found}


def _as_0006_wrote_it() -> set[tuple[str, str]]:
    """The imaging tables, indexes and trigger that 0006 writes on a new database."""
    config = alembic_config()
    with create_engine("sqlite://").begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0006")
        return _imaging_sql(connection)


def _downgrade_to_0006(engine: Engine) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0009-1")


@pytest.fixture
def reopen(services: Services) -> Iterator[list[OpenedStore]]:
    opened: list[OpenedStore] = []
    yield opened
    for store in opened:
        store.db.dispose()


def _close_and_reopen(services: Services, reopen: list[OpenedStore]) -> OpenedStore:
    services.db.checkpoint()
    services.close()
    store = open_store(services.settings)
    reopen.append(store)
    return store


def test_a_store_at_the_previous_head_with_imaging_data_is_upgraded_with_everything_kept(
    services: Services,
    users: dict[Role, AuthenticatedUser],
    tmp_path: Path,
    reopen: list[OpenedStore],
) -> None:
    analysis_id = _seed(services, users, tmp_path / "seed")
    engine = services.db.engine
    _downgrade_to_0006(engine)  # the data stays through the way down too
    assert "0009" not in current_revisions(engine)
    with engine.connect() as connection:
        assert _imaging_sql(connection) == _as_0006_wrote_it()  # the previous head, exactly
    for table, columns in {
        "imaging_studies": {"imported_by"},
        "imaging_analyses": {"run_by"},
        "imaging_analysis_reviews": {"actor_id", "assigned_to"},
    }.items():
        assert {(column, "users") for column in columns} <= _keys(engine, table)
    with engine.begin() as connection:
        connection.exec_driver_sql(REVIEWS_KEPT)
    rows, objects = _rows(engine), _schema_objects(engine)
    other_keys = {t: _keys(engine, t) - {(c, "users") for c in USER_COLUMNS} for t in IMAGING}
    assert all(rows.values()), {table: len(found) for table, found in rows.items()}
    assert len(rows["imaging_analysis_reviews"]) == 2

    store = _close_and_reopen(services, reopen)
    engine = store.db.engine
    assert store.migrated
    assert current_revisions(engine) == head_revisions()
    assert _rows(engine) == rows
    assert _schema_objects(engine) == objects  # indexes and triggers, the same SQL
    for table in IMAGING:
        assert _keys(engine, table) == other_keys[table], table
        assert not any(referred == "users" for _column, referred in _keys(engine, table))
    with engine.connect() as connection:
        assert list(connection.exec_driver_sql("PRAGMA foreign_key_check")) == []
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1

    with engine.begin() as connection:
        # A review by someone with no account here (pulled from another workstation).
        connection.exec_driver_sql(
            "INSERT INTO imaging_analysis_reviews (id, analysis_id, kind, comment, actor_id, "
            "assigned_to, created_at, updated_at, version) VALUES ('r-elsewhere', ?, "
            "'rejected', '', 'user-elsewhere', 'doctor-elsewhere', '2026-11-23 10:00:00', "
            "'2026-11-23 10:00:00', 1)",
            (analysis_id,),
        )
    refused = {
        "stored image bytes are immutable": "UPDATE imaging_file_chunks SET seq = seq",
        "reviews are kept": "DELETE FROM imaging_analysis_reviews",
        "FOREIGN KEY": "UPDATE imaging_analysis_reviews SET analysis_id = 'gone'",
    }
    for message, statement in refused.items():
        with pytest.raises(IntegrityError, match=message), engine.begin() as connection:
            connection.exec_driver_sql(statement)
    for table, column in (("imaging_series", "study_id"), ("imaging_instances", "patient_id")):
        # The keys into and out of the rebuilt tables still hold.
        with pytest.raises(IntegrityError, match="FOREIGN KEY"), engine.begin() as connection:
            connection.exec_driver_sql(f"UPDATE {table} SET {column} = 'gone'")
    with pytest.raises(IntegrityError, match="FOREIGN KEY"), engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM imaging_studies")  # its series point at it
    after = _rows(engine)
    assert len(after["imaging_analysis_reviews"]) == 3
    assert {t: r for t, r in after.items() if t != "imaging_analysis_reviews"} == {
        t: r for t, r in rows.items() if t != "imaging_analysis_reviews"
    }

    # Back to the previous head would need an account for everyone named: refused whole.
    with pytest.raises(RuntimeError, match="name a user who has no account here"):
        _downgrade_to_0006(engine)
    assert current_revisions(engine) == head_revisions()
    assert _rows(engine) == after


def test_a_failed_rebuild_leaves_the_previous_schema_and_every_row(
    services: Services,
    users: dict[Role, AuthenticatedUser],
    tmp_path: Path,
    reopen: list[OpenedStore],
) -> None:
    """A table whose rows go when an AI result goes (ON DELETE CASCADE, as another feature
    might add) would lose them in the rebuild's drop: the upgrade stops at imaging_analyses,
    after imaging_studies was rebuilt, and the whole of it is rolled back."""
    _seed(services, users, tmp_path / "seed")
    engine = services.db.engine
    _downgrade_to_0006(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE result_notes (id TEXT PRIMARY KEY, analysis_id TEXT "
            "REFERENCES imaging_analyses (id) ON DELETE CASCADE)"
        )
        connection.exec_driver_sql("INSERT INTO result_notes SELECT 'n1', id FROM imaging_analyses")
    rows, objects = _rows(engine), _schema_objects(engine)
    revisions = current_revisions(engine)
    services.db.checkpoint()
    services.close()

    with pytest.raises(MigrationError, match="rolled back"):
        reopen.append(open_store(services.settings))
    assert current_revisions(engine) == revisions
    assert _rows(engine) == rows
    assert _schema_objects(engine) == objects
    assert ("imported_by", "users") in _keys(engine, "imaging_studies")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM result_notes").scalar() == 1
        names = connection.exec_driver_sql("SELECT name FROM sqlite_master").scalars().all()
    assert "_migration_0009_rows" not in names
    engine.dispose()
