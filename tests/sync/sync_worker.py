"""Child process: runs `clinic sync now` (the real CLI) on a workstation's data directory.

The OS keyring is outside the application and CI has none, so the parent hands this process
the keyring entries (database key, device token) in CLINIC_TEST_KEYRING (JSON); everything
else is the application as installed.

    python -m tests.sync.sync_worker DATA_DIR
"""

from __future__ import annotations

import json
import os
import sys

from clinic_app.cli.main import main as clinic

from tests.keyring_fake import install


def run(argv: list[str]) -> int:
    backend = install()
    for service, username, secret in json.loads(os.environ["CLINIC_TEST_KEYRING"]):
        backend.set_password(service, username, secret)
    return clinic(["--data-dir", argv[0], "sync", "now", "--json"])


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
