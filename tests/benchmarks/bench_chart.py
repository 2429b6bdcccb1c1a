"""Opening a patient chart with many visits and vitals readings.

    .venv/bin/python tests/benchmarks/bench_chart.py [--visits 500] [--vitals 2000] [--runs 40]

Builds an encrypted store in a temporary directory (passphrase mode: no OS keyring needed),
with one patient holding `--visits` visits (reason, notes, one or two coded diagnoses each,
some later resolved), `--vitals` vitals readings spread over them, and 50 stand-alone
records, then times:

- service: `ChartService.chart`, the whole call the chart screen makes (permission check,
           unit of work, timeline, vitals series, problem list, header, the audit event and
           its commit, which is an fsync with synchronous=FULL);
- data:    the same queries and assembly on an open read session, without the audit commit;
- bare:    a bare SELECT of the same rows (visits, records, vitals, coded diagnoses of the
           patient), fetched as tuples: the floor any implementation pays.

Goal: service p95 <= 100 ms. Not part of the test suite (pytest ignores tests/benchmarks).
"""

from __future__ import annotations

import argparse
import gc
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from clinic_app.bootstrap import Services, initialise
from clinic_app.patients.models import PatientInput
from clinic_app.records import chart_service
from clinic_app.records.tables import ClinicalRecordRow, CodedEntryRow, VisitRow, VitalSignsRow
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser
from clinic_app.settings import Settings
from clinic_app.storage.keys import UnlockMode
from clinic_app.storage.types import new_id
from sqlalchemy import update

PASSPHRASE = "benchmark-passphrase-2026"
ADMIN = ("bench.admin", "seed-and-chart-2026")
DOCTOR = ("bench.doctor", "chart-doctor-2026")
CODES = [
    ("I10", "Essential (primary) hypertension"),
    ("E11.9", "Type 2 diabetes mellitus without complications"),
    ("J45.909", "Unspecified asthma, uncomplicated"),
    ("M54.50", "Low back pain, unspecified"),
    ("J06.9", "Acute upper respiratory infection, unspecified"),
    ("K21.9", "Gastro-esophageal reflux disease without esophagitis"),
    ("F41.1", "Generalized anxiety disorder"),
    ("E78.5", "Hyperlipidemia, unspecified"),
]


