"""Model packs published on the server come down in the background (resumable) and are
installed only when the files match the release AND the pack's signature verifies with the
clinic's trusted key; a tampered or foreign pack is refused, held with the reason, and never
installed."""

from __future__ import annotations

import copy
import hashlib
import os
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from clinic_app.bootstrap import Services
from clinic_app.cli.main import main
from clinic_app.errors import NotFoundError, PermissionDeniedError
from clinic_app.imaging.errors import ModelPackError
from clinic_app.imaging.model_registry import KEYS_DIR, MODELS_DIR, ModelRegistry
from clinic_app.security.permissions import Role
from clinic_app.security.signatures import generate_private_key, public_key_base64, sign_manifest
from clinic_app.settings import Settings
from clinic_app.sync.errors import MappingError, SyncNotConfiguredError
from clinic_app.sync.model_downloads import QUEUE_DIR, ModelReleases
from clinic_app.sync.model_releases import check_path, from_document, read_pack, to_document
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fhir.resources.R4B import get_fhir_model_class

from tests.conftest import PASSWORDS, USERNAMES
from tests.imaging.model_factory import write_pack
from tests.sync.conftest import WorkstationFactory
from tests.sync.fault_proxy import FaultProxy
from tests.sync.server_process import ServerProcess
from tests.sync.test_cli_sync import Result
from tests.sync.workstation import Workstation

NOTES = os.urandom(700_000)  # a large extra file in the pack: its download is cut and resumed


def _trust(station: Workstation, key: Ed25519PrivateKey) -> None:
    keys = station.services.settings.data_dir / KEYS_DIR
    keys.mkdir(parents=True, exist_ok=True)
    (keys / "it.pub").write_text(public_key_base64(key.public_key()) + "\n")


def _pack(root: Path, key: Ed25519PrivateKey, version: str) -> Path:
    folder = write_pack(root / f"quadrant-{version}", name="quadrant-demo", version=version)
    (folder / "docs").mkdir()
    (folder / "docs" / "notes.bin").write_bytes(NOTES)
    sign_manifest(folder, key)
    return folder


def _installed(station: Workstation, version: str) -> Path:
    return station.services.settings.data_dir / MODELS_DIR / f"quadrant-demo-{version}"


class Server:
    def __init__(self, server: ServerProcess) -> None:
        self.url = server.url
        token = server.add_device(f"it-{uuid.uuid4().hex[:10]}")
        self.headers = {"Authorization": f"Bearer {token}"}

    def read(self, path: str) -> dict:
        answer = requests.get(f"{self.url}/{path}", headers=self.headers, timeout=10)
        answer.raise_for_status()
        return answer.json()

    def put_json(self, path: str, resource: dict) -> None:
        headers = {**self.headers, "Content-Type": "application/fhir+json"}
        answer = requests.put(f"{self.url}/{path}", json=resource, headers=headers, timeout=10)
        assert answer.status_code in (200, 201), answer.text

    def put_bytes(self, binary_id: str, data: bytes) -> None:
        headers = {**self.headers, "Content-Type": "application/octet-stream"}
        answer = requests.put(
            f"{self.url}/Binary/{binary_id}", data=data, headers=headers, timeout=10
        )
        assert answer.status_code in (200, 201), answer.text


