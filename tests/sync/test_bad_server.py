"""A server that answers nonsense: every case is a clear error (or, for one bad record in a
good page, a held record), nothing half-applied, nothing lost from the outbox, and the pull
cursor stays where it was."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from clinic_app.security.permissions import Role
from clinic_app.sync.client import RetryPolicy
from clinic_app.sync.errors import BadResponseError
from sqlalchemy import text

from tests.sync.bad_server import EMPTY_HISTORY, BadServer, fhir
from tests.sync.clinic_data import patient, seed_clinic
from tests.sync.conftest import WorkstationFactory
from tests.sync.workstation import Workstation

ONE_TRY = RetryPolicy(attempts=1)


def _patient(resource_id: str, **changes: object) -> dict[str, object]:
    patient = {
        "resourceType": "Patient",
        "id": resource_id,
        "meta": {"versionId": "1", "lastUpdated": "2026-01-02T03:04:05.000000Z"},
        "name": [{"family": "Curie", "given": ["Marie"]}],
        "gender": "female",
        "birthDate": "1967-11-07",
    }
    patient.update(changes)
    return patient


def _history(*entries: dict[str, object]) -> dict[str, object]:
    return {**EMPTY_HISTORY, "entry": [{"resource": e} for e in entries]}


@pytest.fixture
def bad_server() -> Iterator[BadServer]:
    server = BadServer()
    yield server
    server.stop()


def _station(workstation: WorkstationFactory, server: BadServer) -> Workstation:
    station = workstation("ws-bad", None, url=server.url, retry=ONE_TRY)
    seed_clinic(station.services, station.users)
    return station


BAD_PAGES = [
    ("not json", (200, {"Content-Type": "application/fhir+json"}, b"{not json"), "valid JSON"),
    ("not a bundle", fhir({"resourceType": "Patient", "id": "x"}), "history Bundle"),
    ("entry not a list", fhir({**EMPTY_HISTORY, "entry": {"a": 1}}), "malformed"),
    (
        "no versionId",
        fhir(_history({**_patient("p1"), "meta": {"lastUpdated": "2026-01-02T03:04:05Z"}})),
        "versionId",
    ),
    (
        "bad lastUpdated",
        fhir(_history({**_patient("p1"), "meta": {"versionId": "1", "lastUpdated": "yesterday"}})),
        "lastUpdated",
    ),
    (
        "resource not an object",
        fhir({**EMPTY_HISTORY, "entry": [{"resource": "Patient/1"}]}),
        "not an object",
    ),
    (
        "declared huge",
        (200, {"Content-Type": "application/fhir+json", "Content-Length": str(10**9)}, b""),
        "larger",
    ),
    (
        "next link elsewhere",
        fhir(
            {
                **EMPTY_HISTORY,
                "link": [{"relation": "next", "url": "http://evil.example/steal?x=1"}],
            }
        ),
        "outside",
    ),
]


@pytest.mark.parametrize(("label", "answer", "message"), BAD_PAGES, ids=[b[0] for b in BAD_PAGES])
def test_a_bad_history_page_is_a_clear_error_and_changes_nothing(
    workstation: WorkstationFactory,
    bad_server: BadServer,
    label: str,
    answer: object,
    message: str,
) -> None:
    bad_server.routes[("GET", "/fhir/_history")] = answer  # type: ignore[assignment]
    station = _station(workstation, bad_server)
    before = (station.outbox(), station.content())
    with pytest.raises(BadResponseError) as caught:
        station.sync_now()
    assert message in str(caught.value)
    assert (station.outbox(), station.content()) == before
    status = station.sync.status(None)
    assert status.last_error
    assert status.last_success_at is None


def test_a_streamed_body_past_the_limit_is_refused(
    workstation: WorkstationFactory, bad_server: BadServer
) -> None:
    def endless() -> Iterator[bytes]:
        yield b'{"resourceType":"Bundle","type":"history","entry":['
        for _ in range(2000):
            yield b'{"resource":{"resourceType":"Patient"}},' * 50

    bad_server.routes[("GET", "/fhir/_history")] = (
        200,
        {"Content-Type": "application/fhir+json"},
        endless,
    )
    station = _station(workstation, bad_server)
    station.sync._client_factory = _small_limit(station)
    with pytest.raises(BadResponseError, match="larger"):
        station.sync_now()


def _small_limit(station: Workstation) -> object:
    original = station.sync._client

    def factory(settings: object, token: str) -> object:
        client = original(settings, token)  # type: ignore[arg-type]
        client.max_json_bytes = 1024 * 1024
        return client

    return factory


def test_one_bad_record_in_a_good_page_is_held_and_the_rest_applied(
    workstation: WorkstationFactory, bad_server: BadServer
) -> None:
    good = _patient("good-1")
    bad = _patient("bad-1", gender=5, birthDate="not a date")
    bad_server.routes[("GET", "/fhir/_history")] = fhir(_history(good, bad))
    station = workstation("ws-bad", None, url=bad_server.url, retry=ONE_TRY)
    station.sync_now()  # nothing local to push: no transaction is sent
    patients = station.content()["patients"]
    assert "good-1" in patients
    assert "bad-1" not in patients
    [held] = station.held()
    assert (held.entity_id, held.direction) == ("bad-1", "pull")
    assert "gender" in held.message
    items = station.sync.quarantined(station.users[Role.FRONT_DESK])
    assert items[0].resource is not None
    fixed = {**items[0].resource, "gender": "female", "birthDate": "1967-11-07"}
    assert station.sync.retry_quarantined(
        station.users[Role.FRONT_DESK], items[0].id, resource=fixed
    )
    assert "bad-1" in station.content()["patients"]
    assert not station.held()


def test_a_transaction_answer_that_lies_stamps_nothing_and_keeps_the_outbox(
    workstation: WorkstationFactory, bad_server: BadServer
) -> None:
    bad_server.routes[("GET", "/fhir/_history")] = fhir(EMPTY_HISTORY)
    bad_server.routes[("POST", "/fhir")] = fhir(
        {
            "resourceType": "Bundle",
            "type": "transaction-response",
            "entry": [{"response": {"status": "200 OK", "etag": 'W/"1"'}}],
        }
    )
    station = _station(workstation, bad_server)
    before = station.sync.status(None).pending_changes
    with pytest.raises(BadResponseError, match="entry count"):
        station.sync_now()
    assert station.sync.status(None).pending_changes == before
    with station.db.unit_of_work(write=False) as uow:
        stamped = uow.session.execute(
            text("SELECT count(*) FROM patients WHERE version_id IS NOT NULL")
        ).scalar()
    assert stamped == 0


def test_a_record_refused_twice_with_409_is_held_with_the_servers_reason(
    workstation: WorkstationFactory, bad_server: BadServer
) -> None:
    outcome = {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "error",
                "code": "conflict",
                "diagnostics": "Unable to delete: other resources reference it",
            }
        ],
    }
    bad_server.routes[("GET", "/fhir/_history")] = fhir(EMPTY_HISTORY)
    bad_server.routes[("POST", "/fhir")] = fhir(outcome, 409)
    station = workstation("ws-bad", None, url=bad_server.url, retry=ONE_TRY)
    desk = station.users[Role.FRONT_DESK]
    station.services.patients.create(desk, patient("Ada", "Held", "1985-12-10"))
    station.sync_now()
    [held] = station.sync.quarantined(desk)
    assert held.status_code == 409
    assert held.message == "Unable to delete: other resources reference it"
    assert station.sync.status(None).pending_changes == 1  # held, not dropped
    posts = [path for method, path in bad_server.seen if method == "POST"]
    assert len(posts) == 2  # once, and once more after a moment
