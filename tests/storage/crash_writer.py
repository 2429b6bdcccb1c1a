"""Child process for the crash-safety test: forks writers that the test kills with SIGKILL.

Run as a script. It imports the application once, then for each line on stdin forks a writer
process that opens the store (passphrase mode: it can't see the test's in-memory keyring),
writes patients in a loop and prints each committed change as soon as `commit()` returned:

    started <pid>
    created <patient id>
    updated <patient id> <version>

When the writer is gone (killed), this process prints `reaped <pid> <wait status>`. Forking from
an already-imported parent keeps each round at ~0.2 s instead of ~1 s of Python start-up, so
the test can afford many kills. The parent never opens the database, so a writer inherits no
connection. Environment: CLINIC_DATA_DIR, CLINIC_TEST_PASSPHRASE, CLINIC_TEST_USER_ID,
CLINIC_TEST_USERNAME.
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path

from clinic_app.bootstrap import open_services
from clinic_app.patients.models import PatientInput
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser
from clinic_app.settings import Settings

# A writer that is never killed stops by itself, so a broken test can't leave it running.
MAX_WRITES = 2_000


def _say(line: str) -> None:
    # One short write(2) per line: a line on the pipe is whole or absent, never torn.
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _write_until_killed(
    settings: Settings, passphrase: str, user: AuthenticatedUser, rnd: int
) -> None:
    _say(f"started {os.getpid()}")
    services = open_services(settings, passphrase)
    written: list[tuple[str, int]] = []
    for index in range(MAX_WRITES):
        created = services.patients.create(
            user,
            PatientInput(
                given_name=f"Crash{rnd}",
                family_name=f"Writer{index}",
                sex="unknown",
                birth_date="1990-01-01",
                phone=f"+1 555 {rnd:03d} {index:04d}",
                mrn=f"CRASH-{rnd}-{index}",
                allergies=f"synthetic allergy {rnd}/{index}",
            ),
        )
        _say(f"created {created.patient.id}")
        written.append((created.patient.id, created.patient.version))
        if index % 3 == 2:
            # Every third step edits an earlier record: the FTS update trigger runs too.
            target, version = written[index // 2]
            updated = services.patients.update(
                user,
                target,
                PatientInput(
                    given_name=f"Crash{rnd}",
                    family_name=f"Edited{index}",
                    sex="unknown",
                    birth_date="1990-01-01",
                ),
                version,
            )
            written[index // 2] = (target, updated.version)
            _say(f"updated {target} {updated.version}")


def main() -> None:
    settings = Settings(data_dir=Path(os.environ["CLINIC_DATA_DIR"]), workstation="crash-ws")
    passphrase = os.environ["CLINIC_TEST_PASSPHRASE"]
    user = AuthenticatedUser(
        id=os.environ["CLINIC_TEST_USER_ID"],
        username=os.environ["CLINIC_TEST_USERNAME"],
        display_name="Crash Writer",
        role=Role.DOCTOR,
    )
    for line in sys.stdin:
        rnd = int(line)
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                _write_until_killed(settings, passphrase, user, rnd)
            except BaseException:  # noqa: BLE001 - the test reads stderr and fails on exit 3
                traceback.print_exc()
                code = 3
            sys.stderr.flush()
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        _say(f"reaped {pid} {status}")


if __name__ == "__main__":
    main()
