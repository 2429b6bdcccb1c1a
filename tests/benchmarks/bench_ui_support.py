"""Shared set-up for the GUI benchmarks: a synthetic store of N patients, built once and kept
in /tmp/clinic_ui_bench/<N>/ (plainly fake data: DEMO- record numbers, SYNTHETIC history)."""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import keyring

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_ui_keyring import ENV, EnvKeyring  # noqa: E402

ADMIN = "admin"
ADMIN_PASSWORD = "bench-root-2026"
ROOT = Path("/tmp/clinic_ui_bench")


@dataclass(frozen=True)
class BenchStore:
    data_dir: Path
    keyring_env: str
    patients: int

    def child_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PYTHON_KEYRING_BACKEND"] = "bench_ui_keyring.EnvKeyring"
        env["PYTHONPATH"] = os.pathsep.join([str(HERE), env.get("PYTHONPATH", "")])
        env[ENV] = self.keyring_env
        env["CLINIC_DATA_DIR"] = str(self.data_dir)
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        return env

    def install_keyring(self) -> None:
        os.environ[ENV] = self.keyring_env
        keyring.set_keyring(EnvKeyring())


def bench_store(patients: int) -> BenchStore:
    """The store with `patients` synthetic patients (built on first use, ~1 min for 100k)."""
    from clinic_app.bootstrap import initialise
    from clinic_app.patients.demo import seed_patients
    from clinic_app.settings import Settings
    from clinic_app.storage.keys import UnlockMode

    folder = ROOT / str(patients)
    marker = folder / "ready.json"
    if marker.exists():
        info = json.loads(marker.read_text())
        return BenchStore(folder / "data", info["keyring"], patients)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    backend = EnvKeyring()
    keyring.set_keyring(backend)
    started = time.perf_counter()
    services, _recovery = initialise(
        Settings(data_dir=folder / "data", workstation="bench"),
        mode=UnlockMode.KEYRING,
        passphrase=None,
        admin_username=ADMIN,
        admin_display_name="Bench Admin",
        admin_password=ADMIN_PASSWORD,
    )
    admin = services.accounts.login(ADMIN, ADMIN_PASSWORD)
    if patients:
        seed_patients(
            services.db, services.audit_log, services.authorizer, admin, patients, seed=2026
        )
    services.db.checkpoint()
    services.close()
    print(f"built a store of {patients:,} patients in {time.perf_counter() - started:.1f} s")
    marker.write_text(json.dumps({"keyring": backend.as_env()}))
    return BenchStore(folder / "data", backend.as_env(), patients)


def rss_mb() -> float:
    """This process's resident memory now (Linux /proc), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):7.1f}  p95 {percentile(values, 0.95):7.1f}  "
        f"max {max(values):7.1f}  (n={len(values)})"
    )
