"""A signed application bundle: the folder PyInstaller builds, with who built it and what it holds.

Beside the executables a bundle's root holds

``bundle.json``
    ``{"format": 1, "name": "clinic-app", "version": "0.2.0", "platform": "linux-x86_64",
    "built_at": "...Z", "python": "3.11.7", "cli": "clinic", "gui": "clinic-app",
    "links": {"_internal/libQt6Core.so.6": "PySide6/Qt/lib/libQt6Core.so.6", ...}}``.
    ``links`` lists every symbolic link in the folder (PyInstaller links shared libraries into
    the top of ``_internal``) and its target, which must stay inside the bundle.
``SIGNED-MANIFEST`` and ``SIGNED-MANIFEST.sig``
    exactly the model packs' scheme (`clinic_app.security.signatures`) over every regular file,
    ``bundle.json`` included; the links are signed through ``bundle.json``.

Verification checks the signature, then every file's size and SHA-256, then that the folder
holds no file the manifest does not list and exactly the links ``bundle.json`` names.
"""

from __future__ import annotations

import base64
import json
import os
import platform
import stat
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from clinic_app.security.signatures import (
    MANIFEST_NAME,
    SIGNATURE_NAME,
    ChangedFileError,
    MalformedManifestError,
    MissingSignatureError,
    build_manifest,
    file_sha256,
    fingerprint,
    parse_manifest,
)
from clinic_app.updates.artifact_signing import check_signature, decode_signature
from clinic_app.updates.versions import parse_version

BUNDLE_INFO = "bundle.json"
BUNDLE_FORMAT = 1
_OS_NAMES = {"linux": "linux", "win32": "windows", "darwin": "macos"}
_ARCH_NAMES = {"amd64": "x86_64", "x64": "x86_64", "arm64": "aarch64"}


def current_platform() -> str:
    """This machine's platform tag, as bundles name it: linux-x86_64, windows-x86_64, ..."""
    system = _OS_NAMES.get(sys.platform, sys.platform)
    machine = platform.machine().lower()
    return f"{system}-{_ARCH_NAMES.get(machine, machine)}"


@dataclass(frozen=True)
class BundleInfo:
    name: str
    version: str
    platform: str
    built_at: str = ""
    python: str = ""
    cli: str = "clinic"
    gui: str = "clinic-app"
    links: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        body = {"format": BUNDLE_FORMAT, **self.__dict__}
        body["links"] = dict(sorted(self.links.items()))
        return json.dumps(body, indent=2) + "\n"


@dataclass(frozen=True)
class VerifiedBundle:
    root: Path
    info: BundleInfo
    key_fingerprint: str
    files: int


def read_bundle_info(root: Path) -> BundleInfo:
    """bundle.json as written (not verified: call verify_bundle to trust it)."""
    try:
        raw = json.loads((root / BUNDLE_INFO).read_text(encoding="utf-8"))
        if raw.get("format") != BUNDLE_FORMAT:
            raise MalformedManifestError(f"{root.name}/{BUNDLE_INFO} has an unknown format.")
        info = BundleInfo(
            name=str(raw["name"]),
            version=str(raw["version"]),
            platform=str(raw["platform"]),
            built_at=str(raw.get("built_at", "")),
            python=str(raw.get("python", "")),
            cli=str(raw.get("cli", "clinic")),
            gui=str(raw.get("gui", "clinic-app")),
            links={str(k): str(v) for k, v in dict(raw.get("links", {})).items()},
        )
    except FileNotFoundError as exc:
        raise MalformedManifestError(
            f"{root.name} is not an application bundle (no {BUNDLE_INFO})."
        ) from exc
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise MalformedManifestError(f"{root.name}/{BUNDLE_INFO} is unreadable ({exc}).") from exc
    parse_version(info.version)
    return info


