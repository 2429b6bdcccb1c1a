"""Signatures for single-file artifacts (the bundle's archive, the .deb, an update package).

The scheme is the signed manifest of `clinic_app.security.signatures` (model packs), applied to
one file and kept beside it, so an artifact travels (a download, a USB stick) as three files::

    clinic-app-0.2.0-linux-x86_64.tar.gz
    clinic-app-0.2.0-linux-x86_64.tar.gz.SIGNED-MANIFEST       the manifest: its header and one
                                                               line, "sha256 <hex> <size> <name>"
    clinic-app-0.2.0-linux-x86_64.tar.gz.SIGNED-MANIFEST.sig   Ed25519 over the manifest's exact
                                                               bytes, one line of base64

Verification checks the signature with the trusted public key(s) first, then that the
manifest names exactly this file (by its name) and that the file's size and SHA-256 match.
Any changed byte, a truncated file, a missing or truncated signature, or another key is refused
with a `SignatureError` saying which.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from clinic_app.security.signatures import (
    MANIFEST_NAME,
    ChangedFileError,
    MalformedManifestError,
    MissingSignatureError,
    UntrustedSignatureError,
    build_manifest,
    file_sha256,
    fingerprint,
    parse_manifest,
)

MANIFEST_SUFFIX = "." + MANIFEST_NAME
SIGNATURE_SUFFIX = MANIFEST_SUFFIX + ".sig"
SIGNATURE_BYTES = 64
_MAX_SIDECAR_BYTES = 1 << 20


@dataclass(frozen=True)
class VerifiedArtifact:
    path: Path
    sha256: str
    size: int
    key_fingerprint: str


def manifest_path(artifact: Path) -> Path:
    return artifact.with_name(artifact.name + MANIFEST_SUFFIX)


def signature_path(artifact: Path) -> Path:
    return artifact.with_name(artifact.name + SIGNATURE_SUFFIX)


def sign_artifact(artifact: Path, private_key: Ed25519PrivateKey) -> VerifiedArtifact:
    """Writes the two sidecar files beside `artifact`."""
    manifest = build_manifest(artifact.parent, [artifact.name])
    signature = private_key.sign(manifest)
    manifest_path(artifact).write_bytes(manifest)
    signature_path(artifact).write_text(base64.b64encode(signature).decode("ascii") + "\n")
    entry = parse_manifest(manifest)[0]
    return VerifiedArtifact(
        artifact, entry.sha256, entry.size, fingerprint(private_key.public_key())
    )


def decode_signature(text: bytes, what: str) -> bytes:
    """The 64 signature bytes from a `.sig` file's content; refuses anything else."""
    try:
        signature = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise UntrustedSignatureError(f"The signature of {what} is not base64.") from exc
    if len(signature) != SIGNATURE_BYTES:
        raise UntrustedSignatureError(
            f"The signature of {what} is truncated or malformed "
            f"({len(signature)} bytes, expected {SIGNATURE_BYTES})."
        )
    return signature


def check_signature(
    manifest: bytes, signature: bytes, trusted_keys: Sequence[Ed25519PublicKey], what: str
) -> str:
    """The fingerprint of the trusted key that signed `manifest`; raises otherwise."""
    if not trusted_keys:
        raise UntrustedSignatureError(f"No trusted public key was given to verify {what}.")
    for key in trusted_keys:
        try:
            key.verify(signature, manifest)
        except InvalidSignature:
            continue
        return fingerprint(key)
    raise UntrustedSignatureError(
        f"The signature of {what} does not verify with the trusted key: it was signed with "
        "another key, or its manifest was changed after signing."
    )


def _read_sidecar(path: Path, artifact: Path) -> bytes:
    if not path.is_file():
        raise MissingSignatureError(
            f"{artifact.name} is not signed: {path.name} is missing (keep the artifact's "
            f"{MANIFEST_SUFFIX} and {SIGNATURE_SUFFIX} files beside it)."
        )
    if path.stat().st_size > _MAX_SIDECAR_BYTES:
        raise MalformedManifestError(f"{path.name} is too large to be a signed manifest.")
    return path.read_bytes()


def verify_artifact(artifact: Path, trusted_keys: Sequence[Ed25519PublicKey]) -> VerifiedArtifact:
    """Checks `artifact` against its sidecar manifest and signature. Raises SignatureError."""
    if not artifact.is_file():
        raise ChangedFileError(f"{artifact} is not a file.")
    manifest = _read_sidecar(manifest_path(artifact), artifact)
    signature = decode_signature(_read_sidecar(signature_path(artifact), artifact), artifact.name)
    signer = check_signature(manifest, signature, trusted_keys, artifact.name)
    entries = parse_manifest(manifest)
    if len(entries) != 1 or entries[0].path != artifact.name:
        named = ", ".join(entry.path for entry in entries) or "no file"
        raise ChangedFileError(
            f"The signed manifest beside {artifact.name} is for {named}: was the artifact renamed?"
        )
    entry = entries[0]
    size = artifact.stat().st_size
    if size != entry.size:
        raise ChangedFileError(
            f"{artifact.name} is {size} bytes but {entry.size} were signed: it is truncated, "
            "extended or another file."
        )
    if file_sha256(artifact) != entry.sha256:
        raise ChangedFileError(f"{artifact.name} changed after it was signed (SHA-256 differs).")
    return VerifiedArtifact(artifact, entry.sha256, entry.size, signer)
