"""Start-up of the command line and of sign-in readiness, against a bare Python start.

    .venv/bin/python tests/benchmarks/bench_cli_start.py [--runs 7] [--compare-tree DIR]

Each figure is a fresh process from the source tree, timed from its start:
- baseline:       `python -c pass` (the interpreter alone);
- clinic version: `python -m clinic_app.cli --version`;
- store open:     a process that imports the storage layer only and opens that store (key from
                  the keyring, schema check, migrations when due): the part issue #8 is about;
- core ready:     a process that imports the composition root and opens the store of
                  bench_ui_support (100,000 patients, keyring mode), ready to sign someone in;
- GUI ready:      `python -m clinic_app` offscreen until its log says "store opened; sign-in
                  ready" (the same line bench_ui_cold_start.py times).
Ratios are against the baseline measured in the same run, rounds interleaved so a busy machine
weighs on every column alike. `--compare-tree DIR` runs the same commands from another source
tree too (e.g. `git worktree add /tmp/before HEAD~3`), interleaved: before/after in one run.
`--private-store` runs on a copy of the bench store in a temporary folder (without its backups),
so another process migrating or writing the shared one can't change the figures mid-run. The
first `--warmup` rounds (1) are not counted: they compile bytecode and run any migration due.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_ui_cold_start import time_lines
from bench_ui_support import bench_store, summary

ROOT = Path(__file__).resolve().parents[2]
CORE_READY = (
    "from clinic_app.bootstrap import open_services\n"
    "from clinic_app.settings import Settings\n"
    "services = open_services(Settings.load())\n"
    "print('core ready', flush=True)\n"
    "services.close()\n"
)
STORE_OPEN = (
    "from clinic_app.settings import Settings\n"
    "from clinic_app.storage.store import open_store\n"
    "opened = open_store(Settings.load())\n"
    "print('store open', flush=True)\n"
    "opened.db.dispose()\n"
)


def run_to_exit(command: list[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{command} failed: {done.stderr[-2000:]}")
    return elapsed


def one_round(tree: Path, env: dict[str, str]) -> dict[str, float]:
    python = sys.executable
    os.chdir(tree)  # `-m` and `-c` put the working folder first on sys.path: this tree's code
    times = {
        "baseline": run_to_exit([python, "-c", "pass"], env, tree),
        "version": run_to_exit([python, "-m", "clinic_app.cli", "--version"], env, tree),
        "store": time_lines([python, "-c", STORE_OPEN], env, ["store open"])["store open"],
        "core": time_lines([python, "-c", CORE_READY], env, ["core ready"])["core ready"],
        "gui": time_lines(
            [python, "-m", "clinic_app", "--verbose"], env, ["store opened; sign-in ready"]
        )["store opened; sign-in ready"],
    }
    return {name: seconds * 1000 for name, seconds in times.items()}


def report(label: str, rounds: list[dict[str, float]]) -> dict[str, float]:
    medians = {name: statistics.median(r[name] for r in rounds) for name in rounds[0]}
    base = medians["baseline"]
    print(f"\n{label} (ms, {len(rounds)} runs)")
    names = {
        "baseline": "python -c pass",
        "version": "clinic --version",
        "store": "store open (storage layer only)",
        "core": "core: store open, sign-in ready",
        "gui": "GUI: store open, sign-in ready",
    }
    for name, text in names.items():
        column = [r[name] for r in rounds]
        ratio = "" if name == "baseline" else f"   {medians[name] / base:6.1f}x baseline"
        print(f"  {text:<34} {summary(column)}{ratio}")
    return medians


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--compare-tree", type=Path, default=None)
    parser.add_argument("--private-store", action="store_true")
    parser.add_argument("--warmup", type=int, default=1)
    args = parser.parse_args()
    store = bench_store(args.patients)
    env = store.child_env()
    env.setdefault("CLINIC_CONFIG", "")
    trees = {"this tree": ROOT}
    if args.compare_tree is not None:
        trees["compare tree"] = args.compare_tree.resolve()
    with tempfile.TemporaryDirectory(prefix="bench_cli_start_") as scratch:
        if args.private_store:
            copy = Path(scratch) / "data"
            shutil.copytree(store.data_dir, copy, ignore=shutil.ignore_patterns("backups"))
            env["CLINIC_DATA_DIR"] = str(copy)
        rounds: dict[str, list[dict[str, float]]] = {label: [] for label in trees}
        for number in range(args.warmup + args.runs):
            for label, tree in trees.items():
                figures = one_round(tree, env)
                if number >= args.warmup:
                    rounds[label].append(figures)
    load = os.getloadavg()[0]
    medians = {label: report(f"{label}: {trees[label]}", r) for label, r in rounds.items()}
    if args.compare_tree is not None:
        print("\nthis tree / compare tree (median):")
        for name in ("version", "store", "core", "gui"):
            ratio = medians["this tree"][name] / medians["compare tree"][name]
            print(f"  {name:<8} {ratio:5.2f}x")
    print(f"\nload average at the end: {load:.1f}")


if __name__ == "__main__":
    main()
