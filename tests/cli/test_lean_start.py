"""Start-up stays lean: `clinic --version`, the CLI's import and opening the services load no
imaging stack (OpenCV, ONNX Runtime, pydicom, NumPy); imaging loads when first used.

Each check runs in a fresh interpreter and reads its `sys.modules`: this process has long
imported everything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

IMAGING_STACK = ("cv2", "onnxruntime", "pydicom", "numpy")
# What `clinic --version` must not need either: the database stack and the signing code.
DATABASE_STACK = ("sqlalchemy", "sqlcipher3", "alembic", "cryptography", "argon2", "keyring")
REPORT = (
    "\nimport json, sys\n"
    "print('MODULES=' + json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
)


def top_level_modules(code: str, tmp_path: Path) -> tuple[set[str], str]:
    env = {
        **os.environ,
        "CLINIC_DATA_DIR": str(tmp_path / "data"),
        "CLINIC_CONFIG": "",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    completed = subprocess.run(
        [sys.executable, "-c", code + REPORT],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    line = next(x for x in completed.stdout.splitlines() if x.startswith("MODULES="))
    return set(json.loads(line.removeprefix("MODULES="))), completed.stdout


def test_clinic_version_imports_neither_imaging_nor_the_database(tmp_path: Path) -> None:
    code = (
        "from clinic_app.cli.main import main\ncode = main(['--version'])\nassert code == 0, code\n"
    )
    loaded, out = top_level_modules(code, tmp_path)
    assert "clinic, version" in out
    assert not loaded & {*IMAGING_STACK, *DATABASE_STACK}, loaded & {
        *IMAGING_STACK,
        *DATABASE_STACK,
    }


def test_importing_the_cli_and_its_help_load_no_imaging(tmp_path: Path) -> None:
    loaded, _out = top_level_modules("import clinic_app.cli.main\n", tmp_path)
    assert not loaded & {*IMAGING_STACK, *DATABASE_STACK}


def test_building_the_services_loads_imaging_only_when_it_is_used(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from clinic_app.bootstrap import initialise, open_services\n"
        "from clinic_app.settings import Settings\n"
        "from clinic_app.storage.keys import UnlockMode\n"
        "settings = Settings.load()\n"
        "services, _key = initialise(settings, mode=UnlockMode.PASSPHRASE,\n"
        "    passphrase='a long lean passphrase', admin_username='boss',\n"
        "    admin_display_name='Boss', admin_password='lean-start-2026')\n"
        "services.close()\n"
        "services = open_services(settings, 'a long lean passphrase')\n"
        "admin = services.accounts.login('boss', 'lean-start-2026')\n"
        "services.patients.list(admin, limit=10)\n"
        f"before = sorted(m for m in {IMAGING_STACK!r} if m in sys.modules)\n"
        "print('BEFORE=' + ','.join(before))\n"
        # The first use builds the real services, once, over the same database.
        "from clinic_app.imaging.analysis_service import AnalysisService\n"
        "from clinic_app.imaging.study_service import ImagingService\n"
        "assert isinstance(services.analyses, AnalysisService)\n"
        "assert services.analyses is services.analyses\n"
        "assert isinstance(services.imaging, ImagingService)\n"
        "services.close()\n"
    )
    loaded, out = top_level_modules(code, tmp_path)
    before = next(x for x in out.splitlines() if x.startswith("BEFORE="))
    assert before == "BEFORE=", f"opening the services and signing in loaded {before}"
    assert {"cv2", "numpy"} <= loaded, "the imaging services were not built on first use"
