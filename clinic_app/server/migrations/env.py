"""Alembic environment of the server schema: runs on a connection handed in by
`clinic_app.server.migrate`. Imported outside a migration run (a module walk), it does nothing."""

from __future__ import annotations

from alembic import context

config = getattr(context, "config", None)  # only set while Alembic runs this file
if config is not None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("server migrations run through clinic_app.server.migrate")
    context.configure(
        connection=connection,
        target_metadata=config.attributes.get("target_metadata"),
        transaction_per_migration=False,
    )
    context.run_migrations()
