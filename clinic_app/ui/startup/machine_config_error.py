"""IT's machine configuration is broken: say so in a window, then stop.

`Settings.load()` refuses a configuration file it can't trust (unknown key, wrong type, value
out of range) before anything else starts; a desktop user would otherwise see nothing, or a
traceback in a terminal they never opened. The message names the file and the key (the core
wrote it so) and sends the person to IT: the file is theirs, and nothing here can fix it.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

if TYPE_CHECKING:
    from collections.abc import Sequence

    from clinic_app.packaging.machine_config import MachineConfigError

log = logging.getLogger(__name__)

# EX_CONFIG from sysexits.h: "something was found in an unconfigured or misconfigured state".
EXIT_MACHINE_CONFIG = 78
ADVICE = (
    "The application can't start until this file is corrected. Please contact your IT "
    "department and tell them this message."
)


def machine_config_error_dialog(error: MachineConfigError) -> QMessageBox:
    box = QMessageBox()
    box.setObjectName("machineConfigErrorDialog")
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("Clinic: configuration problem")
    box.setText("<b>This workstation's configuration from IT is not valid.</b>")
    box.setInformativeText(f"{error}\n\n{ADVICE}")
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    return box


def show_machine_config_error(error: MachineConfigError, argv: Sequence[str]) -> int:
    """Shows the error until it is closed; returns the process's exit code (non-zero)."""
    from clinic_app.ui.application import create_application

    # One line for a terminal or a service log as well: IT may be starting it by script.
    print(f"error: {' '.join(str(error).split())}", file=sys.stderr, flush=True)  # noqa: T201
    create_application(argv)
    box = machine_config_error_dialog(error)
    log.info("machine configuration error shown")
    box.exec()
    return EXIT_MACHINE_CONFIG