def build_store(
    data_dir: Path, visits: int, vitals: int
) -> tuple[Services, AuthenticatedUser, str]:
    settings = Settings(data_dir=data_dir, workstation="benchmark")
    services, _recovery = initialise(
        settings,
        mode=UnlockMode.PASSPHRASE,
        passphrase=PASSPHRASE,
        admin_username=ADMIN[0],
        admin_display_name="Bench Admin",
        admin_password=ADMIN[1],
    )
    admin = services.accounts.login(*ADMIN)
    services.accounts.add_user(admin, DOCTOR[0], "Bench Doctor", Role.DOCTOR, DOCTOR[1])
    doctor = services.accounts.login(*DOCTOR)
    patient = services.patients.create(
        doctor,
        PatientInput(
            given_name="Chart",
            family_name="Benchmark",
            sex="female",
            birth_date="1950-06-01",
            allergies="Penicillin",
        ),
    ).patient
    start = datetime.now(UTC) - timedelta(days=visits * 7)
    with services.db.unit_of_work() as uow:
        session = uow.session
        visit_ids: list[tuple[str, datetime]] = []
        for i in range(visits):
            when = start + timedelta(days=7 * i)
            visit_id = new_id()
            visit_ids.append((visit_id, when))
            session.add(
                VisitRow(
                    id=visit_id,
                    patient_id=patient.id,
                    started_at=when,
                    clinician_id=doctor.id,
                    status="open",
                    reason=f"Follow-up {i}",
                    symptoms="Stable. " * 20,
                    assessment="Assessment text. " * 10,
                    plan="Plan text. " * 10,
                )
            )
            for k in range(1 + i % 2):
                code, description = CODES[(i + k) % len(CODES)]
                session.add(
                    CodedEntryRow(
                        visit_id=visit_id,
                        patient_id=patient.id,
                        kind="diagnosis",
                        system="ICD-10-CM",
                        code=code,
                        code_set_version="2026",
                        description=description,
                        clinical_status="resolved" if (i + k) % 11 == 0 else "active",
                        is_primary=k == 0,
                        position=k,
                    )
                )
        for j in range(vitals):
            visit_id, when = visit_ids[j * visits // vitals]
            session.add(
                VitalSignsRow(
                    visit_id=visit_id,
                    patient_id=patient.id,
                    measured_at=when + timedelta(minutes=j % 4 * 10),
                    recorded_by_id=doctor.id,
                    temperature_c=36.5 + (j % 10) / 10,
                    pulse_bpm=60 + j % 40,
                    systolic_mmhg=110 + j % 50,
                    diastolic_mmhg=70 + j % 20,
                    respiratory_rate=12 + j % 8,
                    spo2_percent=94 + j % 6,
                    weight_kg=70 + (j % 30) / 3,
                    height_cm=165.0,
                    bmi=round((70 + (j % 30) / 3) / 1.65**2, 1),
                )
            )
        for r in range(50):
            session.add(
                ClinicalRecordRow(
                    patient_id=patient.id,
                    record_type="lab_result",
                    title=f"Lab {r}",
                    body="Result text",
                    recorded_at=start + timedelta(days=30 * r),
                    author_id=doctor.id,
                    content_sha256="0" * 64,
                )
            )
        uow.flush()
        # Signed last: the database refuses vitals and codes added to a signed visit.
        session.execute(
            update(VisitRow)
            .where(VisitRow.patient_id == patient.id, VisitRow.id != visit_ids[-1][0])
            .values(
                status="signed",
                signed_by_id=doctor.id,
                signed_at=datetime.now(UTC),
                content_sha256="0" * 64,
            )
        )
        uow.commit()
    services.db.checkpoint()
    return services, doctor, patient.id


def timed(function: Callable[[], object], runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds per run (CPU time is steadier on a shared machine;
    wall time includes the fsync of the audit commit)."""
    function()  # warm the caches and the pool
    wall, cpu = [], []
    gc.collect()
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        function()
        wall.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
    return wall, cpu


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def describe(label: str, wall: list[float], cpu: list[float]) -> str:
    return (
        f"{label:<8} wall median {statistics.median(wall):7.2f} ms  p95 {p95(wall):7.2f} ms"
        f"  min {min(wall):7.2f} ms   cpu median {statistics.median(cpu):7.2f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visits", type=int, default=500)
    parser.add_argument("--vitals", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        began = time.perf_counter()
        services, doctor, patient_id = build_store(Path(tmp) / "data", args.visits, args.vitals)
        print(
            f"seeded {args.visits} visits, {args.vitals} vitals readings, 50 records in "
            f"{time.perf_counter() - began:.1f} s"
        )
        chart = services.records.charts.chart(doctor, patient_id)
        print(
            f"chart: {len(chart.timeline)} timeline entries, "
            f"{sum(len(s.points) for s in chart.vitals)} points in {len(chart.vitals)} series, "
            f"{len(chart.problems)} active problems"
        )

        def service() -> object:
            return services.records.charts.chart(doctor, patient_id)

        def data() -> object:
            with services.db.unit_of_work(write=False) as uow:
                return (
                    chart_service._timeline(uow.session, patient_id),
                    chart_service._vitals(uow.session, patient_id),
                    chart_service._problems(uow.session, patient_id),
                )

        def bare() -> object:
            with services.db.engine.connect() as connection:
                run = connection.exec_driver_sql
                return (
                    run(
                        "SELECT id, started_at, reason, status, clinician_id FROM visits "
                        "WHERE patient_id = ? AND deleted_at IS NULL",
                        (patient_id,),
                    ).fetchall(),
                    run(
                        "SELECT id, recorded_at, title, record_type, author_id "
                        "FROM clinical_records WHERE patient_id = ? AND deleted_at IS NULL",
                        (patient_id,),
                    ).fetchall(),
                    run(
                        "SELECT * FROM vital_signs WHERE patient_id = ? AND deleted_at IS NULL "
                        "ORDER BY measured_at",
                        (patient_id,),
                    ).fetchall(),
                    run(
                        "SELECT code, system, description, clinical_status FROM coded_entries "
                        "WHERE patient_id = ? AND kind = 'diagnosis' AND deleted_at IS NULL",
                        (patient_id,),
                    ).fetchall(),
                )

        results = {
            name: timed(fn, args.runs)
            for name, fn in (("service", service), ("data", data), ("bare", bare))
        }
        print(f"python {platform.python_version()} on {platform.machine()}, {args.runs} runs each")
        for name, (wall, cpu) in results.items():
            print(describe(name, wall, cpu))
        for kind, index in (("wall", 0), ("cpu", 1)):
            bare_median = statistics.median(results["bare"][index])
            ratios = "   ".join(
                f"{name} / bare = {statistics.median(results[name][index]) / bare_median:.1f}x"
                for name in ("service", "data")
            )
            print(f"{kind:<5}{ratios}")
        service_p95 = p95(results["service"][0])
        verdict = "OK" if service_p95 <= 100 else "OVER"
        print(f"goal: service wall p95 <= 100 ms -> {verdict} ({service_p95:.1f} ms)")
        services.close()
        return 0 if service_p95 <= 100 else 1


if __name__ == "__main__":
    sys.exit(main())
