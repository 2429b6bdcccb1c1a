"""clinic verify-package ARTIFACT | update apply FILE | update status: signed builds for IT."""

from __future__ import annotations

from pathlib import Path

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from clinic_app import resource_files
from clinic_app.cli.context import PASSPHRASE_ENV, CliContext, pass_cli, secret
from clinic_app.cli.output import emit_json
from clinic_app.errors import ClinicError
from clinic_app.storage import store
from clinic_app.storage.keys import UnlockMode
from clinic_app.updates.apply import DEFAULT_SELFTEST_TIMEOUT, UpdateOutcome, apply_update
from clinic_app.updates.artifact_signing import verify_artifact
from clinic_app.updates.bundle import current_platform, verify_bundle
from clinic_app.updates.install_layout import VERSIONS_DIR, InstallLayout
from clinic_app.updates.trusted_keys import load_trusted_keys

_KEY_HELP = (
    "IT's Ed25519 public key (PEM or base64 raw; repeatable). Default: the machine "
    "configuration's trusted_keys."
)


def _keys(state: CliContext, given: tuple[str, ...]) -> list[Ed25519PublicKey]:
    paths = [Path(p) for p in given]
    if not paths and state.settings.trusted_keys is not None:
        paths = [state.settings.trusted_keys]
    if not paths:
        raise ClinicError(
            "No public key to verify with: pass --public-key KEY, or set trusted_keys in the "
            "machine configuration."
        )
    return load_trusted_keys(paths)


@click.command("verify-package")
@click.argument("artifact", type=click.Path(exists=True, path_type=Path))
@click.option("--public-key", "public_keys", multiple=True, type=click.Path(), help=_KEY_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@pass_cli
def verify_package(
    state: CliContext, artifact: Path, public_keys: tuple[str, ...], as_json: bool
) -> None:
    """Verify a signed build: an archive, .deb or update file (with its .SIGNED-MANIFEST and
    .sig beside it), or an unpacked bundle folder. Exits 1, saying why, on any change."""
    keys = _keys(state, public_keys)
    if artifact.is_dir():
        bundle = verify_bundle(artifact, keys)
        result = {
            "artifact": str(artifact),
            "kind": "bundle",
            "name": bundle.info.name,
            "version": bundle.info.version,
            "platform": bundle.info.platform,
            "files": bundle.files,
            "signed_by": bundle.key_fingerprint,
        }
        text = (
            f"OK  {artifact.name}: {bundle.info.name} {bundle.info.version} "
            f"({bundle.info.platform}), {bundle.files} files, signed by {bundle.key_fingerprint}"
        )
    else:
        verified = verify_artifact(artifact, keys)
        result = {
            "artifact": str(artifact),
            "kind": "file",
            "sha256": verified.sha256,
            "size": verified.size,
            "signed_by": verified.key_fingerprint,
        }
        text = (
            f"OK  {artifact.name}: {verified.size} bytes, SHA-256 {verified.sha256}, "
            f"signed by {verified.key_fingerprint}"
        )
    if as_json:
        emit_json({"ok": True, **result})
    else:
        click.echo(text)


def _install_root(given: Path | None) -> Path:
    if given is not None:
        return given.resolve()
    bundle = resource_files.bundle_root()
    if bundle is not None and bundle.parent.name == VERSIONS_DIR:
        return bundle.parent.parent
    raise ClinicError(
        "This is not an installed bundle (versions/<x.y.z>/ under an install root): pass "
        "--install-root DIR, e.g. /opt/clinic-app."
    )


@click.group()
def update() -> None:
    """Signed updates, installed side by side and switched atomically (IT)."""


@update.command("apply")
@click.argument("package", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--public-key", "public_keys", multiple=True, type=click.Path(), help=_KEY_HELP)
@click.option("--force-downgrade", is_flag=True, help="Install an older version (IT's decision).")
@click.option(
    "--install-root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where versions/ and current live (default: the running bundle's, e.g. /opt/clinic-app).",
)
@click.option(
    "--selftest-timeout",
    type=float,
    default=DEFAULT_SELFTEST_TIMEOUT,
    show_default=True,
    help="Seconds the new version's selftest may take.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@pass_cli
def apply(
    state: CliContext,
    package: Path,
    public_keys: tuple[str, ...],
    force_downgrade: bool,
    install_root: Path | None,
    selftest_timeout: float,
    as_json: bool,
) -> None:
    """Verify PACKAGE (the signed .tar.gz), install it beside the current version, back up the
    database, switch, and roll back if the new version's selftest fails. Works offline: the
    package and its two signature files can come from a USB stick."""
    keys = _keys(state, public_keys)
    layout = InstallLayout(_install_root(install_root))
    passphrase = None
    if store.is_initialised(state.settings) and (
        store.unlock_mode(state.settings) is UnlockMode.PASSPHRASE
    ):
        passphrase = secret(PASSPHRASE_ENV, "Database passphrase")
    outcome = apply_update(
        package,
        layout,
        state.settings,
        keys,
        passphrase=passphrase,
        force_downgrade=force_downgrade,
        platform=current_platform(),
        selftest_timeout=selftest_timeout,
    )
    _report(outcome, as_json)
    if outcome.rolled_back:
        raise click.exceptions.Exit(1)


def _report(outcome: UpdateOutcome, as_json: bool) -> None:
    if as_json:
        emit_json(outcome)
        return
    if outcome.backup is not None:
        click.echo(f"database backed up to {outcome.backup}")
    if outcome.rolled_back:
        click.echo(
            f"ROLLED BACK: {outcome.candidate}'s selftest {outcome.selftest.detail}; "
            f"{outcome.current or 'no version'} is current again"
            + ("; the database was restored from the backup" if outcome.database_restored else ""),
            err=True,
        )
        return
    click.echo(
        f"Updated {outcome.previous or '(none)'} -> {outcome.candidate}: selftest "
        f"{outcome.selftest.detail}."
        + (f" Removed old version(s): {', '.join(outcome.removed)}." if outcome.removed else "")
    )


@update.command("status")
@click.option("--install-root", type=click.Path(file_okay=False, path_type=Path), default=None)
@click.option("--json", "as_json", is_flag=True)
def status(install_root: Path | None, as_json: bool) -> None:
    """Which versions are installed and which is current."""
    layout = InstallLayout(_install_root(install_root))
    result = {
        "install_root": str(layout.root),
        "current": layout.current_version(),
        "installed": layout.installed_versions(),
    }
    if as_json:
        emit_json(result)
    else:
        click.echo(f"{layout.root}: current {result['current'] or '(none)'}")
        for version in result["installed"]:  # type: ignore[union-attr]
            click.echo(f"  {version}{'  (current)' if version == result['current'] else ''}")
