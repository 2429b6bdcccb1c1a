"""Sync server: ingest rate of transaction bundles vs plain SQLAlchemy inserts, pull speed, and
bytes on the wire per record, on SQLite and PostgreSQL.

    .venv/bin/python tests/benchmarks/bench_server.py [--patients 2500] [--bundle 250]

For each engine: a fresh database and a real `clinic-server` process on loopback; a workload of
patients, each with one encounter and two vital-sign observations (4 resources), pushed as
gzip-encoded transaction bundles (the way a workstation pushes its outbox); then the same rows
inserted through SQLAlchemy into a plain table of the same database (one executemany per bundle,
one transaction per bundle) as the baseline; then a full `_history` pull (gzip and identity)
and an incremental pull of 100 changes. PostgreSQL runs in a throwaway database on the local
cluster (or $CLINIC_TEST_POSTGRES_URL). Not part of the test suite (pytest ignores this folder).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from clinic_app.server.database import make_engine
from clinic_app.server.devices import DeviceRegistry
from clinic_app.server.migrate import upgrade
from fhir.resources.R4B import get_fhir_model_class
from sqlalchemy import Column, MetaData, String, Table, Text, insert

# The server tests' helpers (a server process, a throwaway PostgreSQL database).
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.server.postgres import throwaway_database
from tests.server.server_process import start_server

FHIR_JSON = "application/fhir+json"


def workload(patients: int) -> Iterator[dict[str, Any]]:
    for number in range(patients):
        pid, eid = str(uuid.uuid4()), str(uuid.uuid4())
        yield {
            "resourceType": "Patient",
            "id": pid,
            "identifier": [{"system": "urn:clinic:mrn", "value": f"MRN{number:07d}"}],
            "name": [{"family": f"Family{number % 997}", "given": [f"Given{number % 113}"]}],
            "gender": ("female", "male")[number % 2],
            "birthDate": f"19{50 + number % 50}-0{1 + number % 9}-1{number % 9}",
            "telecom": [{"system": "phone", "value": f"+1555{number:07d}"}],
        }
        yield {
            "resourceType": "Encounter",
            "id": eid,
            "status": "finished",
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
            "subject": {"reference": f"Patient/{pid}"},
            "period": {"start": "2026-03-01T09:00:00Z", "end": "2026-03-01T09:20:00Z"},
        }
        for code, unit, value in (("8867-4", "/min", 60 + number % 40), ("8310-5", "Cel", 36.6)):
            yield {
                "resourceType": "Observation",
                "id": str(uuid.uuid4()),
                "status": "final",
                "category": [
                    {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                "code": "vital-signs",
                            }
                        ]
                    }
                ],
                "code": {"coding": [{"system": "http://loinc.org", "code": code}]},
                "subject": {"reference": f"Patient/{pid}"},
                "encounter": {"reference": f"Encounter/{eid}"},
                "effectiveDateTime": "2026-03-01T09:05:00Z",
                "valueQuantity": {
                    "value": value,
                    "unit": unit,
                    "system": "http://unitsofmeasure.org",
                    "code": unit,
                },
            }


def batches(resources: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(resources), size):
        yield resources[start : start + size]


def bundle_of(resources: list[dict[str, Any]]) -> dict[str, Any]:
    entries = [
        {
            "fullUrl": f"urn:uuid:{r['id']}",
            "resource": r,
            "request": {"method": "PUT", "url": f"{r['resourceType']}/{r['id']}"},
        }
        for r in resources
    ]
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}


@dataclass
class Wire:
    requests: int = 0
    sent: int = 0
    received: int = 0
    received_identity: int = 0


def get_raw(session: requests.Session, url: str, gzip_ok: bool) -> tuple[dict[str, Any], int]:
    """A GET whose body size is counted as it crossed the wire."""
    headers = {"Accept-Encoding": "gzip" if gzip_ok else "identity"}
    with session.get(url, headers=headers, stream=True, timeout=300) as response:
        raw = response.raw.read(decode_content=False)
        response.raise_for_status()
        encoded = response.headers.get("Content-Encoding") == "gzip"
    return json.loads(gzip.decompress(raw) if encoded else raw), len(raw)


def push(session: requests.Session, url: str, resources: list[dict[str, Any]], size: int) -> Wire:
    wire = Wire()
    for batch in batches(resources, size):
        body = gzip.compress(json.dumps(bundle_of(batch)).encode(), compresslevel=6)
        with session.post(
            f"{url}/",
            data=body,
            headers={"Content-Type": FHIR_JSON, "Content-Encoding": "gzip"},
            stream=True,
            timeout=300,
        ) as response:
            raw = response.raw.read(decode_content=False)
            if response.status_code != 200:
                raise SystemExit(f"push failed: {response.status_code} {raw[:300]!r}")
        wire.requests += 1
        wire.sent += len(body)
        wire.received += len(raw)
    return wire


def pull(session: requests.Session, url: str, since: str | None, gzip_ok: bool) -> tuple[int, int]:
    """Follows _history pages; returns (entries, body bytes on the wire)."""
    query = f"_since={since}&_count=1000" if since else "_count=1000"
    next_url: str | None = f"{url}/_history?{query}"
    entries = size = 0
    while next_url:
        page, wire = get_raw(session, next_url, gzip_ok)
        entries += len(page.get("entry", []))
        size += wire
        next_url = next((x["url"] for x in page["link"] if x["relation"] == "next"), None)
    return entries, size


def plain_inserts(db_url: str, resources: list[dict[str, Any]], size: int) -> float:
    """The same rows through SQLAlchemy into a plain table: the floor the server compares to."""
    metadata = MetaData()
    table = Table(
        "bench_plain",
        metadata,
        Column("resource_type", String(64), primary_key=True),
        Column("resource_id", String(64), primary_key=True),
        Column("body", Text, nullable=False),
    )
    engine = make_engine(db_url)
    metadata.create_all(engine)
    started = time.perf_counter()
    for batch in batches(resources, size):
        rows = [
            {"resource_type": r["resourceType"], "resource_id": r["id"], "body": json.dumps(r)}
            for r in batch
        ]
        with engine.begin() as connection:
            connection.execute(insert(table), rows)
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def validation_rate(resources: list[dict[str, Any]]) -> float:
    """fhir.resources R4B validation alone, in this process: the share the server's check costs."""
    started = time.perf_counter()
    for resource in resources:
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return len(resources) / (time.perf_counter() - started)


