"""`_history` at system, type and instance level: Bundle type `history`, newest first, paged
with `next` links that carry an opaque cursor (see `clinic_app.server.reads`)."""

from __future__ import annotations

import json
import uuid
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from clinic_app.server.http_io import fhir_response
from clinic_app.server.instants import format_instant, parse_instant
from clinic_app.server.outcome import bad_request
from clinic_app.server.reads import Cursor, HistoryPage, StoredVersion, first_cursor, read_history
from clinic_app.server.services import base_of, services_of
from clinic_app.server.validation import check_id, check_type

router = APIRouter()

_COMPACT = (",", ":")
STATUS_TEXT = {200: "200 OK", 201: "201 Created", 204: "204 No Content"}


def _count(request: Request) -> int:
    config = services_of(request).config
    text = request.query_params.get("_count")
    if text is None:
        return config.default_page_size
    if not text.isdigit() or int(text) < 1:
        raise bad_request("_count must be a positive whole number")
    return min(int(text), config.max_page_size)  # a server may return fewer than asked


def _cursor(request: Request) -> Cursor:
    token = request.query_params.get("_cursor")
    if token:
        return Cursor.decode(token)
    since_text = request.query_params.get("_since")
    since = parse_instant(since_text, "_since") if since_text else None
    return first_cursor(services_of(request).engine, since)


def entry_json(base: str, version: StoredVersion) -> str:
    """One history entry, with the stored resource text spliced in as it is."""
    path = f"{version.resource_type}/{version.resource_id}"
    request = {
        "method": version.method,
        "url": version.resource_type if version.method == "POST" else path,
    }
    response = {
        "status": STATUS_TEXT.get(version.status, str(version.status)),
        "etag": version.etag,
        "lastModified": format_instant(version.last_updated_us),
    }
    parts = [f'"fullUrl":{json.dumps(f"{base}/{path}")}']
    if version.body is not None:
        parts.append(f'"resource":{version.body}')
    parts.append(f'"request":{json.dumps(request, separators=_COMPACT)}')
    parts.append(f'"response":{json.dumps(response, separators=_COMPACT)}')
    return "{" + ",".join(parts) + "}"


def history_bundle(request: Request, page: HistoryPage, path: str) -> str:
    base = base_of(request)
    query = f"?{request.url.query}" if request.url.query else ""
    links = [{"relation": "self", "url": f"{base}/{path}{query}"}]
    if page.next_cursor is not None:
        query = urlencode({"_count": _count(request), "_cursor": page.next_cursor.encode()})
        links.append({"relation": "next", "url": f"{base}/{path}?{query}"})
    head = {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "meta": {"lastUpdated": format_instant(page.snapshot_us)},
        "type": "history",
        "link": links,
    }
    entries = ",".join(entry_json(base, version) for version in page.versions)
    return json.dumps(head, separators=(",", ":"))[:-1] + f',"entry":[{entries}]}}'


async def _history(
    request: Request, path: str, resource_type: str | None = None, resource_id: str | None = None
) -> Response:
    count = _count(request)
    engine = services_of(request).engine
    cursor = await run_in_threadpool(_cursor, request)
    page = await run_in_threadpool(read_history, engine, cursor, count, resource_type, resource_id)
    return fhir_response(history_bundle(request, page, path))


@router.get("/_history")
async def system_history(request: Request) -> Response:
    return await _history(request, "_history")


@router.get("/{resource_type}/_history")
async def type_history(request: Request, resource_type: str) -> Response:
    check_type(resource_type)
    return await _history(request, f"{resource_type}/_history", resource_type)


@router.get("/{resource_type}/{resource_id}/_history")
async def instance_history(request: Request, resource_type: str, resource_id: str) -> Response:
    check_type(resource_type)
    check_id(resource_id)
    path = f"{resource_type}/{resource_id}/_history"
    return await _history(request, path, resource_type, resource_id)
