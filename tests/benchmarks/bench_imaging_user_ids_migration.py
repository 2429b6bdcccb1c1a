"""Migration 0009 (imaging user ids lose their foreign key: three tables rebuilt) on a store
with many AI results, against copying the same three tables once.

    .venv/bin/python tests/benchmarks/bench_imaging_user_ids_migration.py [--results 20000]

Builds an encrypted store in a temporary directory (passphrase mode), takes it back to the
previous imaging head (0006), fills it with studies, series, images (no file bytes: their
table is not rebuilt), `--results` AI results (a 1.5 kB result each) and as many reviews, then
times, interleaved, in the same run:

- the upgrade to 0009 alone (Alembic on the store's engine, one transaction, no backup);
- baseline: `CREATE TABLE … AS SELECT *` of the three rebuilt tables, once each, in one
  transaction (what any rebuild must at least read and write), then dropped.
The rebuild copies each table twice (out and back) and builds its indexes again, so about
2-3x the baseline is expected. Not part of the test suite: figures go to the report.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from alembic import command
from clinic_app.bootstrap import initialise
from clinic_app.patients.models import PatientInput
from clinic_app.security.permissions import Role
from clinic_app.settings import Settings
from clinic_app.storage.keys import UnlockMode
from clinic_app.storage.migrate import alembic_config
from sqlalchemy import Engine

PASSPHRASE = "benchmark-passphrase-2026"
ADMIN = ("bench.admin", "seed-and-search-2026")
DOCTOR = ("bench.doctor", "read-the-images-2026")
REBUILT = ("imaging_studies", "imaging_analyses", "imaging_analysis_reviews")
NOW = "2026-11-23 10:00:00.000000"


def _migrate(engine: Engine, target: str, down: bool = False) -> float:
    config = alembic_config()
    start = time.perf_counter()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, target)
    return time.perf_counter() - start


def _baseline(engine: Engine) -> float:
    start = time.perf_counter()
    with engine.begin() as connection:
        for table in REBUILT:
            connection.exec_driver_sql(f"CREATE TABLE bench_{table} AS SELECT * FROM {table}")
    elapsed = time.perf_counter() - start
    with engine.begin() as connection:
        for table in REBUILT:
            connection.exec_driver_sql(f"DROP TABLE bench_{table}")
    return elapsed


def _fill(engine: Engine, patient_id: str, user_id: str, results: int) -> None:
    images = max(1, results // 10)
    synced = "created_at, updated_at, version"
    body = json.dumps({"probabilities": {f"label{i}": i / 10 for i in range(8)}, "pad": "x" * 1300})
    with engine.begin() as connection:
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        ids = [str(uuid.uuid4()) for _ in range(images)]
        cursor.executemany(
            f"INSERT INTO imaging_studies (id, patient_id, study_uid, source, description, "
            f"accession_number, institution, imported_by, {synced}) "
            f"VALUES (?, ?, ?, 'photo', '', '', '', ?, '{NOW}', '{NOW}', 1)",
            [(i, patient_id, f"1.2.{n}", user_id) for n, i in enumerate(ids)],
        )
        cursor.executemany(
            f"INSERT INTO imaging_series (id, study_id, series_uid, modality, description, "
            f"body_part, {synced}) VALUES (?, ?, ?, 'XC', '', '', '{NOW}', '{NOW}', 1)",
            [(i, i, f"1.3.{n}") for n, i in enumerate(ids)],
        )
        cursor.executemany(
            f"INSERT INTO imaging_instances (id, series_id, patient_id, sop_instance_uid, "
            f"sop_class_uid, kind, content_type, file_name, size_bytes, sha256, chunk_count, "
            f"transfer_syntax, rows, columns, frames, photometric, {synced}) VALUES (?, ?, ?, "
            f"?, '', 'photo', 'image/png', 'a.png', 1, ?, 1, '', 1, 1, 1, '', "
            f"'{NOW}', '{NOW}', 1)",
            [(i, i, patient_id, f"1.4.{n}", "0" * 64) for n, i in enumerate(ids)],
        )
        analyses = [(str(uuid.uuid4()), ids[n % images]) for n in range(results)]
        cursor.executemany(
            f"INSERT INTO imaging_analyses (id, instance_id, patient_id, frame_index, task, "
            f"model_name, model_version, model_sha256, model_status, model_title, top_label, "
            f"top_probability, result_json, run_by, run_at, {synced}) VALUES (?, ?, ?, 0, "
            f"'classification', 'm', '1', '', 'research', 'M', 'label7', 0.7, ?, ?, '{NOW}', "
            f"'{NOW}', '{NOW}', 1)",
            [(a, i, patient_id, body, user_id) for a, i in analyses],
        )
        cursor.executemany(
            f"INSERT INTO imaging_analysis_reviews (id, analysis_id, kind, comment, actor_id, "
            f"{synced}) VALUES (?, ?, 'accepted', 'agree', ?, '{NOW}', '{NOW}', 1)",
            [(str(uuid.uuid4()), a, user_id) for a, _i in analyses],
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--results", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "data", workstation="bench")
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
        person = services.patients.create(
            doctor,
            PatientInput(
                given_name="Bench", family_name="Imaging", sex="female", birth_date="1970-01-01"
            ),
        ).patient
        engine = services.db.engine
        _migrate(engine, "0009-1", down=True)
        _fill(engine, person.id, doctor.id, args.results)
        size = os.path.getsize(settings.database_path) / 2**20
        upgrades, baselines = [], []
        for _ in range(args.repeats):
            baselines.append(_baseline(engine))
            upgrades.append(_migrate(engine, "heads"))
            _migrate(engine, "0009-1", down=True)
        services.close()
    upgrade, baseline = statistics.median(upgrades), statistics.median(baselines)
    print(
        f"{args.results} results + {args.results} reviews + {args.results // 10} studies, "
        f"store {size:.0f} MiB, load {os.getloadavg()[0]:.1f}"
    )
    print(f"upgrade to 0009: {upgrade:.2f} s (runs {', '.join(f'{u:.2f}' for u in upgrades)})")
    print(f"baseline, one copy of the three tables: {baseline:.2f} s")
    print(f"ratio: {upgrade / baseline:.2f}x")


if __name__ == "__main__":
    main()
