"""The system interactions: /health, /metadata and transactions at POST [base]."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import APIRouter
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from clinic_app.server.capability import capability_statement
from clinic_app.server.changes import WriteResult, run_changes
from clinic_app.server.database import now_us, read_transaction
from clinic_app.server.history_routes import STATUS_TEXT
from clinic_app.server.http_io import fhir_response, prefer_return, read_body, require_json
from clinic_app.server.instants import format_instant
from clinic_app.server.services import base_of, device_of, services_of
from clinic_app.server.transaction import apply_entries, parse_entries
from clinic_app.server.validation import parse_json

router = APIRouter()


@router.get("/health")
async def health(request: Request) -> Response:
    """Up and able to reach its database (for load balancers and monitoring; no token)."""

    def probe() -> None:
        with read_transaction(services_of(request).engine) as connection:
            connection.execute(text("SELECT 1"))

    try:
        await run_in_threadpool(probe)
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok"})


@router.get("/metadata")
async def metadata(request: Request) -> Response:
    statement = capability_statement(base_of(request), format_instant(now_us()))
    return fhir_response(statement)


def _response_entry(result: WriteResult, representation: bool) -> dict[str, Any]:
    response: dict[str, Any] = {"status": STATUS_TEXT[result.status]}
    if result.location:
        response["location"] = result.location
        response["etag"] = result.etag
        response["lastModified"] = format_instant(result.last_updated_us)
    entry: dict[str, Any] = {}
    if representation and result.body is not None:
        entry["resource"] = json.loads(result.body)
    entry["response"] = response
    return entry


@router.post("/")
async def transaction(request: Request) -> Response:
    services = services_of(request)
    require_json(request)
    raw = await read_body(request, services.config.max_body_bytes, "The transaction bundle")
    bundle = parse_json(raw)
    entries = await run_in_threadpool(parse_entries, bundle, services.config.max_bundle_entries)
    chunk = services.config.binary_chunk_bytes
    results = await run_in_threadpool(
        run_changes,
        services.engine,
        device_of(request),
        lambda changes: apply_entries(changes, entries, chunk),
    )
    representation = prefer_return(request, default="minimal") == "representation"
    answer = {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": "transaction-response",
        "link": [{"relation": "self", "url": base_of(request)}],
        "entry": [_response_entry(result, representation) for result in results],
    }
    return fhir_response(answer)
