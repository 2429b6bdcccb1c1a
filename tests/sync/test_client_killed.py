"""The workstation's sync process killed (SIGKILL) mid-push and mid-pull, several times: the
next run resumes, nothing is lost, nothing is duplicated."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from tests.keyring_fake import MemoryKeyring
from tests.sync.clinic_data import seed_clinic
from tests.sync.conftest import WorkstationFactory
from tests.sync.fault_proxy import FaultProxy
from tests.sync.offline_work import OfflineWork
from tests.sync.server_process import ServerProcess
from tests.sync.workstation import Workstation, assert_converged

REPO = Path(__file__).resolve().parents[2]


def _kill_mid_sync(
    station: Workstation, proxy: FaultProxy, keyring: MemoryKeyring, after: int, then: float = 0.0
) -> bool:
    """Runs `clinic sync now` in a child and SIGKILLs it once the proxy has seen `after` more
    of its requests (and `then` seconds more). Returns True when it was killed (False: it
    finished first)."""
    entries = [[s, u, p] for (s, u), p in keyring.secrets.items()]
    env = {**os.environ, "CLINIC_TEST_KEYRING": json.dumps(entries)}
    start = sum(proxy.counts.values())
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.sync.sync_worker", str(station.services.settings.data_dir)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if child.poll() is not None:
            return False
        if sum(proxy.counts.values()) - start >= after:
            time.sleep(then)
            if child.poll() is not None:
                return False
            child.kill()
            child.wait(timeout=10)
            return True
        time.sleep(0.01)
    child.kill()
    raise AssertionError("the child sync neither finished nor got far enough")


def test_a_sync_killed_again_and_again_resumes_without_loss_or_duplicates(
    sync_server: ServerProcess, workstation: WorkstationFactory, memory_keyring: MemoryKeyring
) -> None:
    rng = random.Random(7)
    # Every request waits a little, so a sync spans many moments to be killed at.
    proxy = FaultProxy(sync_server.port, seed=7, weights={"delay": 1})
    try:
        a = workstation("ws-a", sync_server, url=proxy.url)
        b = workstation("ws-b", sync_server, url=proxy.url)
        work = OfflineWork(rng)
        seed_clinic(a.services, a.users)
        for _ in range(60):
            work.new_patient(a)
        for _ in range(30):
            work.new_visit(a)
        kills = sum(_kill_mid_sync(a, proxy, memory_keyring, after) for after in (2, 3))
        a.sync_now()  # this one runs to the end
        kills += _kill_mid_sync(b, proxy, memory_keyring, 1, then=0.6)  # staging, applying
        b.sync_now()
        a.sync_now()
        assert kills == 3
        assert_converged(a, b)
        content = b.content()
        for table, ids in work.created.items():
            assert ids <= set(content[table])
        # Nothing twice: as many rows here as the server holds current resources.
        assert len(content["patients"]) == 62
    finally:
        proxy.stop()
