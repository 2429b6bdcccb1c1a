"""What `clinic selftest` adds in an installed bundle: the bundle's signature over every file,
and each shipped model's SHA-256 against its pack manifest.

The key: IT's public key(s) from the machine configuration (`trusted_keys`), which proves who
built the bundle; without one, the public key the build put in the bundle
(`signing-key.pub`), which proves only that nothing changed since the build, and says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from clinic_app.errors import ClinicError
from clinic_app.security.signatures import file_sha256, load_public_key
from clinic_app.updates.bundle import verify_bundle
from clinic_app.updates.trusted_keys import load_trusted_keys

EMBEDDED_KEY = "signing-key.pub"
PACK_MANIFEST = "manifest.json"


@dataclass(frozen=True)
class InstallationCheck:
    name: str
    ok: bool
    detail: str


def bundle_signature_check(bundle_root: Path, trusted_keys: Path | None) -> InstallationCheck:
    try:
        if trusted_keys is not None:
            keys = load_trusted_keys([trusted_keys])
            whose = f"IT's key from {trusted_keys}"
        else:
            keys = [load_public_key(bundle_root / EMBEDDED_KEY)]
            whose = (
                "the bundle's own key: unchanged since the build; set trusted_keys in the "
                "machine configuration to prove who built it"
            )
        verified = verify_bundle(bundle_root, keys)
    except ClinicError as exc:
        return InstallationCheck("bundle signature", False, str(exc))
    return InstallationCheck(
        "bundle signature",
        True,
        f"{verified.info.name} {verified.info.version}: {verified.files} files verified, "
        f"signed by {verified.key_fingerprint} ({whose})",
    )


def model_hash_checks(models_dir: Path) -> list[InstallationCheck]:
    packs = (
        sorted(p for p in models_dir.iterdir() if (p / PACK_MANIFEST).is_file())
        if models_dir.is_dir()
        else []
    )
    if not packs:
        return [InstallationCheck("models", True, "no model pack ships with this build")]
    checks = []
    for pack in packs:
        name = f"model {pack.name}"
        try:
            manifest = json.loads((pack / PACK_MANIFEST).read_text(encoding="utf-8"))
            model = pack / str(manifest["model_file"])
            expected = str(manifest["sha256"])
            ok = model.is_file() and file_sha256(model) == expected
            detail = (
                f"SHA-256 {expected[:12]}… matches"
                if ok
                else "the model file differs from its manifest's SHA-256"
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            ok, detail = False, f"the pack can't be read ({exc})"
        checks.append(InstallationCheck(name, ok, detail))
    return checks


def installation_checks(
    bundle_root: Path, models_dir: Path, trusted_keys: Path | None
) -> list[InstallationCheck]:
    return [bundle_signature_check(bundle_root, trusted_keys), *model_hash_checks(models_dir)]
