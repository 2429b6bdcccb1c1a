"""Hostile or broken requests: 4xx with an OperationOutcome, nothing stored, the server stays up."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.server.conftest import LiveServer
from tests.server.fhir_session import FHIR_JSON, FhirSession, new_id, patient

PID = "b0a1d2c3-0000-4000-8000-000000000001"  # each case uses its own id below


def _nested(depth: int) -> dict[str, Any]:
    extension: dict[str, Any] = {"url": "urn:x", "valueString": "leaf"}
    for _ in range(depth):
        extension = {"url": "urn:x", "extension": [extension]}
    return extension


def _bodies(pid: str) -> list[tuple[str, bytes, int, str]]:
    """(case, body, status, issue code) for PUT Patient/{pid}."""
    good = patient(pid)
    return [
        ("truncated JSON", b'{"resourceType": "Patient", "id": ', 400, "structure"),
        (
            "not UTF-8",
            b'{"resourceType":"Patient","id":"' + pid.encode() + b'","x":"\xff"}',
            400,
            "structure",
        ),
        ("a JSON array", b"[1, 2, 3]", 400, "structure"),
        ("an empty body", b"", 400, "structure"),
        (
            "a duplicate property",
            b'{"resourceType":"Patient","id":"' + pid.encode() + b'","id":"x"}',
            400,
            "structure",
        ),
        (
            "NaN",
            json.dumps({**good, "multipleBirthInteger": float("nan")}).encode(),
            400,
            "structure",
        ),
        (
            "another type than the URL",
            json.dumps({**good, "resourceType": "Practitioner"}).encode(),
            400,
            "invalid",
        ),
        (
            "a type the server does not hold",
            json.dumps({**good, "resourceType": "Medication"}).encode(),
            400,
            "invalid",
        ),
        ("no resourceType", json.dumps({"id": pid}).encode(), 400, "structure"),
        (
            "another id than the URL",
            json.dumps({**good, "id": "someone-else"}).encode(),
            400,
            "invalid",
        ),
        (
            "no id",
            json.dumps({k: v for k, v in good.items() if k != "id"}).encode(),
            400,
            "invalid",
        ),
        ("an unknown element", json.dumps({**good, "shoeSize": 44}).encode(), 400, "structure"),
        (
            "a malformed date",
            json.dumps({**good, "birthDate": "31/12/1980"}).encode(),
            400,
            "structure",
        ),
        (
            "a wrong element type",
            json.dumps({**good, "name": "Jane Doe"}).encode(),
            400,
            "structure",
        ),
        (
            "extensions nested 300 deep",
            json.dumps({**good, "extension": [_nested(300)]}).encode(),
            400,
            "structure",
        ),
        (
            "arrays nested 5000 deep",
            b'{"resourceType":"Patient","x":' + b"[" * 5000 + b"]" * 5000 + b"}",
            400,
            "structure",
        ),
        ("meta not an object", json.dumps({**good, "meta": "v1"}).encode(), 400, "structure"),
    ]


@pytest.mark.parametrize("case", [case for case, *_ in _bodies(PID)])
def test_a_broken_resource_is_refused_and_nothing_is_stored(fhir: FhirSession, case: str) -> None:
    pid = new_id()
    _, body, status, code = next(item for item in _bodies(pid) if item[0] == case)
    response = fhir.put(f"Patient/{pid}", data=body, headers={"Content-Type": FHIR_JSON})
    assert response.status_code == status, response.text
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["code"] == code
    assert fhir.get(f"Patient/{pid}").status_code == 404


def test_errors_and_logs_never_echo_submitted_values(
    fhir: FhirSession, live_server: LiveServer
) -> None:
    pid, slot = new_id(), new_id()
    secret = {**patient(pid, "Zebediah-Secretname"), "birthDate": "Zebediah-not-a-date"}
    response = fhir.put(f"Patient/{pid}", secret)
    assert response.status_code == 400
    assert "Zebediah" not in response.text
    assert "Patient.birthDate" in response.text
    booked = {
        "resourceType": "Appointment",
        "status": "booked",
        "description": "Zebediah-Secretname",
        "slot": [{"reference": f"Slot/{slot}"}],
        "participant": [{"status": "accepted", "actor": {"display": "Zebediah-Secretname"}}],
    }
    for aid in (new_id(), new_id()):
        fhir.put(f"Appointment/{aid}", {**booked, "id": aid})  # the second one is a 409
    assert "Zebediah" not in live_server.process.log()


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Content-Type": "application/fhir+xml"}, 415),
        ({"Content-Type": FHIR_JSON, "Content-Encoding": "br"}, 415),
        ({"Content-Type": FHIR_JSON, "Content-Encoding": "gzip"}, 400),  # not actually gzip
        ({"Content-Type": FHIR_JSON, "If-Match": "version one"}, 400),
    ],
)
def test_bad_headers_are_refused(fhir: FhirSession, headers: dict[str, str], status: int) -> None:
    pid = new_id()
    response = fhir.put(f"Patient/{pid}", data=json.dumps(patient(pid)), headers=headers)
    assert response.status_code == status, response.text
    assert fhir.get(f"Patient/{pid}").status_code == 404


@pytest.mark.parametrize("resource_id", ["a" * 65, "has space", "semi;colon", "ünïcode"])
def test_ids_outside_the_fhir_id_syntax_are_refused(fhir: FhirSession, resource_id: str) -> None:
    response = fhir.put(f"Patient/{resource_id}", patient(resource_id))
    assert response.status_code == 400


def test_many_bad_requests_in_a_row_leave_the_server_serving(fhir: FhirSession) -> None:
    garbage: list[Any] = [b"{", b"\x00\x01", b"null", b'"text"', b"{}" * 1000, b"[" * 5000]
    for body in garbage * 5:
        response = fhir.post("", body, headers={"Content-Type": FHIR_JSON})
        assert 400 <= response.status_code < 500
    pid = new_id()
    assert fhir.put(f"Patient/{pid}", patient(pid)).status_code == 201


def test_wrong_methods_are_refused_with_an_outcome(fhir: FhirSession) -> None:
    response = fhir.http.patch(fhir.url(f"Patient/{new_id()}"), data="{}", timeout=30)
    assert response.status_code == 405
    assert response.json()["resourceType"] == "OperationOutcome"
