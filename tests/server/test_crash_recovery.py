"""A server killed (SIGKILL) in the middle of transactions comes back with each bundle stored
whole or not at all, its change sequence intact and its history paging without gaps."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import requests
from clinic_app.server.database import make_engine
from clinic_app.server.devices import DeviceRegistry
from clinic_app.server.migrate import upgrade

from tests.server.conftest import BACKENDS
from tests.server.fhir_session import FhirSession, new_id, patient, put_entry
from tests.server.server_process import start_server

BUNDLES = 12
ENTRIES = 300


def _push_until_killed(url: str, token: str, bundles: list[list[str]], done: list[int]) -> None:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    for ids in bundles:
        body = {
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": [put_entry(patient(pid, "crash")) for pid in ids],
        }
        try:
            response = session.post(
                f"{url}/", json=body, headers={"Content-Type": "application/fhir+json"}, timeout=60
            )
        except requests.ConnectionError:
            return
        if response.status_code == 200:
            done.append(len(done))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_killed_server_keeps_every_transaction_whole(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "sqlite":
        db_url = f"sqlite:///{tmp_path / 'crash.db'}"
    else:
        db_url = request.getfixturevalue("postgres_url")
    engine = make_engine(db_url)
    upgrade(engine)
    token = DeviceRegistry(engine).add(f"ws-crash-{new_id()[:8]}").token
    engine.dispose()
    bundles = [[new_id() for _ in range(ENTRIES)] for _ in range(BUNDLES)]
    server = start_server(db_url, tmp_path, "--no-access-log", "--rate", "10000")
    acknowledged: list[int] = []
    pusher = threading.Thread(
        target=_push_until_killed, args=(server.url, token, bundles, acknowledged)
    )
    pusher.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.15)  # somewhere inside a later bundle
    server.process.kill()
    server.process.wait(timeout=10)
    pusher.join(timeout=60)
    restarted = start_server(db_url, tmp_path, "--no-access-log", "--rate", "10000")
    try:
        fhir = FhirSession(restarted.url, token)
        stored = [
            sum(fhir.get(f"Patient/{pid}").status_code == 200 for pid in ids[:: ENTRIES // 10])
            for ids in bundles
        ]
        # Sampled ids of each bundle: all there or none there, never part of one.
        assert all(count in (0, 10) for count in stored), stored
        whole = [index for index, count in enumerate(stored) if count == 10]
        assert whole[: len(acknowledged)] == list(range(len(acknowledged)))
        assert whole == list(range(len(whole)))  # bundles were pushed in order
        assert len(whole) < BUNDLES, "the kill came after the last bundle"
        # History still pages from the top without a gap: every stored version, once.
        versions: list[tuple[str, str]] = []
        url: str | None = "Patient/_history?_count=1000"
        while url:
            page = fhir.get(url).json()
            versions += [
                (e["fullUrl"].rsplit("/", 1)[-1], e["response"]["etag"])
                for e in page.get("entry", [])
            ]
            url = next((x["url"] for x in page["link"] if x["relation"] == "next"), None)
        mine = {pid for index in whole for pid in bundles[index]}
        assert mine <= {resource_id for resource_id, _ in versions}
        assert len(versions) == len(set(versions))
        # And it takes new writes.
        pid = new_id()
        assert fhir.put(f"Patient/{pid}", patient(pid)).status_code == 201
    finally:
        restarted.stop()
