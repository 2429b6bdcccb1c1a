"""Signed manifests: how IT vouches for a folder of files (a model pack, a code-set pack, a build).

The scheme is shared by model packs and packaged builds. A signed folder holds, beside its files:

``SIGNED-MANIFEST``
    UTF-8 text, LF line endings::

        clinic-signed-manifest 1
        sha256 <64 lower-case hex digits> <size in bytes> <relative/posix/path>
        sha256 ...

    One line per file in the folder (recursively), sorted by path; the two signature files
    themselves are not listed. Paths use ``/``, never ``..``, never absolute, no control
    characters.
``SIGNED-MANIFEST.sig``
    The Ed25519 signature over the exact bytes of ``SIGNED-MANIFEST``, as one line of standard
    base64 (88 characters for the 64-byte signature).

Verification reads the manifest, checks the signature against each trusted public key (any one
may match), then hashes every listed file and compares it, and refuses any file in the folder
that the manifest does not list. Every failure raises a `SignatureError` subclass whose message
says what is wrong: a missing signature, a signature by an untrusted (wrong) key, a changed,
missing or extra file, a malformed manifest.

Keys are files in either of two forms:

- PEM: ``-----BEGIN PRIVATE KEY-----`` (PKCS#8, unencrypted) or ``-----BEGIN PUBLIC KEY-----``
  (SubjectPublicKeyInfo), as ``openssl genpkey -algorithm ed25519`` writes them;
- raw: the 32 key bytes as one line of standard base64 (44 characters).

The key's fingerprint, shown to people, is the first 16 hex digits of SHA-256 over the 32 raw
public-key bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from clinic_app.errors import ClinicError

MANIFEST_NAME = "SIGNED-MANIFEST"
SIGNATURE_NAME = "SIGNED-MANIFEST.sig"
HEADER = "clinic-signed-manifest 1"
_LINE = re.compile(r"^sha256 ([0-9a-f]{64}) ([0-9]{1,15}) (\S(?:.*\S)?)$")
_RAW_KEY_BYTES = 32
_SIGNATURE_BYTES = 64
_HASH_CHUNK = 1 << 20


class SignatureError(ClinicError):
    """A signed folder failed verification."""


class MissingSignatureError(SignatureError):
    pass


class UntrustedSignatureError(SignatureError):
    """The signature is not by any trusted key (or the manifest changed after signing)."""


class ChangedFileError(SignatureError):
    """A file differs from what was signed, or is missing, or was added."""


class MalformedManifestError(SignatureError):
    pass


class KeyFileError(ClinicError):
    pass


@dataclass(frozen=True)
class ManifestEntry:
    path: str
    sha256: str
    size: int


@dataclass(frozen=True)
class VerifiedManifest:
    entries: tuple[ManifestEntry, ...]
    key_fingerprint: str

    def sha256_of(self, path: str) -> str | None:
        return next((e.sha256 for e in self.entries if e.path == path), None)


# --- keys ---------------------------------------------------------------------------------


def generate_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def fingerprint(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def private_key_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_key_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def public_key_base64(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def _read_key_text(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KeyFileError(f"Cannot read the key file {path.name}: {exc.strerror}.") from exc
    if len(data) > 16_384:
        raise KeyFileError(f"{path.name} is not a key file (too large).")
    return data.strip()


def _raw_key_bytes(data: bytes, name: str) -> bytes:
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise KeyFileError(f"{name} is neither a PEM key nor a base64 raw key.") from exc
    if len(raw) != _RAW_KEY_BYTES:
        raise KeyFileError(f"{name} does not hold a 32-byte Ed25519 key.")
    return raw


def load_private_key(path: Path) -> Ed25519PrivateKey:
    data = _read_key_text(path)
    if data.startswith(b"-----BEGIN"):
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError) as exc:
            raise KeyFileError(
                f"{path.name} is not an unencrypted PEM private key ({exc})."
            ) from exc
        if not isinstance(key, Ed25519PrivateKey):
            raise KeyFileError(f"{path.name} is not an Ed25519 key.")
        return key
    return Ed25519PrivateKey.from_private_bytes(_raw_key_bytes(data, path.name))


def load_public_key(path: Path) -> Ed25519PublicKey:
    data = _read_key_text(path)
    if data.startswith(b"-----BEGIN"):
        if b"PRIVATE" in data.split(b"\n", 1)[0]:
            raise KeyFileError(f"{path.name} is a private key; trust the public key instead.")
        try:
            key = serialization.load_pem_public_key(data)
        except ValueError as exc:
            raise KeyFileError(f"{path.name} is not a PEM public key ({exc}).") from exc
        if not isinstance(key, Ed25519PublicKey):
            raise KeyFileError(f"{path.name} is not an Ed25519 key.")
        return key
    return Ed25519PublicKey.from_public_bytes(_raw_key_bytes(data, path.name))


# --- manifests ----------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _listed_files(root: Path) -> list[str]:
    names = []
    for path in root.rglob("*"):
        if path.is_symlink():
            raise MalformedManifestError(
                f"{path.relative_to(root).as_posix()} is a symbolic link; signed folders hold "
                "plain files only."
            )
        if path.is_file():
            relative = path.relative_to(root).as_posix()
            if relative not in (MANIFEST_NAME, SIGNATURE_NAME):
                names.append(relative)
    return sorted(names)


def build_manifest(root: Path, files: Iterable[str] | None = None) -> bytes:
    """The manifest text for `root` (every file in it unless `files` names them)."""
    names = sorted(files) if files is not None else _listed_files(root)
    lines = [HEADER]
    for name in names:
        _check_path(name)
        path = root / name
        lines.append(f"sha256 {file_sha256(path)} {path.stat().st_size} {name}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def sign_manifest(root: Path, private_key: Ed25519PrivateKey) -> VerifiedManifest:
    """Writes SIGNED-MANIFEST and SIGNED-MANIFEST.sig into `root` over every file it holds."""
    manifest = build_manifest(root)
    signature = private_key.sign(manifest)
    (root / MANIFEST_NAME).write_bytes(manifest)
    (root / SIGNATURE_NAME).write_text(base64.b64encode(signature).decode("ascii") + "\n")
    return VerifiedManifest(parse_manifest(manifest), fingerprint(private_key.public_key()))


def _check_path(name: str) -> None:
    pure = PurePosixPath(name)
    if (
        not name
        or pure.is_absolute()
        or ".." in pure.parts
        or "\\" in name
        or any(ord(ch) < 32 for ch in name)
        or name != pure.as_posix()
    ):
        raise MalformedManifestError(f"The manifest names an unsafe path ({name!r}).")


def parse_manifest(data: bytes) -> tuple[ManifestEntry, ...]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedManifestError("The signed manifest is not UTF-8 text.") from exc
    lines = text.split("\n")
    if not lines or lines[0] != HEADER:
        raise MalformedManifestError(
            "The signed manifest has no 'clinic-signed-manifest 1' header."
        )
    if lines[-1] != "":
        raise MalformedManifestError("The signed manifest is truncated (no final line end).")
    entries: list[ManifestEntry] = []
    for number, line in enumerate(lines[1:-1], start=2):
        match = _LINE.match(line)
        if match is None:
            raise MalformedManifestError(f"Line {number} of the signed manifest is malformed.")
        digest, size, name = match.groups()
        _check_path(name)
        entries.append(ManifestEntry(name, digest, int(size)))
    names = [e.path for e in entries]
    if names != sorted(set(names)):
        raise MalformedManifestError("The signed manifest's paths are repeated or unsorted.")
    return tuple(entries)


def _read_signature(root: Path) -> bytes:
    path = root / SIGNATURE_NAME
    if not path.is_file() or not (root / MANIFEST_NAME).is_file():
        raise MissingSignatureError(
            f"{root.name} is not signed (no {MANIFEST_NAME} and {SIGNATURE_NAME}); "
            "only packs signed with a trusted key are accepted."
        )
    text = path.read_bytes().strip()
    try:
        signature = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise UntrustedSignatureError(f"The signature of {root.name} is not base64.") from exc
    if len(signature) != _SIGNATURE_BYTES:
        raise UntrustedSignatureError(
            f"The signature of {root.name} is truncated or malformed "
            f"({len(signature)} bytes, expected {_SIGNATURE_BYTES})."
        )
    return signature


def verify_manifest(root: Path, trusted_keys: Sequence[Ed25519PublicKey]) -> VerifiedManifest:
    """Checks the signature by one of `trusted_keys`, then every file. Raises SignatureError."""
    signature = _read_signature(root)
    manifest = (root / MANIFEST_NAME).read_bytes()
    if not trusted_keys:
        raise UntrustedSignatureError(
            "No trusted signing key is configured, so no signed pack can be verified."
        )
    signer: str | None = None
    for key in trusted_keys:
        try:
            key.verify(signature, manifest)
        except InvalidSignature:
            continue
        signer = fingerprint(key)
        break
    if signer is None:
        raise UntrustedSignatureError(
            f"The signature of {root.name} does not verify with any trusted key: it was "
            "signed with another key, or its manifest was changed after signing."
        )
    entries = parse_manifest(manifest)
    listed = {entry.path for entry in entries}
    extra = [name for name in _listed_files(root) if name not in listed]
    if extra:
        raise ChangedFileError(f"{root.name} holds a file that was not signed: {extra[0]}.")
    for entry in entries:
        path = root / entry.path
        if not path.is_file():
            raise ChangedFileError(f"{root.name} lacks a signed file: {entry.path}.")
        if path.stat().st_size != entry.size or file_sha256(path) != entry.sha256:
            raise ChangedFileError(f"{entry.path} in {root.name} changed after it was signed.")
    return VerifiedManifest(entries, signer)