def test_a_published_pack_is_fetched_resumably_verified_and_installed(
    sync_server: ServerProcess, workstation: WorkstationFactory, tmp_path: Path
) -> None:
    key = generate_private_key()
    ranges: list[bytes] = []
    cut = {"left": 1}

    def cut_notes_once(head: bytes) -> str:
        request_line = head.split(b"\r\n", 1)[0]
        ranges.extend(line for line in head.split(b"\r\n") if line.lower().startswith(b"range:"))
        notes_id = f"mp-{hashlib.sha256(NOTES).hexdigest()[:61]}".encode()
        if request_line.startswith(b"GET ") and notes_id in request_line and cut["left"]:
            cut["left"] -= 1
            return "cut"
        return "pass"

    proxy = FaultProxy(sync_server.port, choose=cut_notes_once)
    try:
        a = workstation("ws-a", sync_server)
        b = workstation("ws-b", sync_server, url=proxy.url)
        _trust(a, key)
        _trust(b, key)
        pack = _pack(tmp_path, key, "2.0.0")
        with pytest.raises(PermissionDeniedError):
            a.sync.publish_model_pack(a.users[Role.DOCTOR], pack)
        release_id = a.sync.publish_model_pack(a.users[Role.ADMIN], pack)
        assert release_id == "model-pack-quadrant-demo-2.0.0"
        document = Server(sync_server).read(f"DocumentReference/{release_id}")
        get_fhir_model_class("DocumentReference").model_validate(document)
        assert {c["attachment"]["title"] for c in document["content"]} == {
            "manifest.json",
            "model.onnx",
            "docs/notes.bin",
            "SIGNED-MANIFEST",
            "SIGNED-MANIFEST.sig",
        }

        first = b.sync_now()  # the notes' download is cut off half-way: nothing installed
        assert first.model_packs == 0
        assert not _installed(b, "2.0.0").exists()
        parts = list((b.services.settings.data_dir / QUEUE_DIR).rglob("notes.bin.part"))
        assert len(parts) == 1
        have = parts[0].stat().st_size
        assert 0 < have < len(NOTES)
        assert b.sync.status(None).pending_model_packs == 1
        second = b.sync_now()
        assert second.model_packs == 1
        assert ranges == [f"Range: bytes={have}-".encode()]  # resumed, not fetched again
        installed = b.services.models.get("quadrant-demo", "2.0.0")
        assert installed.path == _installed(b, "2.0.0")
        assert installed.trust.startswith("signed by ")
        b.services.models.verify(installed)
        assert (installed.path / "docs" / "notes.bin").read_bytes() == NOTES
        assert not (b.services.settings.data_dir / QUEUE_DIR / release_id).exists()
        assert b.sync.status(None).pending_model_packs == 0
        assert not b.held()
        events = [e.event for e in b.sync.log(b.users[Role.ADMIN], 50)]
        assert "model_pack" in events
        assert b.sync_now().model_packs == 0  # installed once
    finally:
        proxy.stop()


