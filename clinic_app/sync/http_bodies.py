"""Reading and sending HTTP bodies for the sync client: size-limited answers, streamed
uploads with a known length, Retry-After, and which failures count as transient."""

from __future__ import annotations

import time
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from clinic_app.sync.errors import BadResponseError

if TYPE_CHECKING:
    import requests


def transient_errors() -> tuple[type[Exception], ...]:
    # requests is imported by the first client, not at start-up: the app opens without it.
    import requests

    return (
        requests.ConnectionError,
        requests.Timeout,
        requests.exceptions.ChunkedEncodingError,
        requests.exceptions.ContentDecodingError,
    )


class BrokenAnswerError(Exception):
    """The connection broke while the answer was being read (retried like a failed request)."""


class ChunkReader:
    """A file-like view of a chunk iterator with a known length, so requests sends a plain
    Content-Length body (not chunked) read piece by piece."""

    def __init__(self, chunks: Iterator[bytes], size: int) -> None:
        self._chunks = chunks
        self._size = size
        self._piece = b""
        self._offset = 0

    def __len__(self) -> int:
        return self._size

    def read(self, amount: int = -1) -> bytes:
        parts: list[bytes] = []
        wanted = amount if amount >= 0 else self._size
        while wanted > 0:
            if self._offset >= len(self._piece):
                piece = next(self._chunks, None)
                if piece is None:
                    break
                self._piece, self._offset = piece, 0
            part = self._piece[self._offset : self._offset + wanted]
            self._offset += len(part)
            wanted -= len(part)
            parts.append(part)
        return b"".join(parts)


def retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


def read_limited(response: requests.Response, limit: int) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        response.close()
        raise BadResponseError("The server's answer is larger than this workstation accepts.")
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(chunk_size=256 * 1024):
            size += len(chunk)
            if size > limit:
                raise BadResponseError(
                    "The server's answer is larger than this workstation accepts."
                )
            chunks.append(chunk)
    except transient_errors() as exc:
        raise BrokenAnswerError from exc
    finally:
        response.close()
    return b"".join(chunks)


def wire_bytes(response: requests.Response, decoded: int) -> int:
    try:
        return int(response.raw.tell()) or decoded
    except (AttributeError, OSError, ValueError):
        return decoded
