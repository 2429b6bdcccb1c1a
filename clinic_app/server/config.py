"""Server settings: one frozen dataclass, filled from the command line or the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass

DB_ENV = "CLINIC_SERVER_DB"
MIB = 1024 * 1024


@dataclass(frozen=True)
class ServerConfig:
    """Everything the server needs to run. Sizes are in bytes, rates in requests per second."""

    db_url: str
    # Raw Binary uploads (PUT Binary/[id] with the content's own Content-Type).
    max_binary_bytes: int = 200 * MIB
    # JSON bodies (resources, transaction bundles), after gzip decoding.
    max_body_bytes: int = 64 * MIB
    max_bundle_entries: int = 1000
    # Per-device token bucket; a device may carry its own limits (`devices add --rate`).
    rate_per_second: float = 50.0
    rate_burst: int = 200
    default_page_size: int = 100
    max_page_size: int = 1000
    # Public base URL when behind a reverse proxy (links, Location); else taken from requests.
    base_url: str | None = None
    binary_chunk_bytes: int = MIB

    @classmethod
    def from_env(cls, db_url: str | None = None) -> ServerConfig:
        url = db_url or os.environ.get(DB_ENV)
        if not url:
            raise ValueError(f"no database: pass --db URL or set {DB_ENV}")
        return cls(db_url=url)
