"""Attachments on visits and records: add (streamed, sniffed, size-limited), list, read for
preview, export to a file. Content storage: see `attachment_store` (inside the encrypted
database). Attachments may be added to a signed visit: each is its own dated, hashed item with
its author, like an addendum; none can be changed afterwards."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from pathlib import Path
from typing import BinaryIO

from clinic_app.errors import ClinicError, ValidationError
from clinic_app.records.attachment_store import (
    iter_chunks,
    too_large,
    write_chunks,
)
from clinic_app.records.context import (
    RecordsContext,
    attachment_row,
    attachment_rows,
    parse_target,
    record_row,
    visit_row,
)
from clinic_app.records.models import AttachmentInfo, TargetType
from clinic_app.records.snapshots import attachment_of
from clinic_app.records.tables import AttachmentRow
from clinic_app.records.text_fields import MAX_FILENAME
from clinic_app.security.permissions import Action
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.types import new_id
from clinic_app.tasks import CancelToken, NullProgress, ProgressReporter

log = logging.getLogger(__name__)

RECORD_TYPE = "attachment"
DEFAULT_MAX_BYTES = 100 * 1024 * 1024
PREVIEW_MAX_BYTES = 100 * 1024 * 1024
_OWNERS = (TargetType.VISIT, TargetType.RECORD)


def clean_filename(name: str) -> str:
    base = Path(name.replace("\\", "/")).name if name else ""
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    if not base or base in (".", ".."):
        return "attachment"
    if len(base) > MAX_FILENAME:
        stem, suffix = os.path.splitext(base)
        base = stem[: MAX_FILENAME - len(suffix)] + suffix
    return base


class AttachmentService:
    def __init__(self, ctx: RecordsContext, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self._ctx = ctx
        self.max_bytes = max_bytes

    # --- adding -------------------------------------------------------------------------

    def add_file(
        self,
        user: AuthenticatedUser,
        owner_type: str | TargetType,
        owner_id: str,
        path: Path,
        *,
        filename: str | None = None,
        progress: ProgressReporter | None = None,
        cancel: CancelToken | None = None,
    ) -> AttachmentInfo:
        self._ctx.require(user, Action.VISIT_WRITE, RECORD_TYPE)
        try:
            size = path.stat().st_size
            if not path.is_file():
                raise ValidationError("Choose a file, not a folder.", {"file": "Not a file."})
            if size > self.max_bytes:
                raise too_large(size, self.max_bytes)
            stream = path.open("rb")
        except FileNotFoundError as exc:
            raise ClinicError("The file could not be read: it does not exist.") from exc
        except PermissionError as exc:
            raise ClinicError("The file could not be read: permission denied.") from exc
        with stream:
            return self._add(
                user,
                owner_type,
                owner_id,
                stream,
                filename or path.name,
                expected_size=size,
                progress=progress,
                cancel=cancel,
            )

    def add_stream(
        self,
        user: AuthenticatedUser,
        owner_type: str | TargetType,
        owner_id: str,
        stream: BinaryIO,
        filename: str,
        *,
        progress: ProgressReporter | None = None,
        cancel: CancelToken | None = None,
    ) -> AttachmentInfo:
        self._ctx.require(user, Action.VISIT_WRITE, RECORD_TYPE)
        return self._add(
            user,
            owner_type,
            owner_id,
            stream,
            filename,
            expected_size=None,
            progress=progress,
            cancel=cancel,
        )

    def _add(
        self,
        user: AuthenticatedUser,
        owner_type: str | TargetType,
        owner_id: str,
        stream: BinaryIO,
        filename: str,
        *,
        expected_size: int | None,
        progress: ProgressReporter | None,
        cancel: CancelToken | None,
    ) -> AttachmentInfo:
        owner = parse_target(owner_type, _OWNERS)
        name = clean_filename(filename)
        with self._ctx.db.unit_of_work() as uow:
            if owner is TargetType.VISIT:
                patient_id = visit_row(uow.session, owner_id).patient_id
            else:
                patient_id = record_row(uow.session, owner_id).patient_id
            attachment_id = new_id()
            stored = write_chunks(
                uow.session,
                attachment_id,
                stream,
                name,
                limit=self.max_bytes,
                expected_size=expected_size,
                progress=progress,
                cancel=cancel,
            )
            row = AttachmentRow(
                id=attachment_id,
                patient_id=patient_id,
                owner_type=owner.value,
                owner_id=owner_id,
                filename=name,
                content_type=stored.sniffed.content_type,
                declared_type=stored.sniffed.declared_type,
                type_mismatch=stored.sniffed.type_mismatch,
                problems="\n".join(stored.sniffed.problems)[:500] or None,
                size_bytes=stored.size_bytes,
                sha256=stored.sha256,
                chunk_count=stored.chunk_count,
                added_by_id=user.id,
            )
            uow.session.add(row)
            uow.flush()
            self._ctx.log(
                uow.session,
                user,
                "attachment.add",
                RECORD_TYPE,
                row.id,
                {
                    "owner_type": owner.value,
                    "owner_id": owner_id,
                    "size": stored.size_bytes,
                    "content_type": stored.sniffed.content_type,
                    "type_mismatch": stored.sniffed.type_mismatch,
                },
            )
            uow.commit()
            log.info("attachment added: id=%s size=%d", row.id, stored.size_bytes)
            return attachment_of(row)

    # --- reading ------------------------------------------------------------------------

    def list_attachments(
        self, user: AuthenticatedUser, owner_type: str | TargetType, owner_id: str
    ) -> list[AttachmentInfo]:
        owner = parse_target(owner_type, _OWNERS)
        self._ctx.require(user, Action.VISIT_READ, RECORD_TYPE)
        with self._ctx.db.unit_of_work() as uow:
            rows = attachment_rows(uow.session, [owner_id])
            self._ctx.log(
                uow.session,
                user,
                "attachment.list",
                RECORD_TYPE,
                None,
                {"owner_type": owner.value, "owner_id": owner_id, "results": len(rows)},
            )
            uow.commit()
            return [attachment_of(row) for row in rows if row.owner_type == owner.value]

    def read_content(
        self, user: AuthenticatedUser, attachment_id: str, *, max_bytes: int = PREVIEW_MAX_BYTES
    ) -> tuple[AttachmentInfo, bytes]:
        """The bytes for an in-app preview (image, PDF, text). Refuses attachments larger than
        `max_bytes`, which the GUI offers to export instead."""
        self._ctx.require(user, Action.VISIT_READ, RECORD_TYPE, attachment_id)
        with self._ctx.db.unit_of_work() as uow:
            row = attachment_row(uow.session, attachment_id)
            if row.size_bytes > max_bytes:
                raise ValidationError(
                    "This attachment is too large to preview; export it to open it elsewhere."
                )
            data = b"".join(iter_chunks(uow.session, row.id, row.chunk_count))
            if hashlib.sha256(data).hexdigest() != row.sha256:
                raise _damaged()
            self._ctx.log(uow.session, user, "attachment.read", RECORD_TYPE, row.id)
            uow.commit()
            return attachment_of(row), data

    def export(
        self,
        user: AuthenticatedUser,
        attachment_id: str,
        destination: Path,
        *,
        progress: ProgressReporter | None = None,
        cancel: CancelToken | None = None,
    ) -> Path:
        """Writes the attachment to `destination`, which must not exist (never overwritten).
        The copy is checked against the stored SHA-256; a partial file is removed."""
        self._ctx.require(user, Action.ATTACHMENT_EXPORT, RECORD_TYPE, attachment_id)
        progress = progress or NullProgress()
        with self._ctx.db.unit_of_work() as uow:
            row = attachment_row(uow.session, attachment_id)
            if destination.exists():
                raise ValidationError(
                    "A file with that name already exists; choose another name.",
                    {"destination": "Already exists."},
                )
            try:
                out = destination.open("xb")
            except FileExistsError as exc:
                raise ValidationError(
                    "A file with that name already exists; choose another name.",
                    {"destination": "Already exists."},
                ) from exc
            except OSError as exc:
                raise ClinicError(
                    "The export file could not be created there (missing folder or no permission)."
                ) from exc
            try:
                with out:
                    digest = hashlib.sha256()
                    written = 0
                    for chunk in iter_chunks(uow.session, row.id, row.chunk_count):
                        if cancel is not None:
                            cancel.raise_if_cancelled()
                        out.write(chunk)
                        digest.update(chunk)
                        written += len(chunk)
                        progress.report(written, row.size_bytes, "Exporting the attachment")
                if digest.hexdigest() != row.sha256:
                    raise _damaged()
                self._ctx.log(
                    uow.session,
                    user,
                    "attachment.export",
                    RECORD_TYPE,
                    row.id,
                    {"size": row.size_bytes},
                )
                uow.commit()  # no audited export, no file
            except BaseException:
                with contextlib.suppress(OSError):
                    destination.unlink()
                raise
            return destination


def _damaged() -> ClinicError:
    return ClinicError(
        "This attachment's content does not match its recorded SHA-256: the stored copy is "
        "damaged. Restore the latest backup."
    )
