"""`clinic update apply FILE`: install a signed update beside the current version, switch to it
atomically, and go back if the new version's own selftest fails.

The package is the build's signed archive (`clinic-app-<version>-<platform>.tar.gz` with its
`.SIGNED-MANIFEST` and `.sig` beside it), so the same three files serve a first install, an
update over the network and an update from a USB stick. In order:

1. the archive's signature (IT's key) and hash; then it is unpacked into a staging folder
   (tar's "data" filter: no absolute paths, no links out, no device files) and the bundle's own
   signed manifest is checked, file by file;
2. the version: a newer one installs; the same one is refused; an older one only with
   ``force_downgrade`` (IT's decision, e.g. to leave a bad release);
3. the bundle moves to ``versions/<version>/``; the database is backed up (verified) into its
   ``backups/`` folder;
4. ``current`` is switched atomically, and the new version's ``clinic selftest --json`` runs
   against the same data directory;
5. if it fails, ``current`` goes back, the database is checked and, if the new version changed
   or damaged it, the pre-update backup is restored; the new version's folder is removed.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import tarfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from clinic_app.errors import ClinicError
from clinic_app.settings import Settings
from clinic_app.updates.artifact_signing import verify_artifact
from clinic_app.updates.bundle import VerifiedBundle, verify_bundle
from clinic_app.updates.database_guard import (
    DatabaseSnapshot,
    database_still_usable,
    restore_snapshot,
    snapshot_database,
)
from clinic_app.updates.install_layout import InstallLayout
from clinic_app.updates.versions import parse_version

PASSPHRASE_ENV = "CLINIC_PASSPHRASE"
DEFAULT_SELFTEST_TIMEOUT = 300.0
LOCK_FILE = ".update.lock"


class UpdateError(ClinicError):
    """The update was refused or could not be installed; nothing was switched."""


class DowngradeRefusedError(UpdateError):
    pass


@dataclass(frozen=True)
class SelftestResult:
    passed: bool
    detail: str


@dataclass(frozen=True)
class UpdateOutcome:
    previous: str | None
    candidate: str
    current: str | None  # what is current at the end
    rolled_back: bool
    backup: Path | None
    database_restored: bool
    selftest: SelftestResult
    removed: tuple[str, ...] = ()


@contextmanager
def _update_lock(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    lock = root / LOCK_FILE
    try:
        fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError as exc:
        raise UpdateError(
            f"Another update is running in {root} (or one was interrupted: if none is "
            f"running, delete {lock})."
        ) from exc
    try:
        os.write(fd, f"{os.getpid()}\n".encode())
        os.close(fd)
        yield
    finally:
        lock.unlink(missing_ok=True)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root + os.sep)


def _extract_safely(archive: tarfile.TarFile, staging: Path) -> None:
    """The "data" extraction filter where Python has it (3.11.4+); Debian 12's 3.11.2 doesn't,
    so there the same rules are applied by hand: regular files, folders and symbolic links
    only; no absolute names, no `..`, nothing set-uid or world-writable. Members are checked and
    extracted one at a time, each against the real path of what is already on disk, so a link
    extracted earlier can't carry a later member (or another link) out of `staging`."""
    if hasattr(tarfile, "data_filter"):
        archive.extractall(staging, filter="data")
        return
    root = os.path.realpath(staging)
    for member in archive.getmembers():
        name = member.name
        if Path(name).is_absolute() or ".." in Path(name).parts:
            raise UpdateError(f"{name!r} would be written outside the update folder.")
        destination = os.path.realpath(os.path.join(root, name))
        if not _inside(destination, root) or destination == root:
            raise UpdateError(f"{name!r} would be written outside the update folder.")
        if member.issym():
            target = os.path.realpath(os.path.join(os.path.dirname(destination), member.linkname))
            if os.path.isabs(member.linkname) or not _inside(target, root) or target == root:
                raise UpdateError(f"{name!r} links outside the update folder.")
        elif not (member.isfile() or member.isdir()):
            raise UpdateError(f"{name!r} is not a regular file, folder or symbolic link.")
        member.mode &= 0o755  # no set-uid, set-gid or world-writable files
        archive.extract(member, root)


def _unpack(package: Path, staging: Path) -> Path:
    """Extracts the archive (one top-level folder) into `staging`; returns that folder."""
    try:
        with tarfile.open(package, "r:*") as archive:
            tops = {Path(member.name).parts[0] for member in archive.getmembers() if member.name}
            if len(tops) != 1:
                raise UpdateError(f"{package.name} must hold exactly one top-level folder.")
            _extract_safely(archive, staging)
    except (tarfile.TarError, OSError) as exc:
        raise UpdateError(f"{package.name} can't be unpacked: {exc}") from exc
    bundle = staging / tops.pop()
    if not bundle.is_dir():
        raise UpdateError(f"{package.name} does not hold a bundle folder.")
    return bundle


