"""Two users book the same slot at the same moment: exactly one wins; the other gets a clear
"slot just taken" with the next free slot offered. Threads share one engine; processes each
open the same data directory, as two workstations on a shared store (or two app windows) would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from clinic_app.scheduling.errors import SlotTakenError
from clinic_app.scheduling.models import AppointmentSummary, BookingRequest, SlotView
from clinic_app.security.permissions import Role
from clinic_app.storage.keys import UnlockMode, format_recovery_key
from clinic_app.storage.store import recover_store

from tests.conftest import PASSWORDS, USERNAMES
from tests.scheduling.conftest import Clinic, ManualClock
from tests.store_inspection import scalar

ROUNDS = 4
PASSPHRASE = "race-test passphrase 2026"
WORKER = Path(__file__).with_name("race_worker.py")
REPO = Path(__file__).resolve().parents[2]


def _open_slots(clinic: Clinic) -> list[SlotView]:
    """Tomorrow's (real time) open slots of the doctor, every hour of the day in UTC."""
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date()
    clinic.profile(hours="mon-sun=00:00-24:00", minutes=60, time_zone="UTC")
    clinic.generate(tomorrow, tomorrow)
    view = clinic.scheduling.calendar.day_view(clinic.desk, tomorrow, clinic.doctor.id)
    return [
        SlotView(
            e.slot_id,
            clinic.doctor.id,
            e.starts_at,
            e.ends_at,
            e.local_start,
            e.local_end,
            e.slot_status,
            None,
            "generated",
            1,
        )  # type: ignore[arg-type]
        for e in view.columns[0].entries
        if e.slot_id
    ]


def _race_threads(
    clinic: Clinic, slot_id: str, patients: list[str]
) -> list[AppointmentSummary | SlotTakenError]:
    barrier = threading.Barrier(len(patients))
    results: list[AppointmentSummary | SlotTakenError] = []
    lock = threading.Lock()

    def book(patient_id: str) -> None:
        barrier.wait()
        try:
            outcome: AppointmentSummary | SlotTakenError = clinic.scheduling.booking.book(
                clinic.desk, slot_id, BookingRequest(patient_id)
            )
        except SlotTakenError as exc:
            outcome = exc
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=book, args=(p,)) for p in patients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def real_clock(clock: ManualClock) -> ManualClock:
    clock.now = datetime.now(UTC)
    return clock


def test_two_threads_racing_for_each_slot_leave_exactly_one_booking(
    clinic: Clinic, real_clock: ManualClock
) -> None:
    slots = _open_slots(clinic)
    patients = [clinic.patient("Racer"), clinic.patient("Chaser")]
    for round_no in range(ROUNDS):
        results = _race_threads(clinic, slots[round_no * 2].id, patients)
        won = [r for r in results if isinstance(r, AppointmentSummary)]
        lost = [r for r in results if isinstance(r, SlotTakenError)]
        assert len(won) == 1, results
        assert len(lost) == 1, results
        assert lost[0].next_slot is not None
        assert lost[0].next_slot.id == slots[round_no * 2 + 1].id
        assert "just taken" in str(lost[0])
    db = clinic.services.db
    assert scalar(db, "SELECT count(*) FROM appointments") == ROUNDS
    assert scalar(db, "SELECT count(DISTINCT slot_id) FROM appointments") == ROUNDS


def test_two_processes_racing_for_each_slot_leave_exactly_one_booking(
    clinic: Clinic, real_clock: ManualClock, tmp_path: Path
) -> None:
    slots = _open_slots(clinic)
    patients = [clinic.patient("Racer"), clinic.patient("Chaser")]
    services = clinic.services
    recovery_key = format_recovery_key(services.store.key)
    services.close()
    recover_store(services.settings, recovery_key, UnlockMode.PASSPHRASE, PASSPHRASE)
    sync = tmp_path / "sync"
    sync.mkdir()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "CLINIC_TEST_PASSPHRASE": PASSPHRASE,
        "CLINIC_TEST_USERNAME": USERNAMES[Role.FRONT_DESK],
        "CLINIC_TEST_PASSWORD": PASSWORDS[Role.FRONT_DESK],
    }
    round_slots = [slots[i * 2].id for i in range(ROUNDS)]
    children = [
        subprocess.Popen(
            [
                sys.executable,
                str(WORKER),
                str(services.settings.data_dir),
                str(sync),
                name,
                patient,
                *round_slots,
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, patient in zip(("ws-a", "ws-b"), patients, strict=True)
    ]
    try:
        for round_no in range(ROUNDS):
            deadline = time.monotonic() + 60
            while not all((sync / f"ready-{n}-{round_no}").exists() for n in ("ws-a", "ws-b")):
                assert all(c.poll() is None for c in children), [c.stderr.read() for c in children]  # type: ignore[union-attr]
                assert time.monotonic() < deadline, "the race workers did not get ready"
                time.sleep(0.005)
            (sync / f"go-{round_no}").touch()
        outputs = [child.communicate(timeout=60) for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
    for child, (_out, err) in zip(children, outputs, strict=True):
        assert child.returncode == 0, err
    results = [json.loads(line) for out, _ in outputs for line in out.splitlines()]
    assert len(results) == 2 * ROUNDS
    for round_no in range(ROUNDS):
        this_round = [r for r in results if r["round"] == round_no]
        assert sorted(r["won"] for r in this_round) == [False, True], this_round
        loser = next(r for r in this_round if not r["won"])
        assert loser["offer"] == slots[round_no * 2 + 1].id
        assert "just taken" in loser["message"]

    from clinic_app.bootstrap import open_services

    reopened = open_services(services.settings, PASSPHRASE)
    try:
        db = reopened.db
        assert scalar(db, "SELECT count(*) FROM appointments") == ROUNDS
        assert scalar(db, "SELECT count(DISTINCT slot_id) FROM appointments") == ROUNDS
        assert scalar(db, "SELECT count(*) FROM slots WHERE status = 'booked'") == ROUNDS
    finally:
        reopened.close()
