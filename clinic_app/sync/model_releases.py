"""Model pack releases: an IT-signed model pack published on the server for every workstation.

A release is a DocumentReference tagged `model_packs` (not a synced row: reference data, like
code set releases), one `content` entry per file of the pack folder: its relative path
(`title`), size, SHA-256 (extension) and `url` = `Binary/mp-<SHA-256>`, the file's bytes
uploaded as raw Binary before the DocumentReference (content-addressed ids: a file shared by
two releases goes once; a repeated publish changes nothing). The extensions name the model
(name, version, model file SHA-256, validation status) and the fingerprint of the key that
signed the pack, for people; the workstation trusts none of it: it installs a release only
after the downloaded files match the listed hashes AND the pack's own signature verifies with
one of the clinic's trusted keys (`clinic models trust`), through the model registry's install
(see `clinic_app.sync.model_downloads`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from clinic_app.imaging.errors import ModelPackError
from clinic_app.imaging.model_registry import ModelPack, ModelRegistry
from clinic_app.security.signatures import SIGNATURE_NAME, file_sha256
from clinic_app.storage.types import utcnow
from clinic_app.sync.client import FhirClient
from clinic_app.sync.errors import MappingError
from clinic_app.sync.fhir_values import (
    extension_value,
    extensions,
    instant,
    table_of,
    table_tag,
    user_reference,
)

MODEL_PACK_TABLE = "model_packs"
RELEASE_KIND_SYSTEM = "https://fhir.clinic-app.local/CodeSystem/document-kind"
MAX_FILES = 64
MAX_PACK_BYTES = 2 * 1024**3
_PATH = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}(/[A-Za-z0-9_][A-Za-z0-9._-]{0,99}){0,7}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_SLUG = re.compile(r"[^a-z0-9.]+")
READ_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class PackFile:
    path: str  # relative, '/'-separated
    size: int
    sha256: str

    @property
    def binary_id(self) -> str:
        return f"mp-{self.sha256[:61]}"


@dataclass(frozen=True)
class ModelRelease:
    id: str
    name: str
    version: str
    model_sha256: str
    status: str
    signer: str
    files: tuple[PackFile, ...]

    @property
    def size(self) -> int:
        return sum(f.size for f in self.files)


def is_model_release(resource: object) -> bool:
    return (
        isinstance(resource, Mapping)
        and resource.get("resourceType") == "DocumentReference"
        and table_of(dict(resource)) == MODEL_PACK_TABLE
    )


def release_id(name: str, version: str) -> str:
    slug = _SLUG.sub("-", f"{name}-{version}".lower()).strip("-")
    return f"model-pack-{slug}"[:64]


def check_path(path: object) -> str:
    """A relative path inside a pack folder, or MappingError (never '..', absolute, odd)."""
    if not isinstance(path, str) or not _PATH.fullmatch(path) or ".." in path.split("/"):
        raise MappingError("A file of the model pack release has a path that is not allowed.")
    return path


# --- publishing -----------------------------------------------------------------------------


def read_pack(registry: ModelRegistry, folder: Path) -> tuple[ModelPack, list[PackFile]]:
    """The pack, verified here as it will be on every workstation, and its files."""
    if not folder.is_dir():
        raise ModelPackError(f"{folder} is not a model pack folder.")
    if not (folder / SIGNATURE_NAME).is_file():
        raise ModelPackError(
            f"{folder.name} is not signed; only packs signed with IT's key are published."
        )
    pack = registry.check_pack(folder)  # signature by a trusted key, every file listed
    registry.verify(pack)
    files: list[PackFile] = []
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            raise ModelPackError(f"{folder.name} holds a link ({path.name}); not published.")
        if not path.is_file():
            continue
        relative = path.relative_to(folder).as_posix()
        try:
            check_path(relative)
        except MappingError as exc:
            raise ModelPackError(f"{folder.name}: {relative!r} can't travel ({exc})") from exc
        files.append(PackFile(relative, path.stat().st_size, file_sha256(path)))
    if len(files) > MAX_FILES or sum(f.size for f in files) > MAX_PACK_BYTES:
        raise ModelPackError(f"{folder.name} is too large to publish.")
    return pack, files


def file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(READ_CHUNK):
            yield chunk


def publish_pack(
    client: FhirClient, pack: ModelPack, files: list[PackFile], publisher_id: str
) -> dict[str, Any]:
    """Uploads the files (raw Binary, streamed), then PUTs the release that lists them, so a
    workstation never sees a release whose files are not all on the server."""
    for item in files:
        path = pack.path / item.path
        client.put_binary(
            item.binary_id,
            functools.partial(file_chunks, path),
            "application/octet-stream",
            item.size,
        )
    document = to_document(pack, files, publisher_id, utcnow())
    entry = {
        "resource": document,
        "request": {"method": "PUT", "url": f"DocumentReference/{document['id']}"},
    }
    client.transaction({"resourceType": "Bundle", "type": "transaction", "entry": [entry]})
    return document


def to_document(
    pack: ModelPack, files: list[PackFile], publisher_id: str, at: datetime
) -> dict[str, Any]:
    manifest = pack.manifest
    signer = pack.trust.removeprefix("signed by ")
    return {
        "resourceType": "DocumentReference",
        "id": release_id(manifest.name, manifest.version),
        "meta": table_tag(MODEL_PACK_TABLE),
        "extension": extensions(
            [
                ("model-name", "valueString", manifest.name),
                ("model-version", "valueString", manifest.version),
                ("model-sha256", "valueString", manifest.sha256),
                ("model-status", "valueCode", manifest.status.value),
                ("signer", "valueString", signer),
            ]
        ),
        "status": "current",
        "docStatus": "final",
        "type": {
            "coding": [
                {
                    "system": RELEASE_KIND_SYSTEM,
                    "code": "model-pack",
                    "display": "Signed AI model pack release",
                }
            ]
        },
        "date": instant(at),
        "author": [user_reference(publisher_id)],
        "description": manifest.title[:200],
        "content": [
            {
                "attachment": {
                    "extension": extensions([("sha256", "valueString", item.sha256)]),
                    "contentType": "application/octet-stream",
                    "url": f"Binary/{item.binary_id}",
                    "size": item.size,
                    "title": item.path,
                }
            }
            for item in files
        ],
    }


# --- receiving ------------------------------------------------------------------------------


def from_document(resource: Mapping[str, Any]) -> ModelRelease:
    """The release a DocumentReference announces; MappingError when it is not well formed."""
    if not is_model_release(resource):
        raise MappingError("This is not a model pack release.")
    release = str(resource.get("id") or "")
    if not release.startswith("model-pack-") or len(release) > 64:
        raise MappingError("The model pack release has no usable id.")
    name = _ext(resource, "model-name", "valueString", 64)
    version = _ext(resource, "model-version", "valueString", 32)
    model_sha = _ext(resource, "model-sha256", "valueString", 64)
    status = _ext(resource, "model-status", "valueCode", 16)
    signer = _ext(resource, "signer", "valueString", 64)
    if release != release_id(name, version) or not _SHA256.fullmatch(model_sha):
        raise MappingError("The model pack release's name, version or hash is malformed.")
    content = resource.get("content")
    if not isinstance(content, list) or not 0 < len(content) <= MAX_FILES:
        raise MappingError("The model pack release lists no files (or too many).")
    files: list[PackFile] = []
    for item in content:
        attachment = item.get("attachment") if isinstance(item, dict) else None
        if not isinstance(attachment, dict):
            raise MappingError("A file of the model pack release is not described.")
        digest = extension_value(attachment, "sha256", "valueString")
        size = attachment.get("size")
        if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
            raise MappingError("A file of the model pack release has no SHA-256.")
        if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= MAX_PACK_BYTES:
            raise MappingError("A file of the model pack release has no usable size.")
        file = PackFile(check_path(attachment.get("title")), size, digest)
        if attachment.get("url") != f"Binary/{file.binary_id}":
            raise MappingError("A file of the model pack release points at the wrong Binary.")
        files.append(file)
    if len({f.path for f in files}) != len(files) or sum(f.size for f in files) > MAX_PACK_BYTES:
        raise MappingError("The model pack release lists a file twice, or is too large.")
    return ModelRelease(release, name, version, model_sha, status, signer, tuple(files))


def _ext(resource: Mapping[str, Any], name: str, kind: str, limit: int) -> str:
    value = extension_value(resource, name, kind)
    if not isinstance(value, str) or not value or len(value) > limit:
        raise MappingError(f"The model pack release has no usable {name.replace('-', ' ')}.")
    return value