def _check_version(candidate: str, current: str | None, force_downgrade: bool) -> None:
    if current is None:
        return
    if parse_version(candidate) == parse_version(current):
        raise UpdateError(f"Version {candidate} is already installed and current.")
    if parse_version(candidate) < parse_version(current) and not force_downgrade:
        raise DowngradeRefusedError(
            f"{candidate} is older than the current {current}: refused. IT can force it "
            "with --force-downgrade."
        )


def run_bundle_selftest(
    bundle: Path,
    cli: str,
    settings: Settings,
    passphrase: str | None,
    *,
    store_expected: bool,
    timeout: float = DEFAULT_SELFTEST_TIMEOUT,
) -> SelftestResult:
    """Runs the bundle's own `clinic selftest --json` on the data directory."""
    env = dict(os.environ)
    if passphrase is not None:
        env[PASSPHRASE_ENV] = passphrase
    argv = [str(bundle / cli), "--data-dir", str(settings.data_dir), "selftest", "--json"]
    try:
        done = subprocess.run(
            argv, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return SelftestResult(False, f"the selftest did not finish within {timeout:.0f} s")
    except OSError as exc:
        return SelftestResult(False, f"the new version could not be started ({exc})")
    try:
        report = json.loads(done.stdout)
        failed = [c for c in report["checks"] if not c["ok"]]
    except (ValueError, KeyError, TypeError):
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        return SelftestResult(False, f"exit {done.returncode}: {tail[0]}")
    if done.returncode == 0 and not failed:
        return SelftestResult(True, f"{len(report['checks'])} checks passed")
    if not store_expected and all(check["name"] == "store" for check in failed):
        return SelftestResult(True, "installation checks passed; no database here yet")
    names = ", ".join(f"{c['name']} ({c['detail']})" for c in failed) or f"exit {done.returncode}"
    return SelftestResult(False, f"failed: {names}")


def _stage(
    package: Path, layout: InstallLayout, keys: Sequence[Ed25519PublicKey]
) -> tuple[Path, VerifiedBundle]:
    verify_artifact(package, keys)
    layout.versions_dir.mkdir(parents=True, exist_ok=True)
    staging = layout.versions_dir / f".incoming-{secrets.token_hex(4)}"
    staging.mkdir()
    try:
        bundle = _unpack(package, staging)
        return staging, verify_bundle(bundle, keys)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def apply_update(
    package: Path,
    layout: InstallLayout,
    settings: Settings,
    trusted_keys: Sequence[Ed25519PublicKey],
    *,
    passphrase: str | None = None,
    force_downgrade: bool = False,
    platform: str | None = None,
    selftest_timeout: float = DEFAULT_SELFTEST_TIMEOUT,
) -> UpdateOutcome:
    """Verifies, installs and switches to the update in `package`, or rolls back. Raises
    SignatureError or UpdateError when it is refused before anything was switched."""
    with _update_lock(layout.root):
        staging, verified = _stage(package, layout, trusted_keys)
        try:
            info = verified.info
            if platform is not None and info.platform != platform:
                raise UpdateError(f"{package.name} is for {info.platform}, not {platform}.")
            previous = layout.current_version()
            _check_version(info.version, previous, force_downgrade)
            target = layout.version_dir(info.version)
            layout.remove_version(info.version)  # a leftover of an earlier, failed attempt
            os.replace(verified.root, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        label = f"{previous or 'none'}-to-{info.version}"
        try:
            snapshot = snapshot_database(settings, passphrase, label)
        except BaseException:
            layout.remove_version(info.version)  # not switched to: leave nothing half-done
            raise
        layout.switch_to(info.version)
        result = run_bundle_selftest(
            target,
            info.cli,
            settings,
            passphrase,
            store_expected=snapshot is not None,
            timeout=selftest_timeout,
        )
        backup = snapshot.backup if snapshot else None
        if result.passed:
            removed = tuple(layout.prune(keep=2))
            return UpdateOutcome(
                previous, info.version, info.version, False, backup, False, result, removed
            )
        return _roll_back(layout, settings, previous, info.version, snapshot, result)


def _roll_back(
    layout: InstallLayout,
    settings: Settings,
    previous: str | None,
    candidate: str,
    snapshot: DatabaseSnapshot | None,
    result: SelftestResult,
) -> UpdateOutcome:
    if previous is not None:
        layout.switch_to(previous)
    else:
        layout.clear_current()
    restored = False
    if snapshot is not None and not database_still_usable(settings, snapshot):
        restore_snapshot(settings, snapshot)
        restored = True
    layout.remove_version(candidate)
    backup = snapshot.backup if snapshot is not None else None
    return UpdateOutcome(
        previous, candidate, previous, True, backup, restored, result, (candidate,)
    )
