#!/usr/bin/env python3
"""Smoke-runs a freshly built bundle the way IT would use it, with no screen and no keyring.

    python3 installer/smoke_bundle.py DIST_DIR --public-key KEY.pub

(`python3 installer/quickstart.py build-smoke` builds with a throwaway key, then runs this.)
In a temporary folder, with a machine configuration that trusts KEY.pub (CLINIC_CONFIG):

1. the standalone verifier accepts the archive (installer/verify_package.py);
2. the frozen `clinic --version`, `clinic init` (passphrase mode: CI has no OS keyring) and
   `clinic selftest --json` (bundle signature, models' hashes, database, keyring) pass;
3. the frozen `clinic update apply ARCHIVE --install-root ROOT` installs the archive as
   ROOT/versions/<version> and switches ROOT/current to it after its selftest passed;
4. the frozen `clinic` with a broken machine configuration prints one line naming the file
   and the key, and exits 78;
5. ROOT/current/clinic-app starts with QT_QPA_PLATFORM=offscreen on an empty data folder,
   reaches its first window (the log line "login window shown"), goes on until start-up has
   settled (the log line "first-run setup shown": the setup dialog is open) and exits cleanly
   (code 0) on SIGINT. The time to the first window is the cold start figure.

Standard library only. Exit 0 when every step passed; prints one line per step.
"""

# ruff: noqa: T201 - a console script: print is its interface
from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIRST_WINDOW = "login window shown"
# Start-up has settled when one of these is logged: the first-run setup dialog opened (an empty
# data folder), or the store opened and sign-in is ready (an existing one).
SETTLED = ("first-run setup shown", "store opened; sign-in ready")
GUI_TIMEOUT = 60.0
EXIT_MACHINE_CONFIG = 78


class SmokeError(Exception):
    pass


