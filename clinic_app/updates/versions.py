"""Application versions as IT compares them: MAJOR.MINOR.PATCH, numbers only."""

from __future__ import annotations

import re

from clinic_app.security.signatures import MalformedManifestError

_VERSION = re.compile(r"^(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})$")


def parse_version(text: str) -> tuple[int, int, int]:
    """(major, minor, patch); refuses anything else, so a version is also a safe folder name."""
    match = _VERSION.match(text)
    if match is None:
        raise MalformedManifestError(f"{text!r} is not a version of the form 1.2.3.")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch
