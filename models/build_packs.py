#!/usr/bin/env python3
"""Builds the application's own model packs from installed packages, optionally signed.

    .venv/bin/python models/build_packs.py [--out DIR] [--sign-key PRIVATE_KEY]

Without --out the packs go beside this script (git ignores them). With --sign-key the pack is
signed (SIGNED-MANIFEST + .sig) so it can be installed with `clinic models install` anywhere.
"""

# ruff: noqa: T201 - a console script: print is its interface
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from clinic_app.errors import ClinicError
from clinic_app.imaging.builtin_packs import build_tumour_pack
from clinic_app.security.signatures import load_private_key, sign_manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the application's model packs.")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument("--sign-key", type=Path, default=None)
    args = parser.parse_args(argv)
    try:
        built = build_tumour_pack(args.out)
        print(f"{built.path} ({'built' if built.created else 'already there'})")
        if args.sign_key is not None:
            signed = sign_manifest(built.path, load_private_key(args.sign_key))
            print(f"signed {len(signed.entries)} file(s) with key {signed.key_fingerprint}")
    except ClinicError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
