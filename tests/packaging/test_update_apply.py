"""`clinic update apply`: upgrade, refused and forced downgrade, and a failed selftest rolled back
with the data intact. Real encrypted databases, synthetic bundles (see conftest)."""

from __future__ import annotations

import shutil
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from clinic_app.bootstrap import open_services
from clinic_app.cli.main import main as clinic_main
from clinic_app.errors import ClinicError
from clinic_app.security.permissions import Role
from clinic_app.security.signatures import (
    ChangedFileError,
    UntrustedSignatureError,
    generate_private_key,
    load_public_key,
)
from clinic_app.settings import Settings
from clinic_app.updates.apply import DowngradeRefusedError, UpdateError, apply_update
from clinic_app.updates.artifact_signing import sign_artifact
from clinic_app.updates.install_layout import InstallLayout
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from tests.conftest import Template
from tests.keyring_fake import MemoryKeyring
from tests.packaging.conftest import BundleFactory
from tests.patient_inputs import patient_input

Keys = list[Ed25519PublicKey]


@dataclass(frozen=True)
class Clinic:
    settings: Settings
    patient_id: str
    template: Template


@pytest.fixture
def clinic(settings: Settings, store_template: Template, memory_keyring: MemoryKeyring) -> Clinic:
    """A real encrypted store holding one patient, closed (the app is not running)."""
    shutil.copytree(store_template.data_dir, settings.data_dir)
    memory_keyring.secrets.update(store_template.secrets)
    services = open_services(settings)
    try:
        doctor = store_template.users[Role.DOCTOR]
        created = services.patients.create(doctor, patient_input())
    finally:
        services.close()
    return Clinic(settings, created.patient.summary.id, store_template)


@pytest.fixture
def trusted(public_key_file: Path) -> Keys:
    return [load_public_key(public_key_file)]


@pytest.fixture
def layout(tmp_path: Path) -> InstallLayout:
    return InstallLayout(tmp_path / "opt" / "clinic-app")


def _patient_still_there(clinic: Clinic) -> bool:
    services = open_services(clinic.settings)
    try:
        doctor = clinic.template.users[Role.DOCTOR]
        return services.patients.get(doctor, clinic.patient_id).summary.id == clinic.patient_id
    finally:
        services.close()


def _install(layout: InstallLayout, package: Path, settings: Settings, keys: Keys) -> None:
    outcome = apply_update(package, layout, settings, keys)
    assert not outcome.rolled_back, outcome.selftest


def test_an_upgrade_installs_side_by_side_and_switches(
    make_package: BundleFactory, layout: InstallLayout, clinic: Clinic, trusted: Keys
) -> None:
    _install(layout, make_package("1.0.0"), clinic.settings, trusted)
    outcome = apply_update(make_package("1.1.0"), layout, clinic.settings, trusted)
    assert (outcome.previous, outcome.current, outcome.rolled_back) == ("1.0.0", "1.1.0", False)
    assert layout.current_version() == "1.1.0"
    assert layout.installed_versions() == ["1.0.0", "1.1.0"]  # the previous one is kept
    assert (layout.root / "current").resolve() == layout.version_dir("1.1.0").resolve()
    assert (clinic.settings.data_dir / "selftest-ran-by.txt").read_text() == "1.1.0"
    assert outcome.backup is not None
    assert outcome.backup.is_file()
    assert "pre-update-1.0.0-to-1.1.0" in outcome.backup.name
    assert _patient_still_there(clinic)


def test_only_the_previous_version_is_kept(
    make_package: BundleFactory, layout: InstallLayout, clinic: Clinic, trusted: Keys
) -> None:
    for version in ("1.0.0", "1.1.0", "1.2.0"):
        _install(layout, make_package(version), clinic.settings, trusted)
    assert layout.installed_versions() == ["1.1.0", "1.2.0"]


def test_a_downgrade_is_refused_and_nothing_changes(
    make_package: BundleFactory, layout: InstallLayout, clinic: Clinic, trusted: Keys
) -> None:
    _install(layout, make_package("1.1.0"), clinic.settings, trusted)
    with pytest.raises(DowngradeRefusedError, match="--force-downgrade"):
        apply_update(make_package("1.0.0"), layout, clinic.settings, trusted)
    assert layout.current_version() == "1.1.0"
    assert layout.installed_versions() == ["1.1.0"]
    assert not list(layout.versions_dir.glob(".incoming-*"))


def test_a_forced_downgrade_installs_the_older_version(
    make_package: BundleFactory, layout: InstallLayout, clinic: Clinic, trusted: Keys
) -> None:
    _install(layout, make_package("1.1.0"), clinic.settings, trusted)
    outcome = apply_update(
        make_package("1.0.0"), layout, clinic.settings, trusted, force_downgrade=True
    )
    assert (outcome.previous, outcome.current) == ("1.1.0", "1.0.0")
    assert _patient_still_there(clinic)


def test_the_same_version_is_refused(
    make_package: BundleFactory, layout: InstallLayout, clinic: Clinic, trusted: Keys
) -> None:
    _install(layout, make_package("1.0.0"), clinic.settings, trusted)
    with pytest.raises(UpdateError, match="already installed"):
        apply_update(make_package("1.0.0"), layout, clinic.settings, trusted)


