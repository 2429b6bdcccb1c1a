"""Builds the Debian package from a signed bundle folder, with dpkg-deb.

    /opt/clinic-app/versions/<version>/          the bundle, as signed
    /opt/clinic-app/current -> versions/<version>  made by postinst (atomic rename), not by dpkg,
                                                 so `clinic update apply` can move it later
    /usr/bin/clinic, /usr/bin/clinic-app         -> /opt/clinic-app/current/...
    /usr/share/applications/clinic-app.desktop
    /usr/share/icons/hicolor/scalable/apps/clinic-app.svg
    /usr/share/doc/clinic-app/config.toml.example

Depends: the system libraries a PyInstaller bundle of Qt 6 does not carry (OpenGL/EGL,
fontconfig, xkbcommon, D-Bus, GLib, X11 and the xcb set for a display).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

PACKAGE = "clinic-app"
INSTALL_ROOT = "/opt/clinic-app"
DEPENDS = (
    "libgl1, libegl1, libfontconfig1, libfreetype6, libxkbcommon0, libdbus-1-3, "
    "libglib2.0-0 | libglib2.0-0t64, libx11-6, libx11-xcb1, libxcb1, libxcb-cursor0, "
    "libxcb-icccm4, libxcb-image0, libxcb-keysyms1, libxcb-render-util0, libxcb-render0, "
    "libxcb-shape0, libxcb-util1, libxcb-xkb1, libxkbcommon-x11-0"
)
_ARCHES = {"x86_64": "amd64", "aarch64": "arm64"}

DESKTOP_ENTRY = """\
[Desktop Entry]
Type=Application
Name=Clinic
Comment=Offline-first clinic workstation
Exec=/usr/bin/clinic-app
Icon=clinic-app
Terminal=false
Categories=Office;MedicalSoftware;
"""

POSTINST = """\
#!/bin/sh
set -e
# Make this version current with an atomic rename (never a moment without `current`).
if [ "$1" = "configure" ]; then
    ln -sfn "versions/{version}" "{root}/.current-dpkg"
    mv -Tf "{root}/.current-dpkg" "{root}/current"
    command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q || true
fi
exit 0
"""

POSTRM = """\
#!/bin/sh
set -e
# Removing this version: drop `current` only if it still points here.
if [ "$1" = "remove" ] || [ "$1" = "purge" ]; then
    if [ "$(readlink "{root}/current" 2>/dev/null)" = "versions/{version}" ]; then
        rm -f "{root}/current"
    fi
fi
exit 0
"""

CONFIG_EXAMPLE = """\
# Copy to /etc/clinic_app/config.toml (or point CLINIC_CONFIG at a file). Every key is optional.
# data_dir = "/srv/clinic-data"
# unlock_mode = "passphrase"            # keyring | passphrase
# idle_lock_minutes = 5
# sync_server_url = "https://sync.clinic.example/fhir"
# language = "en"
# locked = ["data_dir", "idle_lock_minutes", "sync_server_url"]   # or: locked = true
# trusted_keys = "/etc/clinic_app/keys"  # IT's public key(s): updates and clinic selftest
"""


def deb_architecture(platform_tag: str) -> str:
    machine = platform_tag.split("-", 1)[1]
    return _ARCHES.get(machine, machine)


def _control(version: str, architecture: str, installed_kib: int) -> str:
    return (
        f"Package: {PACKAGE}\n"
        f"Version: {version}\n"
        f"Architecture: {architecture}\n"
        "Maintainer: Clinic IT <it@clinic.invalid>\n"
        f"Installed-Size: {installed_kib}\n"
        f"Depends: {DEPENDS}\n"
        "Section: misc\n"
        "Priority: optional\n"
        "Description: Offline-first clinic workstation (desktop app and clinic CLI)\n"
        " Encrypted local records, scheduling, coding, imaging with on-device models.\n"
        " Installed side by side under /opt/clinic-app/versions; verify with\n"
        " clinic verify-package, update with clinic update apply.\n"
    )


def _write_script(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    path.chmod(0o755)


def build_deb(bundle: Path, version: str, platform_tag: str, icon: Path, out_dir: Path) -> Path:
    """Writes `<out_dir>/clinic-app_<version>_<arch>.deb`; returns its path."""
    architecture = deb_architecture(platform_tag)
    target = out_dir / f"{PACKAGE}_{version}_{architecture}.deb"
    with tempfile.TemporaryDirectory(prefix="clinic-deb-", dir=out_dir) as tmp:
        root = Path(tmp)
        versions = root / INSTALL_ROOT.lstrip("/") / "versions"
        versions.mkdir(parents=True)
        shutil.copytree(bundle, versions / version, symlinks=True)
        usr_bin = root / "usr" / "bin"
        usr_bin.mkdir(parents=True)
        for name in ("clinic", "clinic-app"):
            (usr_bin / name).symlink_to(f"{INSTALL_ROOT}/current/{name}")
        applications = root / "usr" / "share" / "applications"
        applications.mkdir(parents=True)
        (applications / f"{PACKAGE}.desktop").write_text(DESKTOP_ENTRY, encoding="utf-8")
        icons = root / "usr" / "share" / "icons" / "hicolor" / "scalable" / "apps"
        icons.mkdir(parents=True)
        shutil.copyfile(icon, icons / f"{PACKAGE}.svg")
        doc = root / "usr" / "share" / "doc" / PACKAGE
        doc.mkdir(parents=True)
        (doc / "config.toml.example").write_text(CONFIG_EXAMPLE, encoding="utf-8")
        installed = sum(p.lstat().st_size for p in root.rglob("*")) // 1024
        debian = root / "DEBIAN"
        debian.mkdir()
        (debian / "control").write_text(_control(version, architecture, installed), "utf-8")
        _write_script(debian / "postinst", POSTINST.format(version=version, root=INSTALL_ROOT))
        _write_script(debian / "postrm", POSTRM.format(version=version, root=INSTALL_ROOT))
        for path in root.rglob("*"):
            if not path.is_symlink() and path.is_dir():
                path.chmod(0o755)
        subprocess.run(
            ["dpkg-deb", "--root-owner-group", "-Zgzip", "-z6", "--build", str(root), str(target)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return target