def scan_bundle(root: Path) -> tuple[list[str], dict[str, str]]:
    """(regular files, {link: target}) under `root`, relative posix paths, without following
    links. The two signature files at the root are not listed. Refuses any other file type."""
    files: list[str] = []
    links: dict[str, str] = {}
    for directory, dirnames, filenames in os.walk(root, followlinks=False):
        for name in sorted(dirnames + filenames):
            path = Path(directory) / name
            relative = path.relative_to(root).as_posix()
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                links[relative] = os.readlink(path)
            elif stat.S_ISREG(mode):
                if relative not in (MANIFEST_NAME, SIGNATURE_NAME):
                    files.append(relative)
            elif not stat.S_ISDIR(mode):
                raise ChangedFileError(f"{root.name} holds a special file: {relative}.")
    return sorted(files), links


def _check_link(root: Path, link: str, target: str) -> None:
    pure = PurePosixPath(target)
    inside = PurePosixPath(link).parent / pure
    depth = 0
    for part in inside.parts:
        depth += -1 if part == ".." else (0 if part == "." else 1)
        if depth < 0:
            break
    if pure.is_absolute() or "\\" in target or depth < 1:
        raise ChangedFileError(f"The link {link} in {root.name} points outside the bundle.")


def sign_bundle(root: Path, info: BundleInfo, private_key: Ed25519PrivateKey) -> VerifiedBundle:
    """Writes bundle.json (with the folder's links) and the signed manifest into `root`."""
    _files, links = scan_bundle(root)
    for link, target in links.items():
        _check_link(root, link, target)
    signed_info = BundleInfo(**{**info.__dict__, "links": links})
    (root / BUNDLE_INFO).write_text(signed_info.to_json(), encoding="utf-8")
    files, _links = scan_bundle(root)
    manifest = build_manifest(root, files)
    (root / MANIFEST_NAME).write_bytes(manifest)
    signature = private_key.sign(manifest)
    (root / SIGNATURE_NAME).write_text(base64.b64encode(signature).decode("ascii") + "\n")
    return VerifiedBundle(root, signed_info, fingerprint(private_key.public_key()), len(files))


def verify_bundle(root: Path, trusted_keys: Sequence[Ed25519PublicKey]) -> VerifiedBundle:
    """Checks the signature, every file, and the links. Raises SignatureError subclasses."""
    manifest_file, signature_file = root / MANIFEST_NAME, root / SIGNATURE_NAME
    if not manifest_file.is_file() or not signature_file.is_file():
        raise MissingSignatureError(
            f"{root.name} is not signed (no {MANIFEST_NAME} and {SIGNATURE_NAME})."
        )
    manifest = manifest_file.read_bytes()
    signature = decode_signature(signature_file.read_bytes(), root.name)
    signer = check_signature(manifest, signature, trusted_keys, root.name)
    entries = parse_manifest(manifest)
    files, links = scan_bundle(root)
    listed = {entry.path for entry in entries}
    extra = [name for name in files if name not in listed]
    if extra:
        raise ChangedFileError(f"{root.name} holds a file that was not signed: {extra[0]}.")
    for entry in entries:
        path = root / entry.path
        if not path.is_file() or path.is_symlink():
            raise ChangedFileError(f"{root.name} lacks a signed file: {entry.path}.")
        if path.stat().st_size != entry.size or file_sha256(path) != entry.sha256:
            raise ChangedFileError(f"{entry.path} in {root.name} changed after it was signed.")
    info = read_bundle_info(root)  # its bytes were just checked against the signed manifest
    if BUNDLE_INFO not in listed:
        raise MalformedManifestError(f"{root.name} does not sign its {BUNDLE_INFO}.")
    if links != info.links:
        changed = sorted(set(links.items()) ^ set(info.links.items()))
        raise ChangedFileError(
            f"The link {changed[0][0]} in {root.name} differs from the signed one."
        )
    for link, target in links.items():
        _check_link(root, link, target)
    return VerifiedBundle(root, info, signer, len(entries))
