"""Binary: content streamed in and out in its own media type, stored in chunks.

`PUT Binary/[id]` with any Content-Type but FHIR JSON stores the body as the content (that
Content-Type becomes Binary.contentType); with `application/fhir+json` the body is a Binary
resource whose `data` is base64. `GET Binary/[id]` answers the raw content unless the client
asks for FHIR JSON (`Accept: application/fhir+json` or `_format=json`), and honours a single
`Range: bytes=a-b` (resumable downloads). History and transaction answers carry a Binary's
metadata without `data`: read the content from `Binary/[id]` (or `/_history/[vid]`).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator

from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from clinic_app.server.blob_store import BlobInfo, BlobWriter, blob_info, iter_blob
from clinic_app.server.changes import WriteResult, run_changes
from clinic_app.server.database import read_transaction
from clinic_app.server.http_io import body_chunks, is_fhir_json, parse_if_match
from clinic_app.server.instants import http_date
from clinic_app.server.outcome import FhirError, bad_request
from clinic_app.server.reads import StoredVersion
from clinic_app.server.services import device_of, services_of
from clinic_app.server.validation import check_resource

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_MEDIA_TYPE = re.compile(r"^[\w!#$&^.+-]+/[\w!#$&^.+-]+$")


def wants_resource_json(request: Request) -> bool:
    if request.query_params.get("_format", "").lower() in ("json", "application/fhir+json"):
        return True
    accept = request.headers.get("accept", "").lower()
    return "application/fhir+json" in accept or "application/json+fhir" in accept


def decode_data(resource: dict[str, object], where: str = "Binary") -> bytes:
    data = resource.get("data", "")
    if not isinstance(data, str):
        raise bad_request(f"{where}.data must be base64 text", code="structure")
    try:
        return base64.b64decode(data, validate=True)
    except ValueError:
        raise bad_request(f"{where}.data is not valid base64", code="structure") from None


async def put_raw(request: Request, resource_id: str) -> WriteResult:
    """Streams the body into a staged blob, then publishes it as the next version."""
    services = services_of(request)
    config = services.config
    content_type = request.headers.get("content-type", "application/octet-stream")
    media_type = content_type.split(";")[0].strip()
    if not _MEDIA_TYPE.fullmatch(media_type):
        raise bad_request("Content-Type is not a media type")
    resource: dict[str, object] = {
        "resourceType": "Binary",
        "id": resource_id,
        "contentType": content_type.strip(),
    }
    security_context = request.headers.get("x-security-context")
    if security_context:
        resource["securityContext"] = {"reference": security_context.strip()}
    check_resource(resource, "Binary", resource_id)
    if_match = parse_if_match(request.headers.get("if-match"))
    writer = await run_in_threadpool(BlobWriter, services.engine, config.binary_chunk_bytes)
    published = False
    try:
        async for piece in body_chunks(request, config.max_binary_bytes, "The Binary content"):
            await run_in_threadpool(writer.write, piece)
        info = await run_in_threadpool(writer.finish)
        result: WriteResult = await run_in_threadpool(
            run_changes,
            services.engine,
            device_of(request),
            lambda changes: changes.put(resource, if_match, blob=info),
        )
        published = True
        return result
    finally:
        if not published:
            await run_in_threadpool(writer.discard)


def _byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """[start, end) of a single `bytes=` range; None for the whole content."""
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if not match or match.groups() == ("", ""):
        return None  # ranges we don't serve are ignored, as HTTP allows
    first, last = match.groups()
    if first == "":
        start, end = max(0, size - int(last)), size
    else:
        start = int(first)
        end = size if last == "" else min(size, int(last) + 1)
    if start >= size or start >= end:
        raise FhirError(
            416,
            "invalid",
            f"The range is outside the content ({size} bytes)",
            headers={"Content-Range": f"bytes */{size}"},
        )
    return start, end


def _base64_stream(engine: Engine, blob_id: str) -> Iterator[bytes]:
    carry = b""
    for piece in iter_blob(engine, blob_id):
        data = carry + piece
        cut = len(data) - len(data) % 3
        carry = data[cut:]
        yield base64.b64encode(data[:cut])
    yield base64.b64encode(carry)


def serve(request: Request, stored: StoredVersion, headers: dict[str, str]) -> Response:
    services = services_of(request)
    if stored.blob_id is None or stored.body is None:
        raise FhirError(404, "not-found", "Binary content is missing")
    with read_transaction(services.engine) as connection:
        info: BlobInfo = blob_info(connection, stored.blob_id)
    headers = {**headers, "Last-Modified": http_date(stored.last_updated_us)}
    if wants_resource_json(request):
        # The stored body is a JSON object with at least resourceType, id and meta: the
        # content goes in as one more element, encoded as it streams.
        prefix = (stored.body[:-1] + ',"data":"').encode("utf-8")

        def document() -> Iterator[bytes]:
            yield prefix
            yield from _base64_stream(services.engine, info.blob_id)
            yield b'"}'

        return StreamingResponse(
            document(), headers=headers, media_type="application/fhir+json; charset=utf-8"
        )
    # Exactly the stored Content-Type (a media_type argument would append a charset).
    headers["Content-Type"] = _content_type(stored.body)
    span = _byte_range(request.headers.get("range"), info.size)
    headers["Accept-Ranges"] = "bytes"
    if span is None:
        headers["Content-Length"] = str(info.size)
        return StreamingResponse(iter_blob(services.engine, info.blob_id), headers=headers)
    start, end = span
    headers["Content-Range"] = f"bytes {start}-{end - 1}/{info.size}"
    headers["Content-Length"] = str(end - start)
    return StreamingResponse(
        iter_blob(services.engine, info.blob_id, start, end),
        status_code=206,
        headers=headers,
    )


def _content_type(body: str) -> str:
    value = json.loads(body).get("contentType")
    return value if isinstance(value, str) and value else "application/octet-stream"


def is_raw_upload(request: Request) -> bool:
    return not is_fhir_json(request.headers.get("content-type"))
