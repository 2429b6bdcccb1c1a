"""Crash safety: writers killed with SIGKILL at random moments lose nothing they committed and
leave nothing half-written (no patient without its outbox entry and audit event, no outbox
entry or event without its patient, a consistent search index, an intact audit chain)."""

from __future__ import annotations

import os
import random
import select
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from clinic_app.bootstrap import Services
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.audit import verify_chain
from clinic_app.storage.keys import UnlockMode, format_recovery_key
from clinic_app.storage.store import open_store, recover_store

from tests.store_inspection import audit_events, outbox_entries

PASSPHRASE = "crash-test passphrase 2026"
ROUNDS = 24
WRITER = Path(__file__).with_name("crash_writer.py")
REPO = Path(__file__).resolve().parents[2]
LINE_TIMEOUT_S = 30.0


@dataclass
class Committed:
    created: list[str] = field(default_factory=list)
    updated: dict[str, int] = field(default_factory=dict)  # patient id → highest version seen


class LineReader:
    """Reads the child's stdout line by line with a deadline, so a hung child fails the test
    instead of hanging it."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._buffer = b""

    def readline(self) -> str:
        deadline = time.monotonic() + LINE_TIMEOUT_S
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([self._fd], [], [], max(0.0, remaining))
            if not ready:
                raise AssertionError("the crash writer stopped answering")
            chunk = os.read(self._fd, 65536)
            if not chunk:
                raise AssertionError("the crash writer exited")
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line.decode()


@pytest.fixture
def passphrase_store(services: Services) -> Services:
    """The template store, re-keyed to passphrase mode so a child process can open it."""
    recovery_key = format_recovery_key(services.store.key)
    services.close()
    recover_store(services.settings, recovery_key, UnlockMode.PASSPHRASE, PASSPHRASE)
    return services


@pytest.fixture
def crash_writer(
    passphrase_store: Services, users: dict[Role, AuthenticatedUser], tmp_path: Path
) -> Iterator[tuple[subprocess.Popen[bytes], LineReader]]:
    doctor = users[Role.DOCTOR]
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "CLINIC_DATA_DIR": str(passphrase_store.settings.data_dir),
        "CLINIC_TEST_PASSPHRASE": PASSPHRASE,
        "CLINIC_TEST_USER_ID": doctor.id,
        "CLINIC_TEST_USERNAME": doctor.username,
    }
    with open(tmp_path / "writer-stderr.txt", "wb") as stderr:
        child = subprocess.Popen(
            [sys.executable, str(WRITER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=env,
            cwd=REPO,
            start_new_session=True,  # its own process group: teardown can end it and its writers
        )
        assert child.stdout is not None
        try:
            yield child, LineReader(child.stdout.fileno())
        finally:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGKILL)
            child.wait(timeout=30)
            for stream in (child.stdin, child.stdout):
                if stream is not None:
                    stream.close()


def _record(line: str, committed: Committed) -> None:
    kind, *rest = line.split()
    if kind == "created":
        committed.created.append(rest[0])
    elif kind == "updated":
        patient_id, version = rest[0], int(rest[1])
        committed.updated[patient_id] = max(version, committed.updated.get(patient_id, 0))
    else:
        raise AssertionError(f"unexpected line from the writer: {line!r}")


def _kill_one_writer(
    child: subprocess.Popen[bytes], reader: LineReader, rnd: int, kill_after: int, stderr: Path
) -> Committed:
    committed = Committed()
    assert child.stdin is not None
    child.stdin.write(f"{rnd}\n".encode())
    child.stdin.flush()
    kind, pid_text = reader.readline().split()
    assert kind == "started"
    pid = int(pid_text)
    seen = 0
    while seen < kill_after:
        line = reader.readline()
        assert not line.startswith("reaped"), stderr.read_text()
        _record(line, committed)
        seen += 1
    # Killed right after a commit was reported: the writer is usually inside its next
    # transaction (or, for kill_after == 0, still opening the store).
    os.kill(pid, signal.SIGKILL)
    while not (line := reader.readline()).startswith("reaped"):
        _record(line, committed)  # committed before the signal landed: must survive too
    status = int(line.split()[2])
    assert os.WIFSIGNALED(status), stderr.read_text()
    assert os.WTERMSIG(status) == signal.SIGKILL
    return committed


@pytest.mark.slow
def test_committed_writes_survive_sigkill_and_nothing_is_half_written(
    passphrase_store: Services,
    crash_writer: tuple[subprocess.Popen[bytes], LineReader],
    tmp_path: Path,
) -> None:
    child, reader = crash_writer
    rng = random.Random()
    seed = rng.randrange(1 << 30)
    rng.seed(seed)
    total = Committed()
    for rnd in range(ROUNDS):
        kill_after = rng.choice([0, 1, 2, 3, 4, 5, 8, 13])
        result = _kill_one_writer(child, reader, rnd, kill_after, tmp_path / "writer-stderr.txt")
        total.created += result.created
        for patient_id, version in result.updated.items():
            total.updated[patient_id] = max(version, total.updated.get(patient_id, 0))
    assert len(total.created) >= ROUNDS, f"too few writes to mean anything (seed {seed})"

    opened = open_store(passphrase_store.settings, PASSPHRASE)
    db = opened.db
    try:
        with db.engine.connect() as connection:
            versions: dict[str, int] = dict(
                connection.exec_driver_sql("SELECT id, version FROM patients").all()
            )
            fts_rows = connection.exec_driver_sql("SELECT count(*) FROM patient_fts").scalar()
            # Raises if the full-text index disagrees with its content.
            connection.exec_driver_sql(
                "INSERT INTO patient_fts(patient_fts) VALUES('integrity-check')"
            )
            integrity = connection.exec_driver_sql("PRAGMA integrity_check").all()
            damaged = connection.exec_driver_sql("PRAGMA cipher_integrity_check").all()
        outbox = outbox_entries(db)
        events = audit_events(db)
        with db.unit_of_work(write=False) as uow:
            chain = verify_chain(uow.session)
    finally:
        db.dispose()

    context = f"(seed {seed})"
    assert integrity == [("ok",)], context
    assert damaged == [], context
    assert chain.ok, f"{chain} {context}"
    assert fts_rows == len(versions), context

    # Everything reported as committed is there, at least at the version reported.
    assert set(total.created) <= set(versions), context
    for patient_id, version in total.updated.items():
        assert versions[patient_id] >= version, context
    # At most one commit per round can have landed between commit() and the report.
    assert len(versions) <= len(total.created) + ROUNDS, context

    # Nothing half-written: every patient has exactly its create entry, one update entry per
    # version after the first, and a matching audit event for each; nothing refers to a
    # patient that does not exist.
    creates = Counter(e.entity_id for e in outbox if e.operation == "create")
    updates = Counter(e.entity_id for e in outbox if e.operation == "update")
    assert {e.operation for e in outbox} <= {"create", "update"}, context
    assert set(creates) == set(versions), context
    assert set(creates.values()) == {1}, context
    for patient_id, version in versions.items():
        assert updates[patient_id] == version - 1, context
        entries = sorted(e.entity_version for e in outbox if e.entity_id == patient_id)
        assert entries == list(range(1, version + 1)), context
    create_events = Counter(e.record_id for e in events if e.action == "patient.create")
    update_events = Counter(e.record_id for e in events if e.action == "patient.update")
    assert create_events == creates, context
    assert update_events == updates, context
