"""IT's public keys for builds and updates: given on the command line or named by the machine
configuration's `trusted_keys` (a key file, or a folder of `*.pub` / `*.pem` files)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from clinic_app.security.signatures import KeyFileError, load_public_key

KEY_SUFFIXES = (".pub", ".pem")


def load_trusted_keys(paths: Iterable[Path]) -> list[Ed25519PublicKey]:
    """Every key in `paths` (files, or folders of key files). Raises KeyFileError for a path
    that does not exist or a file that is not a public key: a typo must not pass silently."""
    keys: list[Ed25519PublicKey] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in KEY_SUFFIXES and p.is_file())
            if not found:
                raise KeyFileError(f"The key folder {path} holds no .pub or .pem file.")
            keys += [load_public_key(p) for p in found]
        elif path.is_file():
            keys.append(load_public_key(path))
        else:
            raise KeyFileError(f"The public key {path} does not exist.")
    return keys
