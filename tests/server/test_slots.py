"""The server is the slot-booking authority: one active appointment per slot, whatever races."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests
from clinic_app.server.database import make_engine
from clinic_app.server.tables import slot_bookings
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from tests.server.conftest import LiveServer
from tests.server.fhir_session import FhirSession, new_id, put_entry


def _appointment(aid: str, *slots: str, status: str = "booked") -> dict[str, Any]:
    return {
        "resourceType": "Appointment",
        "id": aid,
        "status": status,
        "slot": [{"reference": f"Slot/{slot}"} for slot in slots],
        "participant": [{"status": "accepted", "actor": {"display": "front desk"}}],
    }


def test_booking_a_booked_slot_is_409_naming_the_holder(fhir: FhirSession) -> None:
    slot, first, second = new_id(), new_id(), new_id()
    assert fhir.put(f"Appointment/{first}", _appointment(first, slot)).status_code == 201
    response = fhir.put(f"Appointment/{second}", _appointment(second, slot))
    assert response.status_code == 409
    issue = response.json()["issue"][0]
    assert issue["code"] == "conflict"
    assert f"Slot/{slot}" in issue["diagnostics"]
    assert f"Appointment/{first}" in issue["diagnostics"]
    assert fhir.get(f"Appointment/{second}").status_code == 404


def test_a_transaction_that_double_books_rolls_back_entirely(fhir: FhirSession) -> None:
    slot, other_slot, holder, late = new_id(), new_id(), new_id(), new_id()
    fhir.put(f"Appointment/{holder}", _appointment(holder, slot))
    bystander = new_id()
    response = fhir.transaction(
        [
            put_entry(_appointment(bystander, other_slot)),
            put_entry(_appointment(late, other_slot, slot)),
        ]
    )
    assert response.status_code == 409
    assert fhir.get(f"Appointment/{bystander}").status_code == 404
    # The other slot stayed free: it can be booked now.
    assert fhir.put(f"Appointment/{bystander}", _appointment(bystander, other_slot)).ok


def test_cancelling_or_deleting_an_appointment_frees_its_slot(fhir: FhirSession) -> None:
    slot, first, second, third = new_id(), new_id(), new_id(), new_id()
    fhir.put(f"Appointment/{first}", _appointment(first, slot))
    cancelled = _appointment(first, slot, status="cancelled")
    assert fhir.put(f"Appointment/{first}", cancelled, if_match='W/"1"').status_code == 200
    assert fhir.put(f"Appointment/{second}", _appointment(second, slot)).status_code == 201
    fhir.delete(f"Appointment/{second}")
    assert fhir.put(f"Appointment/{third}", _appointment(third, slot)).status_code == 201


def test_updating_the_holder_keeps_its_booking(fhir: FhirSession) -> None:
    slot, holder = new_id(), new_id()
    fhir.put(f"Appointment/{holder}", _appointment(holder, slot))
    arrived = _appointment(holder, slot, status="arrived")
    assert fhir.put(f"Appointment/{holder}", arrived, if_match='W/"1"').status_code == 200


def test_moving_a_booking_between_slots_in_one_transaction_is_allowed(fhir: FhirSession) -> None:
    # A cancels slot X and B takes it, in one bundle, in either order.
    slot, a, b = new_id(), new_id(), new_id()
    fhir.put(f"Appointment/{a}", _appointment(a, slot))
    response = fhir.transaction(
        [
            put_entry(_appointment(b, slot)),
            put_entry(_appointment(a, slot, status="cancelled"), 'W/"1"'),
        ]
    )
    assert response.status_code == 200, response.text


def _race(live_server: LiveServer, slot: str, contenders: list[str]) -> list[int]:
    """Each contender books `slot` in its own transaction, all released at once."""
    barrier = threading.Barrier(len(contenders))
    statuses: list[int] = []

    def book(aid: str) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {live_server.token}"
        bundle = {
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": [put_entry(_appointment(aid, slot))],
        }
        barrier.wait()
        response = session.post(
            f"{live_server.url}/",
            json=bundle,
            headers={"Content-Type": "application/fhir+json"},
            timeout=60,
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=book, args=(aid,)) for aid in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_concurrent_transactions_for_one_slot_book_it_exactly_once(
    live_server: LiveServer,
) -> None:
    fhir = live_server.session(live_server.token)
    for _ in range(8):
        slot = new_id()
        contenders = [new_id() for _ in range(4)]
        statuses = _race(live_server, slot, contenders)
        assert sorted(statuses) == [200, 409, 409, 409], statuses
        booked = [aid for aid in contenders if fhir.get(f"Appointment/{aid}").status_code == 200]
        assert len(booked) == 1


def test_the_database_itself_refuses_a_second_booking_of_a_slot(
    fhir: FhirSession, live_server: LiveServer
) -> None:
    # Not only the server's check: the schema holds the rule for any writer.
    slot, holder = new_id(), new_id()
    fhir.put(f"Appointment/{holder}", _appointment(holder, slot))
    engine = make_engine(live_server.db_url)
    try:
        with pytest.raises(IntegrityError), engine.begin() as connection:
            connection.execute(insert(slot_bookings).values(slot_id=slot, appointment_id=new_id()))
    finally:
        engine.dispose()