def step(name: str, argv: list[str], env: dict[str, str], timeout: float = 600) -> str:
    started = time.monotonic()
    done = subprocess.run(
        argv, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise SmokeError(
            f"{name}: exit {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    print(f"smoke: ok   {name} ({time.monotonic() - started:.1f} s)", flush=True)
    return done.stdout


def gui_first_window(app: Path, data_dir: Path, env: dict[str, str]) -> dict[str, float]:
    """Seconds from start to the first window and to a settled start-up (first-run setup or
    sign-in ready); then SIGINT and a clean exit are required."""
    gui_env = dict(env, QT_QPA_PLATFORM="offscreen")
    started = time.monotonic()
    child = subprocess.Popen(
        [str(app), "--verbose", "--data-dir", str(data_dir)],
        env=gui_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    shown = threading.Event()
    settled = threading.Event()
    seconds: dict[str, float] = {}

    def read() -> None:
        assert child.stderr is not None
        for line in child.stderr:
            lines.append(line)
            if FIRST_WINDOW in line and not shown.is_set():
                seconds["first_window_seconds"] = round(time.monotonic() - started, 2)
                shown.set()
            if any(text in line for text in SETTLED) and not settled.is_set():
                seconds["settled_seconds"] = round(time.monotonic() - started, 2)
                settled.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    for event, what in ((shown, "no window"), (settled, "no first-run setup or sign-in")):
        if not event.wait(GUI_TIMEOUT):
            child.kill()
            child.wait()
            raise SmokeError(f"the GUI showed {what} in {GUI_TIMEOUT:.0f} s:\n{''.join(lines)}")
    child.send_signal(signal.SIGINT)
    try:
        code = child.wait(timeout=30)
    except subprocess.TimeoutExpired:
        child.kill()
        raise SmokeError("the GUI did not exit within 30 s of SIGINT") from None
    reader.join(5)
    if code != 0 or not any("application shut down" in line for line in lines):
        raise SmokeError(f"the GUI exited with {code}, not cleanly:\n{''.join(lines[-20:])}")
    return seconds


def broken_config_refused(clinic: Path, work: Path, env: dict[str, str]) -> None:
    """IT's file with a value out of range: one line naming file and key, exit 78."""
    broken = work / "broken-config.toml"
    broken.write_text("idle_lock_minutes = 0\n", encoding="utf-8")
    done = subprocess.run(
        [str(clinic), "selftest"],
        env=dict(env, CLINIC_CONFIG=str(broken)),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    lines = done.stderr.strip().splitlines()
    if (
        done.returncode != EXIT_MACHINE_CONFIG
        or len(lines) != 1
        or str(broken) not in lines[0]
        or "idle_lock_minutes" not in lines[0]
    ):
        raise SmokeError(
            f"a broken machine configuration gave exit {done.returncode}:\n{done.stderr[-3000:]}"
        )
    print("smoke: ok   clinic with a broken machine configuration: one line, exit 78")


def smoke(dist: Path, public_key: Path) -> dict[str, float]:
    report = json.loads((dist / "build-report.json").read_text(encoding="utf-8"))
    bundle = dist / report["name"]
    archive = dist / report["archive"]
    version = report["version"]
    with tempfile.TemporaryDirectory(prefix="clinic-smoke-") as tmp:
        work = Path(tmp)
        config = work / "config.toml"
        config.write_text(f'trusted_keys = "{public_key.resolve()}"\nidle_lock_minutes = 5\n')
        env = dict(os.environ)
        env.update(
            CLINIC_CONFIG=str(config),
            CLINIC_DATA_DIR=str(work / "data"),
            CLINIC_PASSPHRASE="smoke passphrase 2026",
            CLINIC_ADMIN_PASSWORD="smoke-secret-2026",
        )
        env.pop("QT_QPA_PLATFORM", None)
        step(
            "verify_package.py accepts the archive",
            [sys.executable, str(HERE / "verify_package.py"), str(archive),
             "--public-key", str(public_key)],
            env,
        )  # fmt: skip
        started = time.monotonic()
        out = step("clinic --version", [str(bundle / "clinic"), "--version"], env)
        version_seconds = round(time.monotonic() - started, 2)
        if version not in out:
            raise SmokeError(f"clinic --version printed {out!r}, expected {version}")
        step(
            "clinic init (passphrase mode)",
            [str(bundle / "clinic"), "init", "--unlock", "passphrase", "--admin", "admin",
             "--recovery-key-file", str(work / "recovery-key.txt")],
            env,
        )  # fmt: skip
        checks = json.loads(
            step("clinic selftest", [str(bundle / "clinic"), "selftest", "--json"], env)
        )
        names = {check["name"] for check in checks["checks"] if check["ok"]}
        for wanted in ("bundle signature", "store", "integrity", "audit chain", "keyring"):
            if wanted not in names:
                raise SmokeError(f"clinic selftest lacks a passing {wanted!r} check: {checks}")
        root = work / "opt" / "clinic-app"
        step(
            "clinic update apply (install side by side, selftest, switch)",
            [str(bundle / "clinic"), "update", "apply", str(archive), "--install-root", str(root)],
            env,
        )  # fmt: skip
        installed = root / "current" / "clinic"
        step("installed current/clinic --version", [str(installed), "--version"], env)
        broken_config_refused(installed, work, env)
        figures = gui_first_window(root / "current" / "clinic-app", work / "fresh-data", env)
        print(
            f"smoke: ok   GUI offscreen: first window after {figures['first_window_seconds']:.2f}"
            f" s, first-run setup after {figures['settled_seconds']:.2f} s, clean exit"
        )
        return {"clinic_version_seconds": version_seconds, **figures}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Smoke-run a built clinic_app bundle.")
    parser.add_argument("dist", type=Path)
    parser.add_argument("--public-key", type=Path, required=True)
    args = parser.parse_args(argv)
    try:
        figures = smoke(args.dist, args.public_key)
    except (SmokeError, subprocess.TimeoutExpired, OSError, KeyError, ValueError) as exc:
        print(f"smoke: FAILED {exc}", file=sys.stderr)
        return 1
    print(f"smoke: passed {json.dumps(figures)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
