"""The partial indexes the scheduling rules rest on exist with their WHERE clauses (Alembic's
schema comparison checks columns, not an index's WHERE)."""

from __future__ import annotations

from alembic import command
from clinic_app.schema import metadata
from clinic_app.storage.migrate import alembic_config
from sqlalchemy import create_engine

PARTIAL = (
    "uq_appointments_active_slot",
    "uq_slots_doctor_start",
    "ix_slots_open_start",
    "ix_slots_open_doctor",
    "ix_slots_local_date",
)


def _where(sql: str) -> str:
    return " ".join(sql.split(" WHERE ", 1)[1].replace('"', "").split())


def test_migrated_partial_indexes_match_the_models() -> None:
    engine = create_engine("sqlite://")
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
        stored = dict(
            connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            ).all()
        )
    for name in PARTIAL:
        index = next(
            i for table in metadata.tables.values() for i in table.indexes if i.name == name
        )
        model_where = " ".join(str(index.dialect_options["sqlite"]["where"]).split())
        assert _where(stored[name]) == model_where, name
    assert "UNIQUE" in stored["uq_appointments_active_slot"]
    assert "status IN ('booked', 'arrived', 'completed')" in stored["uq_appointments_active_slot"]
