"""clinic models list|verify|install|trust|remove|keygen|sign"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from clinic_app.cli.context import CliContext, pass_cli, user_option
from clinic_app.cli.output import emit_json, emit_table
from clinic_app.errors import ClinicError
from clinic_app.imaging.errors import ModelIntegrityError, ModelPackError
from clinic_app.imaging.model_manifest import load_manifest
from clinic_app.imaging.model_registry import ModelPack, ModelRegistry
from clinic_app.security.signatures import (
    file_sha256,
    fingerprint,
    generate_private_key,
    load_private_key,
    private_key_pem,
    public_key_base64,
    sign_manifest,
)

_DIR = click.Path(exists=True, file_okay=False, path_type=Path)


def _registry(state: CliContext) -> ModelRegistry:
    return ModelRegistry.for_data_dir(state.settings.data_dir)


def _pack_json(pack: ModelPack) -> dict[str, Any]:
    m = pack.manifest
    return {
        "name": m.name,
        "version": m.version,
        "title": m.title,
        "status": m.status.value,
        "task": m.task,
        "modalities": list(m.modalities),
        "labels": [label.id for label in m.labels],
        "sha256": m.sha256,
        "trust": pack.trust,
        "path": str(pack.path),
        "intended_use": m.intended_use,
        "licence": m.licence,
        "source": m.source,
    }


@click.group()
def models() -> None:
    """AI model packs: list, verify, install (IT-signed), trust IT's key, sign packs."""


@models.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def list_(state: CliContext, as_json: bool) -> None:
    """Trusted packs, and refused ones with the reason."""
    packs, refused = _registry(state).scan()
    if as_json:
        emit_json(
            {
                "packs": [_pack_json(p) for p in packs],
                "refused": [{"path": str(r.path), "reason": r.reason} for r in refused],
            }
        )
        return
    emit_table(
        ["NAME", "VERSION", "STATUS", "TRUST", "TITLE"],
        [
            [
                p.manifest.name,
                p.manifest.version,
                p.manifest.status.value,
                p.trust,
                p.manifest.title,
            ]
            for p in packs
        ],
    )
    for r in refused:
        click.echo(f"refused: {r.reason}", err=True)


@models.command()
@click.argument("name", required=False)
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def verify(state: CliContext, name: str | None, as_json: bool) -> None:
    """Hash every trusted pack's model file against its manifest (or one pack's)."""
    registry = _registry(state)
    packs, refused = registry.scan()
    if name is not None:
        packs = [p for p in packs if p.manifest.name == name]
        refused = [r for r in refused if name in r.path.name]
        if not packs and not refused:
            raise ModelPackError(f"No model pack named {name!r}.")
    results = []
    for pack in packs:
        try:
            registry.verify(pack)
            results.append(
                {
                    "name": pack.manifest.name,
                    "version": pack.manifest.version,
                    "ok": True,
                    "reason": "",
                }
            )
        except ModelPackError as exc:
            results.append(
                {
                    "name": pack.manifest.name,
                    "version": pack.manifest.version,
                    "ok": False,
                    "reason": str(exc),
                }
            )
    results += [
        {"name": r.path.name, "version": "", "ok": False, "reason": r.reason} for r in refused
    ]
    if as_json:
        emit_json(results)
    else:
        for item in results:
            status = "ok" if item["ok"] else f"FAILED: {item['reason']}"
            click.echo(f"{item['name']} {item['version']}: {status}".replace("  ", " "))
    failed = [item for item in results if not item["ok"]]
    if failed:
        raise ClinicError(f"{len(failed)} model pack(s) failed verification.")


@models.command()
@click.argument("pack", type=_DIR)
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def install(state: CliContext, pack: Path, as_json: bool) -> None:
    """Install an IT-signed pack into the data directory (verified before and after copying)."""
    installed = state.services().model_admin.install(state.user(), pack)
    if as_json:
        emit_json(_pack_json(installed))
    else:
        click.echo(
            f"installed {installed.manifest.name} {installed.manifest.version} ({installed.trust})"
        )


@models.command()
@click.argument("name")
@click.argument("version")
@user_option
@pass_cli
def remove(state: CliContext, name: str, version: str) -> None:
    """Remove an installed pack from the data directory."""
    state.services().model_admin.remove(state.user(), name, version)
    click.echo(f"removed {name} {version}")


@models.command()
@click.argument("key_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@user_option
@pass_cli
def trust(state: CliContext, key_file: Path) -> None:
    """Trust IT's public signing key (PEM or base64) for model packs."""
    print_ = state.services().model_admin.trust_key(state.user(), key_file)
    click.echo(f"trusted key {print_}")


@models.command()
@click.argument("private_key", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--public",
    "public_out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the public key (default: PRIVATE_KEY.pub).",
)
def keygen(private_key: Path, public_out: Path | None) -> None:
    """Make an Ed25519 signing key pair for IT (keep the private key off workstations)."""
    if private_key.exists():
        raise ClinicError(f"{private_key} exists; choose another name.")
    key = generate_private_key()
    descriptor = os.open(private_key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(private_key_pem(key))
    public_path = public_out or private_key.with_name(private_key.name + ".pub")
    public_path.write_text(public_key_base64(key.public_key()) + "\n", encoding="ascii")
    click.echo(f"key {fingerprint(key.public_key())}: {private_key} (private), {public_path}")


@models.command()
@click.argument("pack", type=_DIR)
@click.option(
    "--key", "key_file", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
def sign(pack: Path, key_file: Path) -> None:
    """Sign a pack folder (writes SIGNED-MANIFEST and its .sig) with IT's private key."""
    manifest = load_manifest(pack)
    if file_sha256(pack / manifest.model_file) != manifest.sha256:
        raise ModelIntegrityError(
            f"{manifest.model_file} does not match the manifest's SHA-256; not signed."
        )
    result = sign_manifest(pack, load_private_key(key_file))
    click.echo(f"signed {len(result.entries)} file(s) with key {result.key_fingerprint}")