def test_a_tampered_or_foreign_pack_is_refused_held_and_never_installed(
    sync_server: ServerProcess, workstation: WorkstationFactory, tmp_path: Path
) -> None:
    key = generate_private_key()
    a = workstation("ws-a", sync_server)
    b = workstation("ws-b", sync_server)
    _trust(a, key)
    _trust(b, key)
    server = Server(sync_server)
    # 1. Someone with access to the server swaps the model file and fixes up the release's
    #    hash for it: the files match the release, but not the pack's signature.
    honest = a.sync.publish_model_pack(a.users[Role.ADMIN], _pack(tmp_path, key, "3.0.0"))
    document = server.read(f"DocumentReference/{honest}")
    original = (_pack(tmp_path / "x", key, "3.0.0") / "model.onnx").read_bytes()
    evil = bytes(byte ^ 0x5A for byte in original)
    evil_id = f"mp-{hashlib.sha256(evil).hexdigest()[:61]}"
    server.put_bytes(evil_id, evil)
    tampered = copy.deepcopy(document)
    for item in tampered["content"]:
        attachment = item["attachment"]
        if attachment["title"] == "model.onnx":
            attachment["url"] = f"Binary/{evil_id}"
            attachment["size"] = len(evil)
            attachment["extension"][0]["valueString"] = hashlib.sha256(evil).hexdigest()
    server.put_json(f"DocumentReference/{honest}", tampered)
    # 2. A release whose listed hash is right but whose Binary was overwritten under its id.
    second = a.sync.publish_model_pack(a.users[Role.ADMIN], _pack(tmp_path, key, "4.0.0"))
    manifest_entry = next(
        c["attachment"]
        for c in server.read(f"DocumentReference/{second}")["content"]
        if c["attachment"]["title"] == "manifest.json"
    )
    server.put_bytes(manifest_entry["url"].split("/")[1], b'{"name": "something-else"}')
    # 3. A pack signed by a key this clinic doesn't trust (published straight to the server).
    stranger = generate_private_key()
    foreign = _pack(tmp_path / "foreign", stranger, "5.0.0")
    _trust(a, stranger)  # A (wrongly) trusts it, so it publishes; B does not
    foreign_id = a.sync.publish_model_pack(a.users[Role.ADMIN], foreign)

    report = b.sync_now()
    assert report.model_packs == 0
    for version in ("3.0.0", "4.0.0", "5.0.0"):
        assert not _installed(b, version).exists(), version
        with pytest.raises(ModelPackError):
            b.services.models.get("quadrant-demo", version)
    held = {item.entity_id: item for item in b.held()}
    assert set(held) == {honest, second, foreign_id}
    assert "model.onnx" in held[honest].message
    assert "changed after it was signed" in held[honest].message
    assert "SHA-256" in held[second].message
    assert "trust" in held[foreign_id].message.lower()
    assert all(item.entity_type == "model_packs" for item in held.values())
    assert not any((b.services.settings.data_dir / QUEUE_DIR).glob("model-pack-*"))
    # Held, not fetched again by itself: the next runs download nothing of them.
    quiet = b.sync_now()
    assert quiet.model_packs == 0
    assert quiet.requests <= 3  # metadata and one history page: no file is fetched
    assert not any((b.services.settings.data_dir / QUEUE_DIR).glob("model-pack-*"))
    shown = {item.entity_id: item for item in b.sync.quarantined(b.users[Role.DOCTOR])}
    assert set(shown) >= {honest, second, foreign_id}
    refusals = [e for e in b.sync.log(b.users[Role.ADMIN], 200) if e.event == "quarantined"]
    assert {e.entity_id for e in refusals} >= {honest, second, foreign_id}  # IT sees them
    # IT's own view: the refused releases with their reasons (not for clinical roles).
    admin = b.users[Role.ADMIN]
    refused = {r.id: r for r in b.sync.model_pack_releases(admin)}
    assert {r.state for r in refused.values()} == {"refused"}
    assert set(refused) == {honest, second, foreign_id}
    assert refused[foreign_id].reason == held[foreign_id].message
    with pytest.raises(PermissionDeniedError):
        b.sync.model_pack_releases(b.users[Role.DOCTOR])
    with pytest.raises(NotFoundError):
        b.sync.retry_model_pack(admin, "model-pack-nothing-1")
    # IT trusts the foreign key after all and retries it: fetched, verified, installed.
    (b.services.settings.data_dir / KEYS_DIR / "stranger.pub").write_text(
        public_key_base64(stranger.public_key()) + "\n"
    )
    assert b.sync.retry_model_pack(admin, foreign_id)
    assert [r.state for r in b.sync.model_pack_releases(admin) if r.id == foreign_id] == ["coming"]
    assert b.sync_now().model_packs == 1
    assert _installed(b, "5.0.0").is_dir()
    assert not _installed(b, "3.0.0").exists()


@pytest.mark.parametrize(
    "path",
    ["../evil", "/etc/passwd", "a/../../b", "", "a//b", "name\x00.txt", "x" * 300, ".hidden"],
)
def test_hostile_file_paths_in_a_release_are_refused(path: str) -> None:
    with pytest.raises(MappingError):
        check_path(path)


