"""Model pack releases coming down: queued when pulled, fetched after the records, installed
only after verification.

A pulled release (see `model_releases`) is written to `sync-model-packs/<release id>/` in the
data directory (the pack is not patient data; the models folder itself is plain files too).
Each sync run then fetches its files from `Binary/mp-<SHA-256>` into
`<name>-<version>/<path>.part`,
resuming a cut-off file with an HTTP Range request, and keeps a file only when its size and
SHA-256 are the release's. When every file is there, the folder goes through the model
registry: the pack's signature must verify with one of the clinic's trusted keys and every
file must match its signed manifest; the pack must be the model the release names; then the
registry installs it (verifying again after copying). Anything else refuses the release: it
is held in the sync quarantine with the reason, logged, its files deleted, and nothing is
installed. Network trouble leaves what was fetched for the next run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from clinic_app.errors import OperationCancelledError
from clinic_app.imaging.errors import ModelPackError
from clinic_app.imaging.model_manifest import load_manifest
from clinic_app.imaging.model_registry import ModelRegistry
from clinic_app.storage.audit import SYSTEM_ACTOR, AuditLog
from clinic_app.storage.database import Database
from clinic_app.sync import quarantine
from clinic_app.sync.client import FhirClient
from clinic_app.sync.errors import MappingError, RejectedError, ServerUnavailableError
from clinic_app.sync.journal import LogEvent, write_log
from clinic_app.sync.model_releases import (
    MODEL_PACK_TABLE,
    ModelRelease,
    PackFile,
    from_document,
)
from clinic_app.tasks import CancelToken, ProgressReporter

log = logging.getLogger(__name__)

QUEUE_DIR = "sync-model-packs"
RELEASE_FILE = "release.json"
REFUSED_FILE = "refused.json"  # release id → the version refused and why


class RefusedReleaseError(Exception):
    """The release can't be installed: its reason is shown in the quarantine."""


