"""Runs Alembic migrations at start-up: atomically, after an automatic backup.

Alembic is imported only when something has to run: a store already at the heads is
recognised from its `alembic_version` rows and the revision files' constants alone
(`revision_files`), which spares every ordinary start the half second Alembic, Mako and
Pygments take to import.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from importlib import resources
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from clinic_app.errors import DatabaseTooNewError, MigrationError
from clinic_app.storage.revision_files import shipped_graph, versions_dir
from clinic_app.tasks import NullProgress, ProgressReporter

if TYPE_CHECKING:
    from pathlib import Path

    from alembic.config import Config
    from alembic.script import ScriptDirectory

log = logging.getLogger(__name__)


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    location = resources.files("clinic_app.storage") / "migrations"
    config.set_main_option("script_location", str(location))
    return config


def _scripts() -> ScriptDirectory:
    """The shipped migration scripts. Reading them (importing every revision file) is most of
    the cost of opening a store, so they are read again only when the files change (an update
    installed under a running process, a developer adding a revision): the upgrade itself
    reads the files afresh, and the two must agree."""
    signature = tuple(
        sorted((entry.name, entry.stat().st_mtime_ns) for entry in versions_dir().glob("*.py"))
    )
    return _scripts_for(signature)


@functools.lru_cache(maxsize=4)
def _scripts_for(_signature: tuple[tuple[str, int], ...]) -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_revisions() -> set[str]:
    """Feature packages add migrations on their own branches from the base revision; the
    schema is current when every branch head is applied."""
    graph = shipped_graph()
    return set(graph.heads) if graph is not None else alembic_head_revisions()


def known_revisions() -> set[str]:
    graph = shipped_graph()
    return set(graph.revisions) if graph is not None else alembic_known_revisions()


def alembic_head_revisions() -> set[str]:
    """The heads as Alembic reads them (it imports every script)."""
    heads = set(_scripts().get_heads())
    if not heads:
        raise MigrationError("The application ships no database migrations.")
    return heads


def alembic_known_revisions() -> set[str]:
    return {script.revision for script in _scripts().walk_revisions()}


def current_revisions(engine: Engine) -> set[str]:
    """The applied revisions: the rows of Alembic's version table, none before the first
    migration (what `MigrationContext.get_current_heads` reads, without importing Alembic)."""
    with engine.connect() as connection:
        table = connection.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).first()
        if table is None:
            return set()
        rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
        return {row[0] for row in rows}


def needs_upgrade(engine: Engine) -> bool:
    current = current_revisions(engine)
    graph = shipped_graph()
    if graph is not None and current == graph.heads:
        return False
    # Anything else is decided by Alembic itself, exactly as the upgrade will read the scripts.
    if current - alembic_known_revisions():
        raise DatabaseTooNewError(
            "This database was written by a newer version of the clinic application. Install "
            "that version (or newer) to open it; nothing was changed."
        )
    return current != alembic_head_revisions()


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
    from alembic import command

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
