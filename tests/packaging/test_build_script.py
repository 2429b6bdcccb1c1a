"""installer/build.py takes IT's key from a file or CLINIC_SIGNING_KEY, refuses to build
unsigned, and makes a throwaway key only when asked (the whole build runs in build-smoke)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from clinic_app.errors import ClinicError
from clinic_app.security.signatures import (
    fingerprint,
    generate_private_key,
    load_public_key,
    private_key_pem,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("clinic_build", REPO / "installer" / "build.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    saved = list(sys.path)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = saved
    return module


def test_the_key_comes_from_the_environment(
    build_script: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    key = generate_private_key()
    monkeypatch.setenv("CLINIC_SIGNING_KEY", private_key_pem(key).decode())
    monkeypatch.setattr(build_script, "WORK", tmp_path / "work")
    loaded = build_script.signing_key(None, False, tmp_path)
    assert fingerprint(loaded.public_key()) == fingerprint(key.public_key())
    assert list((tmp_path / "work").iterdir()) == []  # the key is not left on disk


def test_without_a_key_the_build_refuses(
    build_script: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("CLINIC_SIGNING_KEY", raising=False)
    with pytest.raises(ClinicError, match="No signing key"):
        build_script.signing_key(None, False, tmp_path)


def test_a_test_key_is_made_only_when_asked_and_says_so(
    build_script: ModuleType, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("CLINIC_SIGNING_KEY", raising=False)
    key = build_script.signing_key(None, True, tmp_path)
    public = load_public_key(tmp_path / "TEST-KEY-DO-NOT-DISTRIBUTE.pem.pub")
    assert fingerprint(public) == fingerprint(key.public_key())
