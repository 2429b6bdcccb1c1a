"""Idle memory of the desktop app after signing in over 100,000 patients.

    .venv/bin/python tests/benchmarks/bench_ui_memory.py [--patients 100000]

Each figure comes from its own fresh process (offscreen Qt), measured after 3 s idle:
- bare Qt:   QApplication + one QWidget shown (the floor for any Qt app);
- core only: the store opened, the administrator signed in, the first list page read (no Qt);
- clinic app: the real application, signed in through the login window, patients page
  showing its first page of 100 rows out of the 100,000.
Goal: clinic app <= 250 MB. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

from bench_ui_support import ADMIN, ADMIN_PASSWORD, bench_store, rss_mb

IDLE_MS = 3000


def child_bare() -> dict[str, float]:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication([])
    widget = QWidget()
    widget.show()
    result: dict[str, float] = {}
    QTimer.singleShot(IDLE_MS, lambda: (result.update(rss=rss_mb()), app.quit()))
    app.exec()
    return result


def child_core(data_dir: Path) -> dict[str, float]:
    from clinic_app.bootstrap import open_services
    from clinic_app.settings import Settings

    services = open_services(Settings.load(data_dir))
    user = services.accounts.login(ADMIN, ADMIN_PASSWORD)
    page = services.patients.list(user, limit=100)
    assert page.total is not None
    import time

    time.sleep(IDLE_MS / 1000)  # a script, not a test: nothing else to wait on
    return {"rss": rss_mb(), "total": float(page.total)}


def child_app(data_dir: Path) -> dict[str, float]:
    from clinic_app.settings import Settings
    from clinic_app.ui.app_controller import ClinicAppController
    from clinic_app.ui.application import create_application
    from PySide6.QtCore import QTimer

    app = create_application([sys.argv[0]])
    controller = ClinicAppController(Settings.load(data_dir))
    result: dict[str, float] = {}

    def sign_in() -> None:
        window = controller.login_window
        window.username_edit.setText(ADMIN)
        window.password_edit.setText(ADMIN_PASSWORD)
        window.sign_in_button.click()

    def measure() -> None:
        assert controller.workspace is not None
        page = controller.workspace.window.page("patients")
        result["rows"] = float(page.model.rowCount())  # type: ignore[union-attr]
        result["rss"] = rss_mb()
        controller.shutdown()

    def opened(workspace: object) -> None:
        # The patients page, whatever page this user had open last time.
        page = controller.workspace.window.show_page("patients")  # type: ignore[union-attr]
        page.list_controller.results_shown.connect(  # type: ignore[union-attr]
            lambda: QTimer.singleShot(IDLE_MS, measure)
        )

    controller.store_opened.connect(sign_in)
    controller.workspace_opened.connect(opened)
    controller.finished.connect(app.quit)
    controller.start()
    app.exec()
    return result


def run_child(kind: str, store_env: dict[str, str], data_dir: Path) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--data-dir", str(data_dir)],
        env=store_env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--child", choices=["bare", "core", "app"])
    parser.add_argument("--data-dir")
    args = parser.parse_args()
    if args.child:
        data_dir = Path(args.data_dir)
        if args.child == "bare":
            result = child_bare()
        elif args.child == "core":
            result = child_core(data_dir)
        else:
            result = child_app(data_dir)
        print(json.dumps(result))
        return
    store = bench_store(args.patients)
    # A first sign-in: no remembered page (which could build another page first).
    shutil.rmtree(store.data_dir / "ui", ignore_errors=True)
    env = store.child_env()
    bare = run_child("bare", env, store.data_dir)
    core = run_child("core", env, store.data_dir)
    app = run_child("app", env, store.data_dir)
    print(f"\nidle resident memory, {args.patients:,} patients (MB, after {IDLE_MS} ms idle)")
    print(f"  bare Qt window:                {bare['rss']:7.1f}")
    print(f"  core only (open, login, list): {core['rss']:7.1f}")
    print(f"  clinic app signed in, {int(app['rows'])} rows shown: {app['rss']:7.1f}")
    ratio = app["rss"] / (bare["rss"] + core["rss"])
    print(f"  app / (bare Qt + core): {ratio:.2f}x   goal: <= 250 MB")


if __name__ == "__main__":
    main()
