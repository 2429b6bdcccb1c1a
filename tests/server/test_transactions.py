"""Transaction bundles: all or nothing, per-entry answers, replays, limits."""

from __future__ import annotations

import gzip
import http.client
import json
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.server.conftest import LiveServer
from tests.server.fhir_session import (
    FhirSession,
    delete_entry,
    new_id,
    patient,
    put_entry,
)


def _observation(oid: str, patient_id: str, value: float = 72) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
        "subject": {"reference": f"Patient/{patient_id}"},
        "valueQuantity": {"value": value, "unit": "/min"},
    }


def _history_etags(fhir: FhirSession, path: str) -> list[str]:
    return [e["response"]["etag"] for e in fhir.get(f"{path}/_history").json()["entry"]]


def test_a_transaction_stores_every_entry_and_answers_each_in_order(fhir: FhirSession) -> None:
    pid, oid, gone = new_id(), new_id(), new_id()
    fhir.put(f"Patient/{gone}", patient(gone))
    entries = [
        put_entry(patient(pid)),
        put_entry(_observation(oid, pid)),
        {
            "fullUrl": "urn:uuid:0c3e2a4e-8d8b-4a41-9f00-3f4e5b6c7d8e",
            "resource": {
                "resourceType": "Encounter",
                "status": "finished",
                "class": {"code": "AMB"},
            },
            "request": {"method": "POST", "url": "Encounter"},
        },
        delete_entry("Patient", gone, 'W/"1"'),
    ]
    # The observation points at the encounter by its temporary urn:uuid.
    entries[1]["resource"]["encounter"] = {
        "reference": "urn:uuid:0c3e2a4e-8d8b-4a41-9f00-3f4e5b6c7d8e"
    }
    response = fhir.transaction(entries)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["type"] == "transaction-response"
    statuses = [e["response"]["status"] for e in answer["entry"]]
    assert statuses == ["201 Created", "201 Created", "201 Created", "204 No Content"]
    assert answer["entry"][0]["response"]["etag"] == 'W/"1"'
    assert answer["entry"][0]["response"]["location"] == f"Patient/{pid}/_history/1"
    encounter_location = answer["entry"][2]["response"]["location"]
    encounter_id = encounter_location.split("/")[1]
    observation = fhir.get(f"Observation/{oid}").json()
    assert observation["encounter"]["reference"] == f"Encounter/{encounter_id}"
    assert fhir.get(f"Encounter/{encounter_id}").status_code == 200
    assert fhir.get(f"Patient/{gone}").status_code == 410
    # Each version has its own lastUpdated, rising in the order the entries were processed.
    first, second = (
        fhir.get(p).json()["meta"]["lastUpdated"] for p in (f"Patient/{pid}", f"Observation/{oid}")
    )
    assert first < second


def test_prefer_representation_returns_the_stored_resources(fhir: FhirSession) -> None:
    pid = new_id()
    response = fhir.transaction(
        [put_entry(patient(pid))], headers={"Prefer": "return=representation"}
    )
    assert response.json()["entry"][0]["resource"]["id"] == pid


@pytest.mark.parametrize(
    "spoil",
    ["stale-if-match", "invalid-resource", "unknown-element", "wrong-type", "booked-twice"],
)
def test_one_bad_entry_stores_nothing(fhir: FhirSession, spoil: str) -> None:
    pid, existing, oid = new_id(), new_id(), new_id()
    fhir.put(f"Patient/{existing}", patient(existing))
    fhir.put(f"Patient/{existing}", patient(existing, "Second"), if_match='W/"1"')
    slot = new_id()
    entries = [
        put_entry(patient(pid)),
        put_entry(_observation(oid, pid)),
        put_entry(patient(existing, "Third"), 'W/"2"'),
    ]
    expected_status = 400
    if spoil == "stale-if-match":
        entries[2] = put_entry(patient(existing, "Third"), 'W/"1"')
        expected_status = 412
    elif spoil == "invalid-resource":
        entries[1]["resource"]["status"] = 12
    elif spoil == "unknown-element":
        entries[1]["resource"]["favouriteColour"] = "blue"
    elif spoil == "wrong-type":
        entries[1]["request"]["url"] = f"Condition/{oid}"
    elif spoil == "booked-twice":
        for _ in range(2):
            entries.append(put_entry(_appointment(new_id(), slot)))
        expected_status = 409
    response = fhir.transaction(entries)
    assert response.status_code == expected_status, response.text
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert "Bundle.entry[" in outcome["issue"][0]["diagnostics"] or spoil == "booked-twice"
    assert fhir.get(f"Patient/{pid}").status_code == 404
    assert fhir.get(f"Observation/{oid}").status_code == 404
    assert _history_etags(fhir, f"Patient/{existing}") == ['W/"2"', 'W/"1"']


