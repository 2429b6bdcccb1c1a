"""Read, vread, update as create, If-Match, delete tombstones: the instance interactions."""

from __future__ import annotations

import requests

from tests.server.conftest import LiveServer
from tests.server.fhir_session import FhirSession, new_id, patient


def test_metadata_is_an_r4_capability_statement_served_without_a_token(
    live_server: LiveServer,
) -> None:
    anonymous = live_server.session(None)
    response = anonymous.get("metadata")
    assert response.status_code == 200
    statement = response.json()
    assert statement["resourceType"] == "CapabilityStatement"
    assert statement["fhirVersion"] == "4.0.1"
    served = {r["type"] for r in statement["rest"][0]["resource"]}
    assert {"Patient", "Appointment", "Slot", "Binary", "AuditEvent", "CodeSystem"} <= served
    assert {i["code"] for i in statement["rest"][0]["interaction"]} == {
        "transaction",
        "history-system",
    }


def test_health_answers_without_a_token(live_server: LiveServer) -> None:
    assert requests.get(f"{live_server.url}/health", timeout=10).json() == {"status": "ok"}


def test_put_to_a_new_id_creates_version_one_with_etag_and_meta(fhir: FhirSession) -> None:
    pid = new_id()
    response = fhir.put(f"Patient/{pid}", patient(pid))
    assert response.status_code == 201
    assert response.headers["ETag"] == 'W/"1"'
    assert response.headers["Location"].endswith(f"/Patient/{pid}/_history/1")
    body = response.json()
    assert body["id"] == pid
    assert body["meta"]["versionId"] == "1"
    assert body["meta"]["lastUpdated"].endswith("Z")
    read = fhir.get(f"Patient/{pid}")
    assert read.status_code == 200
    assert read.headers["ETag"] == 'W/"1"'
    assert read.json() == body


def test_update_with_the_current_if_match_makes_the_next_version(fhir: FhirSession) -> None:
    pid = new_id()
    fhir.put(f"Patient/{pid}", patient(pid))
    response = fhir.put(f"Patient/{pid}", patient(pid, "Renamed"), if_match='W/"1"')
    assert response.status_code == 200
    assert response.headers["ETag"] == 'W/"2"'
    assert fhir.get(f"Patient/{pid}").json()["name"][0]["family"] == "Renamed"
    first = fhir.get(f"Patient/{pid}/_history/1").json()
    assert first["name"][0]["family"] == "Test"
    assert first["meta"]["versionId"] == "1"


def test_a_stale_if_match_is_412_and_changes_nothing(fhir: FhirSession) -> None:
    pid = new_id()
    fhir.put(f"Patient/{pid}", patient(pid))
    fhir.put(f"Patient/{pid}", patient(pid, "Second"), if_match='W/"1"')
    replay = fhir.put(f"Patient/{pid}", patient(pid, "Stale edit"), if_match='W/"1"')
    assert replay.status_code == 412
    assert replay.json()["issue"][0]["code"] == "conflict"
    current = fhir.get(f"Patient/{pid}")
    assert current.headers["ETag"] == 'W/"2"'
    assert current.json()["name"][0]["family"] == "Second"


def test_if_match_on_a_resource_that_does_not_exist_is_412(fhir: FhirSession) -> None:
    pid = new_id()
    response = fhir.put(f"Patient/{pid}", patient(pid), if_match='W/"3"')
    assert response.status_code == 412
    assert fhir.get(f"Patient/{pid}").status_code == 404


def test_an_identical_update_writes_no_new_version(fhir: FhirSession) -> None:
    # A replayed create (the answer was lost) must not pile up versions.
    pid = new_id()
    assert fhir.put(f"Patient/{pid}", patient(pid)).status_code == 201
    again = fhir.put(f"Patient/{pid}", patient(pid))
    assert again.status_code == 200
    assert again.headers["ETag"] == 'W/"1"'
    history = fhir.get(f"Patient/{pid}/_history").json()
    assert [e["response"]["etag"] for e in history["entry"]] == ['W/"1"']


def test_meta_source_names_the_writing_device_and_client_meta_is_kept(
    fhir: FhirSession,
) -> None:
    pid = new_id()
    tagged = patient(pid, meta={"versionId": "99", "tag": [{"system": "urn:t", "code": "x"}]})
    body = fhir.put(f"Patient/{pid}", tagged).json()
    assert body["meta"]["versionId"] == "1"  # the server owns versionId
    assert body["meta"]["tag"] == [{"system": "urn:t", "code": "x"}]
    assert body["meta"]["source"].startswith("urn:uuid:")


