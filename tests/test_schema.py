"""The migrations build exactly the schema the models describe (no drift either way)."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from clinic_app.schema import metadata
from clinic_app.storage.migrate import alembic_config, head_revisions
from sqlalchemy import create_engine


def _skip_fts(name: str | None, type_: str, _parents: object) -> bool:
    return not (type_ == "table" and name is not None and "_fts" in name)


def test_migrations_build_the_schema_the_models_describe() -> None:
    engine = create_engine("sqlite://")
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
        context = MigrationContext.configure(connection, opts={"include_name": _skip_fts})
        assert compare_metadata(context, metadata) == []
        applied = set(context.get_current_heads())
    assert applied == head_revisions()


def test_every_migration_can_be_undone_to_an_empty_database() -> None:
    engine = create_engine("sqlite://")
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
        command.downgrade(config, "base")
        tables = connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'alembic_version'"
        ).fetchall()
    assert tables == []
