"""`python -m clinic_app` (and the `clinic-app` GUI entry point): start the desktop application.

Qt is imported only inside `main()`, so the core stays importable without it.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence


def parse_args(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    """Our options, and the rest for Qt (`-platform offscreen`, `-style …`)."""
    parser = argparse.ArgumentParser(prog="clinic-app", description="The clinic desktop app.")
    parser.add_argument(
        "--data-dir",
        help="where the encrypted database lives (default: $CLINIC_DATA_DIR, then the "
        "platform's user data folder)",
    )
    parser.add_argument("--verbose", action="store_true", help="log more (never patient data)")
    return parser.parse_known_args(list(argv))


def main(argv: Sequence[str] | None = None) -> int:
    args, qt_args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    from clinic_app.packaging.machine_config import MachineConfigError
    from clinic_app.settings import Settings

    qt_argv = [sys.argv[0], *qt_args]
    try:
        settings = Settings.load(args.data_dir)
    except MachineConfigError as exc:
        from clinic_app.ui.startup.machine_config_error import show_machine_config_error

        return show_machine_config_error(exc, qt_argv)
    from clinic_app.ui.application import run

    return run(settings, qt_argv)


if __name__ == "__main__":
    sys.exit(main())
