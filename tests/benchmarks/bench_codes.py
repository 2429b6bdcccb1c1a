"""Code search and suggestion over the full ICD-10-CM release in the encrypted store.

    .venv/bin/python tests/benchmarks/bench_codes.py

Builds an encrypted store in a temporary directory (passphrase mode), imports the shipped
release (timed), then times 200 mixed queries (codes with and without dots, code prefixes,
words, word prefixes as typed, multi-word) three ways: `search_codes` on an open session (the
index work), the whole `CodeService.search` call (permission, unit of work, audit commit), and
a LIKE '%word%' scan of the same data (descriptions and other names) in the same run; and the
suggestion of a 40-word note. Goals: search p95 <= 5 ms, suggestion p95 <= 50 ms.
Not part of the test suite (pytest ignores tests/benchmarks).
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from clinic_app.bootstrap import initialise
from clinic_app.codes.search import parse_query, search_codes
from clinic_app.codes.tables import CodeSetRow
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


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]


def timed(run: Callable[[], object], repeat: int = 1) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        run()
    return (time.perf_counter() - start) * 1000 / repeat


def main() -> None:
    random.seed(7)
    queries = [random.choice(WORDS + CODES) for _ in range(200)]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp) / "data", workstation="bench")
        services, _ = initialise(
            settings,
            mode=UnlockMode.PASSPHRASE,
            passphrase=PASSPHRASE,
            admin_username="bench.admin",
            admin_display_name="Bench",
            admin_password="seed-and-search-2026",
        )
        admin = services.accounts.login("bench.admin", "seed-and-search-2026")
        start = time.perf_counter()
        info = services.codes.import_icd10cm(admin)
        print(
            f"import of the full release: {time.perf_counter() - start:.1f} s "
            f"({info.code_count} codes, {info.billable_count} billable)"
        )
        services.accounts.add_user(admin, "bench.doc", "Doc", Role.DOCTOR, "vicodin-2026-bench")
        doctor = services.accounts.login("bench.doc", "vicodin-2026-bench")
        with services.db.unit_of_work(write=False) as uow:
            code_set = uow.session.get(CodeSetRow, info.id)
            assert code_set is not None
            bare = [
                timed(
                    lambda q=q: search_codes(
                        uow.session, code_set, parse_query(q), limit=20, billable_only=False
                    )
                )
                for q in queries
            ]
            like = []
            for q in queries:
                words = q.split()
                clause = " AND ".join(
                    f"(c.description LIKE :w{i} OR n.text LIKE :w{i})" for i in range(len(words))
                )
                sql = text(
                    "SELECT DISTINCT c.id, c.code FROM codes c LEFT JOIN code_notes n "
                    "ON n.code_id = c.id AND n.kind IN ('inclusion', 'includes') "
                    f"WHERE c.set_id = :s AND ({clause} OR c.code_key LIKE :k) LIMIT 20"
                )
                params = {"s": info.id, "k": q.replace(".", "").upper() + "%"}
                params.update({f"w{i}": f"%{w}%" for i, w in enumerate(words)})
                like.append(
                    timed(lambda sql=sql, params=params: uow.session.execute(sql, params).all())
                )
        service = [timed(lambda q=q: services.codes.search(doctor, q)) for q in queries]
        services.codes.suggest(doctor, "warm up")  # builds the term index once per process
        suggest = [timed(lambda: services.codes.suggest(doctor, NOTE)) for _ in range(50)]
        for name, samples in (
            ("search (index)", bare),
            ("search (service)", service),
            ("LIKE scan", like),
            ("suggest 40 words", suggest),
        ):
            p50, p95 = percentiles(samples)
            print(f"{name:18} p50 {p50:7.2f} ms   p95 {p95:7.2f} ms")
        print(
            f"note: {len(NOTE.split())} words; suggestions: "
            f"{[s.code for s in services.codes.suggest(doctor, NOTE)]}"
        )
        services.close()


if __name__ == "__main__":
    main()
