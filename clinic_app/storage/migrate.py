"""Runs Alembic migrations at start-up: atomically, after an automatic backup."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from clinic_app.errors import DatabaseTooNewError, MigrationError
from clinic_app.tasks import NullProgress, ProgressReporter

log = logging.getLogger(__name__)


def alembic_config() -> Config:
    config = Config()
    location = resources.files("clinic_app.storage") / "migrations"
    config.set_main_option("script_location", str(location))
    return config


def _scripts() -> ScriptDirectory:
    """The shipped migration scripts. Reading them (importing every revision file) is most of
    the cost of opening a store, so they are read again only when the files change (an update
    installed under a running process, a developer adding a revision): the upgrade itself
    reads the files afresh, and the two must agree."""
    versions = Path(str(resources.files("clinic_app.storage") / "migrations" / "versions"))
    signature = tuple(
        sorted((entry.name, entry.stat().st_mtime_ns) for entry in versions.glob("*.py"))
    )
    return _scripts_for(signature)


@functools.lru_cache(maxsize=4)
def _scripts_for(_signature: tuple[tuple[str, int], ...]) -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revisions() -> set[str]:
    """Feature packages add migrations on their own branches from the base revision; the
    schema is current when every branch head is applied."""
    heads = set(_scripts().get_heads())
    if not heads:
        raise MigrationError("The application ships no database migrations.")
    return heads


def current_revisions(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def needs_upgrade(engine: Engine) -> bool:
    current = current_revisions(engine)
    if current - known_revisions():
        raise DatabaseTooNewError(
            "This database was written by a newer version of the clinic application. Install "
            "that version (or newer) to open it; nothing was changed."
        )
    return current != head_revisions()


def upgrade(
    engine: Engine,
    backup: Callable[[], Path | None],
    progress: ProgressReporter | None = None,
) -> bool:
    """Brings the schema to head. Returns True when anything ran.

    A store that already holds data is backed up first; the whole upgrade is one transaction
    (SQLite DDL is transactional), so a failure leaves the previous schema untouched.
    """
    progress = progress or NullProgress()
    if not needs_upgrade(engine):
        return False
    if current_revisions(engine):
        progress.report(0, 2, "Backing up before the database upgrade")
        path = backup()
        log.info("pre-migration backup written: %s", path.name if path else "-")
    progress.report(1, 2, "Upgrading the database")
    config = alembic_config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "heads")
    except Exception as exc:
        log.exception("migration failed")
        raise MigrationError(
            "The database upgrade failed and was rolled back; your data is unchanged. "
            f"Details: {type(exc).__name__}."
        ) from exc
    progress.report(2, 2, "Database ready")
    return True


def known_revisions() -> set[str]:
    return {script.revision for script in _scripts().walk_revisions()}
