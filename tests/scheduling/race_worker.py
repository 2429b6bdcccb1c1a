"""Child process for the booking race: opens the shared store (passphrase mode: a child can't
see the test's in-memory keyring), signs in as the front desk, and for each round waits for the
parent's go-file, then books the round's slot at once and prints one JSON line with the result.

    python race_worker.py DATA_DIR SYNC_DIR NAME PATIENT_ID SLOT_ID [SLOT_ID ...]

Environment: CLINIC_TEST_PASSPHRASE, CLINIC_TEST_USERNAME, CLINIC_TEST_PASSWORD.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

from clinic_app.bootstrap import open_services
from clinic_app.scheduling.errors import SlotTakenError
from clinic_app.scheduling.models import BookingRequest
from clinic_app.settings import Settings

WAIT_LIMIT_S = 60.0


def _wait_for(path: Path) -> None:
    deadline = time.monotonic() + WAIT_LIMIT_S
    while not path.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"no go signal: {path.name}")
        time.sleep(0.0005)


def main(argv: list[str]) -> int:
    data_dir, sync_dir, name, patient_id, *slot_ids = argv
    sync = Path(sync_dir)
    services = open_services(
        Settings(data_dir=Path(data_dir), workstation=name), os.environ["CLINIC_TEST_PASSPHRASE"]
    )
    try:
        desk = services.accounts.login(
            os.environ["CLINIC_TEST_USERNAME"], os.environ["CLINIC_TEST_PASSWORD"]
        )
        for round_no, slot_id in enumerate(slot_ids):
            (sync / f"ready-{name}-{round_no}").touch()
            _wait_for(sync / f"go-{round_no}")
            try:
                booked = services.scheduling.booking.book(desk, slot_id, BookingRequest(patient_id))
                result = {"round": round_no, "won": True, "appointment": booked.id}
            except SlotTakenError as exc:
                offer = exc.next_slot.id if exc.next_slot else None
                result = {"round": round_no, "won": False, "offer": offer, "message": str(exc)}
            sys.stdout.write(json.dumps(result) + "\n")
            sys.stdout.flush()
    finally:
        services.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