def test_a_malformed_release_is_refused_with_a_reason(tmp_path: Path) -> None:
    key = generate_private_key()
    folder = _pack(tmp_path, key, "6.0.0")
    digest = hashlib.sha256(b"x").hexdigest()
    good = {
        "resourceType": "DocumentReference",
        "id": "model-pack-quadrant-demo-6.0.0",
        "meta": {
            "tag": [
                {
                    "system": "https://fhir.clinic-app.local/CodeSystem/local-table",
                    "code": "model_packs",
                }
            ]
        },
        "extension": [
            {"url": f"https://fhir.clinic-app.local/StructureDefinition/{name}", kind: value}
            for name, kind, value in (
                ("model-name", "valueString", "quadrant-demo"),
                ("model-version", "valueString", "6.0.0"),
                ("model-sha256", "valueString", digest),
                ("model-status", "valueCode", "demonstration"),
                ("signer", "valueString", "0123456789abcdef"),
            )
        ],
        "status": "current",
        "content": [
            {
                "attachment": {
                    "extension": [
                        {
                            "url": "https://fhir.clinic-app.local/StructureDefinition/sha256",
                            "valueString": digest,
                        }
                    ],
                    "url": f"Binary/mp-{digest[:61]}",
                    "size": 1,
                    "title": "model.onnx",
                }
            }
        ],
    }
    assert from_document(good).files[0].path == "model.onnx"
    assert folder.is_dir()
    for damage in (
        lambda r: r["content"][0]["attachment"].__setitem__("title", "../model.onnx"),
        lambda r: r["content"][0]["attachment"].__setitem__("url", "Binary/other"),
        lambda r: r["content"][0]["attachment"].__setitem__("size", -1),
        lambda r: r["content"][0]["attachment"].__setitem__("size", 10**12),
        lambda r: r.__setitem__("content", []),
        lambda r: r.__setitem__("content", [r["content"][0]] * 2),
        lambda r: r.__setitem__("id", "model-pack-other-1"),
        lambda r: r["extension"][2].__setitem__("valueString", "not-a-hash"),
        lambda r: r.__setitem__("extension", []),
        lambda r: r["meta"].__setitem__("tag", []),
    ):
        broken = copy.deepcopy(good)
        damage(broken)
        with pytest.raises(MappingError) as raised:
            from_document(broken)
        assert str(raised.value)


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
    services: Services,
) -> Callable[..., Result]:
    def run(*args: str, role: Role) -> Result:
        capsys.readouterr()
        monkeypatch.setenv("CLINIC_PASSWORD", PASSWORDS[role])
        argv = ["--data-dir", str(settings.data_dir), "--user", USERNAMES[role]]
        code = main([*argv, *args])
        captured = capsys.readouterr()
        monkeypatch.delenv("CLINIC_PASSWORD", raising=False)
        return Result(code, captured.out, captured.err)

    return run


def test_publish_model_from_the_command_line(
    cli: Callable[..., Result],
    sync_server: ServerProcess,
    workstation: WorkstationFactory,
    settings: Settings,
    tmp_path: Path,
) -> None:
    key = generate_private_key()
    keys = settings.data_dir / KEYS_DIR
    keys.mkdir(parents=True, exist_ok=True)
    (keys / "it.pub").write_text(public_key_base64(key.public_key()) + "\n")
    token = sync_server.add_device("cli-publisher")
    configured = cli(
        "sync", "configure", "--url", sync_server.url, "--token", token, role=Role.ADMIN
    )
    assert configured.code == 0, configured.err
    pack = _pack(tmp_path, key, "7.0.0")
    refused = cli("sync", "publish-model", str(pack), role=Role.DOCTOR)
    assert refused.code == 1
    assert refused.err.startswith("error: ")
    unsigned = write_pack(tmp_path / "unsigned", name="quadrant-demo", version="7.0.1")
    not_signed = cli("sync", "publish-model", str(unsigned), role=Role.ADMIN)
    assert not_signed.code == 1
    assert "not signed" in not_signed.err
    published = cli("sync", "publish-model", str(pack), role=Role.ADMIN)
    assert published.code == 0, published.err
    assert published.out.strip() == "published: DocumentReference/model-pack-quadrant-demo-7.0.0"
    listed = cli("sync", "model-packs", "--json", role=Role.ADMIN)
    assert listed.code == 0, listed.err
    assert listed.json() == []
    assert cli("sync", "model-packs", role=Role.DOCTOR).code == 1
    missing = cli("sync", "retry-model", "model-pack-none-1", role=Role.ADMIN)
    assert missing.code == 1
    assert "No refused model pack release" in missing.err
    b = workstation("ws-b", sync_server)
    _trust(b, key)
    assert b.sync_now().model_packs == 1
    assert b.services.models.get("quadrant-demo", "7.0.0").manifest.version == "7.0.0"


