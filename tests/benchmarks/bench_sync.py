"""Sync benchmark: initial sync of a busy clinic onto an empty workstation, and incremental syncs.

    .venv/bin/python tests/benchmarks/bench_sync.py [--scale 1.0] [--db sqlite|postgres|both]
        [--patients 10000] [--visits 50000] [--changes 100] [--model-pack-mb 0] [--json]

For each database: the reference server (`python -m clinic_app.server`) starts in a child
process on loopback with a fresh database (SQLite file, or a throwaway PostgreSQL database on
the local cluster / $CLINIC_TEST_POSTGRES_URL). A loader device sends `--patients` patients and
`--visits` visits, each with one vital-signs Observation, as transaction bundles of 1,000
entries, made by the sync mappings from synthetic rows (server ingest rate reported). Then:

- initial: a new encrypted workstation store (raw-key SQLCipher, in-memory keyring) pulls
  everything: `SyncService.sync_now`, wall time, requests, bytes on the wire (gzip) per record;
- incremental pull: the loader changes `--changes` patients on the server; the workstation
  syncs them in;
- incremental push: `--changes` patients edited on the workstation through PatientService;
  the workstation sends them.

- model pack (`--model-pack-mb N` > 0): an IT-signed pack with an N MB model file is
  published (Binary uploads + release), then the workstation's next sync fetches, checks,
  verifies the signature and installs it; the baseline, measured in the same run, is plain
  streaming GETs of the same Binaries to files with SHA-256 (what any download costs): the
  ratio is the price of verification and installation.

Goals: initial ≤ 60 s, incremental ≤ 2 s. `--scale 0.1` runs a tenth of the data (say so when
you report it). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import secrets
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from clinic_app.bootstrap import Services, initialise  # noqa: E402
from clinic_app.patients.models import PatientInput  # noqa: E402
from clinic_app.security.permissions import Role  # noqa: E402
from clinic_app.settings import Settings  # noqa: E402
from clinic_app.storage.keys import UnlockMode  # noqa: E402
from clinic_app.sync.client import FhirClient, RetryPolicy  # noqa: E402
from clinic_app.sync.mappings.registry import default_registry  # noqa: E402
from clinic_app.sync.service import SyncService  # noqa: E402
from tests.keyring_fake import install as install_memory_keyring  # noqa: E402
from tests.sync.server_process import ServerProcess  # noqa: E402

REGISTRY = default_registry()
BUNDLE = 1000
ADMIN = ("bench.admin", "bench-admin-2026-x")
DESK = ("bench.desk", "bench-desk-2026-x")
DOCTOR = ("bench.doctor", "bench-doctor-2026-x")
GIVEN = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "John", "Margaret")
FAMILY = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Backus")


def _patient_row(rng: random.Random, doctor: str) -> dict[str, Any]:
    n = rng.randrange(10**9)
    return {
        "id": str(uuid.uuid4()),
        "given_name": rng.choice(GIVEN),
        "family_name": f"{rng.choice(FAMILY)}-{n % 100_000}",
        "other_names": None,
        "sex": rng.choice(("female", "male")),
        "birth_date": date(1940, 1, 1) + timedelta(days=rng.randrange(30_000)),
        "phone": f"+33 6 {n % 100:02d} {n // 100 % 100:02d} {n // 10**4 % 100:02d} 00",
        "email": None,
        "address": f"{n % 200} rue de la Paix, Lyon",
        "mrn": f"MRN-{n}",
        "national_id": None,
        "primary_doctor_id": doctor,
        "allergies": "Penicillin" if n % 7 == 0 else None,
        "history_notes": None,
    }


def _visit_rows(
    rng: random.Random, patient_id: str, doctor: str, when: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    visit_id = str(uuid.uuid4())
    visit = {
        "id": visit_id,
        "patient_id": patient_id,
        "started_at": when,
        "clinician_id": doctor,
        "appointment_id": None,
        "status": "signed",
        "reason": "Follow-up",
        "symptoms": "cough, mild fever",
        "history_medical": None,
        "history_medication": None,
        "history_allergy": None,
        "examination": "Chest clear on auscultation.",
        "assessment": "Viral upper respiratory infection.",
        "plan": "Rest, fluids.",
        "signed_at": when + timedelta(minutes=20),
        "signed_by_id": doctor,
        "content_sha256": secrets.token_hex(32),
    }
    vitals = {
        "id": str(uuid.uuid4()),
        "visit_id": visit_id,
        "patient_id": patient_id,
        "measured_at": when + timedelta(minutes=5),
        "recorded_by_id": doctor,
        "temperature_c": round(rng.uniform(36.0, 39.0), 1),
        "pulse_bpm": rng.randrange(55, 110),
        "systolic_mmhg": rng.randrange(100, 160),
        "diastolic_mmhg": rng.randrange(60, 100),
        "respiratory_rate": rng.randrange(12, 22),
        "spo2_percent": rng.randrange(92, 100),
        "weight_kg": round(rng.uniform(50, 100), 1),
        "height_cm": round(rng.uniform(150, 195), 1),
        "bmi": None,
    }
    return visit, vitals


def _entry(table: str, row: dict[str, Any]) -> dict[str, Any]:
    mapping = REGISTRY.for_table(table)
    assert mapping is not None
    resource = mapping.to_resource(row)
    return {
        "fullUrl": f"{resource['resourceType']}/{row['id']}",
        "resource": resource,
        "request": {"method": "PUT", "url": f"{resource['resourceType']}/{row['id']}"},
    }


def _bundles(entries: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    batch: list[dict[str, Any]] = []
    for entry in entries:
        batch.append(entry)
        if len(batch) == BUNDLE:
            yield {"resourceType": "Bundle", "type": "transaction", "entry": batch}
            batch = []
    if batch:
        yield {"resourceType": "Bundle", "type": "transaction", "entry": batch}


def load_server(client: FhirClient, patients: int, visits: int, doctor: str) -> dict[str, Any]:
    rng = random.Random(2026)
    patient_rows = [_patient_row(rng, doctor) for _ in range(patients)]
    start = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)

    def entries() -> Iterator[dict[str, Any]]:
        for row in patient_rows:
            yield _entry("patients", row)
        for index in range(visits):
            patient = patient_rows[index % patients]["id"]
            visit, vitals = _visit_rows(rng, patient, doctor, start + timedelta(minutes=index))
            yield _entry("vital_signs", vitals)
            yield _entry("visits", visit)

    began = time.perf_counter()
    sent = 0
    for bundle in _bundles(entries()):
        client.transaction(bundle)
        sent += len(bundle["entry"])
    seconds = time.perf_counter() - began
    return {
        "resources": sent,
        "seconds": round(seconds, 2),
        "resources_per_second": round(sent / seconds),
        "patient_ids": [row["id"] for row in patient_rows],
        "patient_rows": patient_rows,
    }


def new_workstation(root: Path, name: str) -> tuple[Services, dict[str, Any]]:
    settings = Settings(data_dir=root / name / "data", workstation=name)
    services, _recovery = initialise(
        settings,
        mode=UnlockMode.KEYRING,
        passphrase=None,
        admin_username=ADMIN[0],
        admin_display_name="Bench Admin",
        admin_password=ADMIN[1],
    )
    admin = services.accounts.login(*ADMIN)
    services.accounts.add_user(admin, DESK[0], "Bench Desk", Role.FRONT_DESK, DESK[1])
    doctor = services.accounts.add_user(admin, DOCTOR[0], "Bench Doctor", Role.DOCTOR, DOCTOR[1])
    desk = services.accounts.login(*DESK)
    return services, {"admin": admin, "desk": desk, "doctor_id": doctor.id}


def _timed_sync(sync: SyncService) -> dict[str, Any]:
    began, began_cpu = time.perf_counter(), time.process_time()
    report = sync.sync_now(None)
    seconds = time.perf_counter() - began
    cpu = time.process_time() - began_cpu
    records = max(1, report.pulled + report.pushed)
    return {
        "seconds": round(seconds, 3),
        "cpu_seconds": round(cpu, 3),
        # `pulled` counts versions received: the changes, plus the few re-read because each
        # pull starts a little before the last one ended (see EngineOptions.overlap).
        "pulled": report.pulled,
        "applied": report.applied,
        "pushed": report.pushed,
        "requests": report.requests,
        "bytes_received": report.bytes_received,
        "bytes_sent": report.bytes_sent,
        "bytes_per_record": round((report.bytes_received + report.bytes_sent) / records),
    }


def model_pack(
    services: Services, admin: Any, server: ServerProcess, workdir: Path, megabytes: int
) -> dict[str, Any]:
    import hashlib

    import requests
    from clinic_app.imaging.model_registry import KEYS_DIR
    from clinic_app.security.signatures import (
        generate_private_key,
        public_key_base64,
        sign_manifest,
    )
    from tests.imaging.model_factory import write_pack

    key = generate_private_key()
    keys = services.settings.data_dir / KEYS_DIR
    keys.mkdir(parents=True, exist_ok=True)
    (keys / "it.pub").write_text(public_key_base64(key.public_key()) + "\n")
    folder = write_pack(workdir / "pack", name="bench-pack", version="1.0.0")
    model = os.urandom(megabytes * 1024 * 1024)
    (folder / "model.onnx").write_bytes(model)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["sha256"] = hashlib.sha256(model).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest))
    sign_manifest(folder, key)
    began = time.perf_counter()
    release = services.sync.publish_model_pack(admin, folder)
    published = time.perf_counter() - began
    began = time.perf_counter()
    report = services.sync.sync_now(None)
    installed = time.perf_counter() - began
    assert report.model_packs == 1, report
    token = server.add_device("bench-plain-reader")
    headers = {"Authorization": f"Bearer {token}"}
    document = requests.get(f"{server.url}/DocumentReference/{release}", headers=headers).json()
    began = time.perf_counter()
    for index, item in enumerate(document["content"]):
        digest = hashlib.sha256()
        url = f"{server.url}/{item['attachment']['url']}"
        with requests.get(url, headers=headers, stream=True, timeout=60) as answer:
            answer.raise_for_status()
            with (workdir / f"plain-{index}").open("wb") as handle:
                for chunk in answer.iter_content(256 * 1024):
                    digest.update(chunk)
                    handle.write(chunk)
    plain = time.perf_counter() - began
    return {
        "pack_mb": megabytes,
        "publish_seconds": round(published, 3),
        "fetch_verify_install_seconds": round(installed, 3),
        "plain_download_seconds": round(plain, 3),
        "ratio_vs_plain_download": round(installed / plain, 2),
    }


def run(
    db_url: str, workdir: Path, patients: int, visits: int, changes: int, pack_mb: int = 0
) -> dict[str, Any]:
    server = ServerProcess(
        db_url=db_url, workdir=workdir, extra_args=("--rate", "10000", "--burst", "10000")
    )
    server.start()
    try:
        loader_token = server.add_device("bench-loader")
        ws_token = server.add_device("bench-ws")
        services, users = new_workstation(workdir, "ws")
        doctor_id = users["doctor_id"]
        loader = FhirClient(server.url, loader_token, retry=RetryPolicy(attempts=3))
        loaded = load_server(loader, patients, visits, doctor_id)
        sync = services.sync
        sync.configure(users["admin"], url=server.url, token=ws_token, enabled=True)
        initial = _timed_sync(sync)
        # The server's side changes: the loader edits `changes` patients.
        rows = loaded["patient_rows"][:changes]
        edited = [replace_phone(row, index) for index, row in enumerate(rows)]
        for bundle in _bundles(iter(_versioned(loader, "patients", edited))):
            loader.transaction(bundle)
        pull = _timed_sync(sync)
        # This workstation's side changes: `changes` patients edited at the desk.
        desk = users["desk"]
        for patient_id in loaded["patient_ids"][changes : 2 * changes]:
            detail = services.patients.get(desk, patient_id)
            s = detail.summary
            data = PatientInput(
                given_name=s.given_name,
                family_name=s.family_name,
                sex=s.sex.value,
                birth_date=s.birth_date,
                phone="+33 1 23 45 67 89",
                address=detail.address or "",
                mrn=s.mrn or "",
                primary_doctor_id=s.primary_doctor_id or "",
            )
            services.patients.update(desk, patient_id, data, detail.version)
        push = _timed_sync(sync)
        figures = {
            "load": {k: v for k, v in loaded.items() if k not in ("patient_ids", "patient_rows")},
            "initial": initial,
            "incremental_pull": pull,
            "incremental_push": push,
        }
        if pack_mb > 0:
            figures["model_pack"] = model_pack(services, users["admin"], server, workdir, pack_mb)
        services.close()
        loader.close()
        return figures
    finally:
        server.kill()


def replace_phone(row: dict[str, Any], index: int) -> dict[str, Any]:
    return {**row, "phone": f"+44 20 7946 {index:04d}"}


def _versioned(
    client: FhirClient, table: str, rows: list[dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    for row in rows:
        entry = _entry(table, row)
        current = client.read(entry["resource"]["resourceType"], row["id"])
        assert current is not None
        entry["request"]["ifMatch"] = f'W/"{current["meta"]["versionId"]}"'
        yield entry


@contextmanager
def postgres_database() -> Iterator[str]:
    given = os.environ.get("CLINIC_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    import psycopg

    name = f"clinic_bench_{secrets.token_hex(4)}"
    admin = psycopg.connect(
        "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=5",
        autocommit=True,
    )
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--visits", type=int, default=50_000)
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--model-pack-mb", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    patients = max(args.changes * 2, int(args.patients * args.scale))
    visits = int(args.visits * args.scale)
    install_memory_keyring()
    results: dict[str, Any] = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"load {os.getloadavg()[0]:.1f}",
        "scale": args.scale,
        "patients": patients,
        "visits": visits,
    }
    kinds = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    for kind in kinds:
        with tempfile.TemporaryDirectory(prefix=f"bench-sync-{kind}-") as folder:
            workdir = Path(folder)
            if kind == "sqlite":
                results[kind] = run(
                    f"sqlite:///{workdir / 'server.db'}",
                    workdir,
                    patients,
                    visits,
                    args.changes,
                    args.model_pack_mb,
                )
            else:
                with postgres_database() as url:
                    results[kind] = run(
                        url, workdir, patients, visits, args.changes, args.model_pack_mb
                    )
        if not args.json:
            print(f"{kind}: {json.dumps(results[kind], indent=2)}", flush=True)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(
            f"machine: {results['machine']}; patients {patients}, visits {visits} "
            f"(+ as many vital-signs Observations), scale {args.scale}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
