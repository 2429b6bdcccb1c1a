"""The .deb installs the signed bundle unchanged under /opt/clinic-app/versions/<version>/, with
the commands, a desktop entry and icon, and the system libraries Qt needs as dependencies."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest
from clinic_app.security.signatures import load_public_key
from clinic_app.updates.bundle import current_platform, verify_bundle

from tests.packaging.conftest import BundleFactory

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="needs dpkg-deb")


def _deb_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("deb", REPO / "installer" / "deb.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def deb_file(make_bundle: BundleFactory, tmp_path: Path) -> Path:
    bundle = make_bundle("1.4.0")
    icon = REPO / "clinic_app" / "ui" / "resources" / "app-icon.svg"
    out = tmp_path / "dist"
    out.mkdir()
    return _deb_module().build_deb(bundle, "1.4.0", current_platform(), icon, out)


def _dpkg(*args: str) -> str:
    return subprocess.run(["dpkg-deb", *args], capture_output=True, text=True, check=True).stdout


def test_the_control_file_declares_the_qt_system_libraries(deb_file: Path) -> None:
    assert deb_file.name.startswith("clinic-app_1.4.0_")
    assert _dpkg("-f", str(deb_file), "Package", "Version").split() == [
        "Package:",
        "clinic-app",
        "Version:",
        "1.4.0",
    ]
    depends = _dpkg("-f", str(deb_file), "Depends")
    for library in ("libgl1", "libegl1", "libfontconfig1", "libxkbcommon0", "libdbus-1-3"):
        assert library in depends
    for library in ("libxcb-cursor0", "libxcb-icccm4", "libxkbcommon-x11-0"):
        assert library in depends


def test_it_installs_the_bundle_the_commands_and_the_desktop_entry(deb_file: Path) -> None:
    listing = _dpkg("-c", str(deb_file))
    assert "./opt/clinic-app/versions/1.4.0/clinic\n" in listing
    assert "./opt/clinic-app/versions/1.4.0/SIGNED-MANIFEST.sig\n" in listing
    assert "./usr/bin/clinic -> /opt/clinic-app/current/clinic\n" in listing
    assert "./usr/bin/clinic-app -> /opt/clinic-app/current/clinic-app\n" in listing
    assert "./usr/share/applications/clinic-app.desktop\n" in listing
    assert "./usr/share/icons/hicolor/scalable/apps/clinic-app.svg\n" in listing
    assert " root/root " in listing
    assert "./opt/clinic-app/current" not in listing  # made by postinst, so updates can move it


def test_the_bundle_inside_still_verifies(
    deb_file: Path, public_key_file: Path, tmp_path: Path
) -> None:
    unpacked = tmp_path / "unpacked"
    subprocess.run(["dpkg-deb", "-x", str(deb_file), str(unpacked)], check=True)
    bundle = unpacked / "opt" / "clinic-app" / "versions" / "1.4.0"
    verified = verify_bundle(bundle, [load_public_key(public_key_file)])
    assert verified.info.version == "1.4.0"


def test_postinst_switches_current_atomically(deb_file: Path, tmp_path: Path) -> None:
    control = tmp_path / "control"
    subprocess.run(["dpkg-deb", "-e", str(deb_file), str(control)], check=True)
    postinst = (control / "postinst").read_text()
    assert 'ln -sfn "versions/1.4.0" "/opt/clinic-app/.current-dpkg"' in postinst
    assert 'mv -Tf "/opt/clinic-app/.current-dpkg" "/opt/clinic-app/current"' in postinst
