"""The type and instance interactions: read, vread, update (as create), delete, create."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from clinic_app.server import binary_routes
from clinic_app.server.blob_store import store_bytes
from clinic_app.server.changes import ChangeSet, WriteResult, run_changes
from clinic_app.server.http_io import (
    fhir_response,
    parse_if_match,
    parse_vid,
    prefer_return,
    read_body,
    require_json,
)
from clinic_app.server.instants import http_date
from clinic_app.server.outcome import FhirError, information, not_supported
from clinic_app.server.reads import StoredVersion, read_version
from clinic_app.server.services import base_of, device_of, services_of
from clinic_app.server.validation import check_id, check_resource, check_type, parse_json

router = APIRouter()


def _version_headers(stored: StoredVersion) -> dict[str, str]:
    return {"ETag": stored.etag, "Last-Modified": http_date(stored.last_updated_us)}


async def _answer_read(request: Request, stored: StoredVersion) -> Response:
    if stored.deleted:
        raise FhirError(
            410,
            "deleted",
            f"{stored.resource_type}/{stored.resource_id} was deleted (version {stored.version})",
            headers={"ETag": stored.etag},
        )
    if stored.resource_type == "Binary":
        return await run_in_threadpool(
            binary_routes.serve, request, stored, _version_headers(stored)
        )
    return fhir_response(stored.body, 200, _version_headers(stored))


@router.get("/{resource_type}/{resource_id}")
async def read(request: Request, resource_type: str, resource_id: str) -> Response:
    check_type(resource_type)
    check_id(resource_id)
    stored = await run_in_threadpool(
        read_version, services_of(request).engine, resource_type, resource_id
    )
    return await _answer_read(request, stored)


@router.get("/{resource_type}/{resource_id}/_history/{version_id}")
async def vread(
    request: Request, resource_type: str, resource_id: str, version_id: str
) -> Response:
    check_type(resource_type)
    check_id(resource_id)
    version = parse_vid(version_id)
    stored = await run_in_threadpool(
        read_version, services_of(request).engine, resource_type, resource_id, version
    )
    return await _answer_read(request, stored)


def write_answer(request: Request, result: WriteResult) -> Response:
    """The answer to a PUT or POST: representation (default), minimal or OperationOutcome."""
    headers: dict[str, str] = {"Last-Modified": http_date(result.last_updated_us)}
    if result.etag and result.location:
        headers["ETag"] = result.etag
        location = f"{base_of(request)}/{result.location}"
        headers["Content-Location"] = location
        if result.status == 201:
            headers["Location"] = location
    wanted = prefer_return(request)
    if wanted == "minimal":
        return fhir_response(None, result.status, headers)
    if wanted == "OperationOutcome":
        note = "unchanged" if not result.changed else f"version {result.version}"
        text = f"{result.resource_type}/{result.resource_id}: {note}"
        return fhir_response(information(text), result.status, headers)
    return fhir_response(result.body, result.status, headers)


async def _store(
    request: Request, resource: dict[str, Any], if_match: int | None, method: str
) -> WriteResult:
    """Stores a checked resource (a Binary's base64 `data` goes to the blob store)."""
    services = services_of(request)
    data = binary_routes.decode_data(resource) if resource["resourceType"] == "Binary" else None
    chunk = services.config.binary_chunk_bytes

    def work(changes: ChangeSet) -> WriteResult:
        info = None if data is None else store_bytes(changes.connection, data, chunk)
        return changes.put(resource, if_match, method=method, blob=info)

    return await run_in_threadpool(run_changes, services.engine, device_of(request), work)


async def _json_body(request: Request) -> dict[str, Any]:
    require_json(request)
    return parse_json(await read_body(request, services_of(request).config.max_body_bytes))


@router.put("/{resource_type}/{resource_id}")
async def update(request: Request, resource_type: str, resource_id: str) -> Response:
    check_type(resource_type)
    check_id(resource_id)
    if resource_type == "Binary" and binary_routes.is_raw_upload(request):
        result = await binary_routes.put_raw(request, resource_id)
    else:
        if_match = parse_if_match(request.headers.get("if-match"))
        resource = check_resource(await _json_body(request), resource_type, resource_id)
        result = await _store(request, resource, if_match, "PUT")
    return write_answer(request, result)


@router.post("/{resource_type}")
async def create(request: Request, resource_type: str) -> Response:
    """Create with a server-assigned id (clients that sync should PUT their own ids)."""
    check_type(resource_type)
    if request.headers.get("if-none-exist"):
        raise not_supported("Conditional create (If-None-Exist) is not supported")
    new_id = str(uuid.uuid4())
    if resource_type == "Binary" and binary_routes.is_raw_upload(request):
        return write_answer(request, await binary_routes.put_raw(request, new_id))
    resource = await _json_body(request)
    resource["id"] = new_id
    check_resource(resource, resource_type, new_id)
    return write_answer(request, await _store(request, resource, None, "POST"))


@router.delete("/{resource_type}/{resource_id}")
async def remove(request: Request, resource_type: str, resource_id: str) -> Response:
    check_type(resource_type)
    check_id(resource_id)
    if_match = parse_if_match(request.headers.get("if-match"))
    services = services_of(request)
    result = await run_in_threadpool(
        run_changes,
        services.engine,
        device_of(request),
        lambda changes: changes.delete(resource_type, resource_id, if_match),
    )
    headers = {"ETag": result.etag} if result.etag else {}
    if prefer_return(request) == "minimal":
        return fhir_response(None, 204, headers)
    if result.version is None:
        text = f"{resource_type}/{resource_id} does not exist; nothing to delete"
    elif result.changed:
        text = f"Deleted {resource_type}/{resource_id} (version {result.version})"
    else:
        text = f"{resource_type}/{resource_id} was already deleted (version {result.version})"
    return fhir_response(information(text), 200, headers)


@router.get("/{resource_type}")
async def search(resource_type: str) -> Response:
    check_type(resource_type)
    raise not_supported("Search is not supported by this sync server; use read, vread and _history")
