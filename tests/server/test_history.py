"""_history: newest first, paged by cursor, every version exactly once."""

from __future__ import annotations

from typing import Any

import pytest

from tests.server.fhir_session import FhirSession, new_id, patient, put_entry

Version = tuple[str, str, str]  # (type, id, versionId)


def _pages(fhir: FhirSession, path: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Follows `next` links; returns (bundles, entries)."""
    bundles: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    url: str | None = path
    while url:
        response = fhir.get(url)
        assert response.status_code == 200, response.text
        bundle = response.json()
        assert bundle["type"] == "history"
        bundles.append(bundle)
        entries.extend(bundle.get("entry", []))
        url = next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None)
    return bundles, entries


def _version(entry: dict[str, Any]) -> Version:
    resource_type, resource_id = entry["fullUrl"].rsplit("/", 2)[-2:]
    return resource_type, resource_id, entry["response"]["etag"][3:-1]


def _write_versions(fhir: FhirSession, tag: str) -> tuple[str, set[Version]]:
    """Three transactions: 40 creates, then 40 updates, then 20 deletes: 100 versions."""
    start = fhir.get("_history?_count=1").json()["meta"]["lastUpdated"]
    ids = [new_id() for _ in range(40)]
    expected: set[Version] = set()
    fhir.transaction([put_entry(patient(pid, tag)) for pid in ids])
    expected |= {("Patient", pid, "1") for pid in ids}
    fhir.transaction([put_entry(patient(pid, f"{tag}-2"), 'W/"1"') for pid in ids])
    expected |= {("Patient", pid, "2") for pid in ids}
    deletes = [{"request": {"method": "DELETE", "url": f"Patient/{pid}"}} for pid in ids[:20]]
    fhir.transaction(deletes)
    expected |= {("Patient", pid, "3") for pid in ids[:20]}
    return start, expected


@pytest.mark.parametrize("count", [1, 7, 100])
def test_paging_returns_every_version_once_newest_first(fhir: FhirSession, count: int) -> None:
    start, expected = _write_versions(fhir, f"paging{count}")
    bundles, entries = _pages(fhir, f"Patient/_history?_since={start}&_count={count}")
    seen = [_version(e) for e in entries]
    mine = [v for v in seen if v in expected]
    assert len(mine) == len(set(mine)), "a version came twice"
    assert set(mine) == expected, "a version is missing"
    stamps = [e["response"]["lastModified"] for e in entries]
    assert stamps == sorted(stamps, reverse=True)
    assert all(len(b.get("entry", [])) <= count for b in bundles)
    # Every page reports the same snapshot: the safe _since of the next pull.
    assert len({b["meta"]["lastUpdated"] for b in bundles}) == 1


def test_a_coarse_since_and_small_pages_list_a_whole_transaction_exactly_once(
    fhir: FhirSession,
) -> None:
    # Whatever instants the versions carry, paging is by change sequence, never by time.
    ids = [new_id() for _ in range(60)]
    fhir.transaction([put_entry(patient(pid, "one-bundle")) for pid in ids])
    stamp = fhir.get(f"Patient/{ids[0]}").json()["meta"]["lastUpdated"]
    whole_second = stamp[:19] + "Z"
    _, entries = _pages(fhir, f"_history?_since={whole_second}&_count=7")
    mine = [_version(e) for e in entries if _version(e)[1] in set(ids)]
    assert sorted(mine) == sorted(("Patient", pid, "1") for pid in ids)


def test_since_the_last_lastupdated_seen_brings_back_only_that_version(
    fhir: FhirSession,
) -> None:
    ids = [new_id() for _ in range(20)]
    fhir.transaction([put_entry(patient(pid, "boundary")) for pid in ids])
    newest = fhir.get("_history?_count=1").json()
    last_seen = newest["entry"][0]["response"]["lastModified"]
    assert newest["meta"]["lastUpdated"] == last_seen
    again = fhir.get(f"_history?_since={last_seen}").json()
    assert [_version(e) for e in again["entry"]] == [_version(newest["entry"][0])]


def test_changes_made_while_paging_wait_for_the_next_pull(fhir: FhirSession) -> None:
    start, expected = _write_versions(fhir, "moving")
    first = fhir.get(f"Patient/_history?_since={start}&_count=10").json()
    late = new_id()
    fhir.put(f"Patient/{late}", patient(late))
    _, rest = _pages(fhir, next(x["url"] for x in first["link"] if x["relation"] == "next"))
    snapshot = {_version(e) for e in first["entry"] + rest}
    assert expected <= snapshot
    assert ("Patient", late, "1") not in snapshot
    # The next pull starts at the snapshot's lastUpdated and finds the late change.
    _, following = _pages(fhir, f"Patient/_history?_since={first['meta']['lastUpdated']}")
    assert ("Patient", late, "1") in {_version(e) for e in following}


def test_system_history_includes_every_type(fhir: FhirSession) -> None:
    start = fhir.get("_history?_count=1").json()["meta"]["lastUpdated"]
    pid, practitioner = new_id(), new_id()
    fhir.put(f"Patient/{pid}", patient(pid))
    fhir.put(f"Practitioner/{practitioner}", {"resourceType": "Practitioner", "id": practitioner})
    _, entries = _pages(fhir, f"_history?_since={start}")
    found = {_version(e) for e in entries}
    assert {("Patient", pid, "1"), ("Practitioner", practitioner, "1")} <= found
    entry = next(e for e in entries if _version(e) == ("Patient", pid, "1"))
    assert entry["request"] == {"method": "PUT", "url": f"Patient/{pid}"}
    assert entry["response"]["status"] == "201 Created"
    assert entry["resource"]["id"] == pid


def test_instance_history_lists_every_version_with_the_tombstone(fhir: FhirSession) -> None:
    pid = new_id()
    fhir.put(f"Patient/{pid}", patient(pid))
    for version in range(1, 5):
        fhir.put(f"Patient/{pid}", patient(pid, f"v{version + 1}"), if_match=f'W/"{version}"')
    fhir.delete(f"Patient/{pid}")
    _, entries = _pages(fhir, f"Patient/{pid}/_history?_count=2")
    assert [_version(e)[2] for e in entries] == ["6", "5", "4", "3", "2", "1"]
    assert entries[0]["request"]["method"] == "DELETE"
    assert entries[0]["response"]["status"] == "204 No Content"


@pytest.mark.parametrize(
    "query",
    ["_since=yesterday", "_since=2026-01-01T10:00:00", "_count=0", "_count=-3", "_cursor=bm9wZQ"],
)
def test_bad_history_parameters_are_400(fhir: FhirSession, query: str) -> None:
    response = fhir.get(f"_history?{query}")
    assert response.status_code == 400
    assert response.json()["resourceType"] == "OperationOutcome"


def test_since_accepts_an_offset_and_a_date(fhir: FhirSession) -> None:
    assert fhir.get("_history?_since=2026-01-01T10:00:00%2B02:00&_count=1").status_code == 200
    assert fhir.get("_history?_since=2026-01-01&_count=1").status_code == 200


def test_history_pages_are_gzipped_for_clients_that_accept_it(fhir: FhirSession) -> None:
    ids = [new_id() for _ in range(30)]
    fhir.transaction([put_entry(patient(pid, "compressible")) for pid in ids])
    response = fhir.get("Patient/_history?_count=30", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert len(response.json()["entry"]) == 30
