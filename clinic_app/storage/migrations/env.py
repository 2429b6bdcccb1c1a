"""Alembic environment: always runs on a connection handed in by `clinic_app.storage.migrate`."""

from __future__ import annotations

from alembic import context

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("migrations run through clinic_app.storage.migrate, on an open connection")


def _include_name(name: str | None, type_: str, _parent_names: object) -> bool:
    # FTS5 virtual tables and their shadow tables are managed by hand in the migrations.
    return not (type_ == "table" and name is not None and "_fts" in name)


context.configure(
    connection=connection,
    # Only the revision generator passes the models' metadata; running migrations needs none.
    target_metadata=config.attributes.get("target_metadata"),
    render_as_batch=True,
    include_name=_include_name,
    transaction_per_migration=False,
)
context.run_migrations()
