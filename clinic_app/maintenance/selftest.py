"""The installation check IT runs (`clinic selftest`): one result per check, never raising.

In a packaged bundle it also checks the bundle's signed manifest (every file) and the shipped
models' hashes (`clinic_app.updates.installation_checks`)."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from clinic_app import resource_files
from clinic_app.errors import ClinicError
from clinic_app.settings import Settings
from clinic_app.storage import keys, store
from clinic_app.storage.audit import SYSTEM_ACTOR, AuditLog, Outcome, verify_chain
from clinic_app.storage.keys import UnlockMode
from clinic_app.storage.migrate import current_revisions, head_revisions
from clinic_app.updates.installation_checks import installation_checks

MIN_PYTHON = (3, 11)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def _environment_checks(settings: Settings, version: str) -> list[Check]:
    checks = [
        Check("application", True, f"clinic_app {version}"),
        Check(
            "python",
            sys.version_info >= MIN_PYTHON,
            f"{sys.version.split()[0]} (needs {'.'.join(map(str, MIN_PYTHON))}+)",
        ),
    ]
    directory = settings.data_dir
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".selftest-"):
            pass
        checks.append(Check("data directory", True, f"{directory} is writable"))
    except OSError as exc:
        checks.append(Check("data directory", False, f"{directory}: {exc.strerror or exc}"))
        return checks
    free = shutil.disk_usage(directory).free
    checks.append(
        Check(
            "free disk",
            free >= settings.min_free_bytes,
            f"{free >> 20} MB free (needs {settings.min_free_bytes >> 20} MB)",
        )
    )
    return checks


def _keyring_check(settings: Settings) -> Check:
    secure = keys.secure_keyring_available()
    backend = keys.keyring_backend_name()
    if not store.is_initialised(settings):
        mode = "keyring" if secure else "passphrase"
        return Check("keyring", True, f"{backend}; a new store would use {mode} mode")
    mode = store.unlock_mode(settings)
    if mode is UnlockMode.KEYRING and not secure:
        return Check(
            "keyring",
            False,
            f"{backend} is not a secure keyring, but the store "
            "keeps its key there; unlock with the recovery key",
        )
    return Check("keyring", True, f"{backend}; store uses {mode.value} mode")


def _bundle_checks(
    bundle_root: Path | None, models_dir: Path | None, settings: Settings
) -> list[Check]:
    root = bundle_root or resource_files.bundle_root()
    if root is None:
        return []  # a source checkout: nothing was signed
    found = installation_checks(
        root, models_dir or resource_files.models_dir(), settings.trusted_keys
    )
    return [Check(check.name, check.ok, check.detail) for check in found]


def run_selftest(
    settings: Settings,
    passphrase: str | None,
    *,
    version: str,
    bundle_root: Path | None = None,
    models_dir: Path | None = None,
) -> list[Check]:
    """`bundle_root`/`models_dir` default to the running bundle's (none from a source tree)."""
    checks = _environment_checks(settings, version)
    if not checks[-1].ok and checks[-1].name == "data directory":
        return checks + _bundle_checks(bundle_root, models_dir, settings)
    checks += _bundle_checks(bundle_root, models_dir, settings)
    checks.append(_keyring_check(settings))
    if not store.is_initialised(settings):
        checks.append(
            Check(
                "store",
                False,
                f"no database in {settings.data_dir}; run `clinic init` or start the application",
            )
        )
        return checks
    try:
        opened = store.open_store(settings, passphrase)
    except ClinicError as exc:
        checks.append(Check("store", False, str(exc)))
        return checks
    try:
        checks.append(
            Check(
                "store",
                True,
                f"opened ({opened.info.unlock_mode.value} mode), "
                f"{os.path.getsize(settings.database_path) // 1024} KB",
            )
        )
        revisions = current_revisions(opened.db.engine)
        heads = head_revisions()
        checks.append(
            Check(
                "migrations",
                revisions == heads,
                f"schema {', '.join(sorted(revisions))}, expected {', '.join(sorted(heads))}",
            )
        )
        with opened.db.engine.connect() as connection:
            damaged = connection.exec_driver_sql("PRAGMA cipher_integrity_check").fetchall()
            quick = connection.exec_driver_sql("PRAGMA quick_check").fetchall()
        checks.append(
            Check(
                "integrity",
                not damaged and quick == [("ok",)],
                "every page authenticated, structure ok"
                if not damaged and quick == [("ok",)]
                else f"{len(damaged)} damaged page(s)",
            )
        )
        with opened.db.unit_of_work(write=False) as uow:
            chain = verify_chain(uow.session)
        checks.append(
            Check(
                "audit chain",
                chain.ok,
                f"{chain.checked} events verified"
                if chain.ok
                else f"broken at event {chain.first_broken_seq}: {chain.reason}",
            )
        )
        with opened.db.unit_of_work() as uow:
            AuditLog(settings.workstation).append(
                uow.session,
                SYSTEM_ACTOR,
                "selftest",
                outcome=Outcome.OK if all(c.ok for c in checks) else Outcome.FAILED,
            )
            uow.commit()
    finally:
        opened.db.dispose()
    return checks