def test_a_failed_selftest_rolls_back_to_the_previous_version(
    make_package: BundleFactory, layout: InstallLayout, clinic: Clinic, trusted: Keys
) -> None:
    _install(layout, make_package("1.0.0"), clinic.settings, trusted)
    outcome = apply_update(make_package("1.1.0", "fail"), layout, clinic.settings, trusted)
    assert outcome.rolled_back
    assert outcome.current == "1.0.0"
    assert "migrations (stand-in fail)" in outcome.selftest.detail
    assert not outcome.database_restored  # the database was not touched: nothing to restore
    assert layout.current_version() == "1.0.0"
    assert layout.installed_versions() == ["1.0.0"]  # the failed version is removed
    assert (clinic.settings.data_dir / "selftest-ran-by.txt").read_text() == "1.1.0"
    assert _patient_still_there(clinic)


def test_a_version_that_damages_the_database_is_rolled_back_with_the_data_restored(
    make_package: BundleFactory, layout: InstallLayout, clinic: Clinic, trusted: Keys
) -> None:
    _install(layout, make_package("1.0.0"), clinic.settings, trusted)
    outcome = apply_update(make_package("1.1.0", "damage"), layout, clinic.settings, trusted)
    assert outcome.rolled_back
    assert outcome.database_restored
    assert layout.current_version() == "1.0.0"
    assert _patient_still_there(clinic)
    kept = list(clinic.settings.backup_dir.glob("pre-restore-*.clinicbak"))
    assert len(kept) == 1  # the damaged file is kept, never deleted


def test_a_first_install_needs_no_database(
    make_package: BundleFactory, layout: InstallLayout, trusted: Keys, tmp_path: Path
) -> None:
    empty = Settings(data_dir=tmp_path / "fresh-data")
    empty.data_dir.mkdir()
    outcome = apply_update(make_package("1.0.0", "nostore"), layout, empty, trusted)
    assert outcome.current == "1.0.0"
    assert outcome.backup is None
    assert "no database here yet" in outcome.selftest.detail


def test_a_failed_first_install_leaves_nothing_current(
    make_package: BundleFactory, layout: InstallLayout, trusted: Keys, tmp_path: Path
) -> None:
    empty = Settings(data_dir=tmp_path / "fresh-data")
    empty.data_dir.mkdir()
    outcome = apply_update(make_package("1.0.0", "fail"), layout, empty, trusted)
    assert outcome.rolled_back
    assert outcome.current is None
    assert layout.current_version() is None
    assert layout.installed_versions() == []


def test_a_package_signed_by_another_key_is_refused_before_anything_changes(
    make_package: BundleFactory, layout: InstallLayout, clinic: Clinic, trusted: Keys
) -> None:
    _install(layout, make_package("1.0.0"), clinic.settings, trusted)
    stranger = make_package("1.1.0", key=generate_private_key())
    with pytest.raises(UntrustedSignatureError, match="does not verify"):
        apply_update(stranger, layout, clinic.settings, trusted)
    assert layout.installed_versions() == ["1.0.0"]
    assert not list(clinic.settings.backup_dir.glob("pre-update-1.0.0-to-1.1.0-*"))


def test_a_bundle_changed_inside_a_resigned_archive_is_refused(
    make_bundle: BundleFactory,
    layout: InstallLayout,
    clinic: Clinic,
    trusted: Keys,
    signing_key: Ed25519PrivateKey,
) -> None:
    """Even with the archive re-signed (a compromised download mirror can't do that, but a
    mistake in the pipeline could), the bundle's own manifest catches a changed model."""
    bundle = make_bundle("1.1.0")
    (bundle / "models" / "demo-pack-1.0.0" / "model.onnx").write_bytes(b"swapped model")
    archive = bundle.parent / f"{bundle.name}.tar.gz"
    with tarfile.open(archive, "w:gz") as handle:
        handle.add(bundle, arcname=bundle.name)
    sign_artifact(archive, signing_key)
    with pytest.raises(ChangedFileError, match=r"model\.onnx"):
        apply_update(archive, layout, clinic.settings, trusted)
    assert layout.installed_versions() == []


def test_the_cli_applies_an_update_from_a_usb_folder(
    make_package: BundleFactory,
    layout: InstallLayout,
    clinic: Clinic,
    public_key_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    common = ["--data-dir", str(clinic.settings.data_dir), "update"]
    root = ["--install-root", str(layout.root), "--public-key", str(public_key_file)]
    assert clinic_main([*common, "apply", str(make_package("1.0.0")), *root]) == 0
    assert clinic_main([*common, "apply", str(make_package("0.9.0")), *root]) == 1
    assert "--force-downgrade" in capsys.readouterr().err
    assert clinic_main([*common, "apply", str(make_package("1.1.0", "fail")), *root]) == 1
    assert "ROLLED BACK" in capsys.readouterr().err
    assert clinic_main([*common, "status", "--install-root", str(layout.root)]) == 0
    assert "current 1.0.0" in capsys.readouterr().out


def test_when_the_database_cannot_be_backed_up_nothing_is_switched(
    make_package: BundleFactory,
    layout: InstallLayout,
    clinic: Clinic,
    trusted: Keys,
    memory_keyring: MemoryKeyring,
) -> None:
    _install(layout, make_package("1.0.0"), clinic.settings, trusted)
    memory_keyring.secrets.clear()  # the database key can't be unlocked: no backup possible
    with pytest.raises(ClinicError):
        apply_update(make_package("1.1.0"), layout, clinic.settings, trusted)
    assert layout.current_version() == "1.0.0"
    assert layout.installed_versions() == ["1.0.0"]
