"""Code search and suggestion over the full ICD-10-CM release in the encrypted store.

    .venv/bin/python tests/benchmarks/bench_codes.py [--data-dir DIR] [--profile]

Builds an encrypted store in a temporary directory (passphrase mode) and imports the shipped
release (timed), or reuses `--data-dir` when it already holds one. Then times 200 mixed queries
(codes with and without dots, code prefixes, words, word prefixes as typed, two-letter
prefixes, multi-word) three ways, after one warm-up pass:

- index:   `search_codes` on an open session (parse, lookups, ranking: what the index costs);
- service: the whole `CodeService.search` call a keystroke makes (permission check, unit of
           work, search, audit event, commit);
- LIKE:    a `LIKE '%word%'` scan of the same data (descriptions and other names, every word
           required, or the code key as a prefix), first 20 rows, in the same run;

and the suggestion of a 40-word note: the first call of a fresh process (a child process that
opens the store and suggests once: the term index is loaded then) and 50 warm calls.

Each row gives wall and thread-CPU percentiles: on this shared 2-core machine wall time
swings with other work, CPU time is the work itself (the load average is printed).
Goals: search p95 <= 5 ms; first suggestion < 300 ms; suggestion p95 <= 50 ms.
`--profile` prints the cProfile of the index pass. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from clinic_app.bootstrap import Services, initialise, open_services
from clinic_app.codes.active_set import ActiveSet
from clinic_app.codes.search import parse_query, search_codes
from clinic_app.security.permissions import Role
from clinic_app.settings import Settings
from clinic_app.storage.keys import UnlockMode
from sqlalchemy import text

WORDS = [
    "diabetes",
    "hypertension",
    "asthma",
    "fracture",
    "femur",
    "pneumonia",
    "pain",
    "knee",
    "infection",
    "urinary",
    "heart failure",
    "chronic kidney",
    "type 2 diab",
    "hyperglyc",
    "atrial fib",
    "copd",
    "depress",
    "anxiety",
    "migraine",
    "otitis media",
    "cellulitis",
    "left",
    "right ankle sprain",
    "gastro",
    "reflux",
    "anemia",
    "obesity",
    "neoplasm breast",
    "malignant",
    "sepsis",
    "fever",
    "cough",
    "headache",
    "low back",
    "osteoarth",
    "gout",
    "hypothyroid",
    "stroke",
    "tia",
    "dement",
    "fr",
    "hy",
    "dia",
    "ast",
    "pneu",
]
CODES = ["E11.9", "e119", "I10", "S72.001A", "s72", "J45", "M54.5", "E78", "N18.3", "Z00"]
NOTE = (
    "68 yo male with long-standing HTN, T2DM poorly controlled with neuropathy, CKD stage 3 "
    "and COPD on inhalers. Reports worsening SOB and productive cough for 5 days, no chest "
    "pain, denies fever. Family history of colon cancer. Former smoker, obese."
)
PASSPHRASE = "benchmark-passphrase-2026"
ADMIN = ("bench.admin", "seed-and-search-2026")
DOCTOR = ("bench.doc", "vicodin-2026-bench")


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


class Timings:
    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def run(self, work: Callable[[], object]) -> None:
        started, started_cpu = time.perf_counter(), time.thread_time()
        work()
        self.cpu.append((time.thread_time() - started_cpu) * 1000)
        self.wall.append((time.perf_counter() - started) * 1000)

    def p(self, share: float, cpu: bool = False) -> float:
        return percentile(self.cpu if cpu else self.wall, share)


def open_store(data_dir: Path) -> Services:
    settings = Settings(data_dir=data_dir, workstation="bench")
    if settings.store_file.exists():
        print(f"reusing {data_dir}")
        return open_services(settings, PASSPHRASE)
    services, _ = initialise(
        settings,
        mode=UnlockMode.PASSPHRASE,
        passphrase=PASSPHRASE,
        admin_username=ADMIN[0],
        admin_display_name="Bench",
        admin_password=ADMIN[1],
    )
    admin = services.accounts.login(*ADMIN)
    started = time.perf_counter()
    info = services.codes.import_icd10cm(admin)
    print(
        f"import of the full release: {time.perf_counter() - started:.1f} s "
        f"({info.code_count} codes, {info.billable_count} billable)"
    )
    services.accounts.add_user(admin, DOCTOR[0], "Doc", Role.DOCTOR, DOCTOR[1])
    services.db.checkpoint()
    return services


def like_scan(session: object, set_id: str, query: str) -> object:
    words = query.split()
    clause = " AND ".join(
        f"(c.description LIKE :w{i} OR n.text LIKE :w{i})" for i in range(len(words))
    )
    sql = text(
        "SELECT DISTINCT c.id, c.code FROM codes c LEFT JOIN code_notes n "
        "ON n.code_id = c.id AND n.kind IN ('inclusion', 'includes') "
        f"WHERE c.set_id = :s AND ({clause} OR c.code_key LIKE :k) LIMIT 20"
    )
    params = {"s": set_id, "k": query.replace(".", "").upper() + "%"}
    params.update({f"w{i}": f"%{w}%" for i, w in enumerate(words)})
    return session.execute(sql, params).all()  # type: ignore[attr-defined]


def first_suggestion(data_dir: Path) -> None:
    """Child process: open the store, time one suggestion, print it as JSON."""
    services = open_services(Settings(data_dir=data_dir, workstation="bench"), PASSPHRASE)
    doctor = services.accounts.login(*DOCTOR)
    started, started_cpu = time.perf_counter(), time.process_time()
    services.codes.suggest(doctor, NOTE)
    print(
        json.dumps(
            {
                "wall": (time.perf_counter() - started) * 1000,
                "cpu": (time.process_time() - started_cpu) * 1000,
            }
        )
    )
    services.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="keep (or reuse) the store here")
    parser.add_argument("--profile", action="store_true", help="cProfile of the index pass")
    parser.add_argument("--first-suggestion", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.first_suggestion:
        first_suggestion(args.data_dir)
        return
    random.seed(7)
    queries = [random.choice(WORDS + CODES) for _ in range(200)]
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = args.data_dir or Path(scratch) / "data"
        services = open_store(data_dir)
        services.db.checkpoint()
        doctor = services.accounts.login(*DOCTOR)
        firsts = []
        for _ in range(3):
            child = subprocess.run(
                [sys.executable, __file__, "--first-suggestion", "--data-dir", str(data_dir)],
                capture_output=True,
                text=True,
                check=True,
            )
            firsts.append(json.loads(child.stdout.strip().splitlines()[-1]))
        index, like, service, suggest = Timings(), Timings(), Timings(), Timings()
        with services.db.unit_of_work(write=False) as uow:
            row = uow.session.execute(
                text(
                    "SELECT id, system, version, first_rowid, last_rowid FROM code_sets "
                    "WHERE active = 1 AND system = 'ICD-10-CM'"
                )
            ).one()
            code_set = ActiveSet(*row)

            def search(q: str) -> object:
                return search_codes(
                    uow.session, code_set, parse_query(q), limit=20, billable_only=False
                )

            for q in queries:
                search(q)
                like_scan(uow.session, code_set.id, q)
            profiler = cProfile.Profile() if args.profile else None
            if profiler:
                profiler.enable()
            for q in queries:
                index.run(lambda q=q: search(q))
            if profiler:
                profiler.disable()
            for q in queries:
                like.run(lambda q=q: like_scan(uow.session, code_set.id, q))
        for q in queries:
            services.codes.search(doctor, q)
        for q in queries:
            service.run(lambda q=q: services.codes.search(doctor, q))
        services.codes.suggest(doctor, NOTE)
        for _ in range(50):
            suggest.run(lambda: services.codes.suggest(doctor, NOTE))
        load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
        print(f"load average {load}; times in ms")
        print(f"{'':20} {'p50':>7} {'p95':>7} {'cpu p50':>8} {'cpu p95':>8}")
        for name, samples in (
            ("search (index)", index),
            ("search (service)", service),
            ("LIKE scan", like),
            ("suggest 40 words", suggest),
        ):
            print(
                f"{name:20} {samples.p(0.5):7.2f} {samples.p(0.95):7.2f} "
                f"{samples.p(0.5, True):8.2f} {samples.p(0.95, True):8.2f}"
            )
        print(
            f"LIKE / index: p50 {like.p(0.5) / index.p(0.5):.0f}x, "
            f"p95 {like.p(0.95) / index.p(0.95):.0f}x; LIKE / service: "
            f"p50 {like.p(0.5) / service.p(0.5):.1f}x, p95 {like.p(0.95) / service.p(0.95):.1f}x"
        )
        walls = ", ".join(f"{f['wall']:.0f}" for f in firsts)
        cpus = ", ".join(f"{f['cpu']:.0f}" for f in firsts)
        print(f"first suggestion in a new process: wall {walls} ms; cpu {cpus} ms")
        print(
            f"note: {len(NOTE.split())} words; suggestions: "
            f"{[s.code for s in services.codes.suggest(doctor, NOTE)]}"
        )
        services.close()
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
