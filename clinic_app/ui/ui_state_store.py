"""Per-user window state (geometry, last page) in `data_dir/ui/<user id>.json`.

Nothing clinical goes here: only how the window was arranged. The file is named by the user's
id (a UUID), not the user name, and is written atomically.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

_SAFE_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")


@dataclass(frozen=True)
class UiState:
    geometry: bytes = b""
    last_page: str = ""


class UiStateStore:
    def __init__(self, directory: Path) -> None:
        self._directory = directory

    def _path(self, user_id: str) -> Path:
        if not _SAFE_ID.match(user_id):
            raise ValueError("not a user id")
        return self._directory / f"{user_id}.json"

    def load(self, user_id: str) -> UiState:
        path = self._path(user_id)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            geometry = base64.b64decode(str(data.get("geometry", "")), validate=True)
            last_page = str(data.get("last_page", ""))[:64]
        except FileNotFoundError:
            return UiState()
        except (OSError, ValueError, AttributeError, binascii.Error):
            log.warning("unreadable UI state file ignored")
            return UiState()
        return UiState(geometry, last_page)

    def save(self, user_id: str, state: UiState) -> None:
        path = self._path(user_id)
        try:
            self._directory.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".json.tmp")
            tmp.write_text(
                json.dumps(
                    {
                        "geometry": base64.b64encode(state.geometry).decode("ascii"),
                        "last_page": state.last_page,
                    }
                ),
                encoding="utf-8",
            )
            os.replace(tmp, path)
        except OSError:
            # Losing the window layout is not worth interrupting anyone for.
            log.warning("could not save the UI state")