def run_backend(name: str, db_url: str, patients: int, size: int, work: Path) -> dict[str, Any]:
    engine = make_engine(db_url)
    upgrade(engine)
    token = DeviceRegistry(engine).add("bench").token
    engine.dispose()
    server = start_server(db_url, work, "--no-access-log", "--rate", "100000", "--burst", "100000")
    try:
        session = requests.Session()
        session.headers.update({"Authorization": f"Bearer {token}", "Accept": FHIR_JSON})
        resources = list(workload(patients))
        started = time.perf_counter()
        wire = push(session, server.url, resources, size)
        ingest = time.perf_counter() - started
        plain = plain_inserts(db_url, resources, size)
        started = time.perf_counter()
        pulled, pulled_gzip = pull(session, server.url, None, gzip_ok=True)
        full_pull = time.perf_counter() - started
        _, pulled_identity = pull(session, server.url, None, gzip_ok=False)
        mark = get_raw(session, f"{server.url}/_history?_count=1", True)[0]["meta"]["lastUpdated"]
        changes = [dict(r, active=False) for r in resources[:400:4]]  # 100 patients edited
        push(session, server.url, changes, 100)
        started = time.perf_counter()
        incremental, incremental_bytes = pull(session, server.url, mark, gzip_ok=True)
        incremental_pull = time.perf_counter() - started
    finally:
        server.stop()
    count = len(resources)
    return {
        "engine": name,
        "resources": count,
        "ingest_s": ingest,
        "ingest_per_s": count / ingest,
        "plain_per_s": count / plain,
        "validation_per_s": validation_rate(resources),
        "push_bytes_per_record_gzip": wire.sent / count,
        "push_answer_bytes_per_record_gzip": wire.received / count,
        "pull_entries": pulled,
        "pull_s": full_pull,
        "pull_bytes_per_record_gzip": pulled_gzip / pulled,
        "pull_bytes_per_record_identity": pulled_identity / pulled,
        "incremental_entries": incremental,
        "incremental_s": incremental_pull,
        "incremental_bytes_gzip": incremental_bytes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=2500)
    parser.add_argument("--bundle", type=int, default=250)
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    results = []
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        for name in args.engines.split(","):
            if name == "sqlite":
                db_url = f"sqlite:///{work / 'bench.db'}"
            else:
                db_url = stack.enter_context(throwaway_database())
            results.append(run_backend(name, db_url, args.patients, args.bundle, work))
    for result in results:
        print(
            f"\n== {result['engine']}: {result['resources']} resources "
            f"({args.patients} patients x 4), bundles of {args.bundle}"
        )
        print(
            f"ingest, transaction bundles  {result['ingest_per_s']:9.0f} resources/s "
            f"({result['ingest_s']:.1f} s)"
        )
        print(
            f"plain SQLAlchemy inserts     {result['plain_per_s']:9.0f} resources/s "
            f"(server at {100 * result['ingest_per_s'] / result['plain_per_s']:.0f}% of it)"
        )
        print(f"R4B validation alone         {result['validation_per_s']:9.0f} resources/s")
        print(
            f"push, bytes/record (gzip)    {result['push_bytes_per_record_gzip']:9.1f} sent, "
            f"{result['push_answer_bytes_per_record_gzip']:.1f} received"
        )
        print(
            f"full pull                    {result['pull_entries']} versions in "
            f"{result['pull_s']:.2f} s; bytes/record {result['pull_bytes_per_record_gzip']:.1f} "
            f"gzip, {result['pull_bytes_per_record_identity']:.1f} identity"
        )
        print(
            f"incremental pull (100 edits) {result['incremental_entries']} versions in "
            f"{result['incremental_s'] * 1000:.0f} ms, {result['incremental_bytes_gzip']} bytes"
        )


if __name__ == "__main__":
    main()
