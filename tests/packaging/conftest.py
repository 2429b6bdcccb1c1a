"""Small synthetic bundles, signed the way installer/build.py signs the real one.

A synthetic bundle is a folder with `bundle.json`, a model pack, a link, and a `clinic`
executable script standing in for the frozen CLI: it answers `--data-dir D selftest --json`
the way the real one does (a JSON report, exit 0 or 1), so update tests run in seconds. The
real frozen bundle is exercised by `python3 installer/quickstart.py build-smoke`.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest
from clinic_app.security.signatures import generate_private_key, public_key_pem
from clinic_app.updates.artifact_signing import sign_artifact
from clinic_app.updates.bundle import BundleInfo, current_platform, sign_bundle
from clinic_app.updates.installation_checks import EMBEDDED_KEY
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

# What the stand-in `clinic` does when asked for its selftest:
#   pass    report ok (and note which version ran, in the data directory)
#   fail    report a failed check, exit 1
#   damage  overwrite the start of clinic.db (a migration gone wrong), then fail
#   nostore report only a failed "store" check (no database yet), exit 1
SELFTEST_SCRIPT = """#!{python}
import json, sys
from pathlib import Path
BEHAVIOUR = {behaviour!r}
VERSION = {version!r}
args = sys.argv[1:]
data_dir = Path(args[args.index("--data-dir") + 1])
if args[-2:] != ["selftest", "--json"]:
    print("unexpected arguments", args, file=sys.stderr)
    sys.exit(2)
(data_dir / "selftest-ran-by.txt").write_text(VERSION)
if BEHAVIOUR == "damage":
    with open(data_dir / "clinic.db", "r+b") as handle:
        handle.write(b"\\0" * 8192)
ok = BEHAVIOUR == "pass"
name = "store" if BEHAVIOUR == "nostore" else "migrations"
print(json.dumps({{"ok": ok, "checks": [
    {{"name": "application", "ok": True, "detail": VERSION}},
    {{"name": name, "ok": ok, "detail": "stand-in " + BEHAVIOUR}},
]}}))
sys.exit(0 if ok else 1)
"""

MODEL_BYTES = b"not really an onnx model, but hashed like one"


@pytest.fixture(scope="session")
def signing_key() -> Ed25519PrivateKey:
    """A test key, made for the test session only."""
    return generate_private_key()


@pytest.fixture(scope="session")
def public_key_file(
    signing_key: Ed25519PrivateKey, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    path = tmp_path_factory.mktemp("keys") / "it-signing.pem.pub"
    path.write_bytes(public_key_pem(signing_key.public_key()))
    return path


@pytest.fixture(scope="session")
def other_public_key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("other-keys") / "someone-else.pem.pub"
    path.write_bytes(public_key_pem(generate_private_key().public_key()))
    return path


def write_bundle(folder: Path, version: str, behaviour: str = "pass") -> BundleInfo:
    """The files of a synthetic bundle (unsigned) in `folder`."""
    folder.mkdir(parents=True)
    cli = folder / "clinic"
    cli.write_text(
        SELFTEST_SCRIPT.format(python=sys.executable, behaviour=behaviour, version=version)
    )
    cli.chmod(0o755)
    pack = folder / "models" / "demo-pack-1.0.0"
    pack.mkdir(parents=True)
    (pack / "model.onnx").write_bytes(MODEL_BYTES)
    manifest = {"model_file": "model.onnx", "sha256": hashlib.sha256(MODEL_BYTES).hexdigest()}
    (pack / "manifest.json").write_text(json.dumps(manifest))
    (folder / "lib").mkdir()
    (folder / "lib" / "libdemo.so.1").write_bytes(b"\x7fELF stand-in")
    (folder / "libdemo.so.1").symlink_to("lib/libdemo.so.1")
    return BundleInfo(name="clinic-app", version=version, platform=current_platform())


BundleFactory = Callable[..., Path]


@pytest.fixture
def make_bundle(tmp_path: Path, signing_key: Ed25519PrivateKey) -> BundleFactory:
    """`make_bundle("1.2.0", behaviour="pass")` → a signed bundle folder."""

    made = itertools.count()

    def make(
        version: str,
        behaviour: str = "pass",
        key: Ed25519PrivateKey | None = None,
        *,
        embed_public_key: bool = False,
    ) -> Path:
        folder = tmp_path / "bundles" / str(next(made)) / f"clinic-app-{version}-test"
        info = write_bundle(folder, version, behaviour)
        key = key or signing_key
        if embed_public_key:  # as installer/build.py does
            (folder / EMBEDDED_KEY).write_bytes(public_key_pem(key.public_key()))
        sign_bundle(folder, info, key)
        return folder

    return make


@pytest.fixture
def make_package(make_bundle: BundleFactory, signing_key: Ed25519PrivateKey) -> BundleFactory:
    """`make_package("1.2.0", behaviour=...)` → a signed .tar.gz update (sidecars beside it)."""

    def make(version: str, behaviour: str = "pass", key: Ed25519PrivateKey | None = None) -> Path:
        bundle = make_bundle(version, behaviour, key)
        archive = bundle.parent / f"{bundle.name}.tar.gz"
        with tarfile.open(archive, "w:gz") as handle:
            handle.add(bundle, arcname=bundle.name)
        sign_artifact(archive, key or signing_key)
        return archive

    return make