def _appointment(aid: str, slot_id: str, status: str = "booked") -> dict[str, Any]:
    return {
        "resourceType": "Appointment",
        "id": aid,
        "status": status,
        "slot": [{"reference": f"Slot/{slot_id}"}],
        "participant": [{"status": "accepted", "actor": {"display": "front desk"}}],
    }


def test_a_replayed_transaction_of_creates_is_idempotent(fhir: FhirSession) -> None:
    # The client lost the answer and sends the same bundle again.
    pid, oid = new_id(), new_id()
    entries = [put_entry(patient(pid)), put_entry(_observation(oid, pid))]
    first = fhir.transaction(entries).json()
    second = fhir.transaction(entries)
    assert second.status_code == 200
    again = second.json()
    assert [e["response"]["etag"] for e in again["entry"]] == [
        e["response"]["etag"] for e in first["entry"]
    ]
    assert _history_etags(fhir, f"Patient/{pid}") == ['W/"1"']


def test_a_replayed_update_with_its_now_stale_if_match_is_412(fhir: FhirSession) -> None:
    pid = new_id()
    fhir.put(f"Patient/{pid}", patient(pid))
    update = [put_entry(patient(pid, "Edited"), 'W/"1"')]
    assert fhir.transaction(update).status_code == 200
    replay = fhir.transaction(update)
    assert replay.status_code == 412
    assert _history_etags(fhir, f"Patient/{pid}") == ['W/"2"', 'W/"1"']


def _create_only(resource: dict[str, Any], value: str = "*") -> dict[str, Any]:
    entry = put_entry(resource)
    entry["request"]["ifNoneMatch"] = value
    return entry


def test_if_none_match_creates_once_and_never_overwrites_other_content(
    fhir: FhirSession,
) -> None:
    pid, oid = new_id(), new_id()
    assert fhir.transaction([_create_only(patient(pid))]).status_code == 200
    # The same content again (a replay, or another client's identical copy): nothing written.
    assert fhir.transaction([_create_only(patient(pid))]).status_code == 200
    # Other content under that id: 412, and the whole bundle is rolled back.
    refused = fhir.transaction(
        [put_entry(_observation(oid, pid)), _create_only(patient(pid, "Other"))]
    )
    assert refused.status_code == 412
    outcome = refused.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert "Bundle.entry[1]" in outcome["issue"][0]["diagnostics"]
    assert "exists already" in outcome["issue"][0]["diagnostics"]
    assert _history_etags(fhir, f"Patient/{pid}") == ['W/"1"']
    assert fhir.get(f"Observation/{oid}").status_code == 404
    # A deleted resource may be created again.
    assert fhir.transaction([delete_entry("Patient", pid)]).status_code == 200
    assert fhir.transaction([_create_only(patient(pid, "Back"))]).status_code == 200
    assert _history_etags(fhir, f"Patient/{pid}")[0] == 'W/"3"'


@pytest.mark.parametrize("value", ['W/"1"', "", "**"])
def test_if_none_match_other_than_a_star_or_off_a_put_is_refused(
    fhir: FhirSession, value: str
) -> None:
    pid = new_id()
    answer = fhir.transaction([_create_only(patient(pid), value)])
    assert answer.status_code == 400
    assert "ifNoneMatch" in answer.json()["issue"][0]["diagnostics"]
    on_delete = delete_entry("Patient", pid)
    on_delete["request"]["ifNoneMatch"] = "*"
    assert fhir.transaction([on_delete]).status_code == 400
    assert fhir.get(f"Patient/{pid}").status_code == 404


