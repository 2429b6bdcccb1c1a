"""Devices and tokens, rate limits and the usage log: `clinic-server` commands against the
database of a running server, and what that server then lets through."""

from __future__ import annotations

import hashlib
import json
import time

from clinic_app.server.database import make_engine
from clinic_app.server.tables import devices
from sqlalchemy import select

from tests.server.conftest import LiveServer, ServerCli
from tests.server.fhir_session import new_id, patient
from tests.server.server_process import run_cli_process


def _name(prefix: str) -> str:
    return f"{prefix}-{new_id()[:8]}"


def _add(server_cli: ServerCli, live_server: LiveServer, name: str, *options: str) -> str:
    result = server_cli(live_server.db_url, "devices", "add", name, "--json", *options)
    assert result.code == 0, result.err
    return str(result.json()["token"])


def test_requests_without_a_valid_token_are_401_with_an_outcome(live_server: LiveServer) -> None:
    for token in (None, "nonsense", "cst_" + "A" * 43):
        session = live_server.session(token)
        response = session.get(f"Patient/{new_id()}")
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.json()["issue"][0]["code"] in ("login", "security")
    basic = live_server.session(None)
    basic.http.headers["Authorization"] = "Basic dXNlcjpwdw=="
    assert basic.get("_history").status_code == 401
    pid = new_id()
    assert live_server.session(None).put(f"Patient/{pid}", patient(pid)).status_code == 401
    assert live_server.session(live_server.token).get(f"Patient/{pid}").status_code == 404


def test_a_rotated_token_stops_working_and_a_revoked_device_is_locked_out(
    live_server: LiveServer, server_cli: ServerCli
) -> None:
    name = _name("ws-rotate")
    first = _add(server_cli, live_server, name)
    assert live_server.session(first).get("_history?_count=1").status_code == 200
    rotated = server_cli(live_server.db_url, "devices", "rotate", name, "--json")
    second = rotated.json()["token"]
    assert second != first
    assert live_server.session(first).get("_history?_count=1").status_code == 401
    assert live_server.session(second).get("_history?_count=1").status_code == 200
    revoked = server_cli(live_server.db_url, "devices", "revoke", name, "--json")
    assert revoked.json()["active"] is False
    assert live_server.session(second).get("_history?_count=1").status_code == 401
    again = server_cli(live_server.db_url, "devices", "rotate", name)
    assert again.code == 1
    assert again.err == f"error: Device '{name}' is revoked; add a new device instead\n"
    listed = server_cli(live_server.db_url, "devices", "list", "--json").json()
    mine = next(d for d in listed if d["name"] == name)
    assert mine["active"] is False
    assert second not in json.dumps(listed)


def test_tokens_are_stored_only_as_their_sha256(
    live_server: LiveServer, server_cli: ServerCli
) -> None:
    name = _name("ws-hash")
    token = _add(server_cli, live_server, name)
    engine = make_engine(live_server.db_url)
    try:
        with engine.connect() as connection:
            row = connection.execute(select(devices).where(devices.c.name == name)).one()
    finally:
        engine.dispose()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in " ".join(str(value) for value in row)


def test_a_device_over_its_rate_limit_gets_429_with_retry_after(
    live_server: LiveServer, server_cli: ServerCli
) -> None:
    token = _add(server_cli, live_server, _name("ws-slow"), "--rate", "0.2", "--burst", "3")
    limited = live_server.session(token)
    statuses = [limited.get("_history?_count=1").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    refused = limited.get("_history?_count=1")
    assert refused.json()["issue"][0]["code"] == "throttled"
    assert int(refused.headers["Retry-After"]) >= 1
    # Other devices have their own buckets.
    assert live_server.session(live_server.token).get("_history?_count=1").status_code == 200


def test_the_usage_log_counts_requests_bytes_and_errors_per_device(
    live_server: LiveServer, server_cli: ServerCli
) -> None:
    name = _name("ws-usage")
    session = live_server.session(_add(server_cli, live_server, name))
    pid = new_id()
    assert session.put(f"Patient/{pid}", patient(pid)).status_code == 201
    assert session.get(f"Patient/{pid}").status_code == 200
    assert session.get(f"Patient/{new_id()}").status_code == 404
    bad = {"resourceType": "Patient", "id": pid, "x": 1}
    assert session.put(f"Patient/{pid}", bad).status_code == 400
    deadline = time.monotonic() + 10
    while True:  # each row is written just after its answer has been sent
        rows = server_cli(live_server.db_url, "usage", "--json", "--device", name).json()
        if (rows and rows[0]["requests"] >= 4) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert len(rows) == 1
    row = rows[0]
    assert row["device"] == name
    assert (row["requests"], row["errors"]) == (4, 2)
    assert row["bytes_in"] >= len(json.dumps(patient(pid)))
    assert row["bytes_out"] > 0
    live_server.session("cst_unknown").get("_history")
    table = server_cli(live_server.db_url, "usage").out
    assert table.splitlines()[0].split() == [
        "day",
        "device",
        "requests",
        "bytes_in",
        "bytes_out",
        "errors",
    ]
    assert name in table


def test_cli_failures_are_one_line(live_server: LiveServer, server_cli: ServerCli) -> None:
    duplicate = server_cli(live_server.db_url, "devices", "add", "ws-main")
    assert (duplicate.code, duplicate.err) == (
        1,
        "error: A device named 'ws-main' already exists\n",
    )
    unknown = server_cli(live_server.db_url, "devices", "revoke", "no-such-device")
    assert (unknown.code, unknown.err) == (1, "error: No device named 'no-such-device'\n")
    bad_name = server_cli(live_server.db_url, "devices", "add", "../etc")
    assert bad_name.code == 1
    assert len(bad_name.err.splitlines()) == 1


def test_the_entry_point_runs_as_its_own_process() -> None:
    version = run_cli_process("--version")
    assert version.returncode == 0
    assert version.stdout.startswith("clinic-server")
    missing = run_cli_process("devices", "list")
    assert missing.returncode == 2
    assert "--db" in missing.stderr
    unreachable = run_cli_process("--db", "postgresql://nobody@127.0.0.1:1/none", "devices", "list")
    assert unreachable.returncode == 1
    assert unreachable.stderr.startswith("error: cannot open the database")
    assert len(unreachable.stderr.strip().splitlines()) == 1
