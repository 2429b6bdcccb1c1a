"""HTTP in and out: bounded (optionally gzip-encoded) bodies, FHIR headers, FHIR responses."""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from clinic_app.server.config import ServerConfig
from clinic_app.server.outcome import FhirError, bad_request, too_large

FHIR_JSON = "application/fhir+json"
_JSON_TYPES = ("application/fhir+json", "application/json", "application/json+fhir")
_IF_MATCH = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')
_DECOMPRESS_STEP = 256 * 1024


def fhir_response(
    content: str | bytes | Mapping[str, Any] | None,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    if content is None:
        return Response(status_code=status, headers=dict(headers or {}))
    if isinstance(content, Mapping):
        content = json.dumps(content, separators=(",", ":"), ensure_ascii=False)
    return Response(
        content=content,
        status_code=status,
        headers=dict(headers or {}),
        media_type=f"{FHIR_JSON}; charset=utf-8",
    )


def error_response(error: FhirError) -> Response:
    return fhir_response(error.outcome(), error.status, error.headers)


def base_url(request: Request, config: ServerConfig) -> str:
    if config.base_url:
        return config.base_url.rstrip("/")
    return str(request.base_url).rstrip("/")


def parse_if_match(value: str | None) -> int | None:
    """`W/"3"` (or `"3"`, `3`) -> 3; absent -> None."""
    if value is None or not value.strip():
        return None
    match = _IF_MATCH.match(value)
    if not match:
        raise bad_request('If-Match must name a version as W/"<versionId>"')
    return int(match.group(1))


def parse_vid(text: str) -> int:
    """A versionId in a URL (`_history/3`); anything else names no version."""
    if not text.isdigit() or len(text) > 9:
        raise FhirError(404, "not-found", "No such version")
    return int(text)


def prefer_return(request: Request, default: str = "representation") -> str:
    """`Prefer: return=minimal|representation|OperationOutcome`."""
    for part in request.headers.get("prefer", "").split(";"):
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "return" and value.strip():
            return value.strip().strip('"')
    return default


def is_fhir_json(content_type: str | None) -> bool:
    media = (content_type or "").split(";")[0].strip().lower()
    return media in _JSON_TYPES


def require_json(request: Request) -> None:
    content_type = request.headers.get("content-type")
    if content_type and not is_fhir_json(content_type):
        raise FhirError(
            415, "not-supported", "Send FHIR resources as application/fhir+json (no XML here)"
        )


def _declared_length(request: Request) -> int | None:
    value = request.headers.get("content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        raise bad_request("Content-Length is not a number") from None


async def body_chunks(request: Request, limit: int, what: str) -> AsyncIterator[bytes]:
    """The request body, decoded from gzip if sent so, refused with 413 past `limit` bytes
    (decoded): a small gzip bomb stops at the limit like a large body does."""
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("identity", "gzip", ""):
        raise FhirError(415, "not-supported", f"Content-Encoding {encoding!r} is not supported")
    declared = _declared_length(request)
    if encoding != "gzip" and declared is not None and declared > limit:
        raise too_large(f"{what} is larger than the server's limit of {limit} bytes")
    decoder = zlib.decompressobj(16 + zlib.MAX_WBITS) if encoding == "gzip" else None
    total = 0
    async for raw in request.stream():
        pieces: Iterable[bytes] = [raw] if decoder is None else _inflate(decoder, raw)
        for piece in pieces:
            total += len(piece)
            if total > limit:
                raise too_large(f"{what} is larger than the server's limit of {limit} bytes")
            if piece:
                yield piece
    if decoder is not None and not decoder.eof:
        raise bad_request("The gzip body is truncated", code="structure")


def _inflate(decoder: Any, raw: bytes) -> Iterator[bytes]:
    """Inflates in bounded steps, so one compressed chunk never expands all at once in memory
    (the caller stops reading at its limit)."""
    data = raw
    try:
        while data:
            yield decoder.decompress(data, _DECOMPRESS_STEP)
            data = decoder.unconsumed_tail
    except zlib.error:
        raise bad_request("The gzip body is corrupt", code="structure") from None


async def read_body(request: Request, limit: int, what: str = "The request body") -> bytes:
    buffer = bytearray()
    async for piece in body_chunks(request, limit, what):
        buffer += piece
    return bytes(buffer)
