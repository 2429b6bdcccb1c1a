"""Opening a store whose schema is at the heads must not import Alembic (with Mako and
Pygments, about half a second of every start) nor `requests` (only sync and online analysis
talk to the network): checked in a fresh process, where nothing else has imported them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory
from clinic_app.bootstrap import Services
from clinic_app.storage.migrate import alembic_config, alembic_head_revisions, current_revisions

from tests.keyring_fake import MemoryKeyring

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("alembic", "mako", "pygments", "requests", "urllib3")

# The child signs nobody in: it stops where the sign-in screen would appear. The OS keyring is
# outside the application, so the test's in-memory one is handed over with its secrets.
CHILD = """
import json, sys
from pathlib import Path
import keyring
from tests.keyring_fake import MemoryKeyring
backend = MemoryKeyring()
for service, user, secret in json.loads(sys.argv[2]):
    backend.set_password(service, user, secret)
keyring.set_keyring(backend)
from clinic_app.bootstrap import open_services
from clinic_app.settings import Settings
from clinic_app.storage.migrate import current_revisions
services = open_services(Settings(data_dir=Path(sys.argv[1]), workstation="test-ws"))
revisions = sorted(current_revisions(services.db.engine))
migrated = services.store.migrated
services.close()
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[3].split(",")))
print(json.dumps({"migrated": migrated, "revisions": revisions, "heavy": heavy}))
"""


def _open_in_child(services: Services, keyring_backend: MemoryKeyring) -> dict[str, object]:
    data_dir = services.settings.data_dir
    services.close()
    secrets = [
        [service, user, secret] for (service, user), secret in keyring_backend.secrets.items()
    ]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(data_dir), json.dumps(secrets), ",".join(HEAVY)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    answer: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def test_a_store_at_the_heads_opens_without_alembic_or_requests(
    services: Services, memory_keyring: MemoryKeyring
) -> None:
    assert current_revisions(services.db.engine) == alembic_head_revisions()
    answer = _open_in_child(services, memory_keyring)
    assert answer == {
        "migrated": False,
        "revisions": sorted(alembic_head_revisions()),
        "heavy": [],
    }


def test_a_store_behind_the_heads_still_imports_alembic_and_upgrades(
    services: Services, memory_keyring: MemoryKeyring
) -> None:
    """The other side of the same check: the fast path must not swallow a needed upgrade."""
    heads = alembic_head_revisions()
    newest = next(
        script
        for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()
        if script.revision in heads and script.down_revision is not None
    )
    config = alembic_config()
    with services.db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, f"{newest.revision}-1")
    assert newest.revision not in current_revisions(services.db.engine)
    answer = _open_in_child(services, memory_keyring)
    assert answer["migrated"] is True
    assert answer["revisions"] == sorted(heads)
    assert "alembic" in answer["heavy"]  # type: ignore[operator]
