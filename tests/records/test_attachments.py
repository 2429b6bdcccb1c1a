"""Attachments: streamed into the encrypted database in chunks, sniffed from their bytes,
limited in size, read back for preview, exported (never overwriting), all audited."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from clinic_app.bootstrap import Services
from clinic_app.errors import (
    ClinicError,
    OperationCancelledError,
    PermissionDeniedError,
    ValidationError,
)
from clinic_app.records.attachment_service import AttachmentService, clean_filename
from clinic_app.records.attachment_store import CHUNK_SIZE
from clinic_app.records.content_sniffing import sniff_bytes
from clinic_app.records.models import Visit
from clinic_app.records.services import Records
from clinic_app.security.users import AuthenticatedUser
from clinic_app.tasks import CancelToken

from tests.store_inspection import audit_events, last_audit_seq, outbox_entries, scalar

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32 + b"IEND\xaeB`\x82"
JPEG = b"\xff\xd8\xff\xe0" + b"\x10" * 64 + b"\xff\xd9"
DICOM = b"\x00" * 128 + b"DICM" + b"\x02\x00\x00\x00UL\x04\x00" + b"\x00" * 64
TIFF = b"II*\x00" + b"\x08\x00\x00\x00" + b"\x00" * 32


def _nothing_stored(services: Services) -> bool:
    return (
        scalar(services.db, "SELECT count(*) FROM attachments") == 0
        and scalar(services.db, "SELECT count(*) FROM attachment_chunks") == 0
    )


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("scan.pdf", PDF, "application/pdf"),
        ("photo.png", PNG, "image/png"),
        ("photo.jpg", JPEG, "image/jpeg"),
        ("IM0001", DICOM, "application/dicom"),
        ("film.tiff", TIFF, "image/tiff"),
        ("note.txt", "Température 38,5 °C — toux\n".encode(), "text/plain"),
        ("blob.bin", bytes(range(256)) * 4, "application/octet-stream"),
    ],
)
def test_content_type_comes_from_the_bytes(name: str, content: bytes, expected: str) -> None:
    sniffed = sniff_bytes(content, name)
    assert sniffed.content_type == expected
    assert not sniffed.type_mismatch
    assert sniffed.problems == ()


def test_a_file_round_trips_through_chunks_with_its_hash(
    services: Services,
    records: Records,
    doctor: AuthenticatedUser,
    open_visit: Visit,
    tmp_path: Path,
) -> None:
    body = PDF[:-7] + bytes(range(256)) * (CHUNK_SIZE // 256) * 2 + b"\n%%EOF\n"
    source = tmp_path / "labs.pdf"
    source.write_bytes(body)
    before = last_audit_seq(services.db)
    info = records.attachments.add_file(doctor, "visit", open_visit.id, source)
    assert info.size_bytes == len(body)
    assert info.sha256 == hashlib.sha256(body).hexdigest()
    assert info.content_type == "application/pdf"
    assert scalar(services.db, "SELECT chunk_count FROM attachments WHERE id = ?", info.id) == 3
    assert (
        scalar(
            services.db,
            "SELECT max(length(data)) FROM attachment_chunks WHERE attachment_id = ?",
            info.id,
        )
        == CHUNK_SIZE
    )
    assert [e.operation for e in outbox_entries(services.db, info.id)] == ["create"]
    shown, data = records.attachments.read_content(doctor, info.id)
    assert data == body
    assert shown == info
    target = records.attachments.export(doctor, info.id, tmp_path / "copy.pdf")
    assert target.read_bytes() == body
    actions = [e.action for e in audit_events(services.db, after_seq=before)]
    assert actions == ["attachment.add", "attachment.read", "attachment.export"]
    visit = records.visits.get_visit(doctor, open_visit.id)
    assert [a.id for a in visit.attachments] == [info.id]


def test_export_refuses_to_overwrite_and_nurses_can_not_export(
    records: Records,
    doctor: AuthenticatedUser,
    nurse: AuthenticatedUser,
    open_visit: Visit,
    tmp_path: Path,
) -> None:
    info = records.attachments.add_stream(doctor, "visit", open_visit.id, io.BytesIO(PNG), "x.png")
    existing = tmp_path / "taken.png"
    existing.write_bytes(b"keep me")
    with pytest.raises(ValidationError, match="already exists"):
        records.attachments.export(doctor, info.id, existing)
    assert existing.read_bytes() == b"keep me"
    with pytest.raises(PermissionDeniedError):
        records.attachments.export(nurse, info.id, tmp_path / "n.png")
    with pytest.raises(ClinicError, match="could not be created"):
        records.attachments.export(doctor, info.id, tmp_path / "missing" / "dir" / "x.png")


def test_a_cancelled_export_leaves_no_partial_file(
    records: Records, doctor: AuthenticatedUser, open_visit: Visit, tmp_path: Path
) -> None:
    info = records.attachments.add_stream(doctor, "visit", open_visit.id, io.BytesIO(PNG), "x.png")
    token = CancelToken()
    token.cancel()
    target = tmp_path / "cancelled.png"
    with pytest.raises(OperationCancelledError):
        records.attachments.export(doctor, info.id, target, cancel=token)
    assert not target.exists()


def test_a_renamed_file_is_flagged_and_stored_as_what_it_is(
    records: Records, doctor: AuthenticatedUser, open_visit: Visit
) -> None:
    info = records.attachments.add_stream(
        doctor, "visit", open_visit.id, io.BytesIO(PNG), "report.pdf"
    )
    assert info.content_type == "image/png"
    assert info.declared_type == "application/pdf"
    assert info.type_mismatch
    assert any("content is image/png" in p for p in info.problems)


def test_a_truncated_pdf_is_stored_with_a_warning(
    records: Records, doctor: AuthenticatedUser, open_visit: Visit
) -> None:
    info = records.attachments.add_stream(
        doctor, "visit", open_visit.id, io.BytesIO(PDF[: len(PDF) // 2]), "cut.pdf"
    )
    assert info.content_type == "application/pdf"
    assert info.problems == ("The PDF has no end-of-file marker: it is probably truncated.",)


def test_an_empty_file_is_refused(
    services: Services,
    records: Records,
    doctor: AuthenticatedUser,
    open_visit: Visit,
    tmp_path: Path,
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(ValidationError, match="empty"):
        records.attachments.add_file(doctor, "visit", open_visit.id, empty)
    assert _nothing_stored(services)


def test_a_file_over_the_limit_is_refused_with_the_sizes(
    services: Services, doctor: AuthenticatedUser, open_visit: Visit, tmp_path: Path
) -> None:
    small_limit = AttachmentService(services.records.context, max_bytes=2 * CHUNK_SIZE)
    big = tmp_path / "big.bin"
    big.write_bytes(b"\x01" * (3 * CHUNK_SIZE))
    with pytest.raises(ValidationError) as error:
        small_limit.add_file(doctor, "visit", open_visit.id, big)
    assert str(error.value).startswith(
        "The file is too large to attach (3.0 MB; the limit is 2.0 MB)"
    )
    # A stream has no size up front: it is cut off while streaming, and nothing is kept.
    with pytest.raises(ValidationError, match="too large"):
        small_limit.add_stream(
            doctor, "visit", open_visit.id, io.BytesIO(b"\x01" * (3 * CHUNK_SIZE)), "big.bin"
        )
    assert _nothing_stored(services)


def test_a_file_that_shrinks_while_being_read_is_not_kept(
    services: Services,
    records: Records,
    doctor: AuthenticatedUser,
    open_visit: Visit,
    tmp_path: Path,
) -> None:
    path = tmp_path / "growing.txt"
    path.write_bytes(b"a" * (2 * CHUNK_SIZE + 10))

    class TruncateAfterFirstChunk:
        """Another program cutting the file short while it is being attached."""

        def report(self, done: int, total: int, message: str = "") -> None:
            path.write_bytes(b"a" * 10)

    with pytest.raises(ClinicError, match="changed while it was being attached"):
        records.attachments.add_file(
            doctor, "visit", open_visit.id, path, progress=TruncateAfterFirstChunk()
        )
    assert _nothing_stored(services)


def test_a_file_that_vanishes_or_fails_mid_read_is_not_kept(
    services: Services,
    records: Records,
    doctor: AuthenticatedUser,
    open_visit: Visit,
    tmp_path: Path,
) -> None:
    class FailingDisk(io.RawIOBase):
        """A removable disk pulled out after the first megabyte (an OS-level failure)."""

        def __init__(self) -> None:
            self.calls = 0

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            self.calls += 1
            if self.calls > 1:
                raise OSError(5, "Input/output error")
            return b"x" * CHUNK_SIZE

    with pytest.raises(ClinicError, match="could not be read to the end"):
        records.attachments.add_stream(doctor, "visit", open_visit.id, FailingDisk(), "usb.txt")
    with pytest.raises(ClinicError, match="does not exist"):
        records.attachments.add_file(doctor, "visit", open_visit.id, tmp_path / "gone.pdf")
    assert _nothing_stored(services)


def test_attachment_permissions(
    records: Records,
    doctor: AuthenticatedUser,
    nurse: AuthenticatedUser,
    desk: AuthenticatedUser,
    open_visit: Visit,
) -> None:
    info = records.attachments.add_stream(nurse, "visit", open_visit.id, io.BytesIO(PDF), "a.pdf")
    assert records.attachments.list_attachments(doctor, "visit", open_visit.id) == [info]
    with pytest.raises(PermissionDeniedError):
        records.attachments.read_content(desk, info.id)
    with pytest.raises(PermissionDeniedError):
        records.attachments.add_stream(desk, "visit", open_visit.id, io.BytesIO(PDF), "a.pdf")
    with pytest.raises(ValidationError, match="too large to preview"):
        records.attachments.read_content(doctor, info.id, max_bytes=10)


def test_file_names_are_reduced_to_a_safe_base_name() -> None:
    assert clean_filename("../../etc/passwd") == "passwd"
    assert clean_filename("C:\\Users\\x\\scan.pdf") == "scan.pdf"
    assert clean_filename("") == "attachment"
    assert clean_filename("..") == "attachment"
    assert clean_filename("a\x00b.pdf") == "ab.pdf"
    long = clean_filename("x" * 300 + ".pdf")
    assert len(long) == 255
    assert long.endswith(".pdf")


def test_a_real_dicom_file_is_recognised(
    records: Records, doctor: AuthenticatedUser, open_visit: Visit
) -> None:
    from pydicom import data as pydicom_data  # a declared dependency: never skip this test

    shipped = [p for p in pydicom_data.get_testdata_files() if p.endswith("CT_small.dcm")]
    assert shipped, "pydicom's test data should include CT_small.dcm"
    info = records.attachments.add_file(doctor, "visit", open_visit.id, Path(shipped[0]))
    assert info.content_type == "application/dicom"
    assert not info.type_mismatch
