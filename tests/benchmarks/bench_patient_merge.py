"""Merging a large duplicate chart into the survivor.

    .venv/bin/python tests/benchmarks/bench_patient_merge.py [--visits 500] [--vitals 2000]

Builds the chart benchmark's store (one patient with `--visits` visits, all but the last
signed, one or two coded diagnoses each, `--vitals` vitals readings, 50 records; see
bench_chart.py), then, several rounds, each on the chart as it stands:

- merge:    `PatientService.merge` of the chart into a fresh patient (every row re-pointed
            through the ORM, an outbox entry each, the signed visits' triggers checked, the
            audit event, one commit);
- baseline: the same rows loaded through the ORM and one bookkeeping column changed on each
            (`version_id`, which the triggers allow on signed rows), flushed with its outbox
            entries and committed in one unit of work: the floor of any merge that writes
            each row through the ORM so sync sends it.

The merge alternates direction (A into B, then B into a new C …), so every round moves the
whole chart. Prints wall times and the ratio merge / baseline measured in the same run.
Not part of the test suite (pytest ignores tests/benchmarks).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_chart import build_store  # type: ignore[import-not-found]
from clinic_app.patients.merge_references import patient_references
from clinic_app.patients.models import PatientInput
from sqlalchemy import select


def _touch_all(services: object, patient_id: str, stamp: str) -> int:
    """The baseline: every row of the chart through the ORM, one harmless column each."""
    db = services.db  # type: ignore[attr-defined]
    touched = 0
    with db.unit_of_work() as uow:
        for ref in patient_references():
            if ref.synced_class is None:
                continue
            column = getattr(ref.synced_class, "patient_id", None)
            if column is None:
                continue
            for row in uow.session.scalars(select(ref.synced_class).where(column == patient_id)):
                row.version_id = stamp
                touched += 1
        uow.flush()
        uow.commit()
    return touched


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=500)
    parser.add_argument("--vitals", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        services, doctor, chart = build_store(Path(folder) / "data", args.visits, args.vitals)
        print(f"store built in {time.perf_counter() - started:.1f} s")
        merges: list[float] = []
        baselines: list[float] = []
        moved_rows = 0
        for round_no in range(args.rounds):
            survivor = services.patients.create(
                doctor,
                PatientInput(
                    given_name="Chart",
                    family_name=f"Survivor {round_no}",
                    sex="female",
                    birth_date="1950-06-01",
                ),
            ).patient.id
            t0 = time.perf_counter()
            touched = _touch_all(services, chart, f"bench-{round_no}")
            baselines.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            result = services.patients.merge(doctor, survivor, chart)
            merges.append(time.perf_counter() - t0)
            moved_rows = result.moved_total
            print(
                f"round {round_no + 1}: merge {merges[-1] * 1000:.0f} ms "
                f"({moved_rows} rows moved), baseline {baselines[-1] * 1000:.0f} ms "
                f"({touched} rows touched)"
            )
            chart = survivor
        services.close()
    merge, base = statistics.median(merges), statistics.median(baselines)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"\n{platform.python_version()} on {platform.machine()}, load {load:.2f}\n"
        f"median merge of {moved_rows} rows: {merge * 1000:.0f} ms; "
        f"baseline (same rows, one ORM write each): {base * 1000:.0f} ms; "
        f"ratio {merge / base:.2f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
