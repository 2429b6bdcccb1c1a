"""An unpacked bundle (what is installed under versions/<x.y.z>/) is refused on any change to a
file, a link, or the set of files; both `clinic verify-package` and the standalone script."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from clinic_app.cli.main import main as clinic_main
from clinic_app.security.signatures import ChangedFileError, generate_private_key, load_public_key
from clinic_app.updates.bundle import read_bundle_info, sign_bundle, verify_bundle

from tests.packaging.conftest import BundleFactory, write_bundle
from tests.packaging.test_artifact_signatures import STANDALONE


def _refused_by_both(bundle: Path, key: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert clinic_main(["verify-package", str(bundle), "--public-key", str(key)]) == 1
    clinic_err = capsys.readouterr().err
    assert STANDALONE.main([str(bundle), "--public-key", str(key)]) == 1
    assert capsys.readouterr().err.startswith("REFUSED: ")
    return clinic_err


def test_a_signed_bundle_verifies_and_records_its_links(
    make_bundle: BundleFactory, public_key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = make_bundle("1.0.0")
    verified = verify_bundle(bundle, [load_public_key(public_key_file)])
    assert verified.info.version == "1.0.0"
    assert verified.info.links == {"libdemo.so.1": "lib/libdemo.so.1"}
    assert clinic_main(["verify-package", str(bundle), "--public-key", str(public_key_file)]) == 0
    assert "clinic-app 1.0.0" in capsys.readouterr().out
    assert STANDALONE.main([str(bundle), "--public-key", str(public_key_file)]) == 0


def test_one_changed_byte_in_a_model_inside_is_refused(
    make_bundle: BundleFactory, public_key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = make_bundle("1.0.0")
    model = bundle / "models" / "demo-pack-1.0.0" / "model.onnx"
    data = bytearray(model.read_bytes())
    data[3] ^= 0x20
    model.write_bytes(bytes(data))
    err = _refused_by_both(bundle, public_key_file, capsys)
    assert "models/demo-pack-1.0.0/model.onnx" in err
    assert "changed after it was signed" in err


def test_an_added_file_is_refused(
    make_bundle: BundleFactory, public_key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = make_bundle("1.0.0")
    (bundle / "lib" / "injected.so").write_bytes(b"evil")
    assert "not signed: lib/injected.so" in _refused_by_both(bundle, public_key_file, capsys)


def test_a_removed_file_is_refused(
    make_bundle: BundleFactory, public_key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = make_bundle("1.0.0")
    (bundle / "models" / "demo-pack-1.0.0" / "manifest.json").unlink()
    assert "lacks a signed file" in _refused_by_both(bundle, public_key_file, capsys)


def test_a_redirected_link_is_refused(
    make_bundle: BundleFactory, public_key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = make_bundle("1.0.0")
    (bundle / "libdemo.so.1").unlink()
    (bundle / "libdemo.so.1").symlink_to("models/demo-pack-1.0.0/model.onnx")
    assert "differs from the signed one" in _refused_by_both(bundle, public_key_file, capsys)


def test_a_link_out_of_the_bundle_is_never_signed(tmp_path: Path) -> None:
    folder = tmp_path / "bundle"
    info = write_bundle(folder, "1.0.0")
    (folder / "escape").symlink_to("../../etc/passwd")
    with pytest.raises(ChangedFileError, match="points outside"):
        sign_bundle(folder, info, generate_private_key())


def test_a_bundle_signed_by_another_key_is_refused(
    make_bundle: BundleFactory, other_public_key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = make_bundle("1.0.0")
    assert "does not verify" in _refused_by_both(bundle, other_public_key_file, capsys)


def test_an_unsigned_bundle_is_refused(
    make_bundle: BundleFactory, public_key_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = make_bundle("1.0.0")
    (bundle / "SIGNED-MANIFEST.sig").unlink()
    assert "is not signed" in _refused_by_both(bundle, public_key_file, capsys)


def test_bundle_info_round_trips(make_bundle: BundleFactory) -> None:
    bundle = make_bundle("2.3.4")
    info = read_bundle_info(bundle)
    assert (info.name, info.version, info.cli) == ("clinic-app", "2.3.4", "clinic")
    assert os.readlink(bundle / "libdemo.so.1") == info.links["libdemo.so.1"]
