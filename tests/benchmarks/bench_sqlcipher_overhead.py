"""What encryption costs: the same insert and search workload on SQLCipher and on plain SQLite.

    .venv/bin/python tests/benchmarks/bench_sqlcipher_overhead.py [--patients 100000]

Three stores, each built by the same migrations and driven through the same services:

- sqlcipher: the application's engine (`create_database_engine`, a random raw key);
- same build: the same SQLCipher library (SQLite 3.53) opened without a key, which is plain
  SQLite: this isolates the cost of encryption from any difference between SQLite builds;
- stdlib:    Python's own `sqlite3` module (the SQLite the system ships, older).

The plain engines are made by `create_database_engine` itself, with only its URL swapped for a
plain `sqlite+pysqlite` one (and the driver module chosen): the pool, the connect pragmas and the
BEGIN hook are the application's, not a copy of them. The page cache is set to the SQLCipher
build's default on all three (the stdlib build defaults to a quarter of it).

Workload: seed N synthetic patients (demo.seed_patients, 5,000 per transaction, in chunks of
20,000 taken by each store in turn), create `--creates` patients one by one through
PatientService.create (a transaction each), then run
the search benchmark's queries through `search_ids` (warm cache), through PatientService.search
(with its audit event), and on a fresh connection each time (cold page cache: every page read
is decrypted). Every phase alternates between the stores (query by query, seed chunk by seed
chunk) so a busy machine weighs on all three alike; CPU time is printed beside wall time because
on a shared machine it is the steadier of the two. `--cache-size KIB` (negative, as the pragma
takes it) tries another page cache on all three. Goal: sqlcipher / plain <= 1.15.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import sqlcipher3
from bench_patient_search import CLASSES, PAGE, build_queries
from clinic_app.patients.demo import seed_patients
from clinic_app.patients.models import PatientInput
from clinic_app.patients.search import parse_query, search_ids
from clinic_app.patients.service import PatientService
from clinic_app.security.accounts import AccountService
from clinic_app.security.authorization import Authorizer
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage import engine as engine_module
from clinic_app.storage.audit import AuditLog
from clinic_app.storage.database import Database
from clinic_app.storage.keys import new_database_key
from clinic_app.storage.migrate import upgrade
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url

ADMIN = ("bench.admin", "seed-and-search-2026")
CLERK = ("bench.clerk", "front-desk-bench-2026")
CACHE_SIZE = -8000  # SQLCipher's build default (KiB); Python's sqlite3 defaults to -2000
SEED_CHUNK = 20_000


@contextmanager
def plain_sqlite(module: ModuleType) -> Iterator[None]:
    """Makes `create_database_engine` build a plain SQLite engine on `module`."""
    real = engine_module.create_engine

    def create_plain(url: Any, **options: Any) -> Engine:
        plain = make_url(f"sqlite+pysqlite:///{url.database}")
        return real(plain, module=module, **options)

    engine_module.create_engine = create_plain  # type: ignore[assignment]
    try:
        yield
    finally:
        engine_module.create_engine = real


@dataclass
class Phase:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def add(self, wall: float, cpu: float) -> None:
        self.wall.append(wall)
        self.cpu.append(cpu)

    @property
    def total(self) -> float:
        return sum(self.wall)

    @property
    def total_cpu(self) -> float:
        return sum(self.cpu)

    @property
    def p50(self) -> float:
        return statistics.median(self.wall)


@dataclass
class Store:
    name: str
    path: Path
    engine: Engine
    db: Database
    audit: AuditLog
    authorizer: Authorizer
    patients: PatientService
    admin: AuthenticatedUser  # seeds (demo.seed)
    clerk: AuthenticatedUser  # creates and searches, as the front desk does
    phases: dict[str, Phase] = field(default_factory=dict)

    def timed(self, phase: str, call: Callable[[], object]) -> None:
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        wall = (time.perf_counter() - started) * 1000
        cpu = (time.process_time() - started_cpu) * 1000
        self.phases.setdefault(phase, Phase()).add(wall, cpu)


def build_store(
    name: str,
    path: Path,
    module: ModuleType | None,
    *,
    cache_size: int = CACHE_SIZE,
    trusted_schema: bool = False,
) -> Store:
    key = new_database_key()
    if module is None:
        engine = engine_module.create_database_engine(path, key)
    else:
        with plain_sqlite(module):
            engine = engine_module.create_database_engine(path, key)

    @event.listens_for(engine, "connect")
    def _same_cache(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA cache_size = {cache_size}")
        if trusted_schema:
            dbapi_connection.execute("PRAGMA trusted_schema = ON")

    upgrade(engine, lambda: None)
    db = Database(engine)
    audit = AuditLog("benchmark")
    authorizer = Authorizer(db, audit)
    accounts = AccountService(db, audit, authorizer)
    accounts.create_first_admin(ADMIN[0], "Benchmark Admin", ADMIN[1])
    admin = accounts.login(*ADMIN)
    accounts.add_user(admin, CLERK[0], "Benchmark Clerk", Role.FRONT_DESK, CLERK[1])
    clerk = accounts.login(*CLERK)
    patients = PatientService(db, audit, authorizer)
    return Store(name, path, engine, db, audit, authorizer, patients, admin, clerk)


def describe(store: Store) -> str:
    with store.engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert raw is not None
        values = [
            str(raw.execute(f"PRAGMA {name}").fetchone()[0])
            for name in ("journal_mode", "synchronous", "foreign_keys", "cache_size", "page_size")
        ]
        version = raw.execute("SELECT sqlite_version()").fetchone()[0]
    # A plain SQLite file starts with its format string; an encrypted one looks random.
    encrypted = "plain" if store.path.read_bytes()[:16] == b"SQLite format 3\x00" else "encrypted"
    return (
        f"{store.name:<10} SQLite {version} {encrypted}; journal_mode {values[0]}, synchronous "
        f"{values[1]}, foreign_keys {values[2]}, cache_size {values[3]}, page_size {values[4]}"
    )


def seed_chunk(store: Store, chunk: int, size: int) -> None:
    """One chunk of the seed (same synthetic patients on every store: the seed is the chunk's)."""
    store.timed(
        "seed (5,000 per transaction)",
        lambda: seed_patients(
            store.db, store.audit, store.authorizer, store.admin, size, seed=2026 + chunk
        ),
    )


def create_one(store: Store, index: int) -> None:
    data = PatientInput(
        given_name=f"Bench{index}",
        family_name="Overhead",
        sex="female",
        birth_date="1980-02-29",
        phone=f"+1 555 010 {index:04d}",
        mrn=f"OVH-{index:05d}",
    )
    store.timed("create (one per transaction)", lambda: store.patients.create(store.clerk, data))


def search_warm(store: Store, raw: str) -> None:
    with store.db.unit_of_work(write=False) as uow:
        query = parse_query(raw)
        store.timed(
            "search_ids, warm cache",
            lambda: search_ids(uow.session, query, limit=PAGE, offset=0, include_deleted=False),
        )


def search_service(store: Store, raw: str) -> None:
    store.timed("PatientService.search", lambda: store.patients.search(store.clerk, raw))


def search_cold(store: Store, raw: str) -> None:
    store.engine.dispose()  # a new connection: an empty page cache, every page read decrypted

    def lookup() -> None:
        with store.db.unit_of_work(write=False) as uow:
            search_ids(uow.session, parse_query(raw), limit=PAGE, offset=0, include_deleted=False)

    store.timed("search_ids, new connection", lookup)


def report(stores: list[Store]) -> None:
    cipher, plains = stores[0], stores[1:]
    header = f"{'phase':<30} {'':>4}" + "".join(f" {s.name:>10}" for s in stores)
    header += "".join(f" {'÷ ' + p.name:>12}" for p in plains)
    print(header)
    print("-" * len(header))
    overall = {store.name: 0.0 for store in stores}
    overall_cpu = {store.name: 0.0 for store in stores}
    for phase in cipher.phases:
        rows = [("wall", lambda p: p.total), ("cpu", lambda p: p.total_cpu)]
        if len(cipher.phases[phase].wall) > 1:
            rows.append(("p50", lambda p: p.p50))
        for label, measure in rows:
            values = {store.name: measure(store.phases[phase]) for store in stores}
            line = f"{phase if label == 'wall' else '':<30} {label:>4}"
            line += "".join(f" {values[store.name]:10.1f}" for store in stores)
            line += "".join(f" {values[cipher.name] / values[p.name]:11.2f}x" for p in plains)
            print(line)
        for store in stores:
            overall[store.name] += store.phases[phase].total
            overall_cpu[store.name] += store.phases[phase].total_cpu
    print("-" * len(header))
    for label, totals in (("whole workload", overall), ("", overall_cpu)):
        line = f"{label:<30} {'wall' if label else 'cpu':>4}"
        line += "".join(f" {totals[store.name]:10.1f}" for store in stores)
        line += "".join(f" {totals[cipher.name] / totals[p.name]:11.2f}x" for p in plains)
        print(line)
    print("\ntimes in ms (totals per phase, p50 per call); cpu is process CPU time")
    for plain in plains:
        ratio = overall[cipher.name] / overall[plain.name]
        verdict = "meets" if ratio <= 1.15 else "MISSES"
        print(f"sqlcipher / {plain.name}: {ratio:.2f}x wall (goal <= 1.15x): {verdict} the goal")


def run(stores: list[Store], args: argparse.Namespace) -> None:
    # Chunks alternate between the stores, like every other phase, so that a load change on a
    # shared machine lands on all three and not on whichever store happened to run then.
    for chunk, start in enumerate(range(0, args.patients, SEED_CHUNK)):
        for store in stores:
            seed_chunk(store, chunk, min(SEED_CHUNK, args.patients - start))
    for store in stores:
        store.db.checkpoint()
    for index in range(args.creates):
        for store in stores:
            create_one(store, index)
    with stores[0].db.unit_of_work(write=False) as uow:
        queries = build_queries(uow.session, args.queries)
    every = [query for label in CLASSES for query in queries[label]]
    for store in stores:  # warm-up pass, not timed
        for raw in every:
            store.patients.search(store.clerk, raw)
    for _ in range(args.repeat):
        for raw in every:
            for store in stores:
                search_warm(store, raw)
                search_service(store, raw)
    for raw in every:
        for store in stores:
            search_cold(store, raw)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--creates", type=int, default=300)
    parser.add_argument("--queries", type=int, default=20, help="distinct queries per class")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--cache-size", type=int, default=CACHE_SIZE, help="PRAGMA cache_size on all three"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="clinic-overhead-") as scratch:
        root = Path(scratch)
        stores = [
            build_store("sqlcipher", root / "cipher.db", None, cache_size=args.cache_size),
            build_store(
                "same build", root / "same.db", sqlcipher3.dbapi2, cache_size=args.cache_size
            ),
            # SQLite 3.40 refuses FTS5 in triggers under trusted_schema = OFF ("unsafe use
            # of virtual table"); later builds mark FTS5 innocuous. No effect on speed.
            build_store(
                "stdlib",
                root / "stdlib.db",
                sqlite3,
                cache_size=args.cache_size,
                trusted_schema=True,
            ),
        ]
        try:
            load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
            print(f"{args.patients:,} patients; {os.cpu_count()} CPUs, load average {load}")
            for store in stores:
                print(describe(store))
            print()
            run(stores, args)
            report(stores)
        finally:
            for store in stores:
                store.db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
