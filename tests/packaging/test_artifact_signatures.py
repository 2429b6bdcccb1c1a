"""A signed artifact (archive, .deb, update) is refused on any change: each case runs through
`clinic verify-package` and through the standalone installer/verify_package.py."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from clinic_app.cli.main import main as clinic_main
from clinic_app.security.signatures import MissingSignatureError, UntrustedSignatureError
from clinic_app.updates.artifact_signing import (
    manifest_path,
    signature_path,
    verify_artifact,
)

from tests.packaging.conftest import BundleFactory

REPO = Path(__file__).resolve().parents[2]


def _standalone() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "verify_package", REPO / "installer" / "verify_package.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


STANDALONE = _standalone()


def _both_refuse(
    artifact: Path, key: Path, capsys: pytest.CaptureFixture[str], expected: str
) -> None:
    assert clinic_main(["verify-package", str(artifact), "--public-key", str(key)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: "), err
    assert expected in err, err
    assert STANDALONE.main([str(artifact), "--public-key", str(key)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("REFUSED: "), err


def _flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_an_intact_archive_verifies_with_both_tools(
    make_package: BundleFactory, public_key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = make_package("1.0.0")
    assert clinic_main(["verify-package", str(archive), "--public-key", str(public_key_file)]) == 0
    assert capsys.readouterr().out.startswith(f"OK  {archive.name}")
    assert STANDALONE.main([str(archive), "--public-key", str(public_key_file)]) == 0
    assert "OK" in capsys.readouterr().out


def test_one_changed_byte_in_the_archive_is_refused(
    make_package: BundleFactory, public_key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = make_package("1.0.0")
    _flip_byte(archive, archive.stat().st_size // 2)
    _both_refuse(archive, public_key_file, capsys, "changed after it was signed")


def test_one_changed_byte_in_the_manifest_is_refused(
    make_package: BundleFactory, public_key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = make_package("1.0.0")
    _flip_byte(manifest_path(archive), 40)
    _both_refuse(archive, public_key_file, capsys, "does not verify")


def test_a_truncated_archive_is_refused(
    make_package: BundleFactory, public_key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = make_package("1.0.0")
    archive.write_bytes(archive.read_bytes()[:-100])
    _both_refuse(archive, public_key_file, capsys, "truncated")


def test_another_key_is_refused(
    make_package: BundleFactory, other_public_key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = make_package("1.0.0")
    _both_refuse(archive, other_public_key_file, capsys, "does not verify")


def test_a_missing_signature_is_refused(
    make_package: BundleFactory, public_key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = make_package("1.0.0")
    signature_path(archive).unlink()
    _both_refuse(archive, public_key_file, capsys, "not signed")


def test_a_missing_manifest_is_refused(
    make_package: BundleFactory, public_key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = make_package("1.0.0")
    manifest_path(archive).unlink()
    _both_refuse(archive, public_key_file, capsys, "not signed")


def test_a_truncated_signature_is_refused(
    make_package: BundleFactory, public_key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = make_package("1.0.0")
    signature = signature_path(archive)
    signature.write_text(signature.read_text()[:40] + "\n")
    _both_refuse(archive, public_key_file, capsys, "truncated or malformed")


def test_a_renamed_artifact_is_refused(
    make_package: BundleFactory, public_key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = make_package("1.0.0")
    renamed = archive.with_name("clinic-app-9.9.9-test.tar.gz")
    for source in (archive, manifest_path(archive), signature_path(archive)):
        source.rename(source.with_name(source.name.replace(archive.name, renamed.name)))
    _both_refuse(renamed, public_key_file, capsys, "renamed")


def test_the_core_raises_typed_errors(make_package: BundleFactory, tmp_path: Path) -> None:
    archive = make_package("1.0.0")
    with pytest.raises(UntrustedSignatureError, match="No trusted public key"):
        verify_artifact(archive, [])
    signature_path(archive).unlink()
    with pytest.raises(MissingSignatureError):
        verify_artifact(archive, [])
