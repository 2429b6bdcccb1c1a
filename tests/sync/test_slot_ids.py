"""Slots generated on two workstations from the same rules are the same slots: their ids are
made from (doctor, start, end), so the server holds each once; a slot booked on one
workstation wins over the other's untouched copy, whichever reaches the server first; and a
first push never overwrites another workstation's copy (If-None-Match: *)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import requests
from clinic_app.scheduling.hours import parse_weekly
from clinic_app.scheduling.models import BookingRequest, DoctorProfileInput
from clinic_app.scheduling.slot_ids import slot_id
from clinic_app.scheduling.tables import SlotRow
from clinic_app.security.permissions import Role
from clinic_app.sync.models import RecordSyncState

from tests.sync.clinic_data import patient
from tests.sync.conftest import WorkstationFactory
from tests.sync.fault_proxy import FaultProxy
from tests.sync.server_process import ServerProcess
from tests.sync.workstation import Workstation, assert_converged


def _profile(station: Workstation) -> None:
    station.services.scheduling.profiles.save_profile(
        station.users[Role.ADMIN],
        station.users[Role.DOCTOR].id,
        DoctorProfileInput(
            specialisation="General practice",
            consultation_minutes=30,
            time_zone="Europe/Berlin",
            room="2.14",
            weekly_hours=parse_weekly("mon-sun=09:00-11:00"),
            breaks=parse_weekly(""),
        ),
    )


def _generate(station: Workstation, day: date) -> list[str]:
    admin, doctor = station.users[Role.ADMIN], station.users[Role.DOCTOR]
    station.services.scheduling.slots.generate(admin, doctor.id, day, day)
    view = station.services.scheduling.calendar.day_view(admin, day, doctor_id=doctor.id)
    return sorted(e.slot_id for column in view.columns for e in column.entries if e.slot_id)


def _server_slots(server: ServerProcess) -> dict[str, str]:
    """Slot id → status of its current version, from the server's history."""
    token = server.add_device(f"reader-{uuid.uuid4().hex[:12]}")
    answer = requests.get(
        f"{server.url}/Slot/_history",
        params={"_count": "1000"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    answer.raise_for_status()
    found: dict[str, str] = {}
    for entry in reversed(answer.json().get("entry", [])):  # oldest first: newest wins
        resource = entry.get("resource")
        if resource is not None:
            found[resource["id"]] = resource["status"]
    return found


def test_the_same_slots_from_two_workstations_are_one_set_and_a_booking_wins(
    sync_server: ServerProcess, workstation: WorkstationFactory
) -> None:
    a = workstation("ws-a", sync_server)
    b = workstation("ws-b", sync_server)
    _profile(a)
    a.sync_now()
    b.sync_now()
    day = date.today() + timedelta(days=9)
    slots_a, slots_b = _generate(a, day), _generate(b, day)
    assert slots_a == slots_b
    assert len(slots_a) == 4
    doctor_id = a.users[Role.DOCTOR].id
    assert all(len(s) == 36 for s in slots_a)
    # A books the first slot offline; B, with its untouched copy, reaches the server first.
    ada = a.services.patients.create(a.users[Role.FRONT_DESK], patient("Ada", "B", "1980-01-02"))
    booking = a.services.scheduling.booking.book(
        a.users[Role.FRONT_DESK], slots_a[0], BookingRequest(ada.patient.id)
    )
    b.sync_now()
    a.sync_now()
    b.sync_now()
    on_server = _server_slots(sync_server)
    assert sorted(on_server) == slots_a  # each slot once
    assert on_server[slots_a[0]] == "busy"
    desk_b = b.users[Role.FRONT_DESK]
    assert b.sync.record_state(desk_b, "appointments", booking.id) is RecordSyncState.SYNCED
    assert not a.open_conflicts()
    assert not b.open_conflicts()
    assert not a.held()
    assert not b.held()
    assert_converged(a, b)
    # The ids are the documented function of the doctor and the times.
    with a.db.unit_of_work(write=False) as uow:
        row = uow.session.get(SlotRow, slots_a[1])
        assert row is not None
        assert row.id == slot_id(doctor_id, row.starts_at, row.ends_at)


def test_a_first_push_never_overwrites_the_copy_another_workstation_sent_meanwhile(
    sync_server: ServerProcess, workstation: WorkstationFactory
) -> None:
    """B's copy (one slot blocked there) lands between A's pull and A's push: A's create-only
    push gets 412 on that slot and keeps the server's blocked copy instead of freeing it."""
    a0 = workstation("ws-a0", sync_server)
    _profile(a0)
    # Slots already laid further out: making day's below changes nothing of the profile, so
    # A's push holds the slots alone.
    _generate(a0, date.today() + timedelta(days=20))
    a0.sync_now()
    b = workstation("ws-b", sync_server)
    b.sync_now()
    day = date.today() + timedelta(days=10)
    injected = {"done": False}

    def b_pushes_first(head: bytes) -> str:
        if head.startswith(b"POST ") and not injected["done"]:
            injected["done"] = True
            b.sync_now()  # straight to the server: B's open slots are there now
        return "pass"

    proxy = FaultProxy(sync_server.port, choose=b_pushes_first)
    try:
        a = workstation("ws-a", sync_server, url=proxy.url)
        a.sync_now()  # the profile
        injected["done"] = False
        slots = _generate(a, day)
        assert _generate(b, day) == slots
        assert a.outbox() == len(slots)
        blocked = b.services.scheduling.slots.block(b.users[Role.ADMIN], slots[2], "Meeting")
        assert blocked.status == "blocked"
        a.sync_now()
        assert injected["done"]
        with a.db.unit_of_work(write=False) as uow:
            mine = uow.session.get(SlotRow, slots[2])
            assert mine is not None
            assert mine.status == "blocked"  # the server's copy replaced A's untouched one
        on_server = _server_slots(sync_server)
        assert {s: on_server[s] for s in slots} == {
            slots[0]: "free",
            slots[1]: "free",
            slots[2]: "busy-unavailable",
            slots[3]: "free",
        }
        b.sync_now()
        assert not a.open_conflicts()
        assert not b.open_conflicts()
        assert_converged(a, b)
    finally:
        proxy.stop()
