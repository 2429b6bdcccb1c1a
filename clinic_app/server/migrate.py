"""Brings the server's schema to head with Alembic, in one transaction, at start-up.

The server's migrations live in `clinic_app/server/migrations`, a script location of their own
(the workstation's schema is a different database with a different history).
"""

from __future__ import annotations

import logging
from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from clinic_app.errors import DatabaseTooNewError, MigrationError

log = logging.getLogger(__name__)


def alembic_config() -> Config:
    config = Config()
    location = resources.files("clinic_app.server") / "migrations"
    config.set_main_option("script_location", str(location))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise MigrationError("The server ships no database migrations.")
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> bool:
    """Returns True when anything ran. A failure rolls the whole upgrade back (SQLite and
    PostgreSQL both have transactional DDL)."""
    scripts = ScriptDirectory.from_config(alembic_config())
    current = current_revision(engine)
    if current is not None and scripts.get_revision(current) is None:
        raise DatabaseTooNewError(
            "This server database was written by a newer clinic-server; install that version "
            "(or newer) to use it. Nothing was changed."
        )
    if current == head_revision():
        return False
    config = alembic_config()
    try:
        with engine.connect() as connection:
            connection.execution_options(clinic_write=True)
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
    except Exception as exc:
        log.exception("server migration failed")
        raise MigrationError(
            "The server database upgrade failed and was rolled back; nothing was changed. "
            f"Details: {type(exc).__name__}."
        ) from exc
    log.info("server database upgraded to %s", head_revision())
    return True
