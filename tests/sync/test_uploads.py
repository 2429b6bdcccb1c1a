"""Uploads resume per file: a run whose large file can't get through still sends every other
file and its record, and receives what others sent, before it tries the large one; the next
run sends only the file that had not gone (a plain FHIR `PUT Binary` has no partial form, so a
file is the unit of resumption)."""

from __future__ import annotations

import io
import os
import re
from collections import Counter

from clinic_app.records.models import VisitInput
from clinic_app.security.permissions import Role
from clinic_app.sync.binaries import LARGE_FILE
from clinic_app.sync.models import RecordSyncState

from tests.sync.clinic_data import patient
from tests.sync.conftest import WorkstationFactory
from tests.sync.fault_proxy import FaultProxy
from tests.sync.server_process import ServerProcess
from tests.sync.workstation import assert_converged

LARGE = os.urandom(LARGE_FILE + 200_000)
SMALL = [os.urandom(50_000 + 1000 * n) for n in range(3)]
_PUT_BINARY = re.compile(rb"^PUT /Binary/([A-Za-z0-9\-.]+) ")


def test_a_large_file_that_cannot_go_holds_up_nothing_and_no_finished_file_goes_twice(
    sync_server: ServerProcess, workstation: WorkstationFactory
) -> None:
    puts: Counter[str] = Counter()
    order: list[bytes] = []
    block = {"id": b"", "on": True}

    def refuse_the_large_file(head: bytes) -> str:
        order.append(head.split(b"\r\n", 1)[0])
        found = _PUT_BINARY.match(head.split(b"\r\n", 1)[0])
        if found:
            puts[found.group(1).decode()] += 1
            if block["on"] and found.group(1) == block["id"]:
                return "refuse"  # the connection drops before any answer, every time
        return "pass"

    proxy = FaultProxy(sync_server.port, choose=refuse_the_large_file)
    try:
        a = workstation("ws-a", sync_server, url=proxy.url)
        b = workstation("ws-b", sync_server)
        doctor_a, doctor_b = a.users[Role.DOCTOR], b.users[Role.DOCTOR]
        # Something for A to receive in the same run.
        bea = b.services.patients.create(doctor_b, patient("Bea", "B", "1990-02-03")).patient
        b_visit = b.services.records.visits.open_visit(doctor_b, bea.id, data=VisitInput())
        from_b = b.services.records.attachments.add_stream(
            doctor_b, "visit", b_visit.id, io.BytesIO(SMALL[0]), "b.bin"
        )
        b.sync_now()

        ada = a.services.patients.create(doctor_a, patient("Ada", "A", "1985-12-10")).patient
        visit = a.services.records.visits.open_visit(doctor_a, ada.id, data=VisitInput())
        attach = a.services.records.attachments.add_stream
        large = attach(doctor_a, "visit", visit.id, io.BytesIO(LARGE), "large.bin")
        small = [
            attach(doctor_a, "visit", visit.id, io.BytesIO(data), f"small-{n}.bin")
            for n, data in enumerate(SMALL)
        ]
        block["id"] = large.id.encode()
        first = a.sync_now()  # the large file's connection drops on every attempt
        assert first.uploaded == 3
        assert first.downloaded == 1
        assert a.sync.record_state(doctor_a, "attachments", from_b.id) is RecordSyncState.SYNCED
        for item in small:
            assert a.sync.record_state(doctor_a, "attachments", item.id) is RecordSyncState.SYNCED
        assert a.sync.record_state(doctor_a, "attachments", large.id) is RecordSyncState.PENDING
        assert a.sync.status(None).pending_uploads == 1
        assert puts[large.id] >= 2  # retried within the run, then left for the next
        # What A received came down before the large file's first attempt.
        fetched = next(i for i, line in enumerate(order) if from_b.id.encode() in line)
        tried = next(i for i, line in enumerate(order) if large.id.encode() in line)
        assert order[fetched].startswith(b"GET ")
        assert fetched < tried
        b.sync_now()  # B has the small files and their records already
        for item in small:
            assert b.sync.record_state(doctor_b, "attachments", item.id) is RecordSyncState.SYNCED

        block["on"] = False
        tries = puts[large.id]
        second = a.sync_now()
        assert second.uploaded == 1
        assert puts[large.id] == tries + 1
        assert all(puts[item.id] == 1 for item in small)  # never sent twice
        b.sync_now()
        assert b.attachment_digest(large.id) == a.attachment_digest(large.id)
        assert_converged(a, b)
    finally:
        proxy.stop()