def test_the_same_resource_twice_in_one_transaction_is_refused(fhir: FhirSession) -> None:
    pid = new_id()
    response = fhir.transaction([put_entry(patient(pid)), put_entry(patient(pid, "Other"))])
    assert response.status_code == 400
    assert fhir.get(f"Patient/{pid}").status_code == 404


@pytest.mark.parametrize(
    ("bundle", "status"),
    [
        ({"resourceType": "Bundle", "type": "batch", "entry": []}, 400),
        ({"resourceType": "Patient", "id": "x"}, 400),
        (
            {
                "resourceType": "Bundle",
                "type": "transaction",
                "entry": [{"request": {"method": "GET", "url": "Patient/x"}}],
            },
            400,
        ),
        (
            {
                "resourceType": "Bundle",
                "type": "transaction",
                "entry": [{"request": {"method": "PUT", "url": "Patient?name=x"}}],
            },
            400,
        ),
        (
            {
                "resourceType": "Bundle",
                "type": "transaction",
                "entry": [{"request": {"method": "PUT", "url": "Patient/x"}}],
            },
            400,
        ),
        (
            {
                "resourceType": "Bundle",
                "type": "transaction",
                "entry": [{"request": {"method": "DELETE", "url": "Medication/x"}}],
            },
            404,
        ),
        ({"resourceType": "Bundle", "type": "transaction", "entry": "nope"}, 400),
        ({"resourceType": "Bundle", "type": "transaction", "colour": "red", "entry": []}, 400),
    ],
)
def test_malformed_transactions_are_refused_with_an_outcome(
    fhir: FhirSession, bundle: dict[str, Any], status: int
) -> None:
    response = fhir.post("", bundle)
    assert response.status_code == status, response.text
    assert response.json()["resourceType"] == "OperationOutcome"


def test_a_bundle_with_too_many_entries_is_413_and_stores_nothing(fhir: FhirSession) -> None:
    ids = [new_id() for _ in range(1001)]
    response = fhir.transaction([put_entry(patient(pid)) for pid in ids])
    assert response.status_code == 413
    assert response.json()["issue"][0]["code"] == "too-long"
    assert fhir.get(f"Patient/{ids[0]}").status_code == 404


def test_a_gzip_bomb_stops_at_the_body_limit(fhir: FhirSession) -> None:
    # ~65 MB of spaces after a valid start: 64 KB on the wire, refused once decoded past 64 MB.
    pid = new_id()
    body = json.dumps({"resourceType": "Bundle", "type": "transaction", "entry": []})
    bomb = gzip.compress(body[:-1].encode() + b" " * (65 * 1024 * 1024) + b"}", compresslevel=9)
    assert len(bomb) < 200_000
    response = fhir.post(
        "", bomb, headers={"Content-Encoding": "gzip", "Content-Type": "application/fhir+json"}
    )
    assert response.status_code == 413
    assert fhir.get(f"Patient/{pid}").status_code == 404


def test_gzip_request_bodies_are_accepted(fhir: FhirSession) -> None:
    pid = new_id()
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": [put_entry(patient(pid))]}
    response = fhir.post(
        "",
        gzip.compress(json.dumps(bundle).encode()),
        headers={"Content-Encoding": "gzip", "Content-Type": "application/fhir+json"},
    )
    assert response.status_code == 200
    assert fhir.get(f"Patient/{pid}").status_code == 200


def test_a_declared_oversized_body_is_refused_before_it_is_read(live_server: LiveServer) -> None:
    address = urlsplit(live_server.url)
    connection = http.client.HTTPConnection(str(address.hostname), address.port, timeout=30)
    connection.putrequest("POST", "/")
    connection.putheader("Authorization", f"Bearer {live_server.token}")
    connection.putheader("Content-Type", "application/fhir+json")
    connection.putheader("Content-Length", str(65 * 1024 * 1024))
    connection.endheaders()
    connection.send(b'{"resourceType":')
    response = connection.getresponse()
    assert response.status == 413
    assert json.loads(response.read())["resourceType"] == "OperationOutcome"
    connection.close()
