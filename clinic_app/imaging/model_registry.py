"""The model registry: finds model packs, decides whether each is trusted, installs IT's packs
and hands out ONNX Runtime sessions, created only from bytes whose SHA-256 matches the manifest.

A pack is a folder with `manifest.json` and the model file. It is trusted when
- it carries a signature (`SIGNED-MANIFEST` + `.sig`, see `clinic_app.security.signatures`)
  that verifies with one of IT's trusted public keys, or
- it is unsigned and its (name, version, SHA-256) is pinned in the application's code
  (`builtin_packs.PINNED_MODELS`: packs the workstation builds from installed packages).
Anything else is listed with the reason and refused. A bad signature is never ignored.

Trusted keys are the `*.pub` / `*.pem` files in the data directory's `model-keys/` folder
(IT's public keys; `clinic models trust KEYFILE`). IT's packs install into `models/` there.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from clinic_app.imaging.builtin_packs import PINNED_MODELS, build_tumour_pack
from clinic_app.imaging.errors import ModelIntegrityError, ModelPackError
from clinic_app.imaging.model_manifest import MANIFEST_FILE, ModelManifest, load_manifest
from clinic_app.resource_files import models_dir
from clinic_app.security.signatures import (
    SIGNATURE_NAME,
    KeyFileError,
    SignatureError,
    load_public_key,
    verify_manifest,
)

log = logging.getLogger(__name__)

MODELS_DIR = "models"
KEYS_DIR = "model-keys"


@dataclass(frozen=True)
class ModelPack:
    manifest: ModelManifest
    path: Path
    trust: str  # "signed by <fingerprint>" | "pinned in the application"

    @property
    def model_path(self) -> Path:
        return self.path / self.manifest.model_file


@dataclass(frozen=True)
class RefusedPack:
    path: Path
    reason: str


@dataclass(frozen=True)
class LoadedModel:
    pack: ModelPack
    session: Any  # onnxruntime.InferenceSession
    input_name: str
    output_name: str | None


def load_trusted_keys(keys_dir: Path) -> list[Ed25519PublicKey]:
    keys = []
    if keys_dir.is_dir():
        for path in sorted(keys_dir.iterdir()):
            if path.suffix in (".pub", ".pem") and path.is_file():
                try:
                    keys.append(load_public_key(path))
                except KeyFileError as exc:
                    log.warning("ignoring a trusted-key file that can't be read: %s", exc)
    return keys


class ModelRegistry:
    def __init__(
        self,
        install_dir: Path,
        keys_dir: Path,
        extra_dirs: Sequence[Path] = (),
        *,
        build_builtin: bool = True,
    ) -> None:
        self.install_dir = install_dir
        self.keys_dir = keys_dir
        self._extra_dirs = tuple(extra_dirs)
        self._build_builtin = build_builtin
        self._sessions: dict[tuple[Path, str], LoadedModel] = {}
        self._by_name: dict[tuple[str, str | None], LoadedModel] = {}
        self._lock = threading.Lock()

    @classmethod
    def for_data_dir(cls, data_dir: Path, **kwargs: Any) -> ModelRegistry:
        """IT's packs in the data directory, plus the source tree's `models/` folder when the
        application runs from a checkout (developers' packs; they too must be trusted)."""
        extra = kwargs.pop("extra_dirs", None)
        if extra is None:
            extra = [p for p in (source_models_dir(),) if p is not None]
        return cls(data_dir / MODELS_DIR, data_dir / KEYS_DIR, extra_dirs=extra, **kwargs)

    # --- discovery ----------------------------------------------------------------------

    def _pack_dirs(self) -> list[Path]:
        if self._build_builtin:
            try:
                build_tumour_pack(self.install_dir)
            except ModelPackError as exc:
                log.info("built-in pack not available: %s", exc)
        found = []
        for root in (self.install_dir, *self._extra_dirs):
            if root.is_dir():
                found += sorted(
                    p
                    for p in root.iterdir()
                    if not p.name.startswith(".") and (p / MANIFEST_FILE).is_file()
                )
        return found

    def check_pack(self, path: Path, keys: Sequence[Ed25519PublicKey] | None = None) -> ModelPack:
        """Reads and trusts (or refuses) one pack folder; raises ModelPackError with the reason."""
        manifest = load_manifest(path)
        if (path / SIGNATURE_NAME).exists():
            try:
                verified = verify_manifest(
                    path, load_trusted_keys(self.keys_dir) if keys is None else keys
                )
            except SignatureError as exc:
                raise ModelPackError(f"{path.name}: {exc}") from exc
            if verified.sha256_of(manifest.model_file) != manifest.sha256:
                raise ModelIntegrityError(
                    f"{path.name}: the signed model file does not match the manifest's SHA-256."
                )
            return ModelPack(manifest, path, f"signed by {verified.key_fingerprint}")
        if PINNED_MODELS.get((manifest.name, manifest.version)) == manifest.sha256:
            if not (path / manifest.model_file).is_file():
                raise ModelPackError(f"{path.name}: {manifest.model_file} is missing.")
            return ModelPack(manifest, path, "pinned in the application")
        raise ModelPackError(
            f"{path.name} is not signed, and only packs signed with a trusted IT key (or built "
            "by the application itself) are accepted."
        )

    def scan(self) -> tuple[list[ModelPack], list[RefusedPack]]:
        keys = load_trusted_keys(self.keys_dir)
        packs: list[ModelPack] = []
        refused: list[RefusedPack] = []
        seen: set[tuple[str, str]] = set()
        for path in self._pack_dirs():
            try:
                pack = self.check_pack(path, keys)
            except ModelPackError as exc:
                refused.append(RefusedPack(path, str(exc)))
                continue
            key = (pack.manifest.name, pack.manifest.version)
            if key in seen:
                # The same pack in two places (data dir and checkout) is one pack; a different
                # model under the same name and version is refused.
                first = next(p for p in packs if (p.manifest.name, p.manifest.version) == key)
                if first.manifest.sha256 != pack.manifest.sha256:
                    refused.append(
                        RefusedPack(path, f"{path.name}: another {key[0]} {key[1]} is in use.")
                    )
                continue
            seen.add(key)
            packs.append(pack)
        return packs, refused

    def get(self, name: str, version: str | None = None) -> ModelPack:
        packs, refused = self.scan()
        matching = [p for p in packs if p.manifest.name == name]
        if version is not None:
            matching = [p for p in matching if p.manifest.version == version]
        if not matching:
            reasons = [r.reason for r in refused if name in r.path.name]
            why = f" Refused: {reasons[0]}" if reasons else ""
            raise ModelPackError(f"No trusted model pack named {name!r}.{why}")
        return max(matching, key=lambda p: _version_key(p.manifest.version))

    # --- integrity and sessions -----------------------------------------------------------

    def verify(self, pack: ModelPack) -> str:
        """Hashes the model file; raises ModelIntegrityError on a mismatch. Returns the hash."""
        digest = _sha256_file(pack.model_path)
        if digest != pack.manifest.sha256:
            raise ModelIntegrityError(
                f"{pack.path.name}: {pack.manifest.model_file} does not match the SHA-256 in its "
                "manifest; the pack is refused. Reinstall it."
            )
        return digest

    def load(self, name: str, version: str | None = None) -> LoadedModel:
        """A cached session for the model; the file's hash is checked before it is created.

        Once created, a session runs from the verified bytes in memory, so later calls skip the
        folder scan (and the signature's re-hashing); installing a pack or `forget()` resets it."""
        with self._lock:
            cached = self._by_name.get((name, version))
            if cached is not None:
                return cached
        pack = self.get(name, version)
        key = (pack.path.resolve(), pack.manifest.sha256)
        with self._lock:
            loaded = self._sessions.get(key)
            if loaded is None:
                loaded = self._create_session(pack)
                self._sessions[key] = loaded
            self._by_name[(name, version)] = loaded
            return loaded

    def forget(self) -> None:
        """Drops every cached session (after packs changed on disk)."""
        with self._lock:
            self._sessions.clear()
            self._by_name.clear()

    def _create_session(self, pack: ModelPack) -> LoadedModel:
        import onnxruntime as ort

        data = pack.model_path.read_bytes()
        if hashlib.sha256(data).hexdigest() != pack.manifest.sha256:
            raise ModelIntegrityError(
                f"{pack.path.name}: {pack.manifest.model_file} does not match the SHA-256 in its "
                "manifest; no session was created. Reinstall the pack."
            )
        options = ort.SessionOptions()
        options.log_severity_level = 3
        # Leave one core to the GUI thread, and don't let idle workers spin on it: with every
        # core busy the window stuttered (> 50 ms gaps) during a series analysis.
        options.intra_op_num_threads = max(1, (os.cpu_count() or 2) - 1)
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        try:
            session = ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])
        except Exception as exc:
            raise ModelPackError(
                f"{pack.path.name}: the model could not be loaded ({exc})."
            ) from exc
        inputs = {i.name for i in session.get_inputs()}
        outputs = [o.name for o in session.get_outputs()]
        if pack.manifest.input.name not in inputs:
            raise ModelPackError(
                f"{pack.path.name}: the model has no input named {pack.manifest.input.name!r}."
            )
        output = pack.manifest.output_name
        if output is not None and output not in outputs:
            raise ModelPackError(f"{pack.path.name}: the model has no output named {output!r}.")
        return LoadedModel(pack, session, pack.manifest.input.name, output)

    # --- installation -----------------------------------------------------------------------

    def install(self, source: Path) -> ModelPack:
        """Copies an IT-signed pack into the data directory after verifying it (and again after
        copying). Unsigned packs are refused."""
        if not (source / SIGNATURE_NAME).exists():
            raise ModelPackError(
                f"{source.name} is not signed; only packs signed with a trusted IT key can be "
                "installed."
            )
        pack = self.check_pack(source)
        self.verify(pack)
        manifest = pack.manifest
        target = self.install_dir / f"{manifest.name}-{manifest.version}"
        if target.exists():
            raise ModelPackError(
                f"{manifest.name} {manifest.version} is already installed; remove it first to "
                "replace it."
            )
        self.install_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{manifest.name}-", dir=self.install_dir))
        try:
            shutil.copytree(source, staging, dirs_exist_ok=True, symlinks=False)
            self.check_pack(staging)
            staging.rename(target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        log.info("installed model pack %s %s", manifest.name, manifest.version)
        with self._lock:
            self._by_name.clear()  # a newer version may now answer to the name
        return self.check_pack(target)


def source_models_dir() -> Path | None:
    """The model packs shipped with the application (the checkout's or the bundle's `models/`,
    as `resource_files` says), or None when there is no such folder."""
    candidate = models_dir()
    return candidate if candidate.is_dir() else None


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    except OSError as exc:
        raise ModelPackError(f"{path.name} could not be read ({exc.strerror}).") from exc
    return digest.hexdigest()


def _version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    parts = version.replace("+", ".").replace("-", ".").split(".")
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts)