class ModelReleases:
    def __init__(
        self,
        data_dir: Path,
        registry: ModelRegistry,
        db: Database,
        audit: AuditLog,
        *,
        again: bool = False,
    ) -> None:
        self._data_dir = data_dir
        self._queue = data_dir / QUEUE_DIR
        self._registry = registry
        self._db = db
        self._audit = audit
        # A refused version is not fetched again by the automatic retries of held versions
        # (every run), only when a person retries it (`again`).
        self._again = again

    def retried_by_a_person(self) -> ModelReleases:
        return ModelReleases(self._data_dir, self._registry, self._db, self._audit, again=True)

    # --- receiving (inside the pull's apply transaction) ---------------------------------

    def receive(self, resource: dict[str, Any], version_id: str) -> bool:
        """Queues a pulled release unless that exact model is installed. Raises MappingError
        for a malformed release (the caller holds it in the quarantine)."""
        release = from_document(resource)
        if self._installed(release):
            return False
        refused = self._refused().get(release.id)
        if refused is not None and refused.get("version") == version_id and not self._again:
            raise MappingError(str(refused.get("reason") or "The model pack was refused."))
        folder = self._queue / release.id
        text = json.dumps({"version": version_id, "resource": resource})
        try:
            queued = (folder / RELEASE_FILE).read_text(encoding="utf-8")
        except OSError:
            queued = None
        if queued is not None and queued != text:
            # Another version of the release: nothing fetched for the old one is kept (a file
            # of the same path and size must not pass for a verified one).
            shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        staging = folder / f".{RELEASE_FILE}.tmp"
        staging.write_text(text, encoding="utf-8")
        staging.replace(folder / RELEASE_FILE)
        return True

    def pending(self) -> list[str]:
        if not self._queue.is_dir():
            return []
        return sorted(p.name for p in self._queue.iterdir() if (p / RELEASE_FILE).is_file())

    def _refused(self) -> dict[str, dict[str, str]]:
        try:
            found = json.loads((self._queue / REFUSED_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return found if isinstance(found, dict) else {}

    def _note_refusal(self, release_id: str, version: str, reason: str | None) -> None:
        refused = self._refused()
        if reason is None:
            refused.pop(release_id, None)
        else:
            refused[release_id] = {"version": version, "reason": reason}
        self._queue.mkdir(parents=True, exist_ok=True)
        staging = self._queue / f".{REFUSED_FILE}.tmp"
        staging.write_text(json.dumps(refused), encoding="utf-8")
        staging.replace(self._queue / REFUSED_FILE)

    def _installed(self, release: ModelRelease) -> bool:
        target = self._registry.install_dir / f"{release.name}-{release.version}"
        try:
            return load_manifest(target).sha256 == release.model_sha256
        except ModelPackError:
            return False

    # --- fetching and installing (after the records) ---------------------------------------

    def run(
        self,
        client: FhirClient,
        server_url: str,
        progress: ProgressReporter,
        cancel: CancelToken | None,
    ) -> int:
        installed = 0
        for release_id in self.pending():
            folder = self._queue / release_id
            stored = json.loads((folder / RELEASE_FILE).read_text(encoding="utf-8"))
            resource, version = stored["resource"], str(stored.get("version") or "")
            try:
                release = from_document(resource)
                files = folder / f"{release.name}-{release.version}"
                for item in release.files:
                    _check(cancel)
                    self._fetch(client, files, item, cancel)
                    progress.report(installed, 0, f"Receiving model pack {release.name}")
                self._install(release, files)
            except (ServerUnavailableError, RejectedError) as exc:
                # Kept: the next run resumes with the files (and bytes) already here.
                log.info("model pack %s not complete yet: %s", release_id, exc)
                continue
            except (RefusedReleaseError, MappingError) as exc:
                self._refuse(server_url, release_id, resource, version, str(exc))
                continue
            self._done(server_url, release, folder)
            self._note_refusal(release.id, version, None)
            installed += 1
        return installed

    def _fetch(
        self, client: FhirClient, files: Path, item: PackFile, cancel: CancelToken | None
    ) -> None:
        target = files / item.path
        if target.is_file() and target.stat().st_size == item.size:
            return  # verified when it was completed
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_name(target.name + ".part")
        have, digest = _digest(part) if part.is_file() else (0, hashlib.sha256())
        if have > item.size:
            part.unlink()
            have, digest = 0, hashlib.sha256()
        if have < item.size:
            response = client.get_binary(item.binary_id, have)
            skip = have if response.status_code == 200 else 0
            try:
                with part.open("ab") as handle:
                    for received in response.iter_content(chunk_size=256 * 1024):
                        _check(cancel)
                        cut = min(skip, len(received))
                        skip -= cut
                        handle.write(received[cut:])
                        digest.update(received[cut:])  # hashed as it arrives: read once
                        have += len(received) - cut
            except OSError as exc:  # requests' connection errors derive from it
                raise ServerUnavailableError(
                    "The connection broke while a model pack was coming down."
                ) from exc
            finally:
                response.close()
        if (have, digest.hexdigest()) != (item.size, item.sha256):
            part.unlink(missing_ok=True)
            raise RefusedReleaseError(
                f"{item.path} does not match the size and SHA-256 the release lists; the "
                "pack was not installed."
            )
        part.replace(target)

    def _install(self, release: ModelRelease, files: Path) -> None:
        """The registry's install verifies the signature and every file before and after
        copying; the manifest is only read here, to match it with the release first."""
        try:
            manifest = load_manifest(files)
        except ModelPackError as exc:
            raise RefusedReleaseError(f"The pack failed verification: {exc}") from exc
        if (manifest.name, manifest.version, manifest.sha256) != (
            release.name,
            release.version,
            release.model_sha256,
        ):
            raise RefusedReleaseError("The pack is not the model its release names.")
        if self._installed(release):
            return
        try:
            self._registry.install(files)
        except ModelPackError as exc:
            raise RefusedReleaseError(f"The pack failed verification: {exc}") from exc

    def _done(self, server_url: str, release: ModelRelease, folder: Path) -> None:
        with self._db.unit_of_work() as uow:
            self._audit.append(
                uow.session,
                SYSTEM_ACTOR,
                "models.install",
                record_type="model_pack",
                record_id=f"{release.name}-{release.version}"[:64],
                details={"sha256": release.model_sha256, "status": release.status, "from": "sync"},
            )
            quarantine.release(uow.session, server_url, release.id, quarantine.PULL)
            write_log(
                uow.session,
                server_url,
                LogEvent.MODEL_PACK,
                entity_type=MODEL_PACK_TABLE,
                entity_id=release.id,
                message=f"installed {release.name} {release.version}",
            )
            uow.commit()
        shutil.rmtree(folder, ignore_errors=True)

    def _refuse(
        self,
        server_url: str,
        release_id: str,
        resource: dict[str, Any],
        version: str,
        reason: str,
    ) -> None:
        log.warning("model pack release %s refused: %s", release_id, reason)
        self._note_refusal(release_id, version, reason)
        with self._db.unit_of_work() as uow:
            hold_release(uow.session, server_url, release_id, resource, version, reason)
            write_log(
                uow.session,
                server_url,
                LogEvent.QUARANTINED,
                entity_type=MODEL_PACK_TABLE,
                entity_id=release_id,
                message=f"model pack refused: {reason}"[:500],
            )
            uow.commit()
        shutil.rmtree(self._queue / release_id, ignore_errors=True)


def hold_release(
    session: Session,
    server_url: str,
    release_id: str,
    resource: dict[str, Any] | None,
    version: str,
    reason: str,
) -> None:
    quarantine.hold(
        session,
        server_url,
        direction=quarantine.PULL,
        entity_type=MODEL_PACK_TABLE,
        entity_id=release_id,
        resource_type="DocumentReference",
        resource=resource,
        status_code=None,
        message=reason,
        server_version=version or None,
    )


def _digest(path: Path) -> tuple[int, Any]:
    """The bytes already here and their running SHA-256 (a resumed download continues it)."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
            size += len(chunk)
    return size, digest


def _check(cancel: CancelToken | None) -> None:
    if cancel is not None and cancel.cancelled:
        raise OperationCancelledError