def test_delete_leaves_a_tombstone_that_reads_as_410_and_stays_in_history(
    fhir: FhirSession,
) -> None:
    pid = new_id()
    fhir.put(f"Patient/{pid}", patient(pid))
    deleted = fhir.delete(f"Patient/{pid}", headers={"If-Match": 'W/"1"'})
    assert deleted.status_code == 200
    assert deleted.headers["ETag"] == 'W/"2"'
    gone = fhir.get(f"Patient/{pid}")
    assert gone.status_code == 410
    assert gone.json()["issue"][0]["code"] == "deleted"
    assert fhir.get(f"Patient/{pid}/_history/1").status_code == 200
    assert fhir.get(f"Patient/{pid}/_history/2").status_code == 410
    entries = fhir.get(f"Patient/{pid}/_history").json()["entry"]
    assert [e["request"]["method"] for e in entries] == ["DELETE", "PUT"]
    assert "resource" not in entries[0]
    # Deleting again changes nothing; a stale If-Match on delete is refused.
    assert fhir.delete(f"Patient/{pid}").headers["ETag"] == 'W/"2"'
    assert fhir.delete(f"Patient/{pid}", headers={"If-Match": 'W/"1"'}).status_code == 412


def test_a_put_after_delete_brings_the_resource_back_as_a_new_version(
    fhir: FhirSession,
) -> None:
    pid = new_id()
    fhir.put(f"Patient/{pid}", patient(pid))
    fhir.delete(f"Patient/{pid}")
    back = fhir.put(f"Patient/{pid}", patient(pid), if_match='W/"2"')
    assert back.status_code == 201
    assert back.headers["ETag"] == 'W/"3"'


def test_delete_of_an_unknown_resource_succeeds_without_a_version(fhir: FhirSession) -> None:
    response = fhir.delete(f"Patient/{new_id()}")
    assert response.status_code == 200
    assert "ETag" not in response.headers


def test_post_creates_with_a_server_assigned_id(fhir: FhirSession) -> None:
    response = fhir.post("Practitioner", {"resourceType": "Practitioner", "active": True})
    assert response.status_code == 201
    created = response.json()
    assert fhir.get(f"Practitioner/{created['id']}").json() == created


def test_unknown_types_endpoints_and_versions_are_404_with_an_outcome(
    fhir: FhirSession,
) -> None:
    assert fhir.get(f"Medication/{new_id()}").status_code == 404
    assert fhir.get(f"Patient/{new_id()}").status_code == 404
    assert fhir.get("Patient/x/_history/abc").status_code == 404
    assert fhir.get("Patient/x/y/z/w").status_code == 404
    search = fhir.get("Patient")
    assert search.status_code == 400
    assert search.json()["issue"][0]["code"] == "not-supported"


def test_every_served_type_round_trips(fhir: FhirSession) -> None:
    pid, sid = new_id(), new_id()
    resources = [
        patient(pid),
        {"resourceType": "Practitioner", "id": new_id(), "name": [{"family": "Doc"}]},
        {"resourceType": "PractitionerRole", "id": new_id(), "active": True},
        {
            "resourceType": "Encounter",
            "id": new_id(),
            "status": "finished",
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
            "subject": {"reference": f"Patient/{pid}"},
        },
        {
            "resourceType": "Condition",
            "id": new_id(),
            "subject": {"reference": f"Patient/{pid}"},
            "code": {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "J06.9"}]},
        },
        {
            "resourceType": "Procedure",
            "id": new_id(),
            "status": "completed",
            "subject": {"reference": f"Patient/{pid}"},
        },
        {
            "resourceType": "Observation",
            "id": new_id(),
            "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
            "subject": {"reference": f"Patient/{pid}"},
            "valueQuantity": {"value": 72, "unit": "/min", "system": "http://unitsofmeasure.org"},
        },
        {
            "resourceType": "DocumentReference",
            "id": new_id(),
            "status": "current",
            "content": [{"attachment": {"contentType": "image/png", "url": "Binary/x"}}],
        },
        {
            "resourceType": "DiagnosticReport",
            "id": new_id(),
            "status": "final",
            "code": {"text": "AI analysis"},
        },
        {"resourceType": "Schedule", "id": sid, "actor": [{"reference": f"Patient/{pid}"}]},
        {
            "resourceType": "Slot",
            "id": new_id(),
            "schedule": {"reference": f"Schedule/{sid}"},
            "status": "free",
            "start": "2026-01-01T09:00:00Z",
            "end": "2026-01-01T09:15:00Z",
        },
        {
            "resourceType": "Appointment",
            "id": new_id(),
            "status": "proposed",
            "participant": [{"actor": {"reference": f"Patient/{pid}"}, "status": "accepted"}],
        },
        {
            "resourceType": "CodeSystem",
            "id": new_id(),
            "status": "active",
            "content": "complete",
            "version": "2026",
        },
        {
            "resourceType": "AuditEvent",
            "id": new_id(),
            "type": {"code": "rest"},
            "recorded": "2026-01-01T09:00:00Z",
            "agent": [{"requestor": True}],
            "source": {"observer": {"display": "ws-1"}},
        },
    ]
    for resource in resources:
        path = f"{resource['resourceType']}/{resource['id']}"
        stored = fhir.put(path, resource)
        assert stored.status_code == 201, stored.text
        read = fhir.get(path).json()
        read.pop("meta")
        assert read == resource