def test_a_new_version_of_a_queued_release_drops_what_was_fetched_for_the_old_one(
    services: Services, tmp_path: Path
) -> None:
    key = generate_private_key()
    folder = _pack(tmp_path, key, "8.0.0")
    registry = ModelRegistry(tmp_path / "models", tmp_path / "keys", build_builtin=False)
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "it.pub").write_text(public_key_base64(key.public_key()) + "\n")
    pack, files = read_pack(registry, folder)
    document = to_document(pack, files, "someone", datetime.now(UTC))
    releases = ModelReleases(tmp_path / "data", registry, services.db, services.audit_log)
    assert releases.receive(document, "1")
    fetched = tmp_path / "data" / QUEUE_DIR / document["id"] / "quadrant-demo-8.0.0" / "model.onnx"
    fetched.parent.mkdir(parents=True)
    fetched.write_bytes(b"from version 1")
    assert releases.receive(document, "1")  # the same version again: kept
    assert fetched.exists()
    changed = copy.deepcopy(document)
    changed["description"] = "re-published"
    assert releases.receive(changed, "2")
    assert not fetched.exists()
    assert releases.pending() == [document["id"]]
    broken = copy.deepcopy(document)
    broken["content"][0]["attachment"]["title"] = "../escape"
    with pytest.raises(MappingError):
        releases.receive(broken, "3")


def test_publishing_refuses_what_is_not_a_trusted_signed_pack(
    sync_server: ServerProcess, workstation: WorkstationFactory, tmp_path: Path
) -> None:
    key = generate_private_key()
    a = workstation("ws-a", sync_server)
    admin = a.users[Role.ADMIN]
    with pytest.raises(ModelPackError, match="not a model pack folder"):
        a.sync.publish_model_pack(admin, tmp_path / "missing")
    with pytest.raises(ModelPackError, match="trusted"):
        a.sync.publish_model_pack(admin, _pack(tmp_path, key, "9.0.0"))  # key not trusted here
    _trust(a, key)
    linked = _pack(tmp_path / "linked", key, "9.0.1")
    (linked / "docs" / "escape").symlink_to("/etc/hostname")
    with pytest.raises(ModelPackError):
        a.sync.publish_model_pack(admin, linked)  # not in the signed manifest, and a link
    changed = _pack(tmp_path / "changed", key, "9.0.2")
    (changed / "model.onnx").write_bytes(b"not the signed model")
    with pytest.raises(ModelPackError):
        a.sync.publish_model_pack(admin, changed)
    token = Server(sync_server)
    for release in ("model-pack-quadrant-demo-9.0.0", "model-pack-quadrant-demo-9.0.1"):
        answer = requests.get(
            f"{token.url}/DocumentReference/{release}", headers=token.headers, timeout=10
        )
        assert answer.status_code == 404  # nothing was published
    offline = workstation("ws-offline")
    _trust(offline, key)
    with pytest.raises(SyncNotConfiguredError):
        offline.sync.publish_model_pack(
            offline.users[Role.ADMIN], _pack(tmp_path / "o", key, "9.1")
        )
