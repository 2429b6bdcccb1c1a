"""Sync through a misbehaving network, a server killed and restarted, and randomized offline
work on three workstations: nothing lost, nothing duplicated, outboxes empty, every conflict
visible."""

from __future__ import annotations

import random
import threading

import pytest
from clinic_app.sync.client import RetryPolicy
from clinic_app.sync.engine import EngineOptions
from clinic_app.sync.errors import ServerUnavailableError

from tests.sync.clinic_data import seed_clinic
from tests.sync.conftest import WorkstationFactory
from tests.sync.convergence import check_end_state, settle, try_sync
from tests.sync.fault_proxy import FaultProxy
from tests.sync.offline_work import OfflineWork
from tests.sync.server_process import ServerProcess
from tests.sync.workstation import assert_converged

SMALL = EngineOptions(page_size=25, push_batch=15, apply_batch=40)


@pytest.mark.parametrize("seed", [11, 29, 47])
def test_three_workstations_converge_through_a_bad_network_in_random_orders(
    sync_server: ServerProcess, workstation: WorkstationFactory, seed: int
) -> None:
    rng = random.Random(seed)
    proxy = FaultProxy(sync_server.port, seed=seed)
    try:
        stations = [
            workstation(name, sync_server, url=proxy.url, options=SMALL)
            for name in ("ws-a", "ws-b", "ws-c")
        ]
        work = OfflineWork(rng)
        for _ in range(4):
            for station in stations:
                work.act(station, rng.randrange(3, 9))
            for station in rng.sample(stations, k=len(stations)):
                try_sync(station)
        proxy.faults_on = False
        settle(stations, rng)
        check_end_state(stations, work)
        assert proxy.counts["cut"] > 0
        assert proxy.counts["refuse"] + proxy.counts["500"] + proxy.counts["429"] > 0
    finally:
        proxy.stop()


def test_the_server_killed_mid_push_and_mid_pull_loses_nothing(
    sync_server: ServerProcess, workstation: WorkstationFactory
) -> None:
    kills: list[int] = []
    kill_at: list[int] = []

    def kill_when_due(index: int) -> None:
        if kill_at and index == kill_at[0]:
            kill_at.pop()
            kills.append(index)
            sync_server.kill()
            threading.Timer(0.4, sync_server.start).start()

    proxy = FaultProxy(sync_server.port, weights={"pass": 1}, on_request=kill_when_due)
    try:
        a = workstation("ws-a", sync_server, url=proxy.url, options=SMALL)
        b = workstation("ws-b", sync_server, url=proxy.url, options=SMALL)
        work = OfflineWork(random.Random(5))
        seed_clinic(a.services, a.users)
        for _ in range(20):
            work.new_patient(a)
        for _ in range(6):
            work.new_visit(a)
        kill_at.append(sum(proxy.counts.values()) + 3)  # A's third request: mid-push
        while not try_sync(a):
            pass
        pushed = sum(proxy.counts.values())
        kill_at.append(pushed + 2)  # B's second request: mid-pull
        while not try_sync(b):
            pass
        a.sync_now()
        assert len(kills) == 2
        assert_converged(a, b)
        check_end_state([a, b], work)
    finally:
        proxy.stop()


def test_an_unreachable_server_leaves_everything_where_it_was(
    workstation: WorkstationFactory,
) -> None:
    station = workstation(
        "ws-a", None, url="http://127.0.0.1:9", retry=RetryPolicy(attempts=3, base_seconds=0.01)
    )  # nothing listens there
    seed_clinic(station.services, station.users)
    before = station.outbox()
    with pytest.raises(ServerUnavailableError):
        station.sync_now()
    assert station.outbox() == before
    status = station.sync.status(None)
    assert not status.online
    assert status.last_error
    assert status.last_success_at is None
