"""Binary: raw content streamed in chunks both ways, size-limited, in JSON form on request."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import random
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from clinic_app.server.database import make_engine
from clinic_app.server.tables import binary_blobs, binary_chunks
from sqlalchemy import func, select

from tests.server.conftest import MAX_BINARY_MB, LiveServer
from tests.server.fhir_session import FhirSession, new_id, put_entry

MIB = 1024 * 1024


def _content(size_mib: int, seed: int, digest: hashlib._Hash) -> Iterator[bytes]:
    """Pseudo-random MiB blocks (incompressible), hashed as they are produced."""
    generator = random.Random(seed)
    for _ in range(size_mib):
        block = generator.randbytes(MIB)
        digest.update(block)
        yield block


def _rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def test_a_50_mb_binary_streams_in_and_out_without_being_held_in_memory(
    fhir: FhirSession, live_server: LiveServer
) -> None:
    bid = new_id()
    sent = hashlib.sha256()
    live_server.process.reset_peak_rss()
    baseline = _rss_bytes(live_server.process.process.pid)
    response = fhir.put(
        f"Binary/{bid}",
        data=_content(50, seed=7, digest=sent),
        headers={"Content-Type": "application/dicom"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["contentType"] == "application/dicom"
    received = hashlib.sha256()
    size = 0
    with fhir.http.get(
        fhir.url(f"Binary/{bid}"), stream=True, timeout=120, headers={"Accept": "*/*"}
    ) as download:
        assert download.status_code == 200
        assert download.headers["Content-Type"] == "application/dicom"
        assert download.headers["Content-Length"] == str(50 * MIB)
        for piece in download.iter_content(256 * 1024):
            received.update(piece)
            size += len(piece)
    assert size == 50 * MIB
    assert received.hexdigest() == sent.hexdigest()
    # Loose on purpose: allocator arenas of the worker threads come and go (typically 10-20
    # MiB here); holding the 50 MiB content whole, even once, would cross the line.
    growth = live_server.process.peak_rss_bytes() - baseline
    assert growth < 45 * MIB, f"the server's memory grew by {growth // MIB} MiB"
    engine = make_engine(live_server.db_url)
    try:
        with engine.connect() as connection:
            blob_id = (
                connection.execute(
                    select(binary_blobs.c.blob_id).where(binary_blobs.c.size == 50 * MIB)
                )
                .scalars()
                .first()
            )
            chunks = connection.execute(
                select(func.count()).where(binary_chunks.c.blob_id == blob_id)
            ).scalar_one()
    finally:
        engine.dispose()
    assert chunks == 50  # stored as 1 MiB chunks


def test_content_over_the_limit_is_413_and_leaves_nothing_behind(
    fhir: FhirSession, live_server: LiveServer
) -> None:
    bid = new_id()
    response = fhir.put(
        f"Binary/{bid}",
        data=_content(MAX_BINARY_MB + 2, seed=1, digest=hashlib.sha256()),
        headers={"Content-Type": "application/octet-stream"},
    )
    assert response.status_code == 413
    assert response.json()["issue"][0]["code"] == "too-long"
    assert fhir.get(f"Binary/{bid}").status_code == 404
    engine = make_engine(live_server.db_url)
    try:
        with engine.connect() as connection:
            staged = connection.execute(
                select(func.count()).where(binary_blobs.c.complete.is_(False))
            ).scalar_one()
    finally:
        engine.dispose()
    assert staged == 0


def test_a_declared_oversized_binary_is_refused_at_once(live_server: LiveServer) -> None:
    bid = new_id()
    address = urlsplit(live_server.url)
    connection = http.client.HTTPConnection(str(address.hostname), address.port, timeout=30)
    connection.putrequest("PUT", f"/Binary/{bid}")
    connection.putheader("Authorization", f"Bearer {live_server.token}")
    connection.putheader("Content-Type", "image/png")
    connection.putheader("Content-Length", str((MAX_BINARY_MB + 1) * MIB))
    connection.endheaders()
    connection.send(b"\x89PNG")
    response = connection.getresponse()
    assert response.status == 413
    assert json.loads(response.read())["issue"][0]["code"] == "too-long"
    connection.close()


def test_binary_json_form_range_requests_and_history_metadata(fhir: FhirSession) -> None:
    bid = new_id()
    content = bytes(range(256)) * 10
    resource = {
        "resourceType": "Binary",
        "id": bid,
        "contentType": "image/png",
        "data": base64.b64encode(content).decode(),
    }
    assert fhir.put(f"Binary/{bid}", resource).status_code == 201
    as_json = fhir.get(f"Binary/{bid}").json()  # the session asks for FHIR JSON
    assert base64.b64decode(as_json["data"]) == content
    raw = fhir.get(f"Binary/{bid}", headers={"Accept": "image/png"})
    assert raw.content == content
    assert raw.headers["Content-Type"] == "image/png"
    part = fhir.get(f"Binary/{bid}", headers={"Accept": "*/*", "Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.content == content[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(content)}"
    tail = fhir.get(f"Binary/{bid}", headers={"Accept": "*/*", "Range": "bytes=2500-"})
    assert tail.content == content[2500:]
    outside = fhir.get(f"Binary/{bid}", headers={"Accept": "*/*", "Range": "bytes=9999-"})
    assert outside.status_code == 416
    entry = fhir.get(f"Binary/{bid}/_history").json()["entry"][0]
    assert entry["resource"]["contentType"] == "image/png"
    assert "data" not in entry["resource"]


def test_a_binary_in_a_transaction_is_stored_with_its_document(fhir: FhirSession) -> None:
    bid, did = new_id(), new_id()
    content = b"%PDF-1.4 tiny"
    binary = {
        "resourceType": "Binary",
        "id": bid,
        "contentType": "application/pdf",
        "data": base64.b64encode(content).decode(),
    }
    document = {
        "resourceType": "DocumentReference",
        "id": did,
        "status": "current",
        "content": [{"attachment": {"contentType": "application/pdf", "url": f"Binary/{bid}"}}],
    }
    response = fhir.transaction([put_entry(binary), put_entry(document)])
    assert response.status_code == 200, response.text
    raw = fhir.get(f"Binary/{bid}", headers={"Accept": "application/pdf"})
    assert raw.content == content
    # Uploading the same content again is no new version.
    again = fhir.put(f"Binary/{bid}", data=content, headers={"Content-Type": "application/pdf"})
    assert again.status_code == 200
    assert again.headers["ETag"] == 'W/"1"'


def test_versions_of_a_binary_keep_their_own_content(fhir: FhirSession) -> None:
    bid = new_id()
    fhir.put(f"Binary/{bid}", data=b"first", headers={"Content-Type": "text/plain"})
    fhir.put(
        f"Binary/{bid}", data=b"second", headers={"Content-Type": "text/plain", "If-Match": 'W/"1"'}
    )
    stale = fhir.put(
        f"Binary/{bid}", data=b"third", headers={"Content-Type": "text/plain", "If-Match": 'W/"1"'}
    )
    assert stale.status_code == 412
    accept = {"Accept": "text/plain"}
    assert fhir.get(f"Binary/{bid}/_history/1", headers=accept).content == b"first"
    assert fhir.get(f"Binary/{bid}", headers=accept).content == b"second"
