#!/usr/bin/env python3
"""Verify a signed clinic_app build before installing it, without the application.

    python3 installer/verify_package.py ARTIFACT --public-key it-signing.pem.pub

Needs only Python 3.11+ and the `cryptography` package (pip install cryptography). ARTIFACT
is a file (the .tar.gz, the .deb, an update) with `ARTIFACT.SIGNED-MANIFEST` and
`ARTIFACT.SIGNED-MANIFEST.sig` beside it, or an unpacked bundle folder (with `bundle.json`,
`SIGNED-MANIFEST` and `SIGNED-MANIFEST.sig` inside). Exit 0 and "OK ..." when every byte is as
signed by the key; exit 1 and one line saying what is wrong otherwise; exit 2 for bad usage.

The same checks as `clinic verify-package` (clinic_app/updates/artifact_signing.py and
bundle.py, over the manifest format of clinic_app/security/signatures.py), written again here
so that IT can run them on a machine where the application is not installed; the test suite
runs both on the same tampered packages.
"""

# ruff: noqa: T201 - a console script: print is its interface
from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import os
import re
import stat
import sys
from pathlib import Path, PurePosixPath

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

HEADER = "clinic-signed-manifest 1"
MANIFEST = "SIGNED-MANIFEST"
SIGNATURE = MANIFEST + ".sig"
_LINE = re.compile(r"^sha256 ([0-9a-f]{64}) ([0-9]{1,15}) (\S(?:.*\S)?)$")


class RefusedError(Exception):
    """The artifact is not exactly what the key signed."""


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        data = path.read_bytes().strip()
    except OSError as exc:
        raise RefusedError(f"cannot read the public key {path}: {exc.strerror}") from exc
    if data.startswith(b"-----BEGIN"):
        if b"PRIVATE" in data.split(b"\n", 1)[0]:
            raise RefusedError(f"{path.name} is a private key; give the public key")
        try:
            key = serialization.load_pem_public_key(data)
        except ValueError as exc:
            raise RefusedError(f"{path.name} is not a PEM public key") from exc
    else:
        try:
            raw = base64.b64decode(data, validate=True)
            key = Ed25519PublicKey.from_public_bytes(raw)
        except (binascii.Error, ValueError) as exc:
            raise RefusedError(f"{path.name} is not an Ed25519 public key") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise RefusedError(f"{path.name} is not an Ed25519 key")
    return key


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _safe(name: str) -> bool:
    pure = PurePosixPath(name)
    return bool(name) and not pure.is_absolute() and ".." not in pure.parts and "\\" not in name


def parse_manifest(data: bytes) -> dict[str, tuple[str, int]]:
    try:
        lines = data.decode("utf-8").split("\n")
    except UnicodeDecodeError as exc:
        raise RefusedError("the signed manifest is not UTF-8 text") from exc
    if lines[0] != HEADER or lines[-1] != "":
        raise RefusedError("the signed manifest is malformed or truncated")
    entries: dict[str, tuple[str, int]] = {}
    for line in lines[1:-1]:
        match = _LINE.match(line)
        if match is None or not _safe(match.group(3)) or match.group(3) in entries:
            raise RefusedError("the signed manifest has a malformed line")
        entries[match.group(3)] = (match.group(1), int(match.group(2)))
    return entries


def check_signature(manifest: Path, signature: Path, key: Ed25519PublicKey, what: str) -> bytes:
    if not manifest.is_file() or not signature.is_file():
        raise RefusedError(f"{what} is not signed: {manifest.name} or {signature.name} is missing")
    data = manifest.read_bytes()
    try:
        raw = base64.b64decode(signature.read_bytes().strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise RefusedError(f"the signature of {what} is not base64") from exc
    if len(raw) != 64:
        raise RefusedError(f"the signature of {what} is truncated or malformed ({len(raw)} bytes)")
    try:
        key.verify(raw, data)
    except InvalidSignature as exc:
        raise RefusedError(
            f"the signature of {what} does not verify with this key: another key signed it, "
            "or its manifest was changed"
        ) from exc
    return data


def verify_file(artifact: Path, key: Ed25519PublicKey) -> str:
    side = artifact.with_name(artifact.name + "." + MANIFEST)
    sig = artifact.with_name(artifact.name + "." + SIGNATURE)
    entries = parse_manifest(check_signature(side, sig, key, artifact.name))
    if list(entries) != [artifact.name]:
        raise RefusedError(f"the signed manifest is for {', '.join(entries)}, not {artifact.name}")
    digest, size = entries[artifact.name]
    if artifact.stat().st_size != size:
        raise RefusedError(
            f"{artifact.name} is {artifact.stat().st_size} bytes, {size} were signed"
        )
    if sha256_of(artifact) != digest:
        raise RefusedError(f"{artifact.name} changed after it was signed")
    return f"{artifact.name}: {size} bytes, SHA-256 {digest}"


def _scan(root: Path) -> tuple[set[str], dict[str, str]]:
    files: set[str] = set()
    links: dict[str, str] = {}
    for directory, dirnames, filenames in os.walk(root, followlinks=False):
        for name in dirnames + filenames:
            path = Path(directory) / name
            relative = path.relative_to(root).as_posix()
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                links[relative] = os.readlink(path)
            elif stat.S_ISREG(mode) and relative not in (MANIFEST, SIGNATURE):
                files.add(relative)
            elif not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                raise RefusedError(f"{relative} is a special file")
    return files, links


def _link_inside(link: str, target: str) -> bool:
    depth = 0
    for part in (PurePosixPath(link).parent / target).parts:
        depth += -1 if part == ".." else (0 if part == "." else 1)
        if depth < 0:
            return False
    return depth >= 1 and not target.startswith("/") and "\\" not in target


def verify_folder(root: Path, key: Ed25519PublicKey) -> str:
    entries = parse_manifest(check_signature(root / MANIFEST, root / SIGNATURE, key, root.name))
    files, links = _scan(root)
    extra = sorted(files - set(entries))
    if extra:
        raise RefusedError(f"{root.name} holds a file that was not signed: {extra[0]}")
    for name, (digest, size) in sorted(entries.items()):
        path = root / name
        if path.is_symlink() or not path.is_file():
            raise RefusedError(f"{root.name} lacks a signed file: {name}")
        if path.stat().st_size != size or sha256_of(path) != digest:
            raise RefusedError(f"{name} in {root.name} changed after it was signed")
    if "bundle.json" not in entries:
        raise RefusedError(f"{root.name} has no signed bundle.json")
    info = json.loads((root / "bundle.json").read_text(encoding="utf-8"))
    signed_links = {str(k): str(v) for k, v in dict(info.get("links", {})).items()}
    if links != signed_links or not all(_link_inside(k, v) for k, v in links.items()):
        raise RefusedError(f"the links in {root.name} differ from the signed ones")
    return f"{root.name}: {info.get('name')} {info.get('version')}, {len(entries)} files"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify a signed clinic_app build.")
    parser.add_argument("artifact", type=Path)
    parser.add_argument("--public-key", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        key = load_public_key(args.public_key)
        if args.artifact.is_dir():
            result = verify_folder(args.artifact, key)
        elif args.artifact.is_file():
            result = verify_file(args.artifact, key)
        else:
            raise RefusedError(f"{args.artifact} does not exist")
    except RefusedError as exc:
        print(f"REFUSED: {exc}", file=sys.stderr)
        return 1
    except (OSError, ValueError) as exc:
        print(f"REFUSED: {args.artifact} can't be read ({exc})", file=sys.stderr)
        return 1
    print(f"OK  {result}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
