"""`clinic selftest` in an installed bundle: the bundle's signature and the models' hashes."""

from __future__ import annotations

from pathlib import Path

from clinic_app.maintenance.selftest import run_selftest
from clinic_app.settings import Settings

from tests.packaging.conftest import BundleFactory


def _checks(bundle: Path, settings: Settings) -> dict[str, tuple[bool, str]]:
    found = run_selftest(
        settings, None, version="1.0.0", bundle_root=bundle, models_dir=bundle / "models"
    )
    return {check.name: (check.ok, check.detail) for check in found}


def test_an_intact_bundle_passes_with_it_s_key_from_the_machine_configuration(
    make_bundle: BundleFactory, public_key_file: Path, tmp_path: Path
) -> None:
    bundle = make_bundle("1.0.0")
    settings = Settings(data_dir=tmp_path / "data", trusted_keys=public_key_file)
    checks = _checks(bundle, settings)
    ok, detail = checks["bundle signature"]
    assert ok, detail
    assert "IT's key" in detail
    assert checks["model demo-pack-1.0.0"][0]
    assert not checks["store"][0]  # no database yet: said so, the bundle checks still ran


def test_a_changed_model_fails_both_checks(
    make_bundle: BundleFactory, public_key_file: Path, tmp_path: Path
) -> None:
    bundle = make_bundle("1.0.0")
    (bundle / "models" / "demo-pack-1.0.0" / "model.onnx").write_bytes(b"swapped")
    checks = _checks(bundle, Settings(data_dir=tmp_path / "data", trusted_keys=public_key_file))
    assert checks["bundle signature"] == (
        False,
        f"models/demo-pack-1.0.0/model.onnx in {bundle.name} changed after it was signed.",
    )
    assert checks["model demo-pack-1.0.0"][0] is False


def test_a_bundle_signed_by_another_key_fails(
    make_bundle: BundleFactory, other_public_key_file: Path, tmp_path: Path
) -> None:
    bundle = make_bundle("1.0.0")
    settings = Settings(data_dir=tmp_path / "data", trusted_keys=other_public_key_file)
    ok, detail = _checks(bundle, settings)["bundle signature"]
    assert not ok
    assert "does not verify" in detail


def test_without_it_s_key_the_embedded_key_proves_integrity_only(
    make_bundle: BundleFactory, tmp_path: Path
) -> None:
    bundle = make_bundle("1.0.0", embed_public_key=True)
    ok, detail = _checks(bundle, Settings(data_dir=tmp_path / "data"))["bundle signature"]
    assert ok, detail
    assert "the bundle's own key" in detail
    assert "set trusted_keys" in detail


def test_without_any_key_the_signature_check_fails(
    make_bundle: BundleFactory, tmp_path: Path
) -> None:
    bundle = make_bundle("1.0.0")  # no signing-key.pub and no trusted_keys configured
    ok, detail = _checks(bundle, Settings(data_dir=tmp_path / "data"))["bundle signature"]
    assert not ok
    assert "signing-key.pub" in detail
