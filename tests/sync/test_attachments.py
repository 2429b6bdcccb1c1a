"""Attachments as Binary: the records go first and a file the server refuses is held (never
dropped) until it can go; downloads cut off half-way resume from the bytes already stored and
end with the exact file."""

from __future__ import annotations

import hashlib
import io
import os

from clinic_app.records.models import VisitInput
from clinic_app.security.permissions import Role
from clinic_app.sync.models import RecordSyncState

from tests.sync.clinic_data import patient
from tests.sync.conftest import WorkstationFactory
from tests.sync.fault_proxy import FaultProxy
from tests.sync.server_process import ServerProcess
from tests.sync.workstation import assert_converged

BIG = os.urandom(1024 * 1024 * 2 + 123_457)  # 2.1 MB: three chunks


def test_a_file_the_server_refuses_is_held_while_the_rest_syncs_then_goes(
    sync_server: ServerProcess, workstation: WorkstationFactory
) -> None:
    sync_server.extra_args = ("--max-binary-mb", "1")
    sync_server.restart()
    cut_binaries = {"on": True}
    ranges: list[bytes] = []

    def cut_downloads(head: bytes) -> str | None:
        request_line = head.split(b"\r\n", 1)[0]
        is_download = request_line.startswith(b"GET ") and b"/Binary/" in request_line
        ranges.extend(line for line in head.split(b"\r\n") if line.lower().startswith(b"range:"))
        return "cut" if is_download and cut_binaries["on"] else "pass"

    proxy = FaultProxy(sync_server.port, choose=cut_downloads)
    try:
        a = workstation("ws-a", sync_server)
        b = workstation("ws-b", sync_server, url=proxy.url)
        doctor = a.users[Role.DOCTOR]
        ada = a.services.patients.create(doctor, patient("Ada", "Byron", "1985-12-10")).patient
        visit = a.services.records.visits.open_visit(doctor, ada.id, data=VisitInput(reason="X"))
        scan = a.services.records.attachments.add_stream(
            doctor, "visit", visit.id, io.BytesIO(BIG), "scan.bin"
        )
        a.sync_now()
        # Everything but the file went; the file is held with the server's reason.
        assert a.sync.record_state(doctor, "visits", visit.id) is RecordSyncState.SYNCED
        assert a.sync.record_state(doctor, "attachments", scan.id) is RecordSyncState.QUARANTINED
        [held] = a.sync.quarantined(doctor)
        assert held.status_code == 413
        assert "larger" in held.message
        a.sync_now()  # held: not sent again by itself
        assert a.sync.record_state(doctor, "attachments", scan.id) is RecordSyncState.QUARANTINED
        # IT raises the server's limit; the desk retries the held file.
        sync_server.extra_args = ()
        sync_server.restart()
        assert a.sync.retry_quarantined(doctor, held.id)
        report = a.sync_now()
        assert report.uploaded == 1
        assert a.sync.record_state(doctor, "attachments", scan.id) is RecordSyncState.SYNCED
        # B's download is cut off half-way: the part it has stays, and the rest follows.
        b.sync_now()
        assert b.sync.record_state(doctor, "attachments", scan.id) is RecordSyncState.DOWNLOADING
        assert b.sync.status(None).pending_downloads == 1
        cut_binaries["on"] = False
        b.sync_now()
        assert b.attachment_digest(scan.id) == hashlib.sha256(BIG).hexdigest()
        assert ranges == [b"Range: bytes=1048576-"]  # resumed after the first whole chunk
        assert b.sync.record_state(doctor, "attachments", scan.id) is RecordSyncState.SYNCED
        _info, data = b.services.records.attachments.read_content(
            doctor, scan.id, max_bytes=len(BIG)
        )
        assert data == BIG  # read through the records feature, hash-checked there too
        assert_converged(a, b)
    finally:
        proxy.stop()
