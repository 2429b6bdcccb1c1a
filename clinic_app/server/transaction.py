"""Transaction bundles: every entry is stored, or none is.

Entries may PUT (client-assigned id, `request.ifMatch` honoured, `request.ifNoneMatch: "*"`
for "create only": 412 when a different live version is there), POST (server-assigned id; a
`urn:uuid:` fullUrl is rewritten to the new id in every reference of the bundle) or DELETE.
They are processed in FHIR's order (DELETE, POST, PUT) inside one database transaction; any
failure (a 412 on one entry, a booked slot, a bad resource) rolls all of it back and answers
with that failure's status and an OperationOutcome naming the entry.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from clinic_app.server.binary_routes import decode_data
from clinic_app.server.blob_store import store_bytes
from clinic_app.server.changes import ChangeSet, WriteResult
from clinic_app.server.http_io import parse_if_match
from clinic_app.server.outcome import FhirError, bad_request, not_supported, too_large
from clinic_app.server.validation import check_id, check_resource, check_type, validate_model

_ORDER = {"DELETE": 0, "POST": 1, "PUT": 2}
_URL = re.compile(r"^(?:.*/)?([A-Z][A-Za-z]+)(?:/([A-Za-z0-9\-.]{1,64}))?/?$")


@dataclass
class Entry:
    index: int
    method: str
    resource_type: str
    resource_id: str
    resource: dict[str, Any] | None
    if_match: int | None
    full_url: str | None
    create_only: bool = False

    @property
    def where(self) -> str:
        return f"Bundle.entry[{self.index}]"


def _request_of(index: int, raw: Any) -> tuple[str, str, Any]:
    if not isinstance(raw, dict):
        raise bad_request(f"Bundle.entry[{index}] must be an object", code="structure")
    request = raw.get("request")
    if not isinstance(request, dict):
        raise bad_request(f"Bundle.entry[{index}].request is required in a transaction")
    method = str(request.get("method", "")).upper()
    url = request.get("url")
    if method not in _ORDER:
        raise not_supported(
            f"Bundle.entry[{index}].request.method {method or '(none)'} is not supported "
            "in a transaction (PUT, POST and DELETE are)"
        )
    if not isinstance(url, str) or "?" in url:
        raise not_supported(
            f"Bundle.entry[{index}].request.url must be [type] or [type]/[id] "
            "(conditional operations are not supported)"
        )
    none_match = request.get("ifNoneMatch")
    if none_match is not None and (method != "PUT" or str(none_match).strip() != "*"):
        raise not_supported(
            f'Bundle.entry[{index}].request.ifNoneMatch is supported only as "*" on a PUT'
        )
    for unsupported in ("ifNoneExist", "ifModifiedSince"):
        if unsupported in request:
            raise not_supported(f"Bundle.entry[{index}].request.{unsupported} is not supported")
    return method, url, request


def parse_entries(bundle: dict[str, Any], max_entries: int) -> list[Entry]:
    if bundle.get("resourceType") != "Bundle":
        raise bad_request("POST [base] takes a Bundle of type transaction")
    if bundle.get("type") != "transaction":
        raise not_supported("Only transaction bundles are accepted at POST [base]")
    raw_entries = bundle.get("entry") or []
    if not isinstance(raw_entries, list):
        raise bad_request("Bundle.entry must be a list", code="structure")
    if len(raw_entries) > max_entries:
        raise too_large(
            f"The transaction has {len(raw_entries)} entries; this server takes at most "
            f"{max_entries} per bundle"
        )
    entries = [_entry(index, raw) for index, raw in enumerate(raw_entries)]
    # The bundle's own elements (entries without their resources) against the Bundle model.
    bare = [{k: v for k, v in raw.items() if k != "resource"} for raw in raw_entries]
    skeleton = dict(bundle, entry=bare)
    validate_model(skeleton)
    for entry in entries:
        if entry.resource is not None and entry.method == "POST":
            entry.resource["id"] = entry.resource_id
    seen: set[tuple[str, str]] = set()
    for entry in entries:
        key = (entry.resource_type, entry.resource_id)
        if key in seen:
            raise bad_request(
                f"{entry.where}: {key[0]}/{key[1]} appears more than once in the transaction"
            )
        seen.add(key)
        if entry.resource is not None:
            check_resource(
                entry.resource, entry.resource_type, entry.resource_id, f"{entry.where}.resource"
            )
    _resolve_references(entries)
    return entries


def _entry(index: int, raw: Any) -> Entry:
    method, url, request = _request_of(index, raw)
    match = _URL.match(url)
    if not match:
        raise bad_request(f"Bundle.entry[{index}].request.url is not [type] or [type]/[id]")
    resource_type, resource_id = match.group(1), match.group(2)
    check_type(resource_type)
    if (method == "POST") != (resource_id is None):
        shape = "[type]" if method == "POST" else "[type]/[id]"
        raise bad_request(f"Bundle.entry[{index}].request.url must be {shape} for {method}")
    resource = raw.get("resource")
    if method != "DELETE" and not isinstance(resource, dict):
        raise bad_request(f"Bundle.entry[{index}].resource is required for {method}")
    try:
        if_match = parse_if_match(request.get("ifMatch"))
    except FhirError as exc:
        raise bad_request(f"Bundle.entry[{index}].request.ifMatch: {exc.diagnostics}") from None
    full_url = raw.get("fullUrl")
    return Entry(
        index=index,
        method=method,
        resource_type=resource_type,
        resource_id=check_id(resource_id) if resource_id else str(uuid.uuid4()),
        resource=resource if method != "DELETE" else None,
        if_match=if_match,
        full_url=full_url if isinstance(full_url, str) else None,
        create_only=request.get("ifNoneMatch") is not None,
    )


def _resolve_references(entries: list[Entry]) -> None:
    """`urn:uuid:` references to any entry become `[type]/[id]` (references and Attachment
    urls alike), so POSTed resources can be pointed at before their id exists."""
    targets: dict[str, str] = {}
    for entry in entries:
        if entry.full_url and entry.full_url.startswith(("urn:uuid:", "urn:oid:")):
            targets[entry.full_url] = f"{entry.resource_type}/{entry.resource_id}"
    if targets:
        for entry in entries:
            if entry.resource is not None:
                _rewrite(entry.resource, targets)


def _rewrite(root: Any, targets: dict[str, str]) -> None:
    """Walks the resource without recursion (its depth is the client's to choose)."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("reference", "url") and isinstance(value, str) and value in targets:
                    node[key] = targets[value]
                elif isinstance(value, dict | list):
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(item for item in node if isinstance(item, dict | list))


def apply_entries(changes: ChangeSet, entries: list[Entry], chunk_bytes: int) -> list[WriteResult]:
    results: dict[int, WriteResult] = {}
    changes.load((entry.resource_type, entry.resource_id) for entry in entries)
    for entry in sorted(entries, key=lambda e: (_ORDER[e.method], e.index)):
        try:
            results[entry.index] = _apply(changes, entry, chunk_bytes)
        except FhirError as exc:
            exc.diagnostics = f"{entry.where}: {exc.diagnostics}"
            raise
    return [results[entry.index] for entry in entries]


def _apply(changes: ChangeSet, entry: Entry, chunk_bytes: int) -> WriteResult:
    if entry.method == "DELETE":
        return changes.delete(entry.resource_type, entry.resource_id, entry.if_match)
    if entry.resource is None:  # parse_entries refuses PUT and POST without one
        raise bad_request(f"{entry.where}.resource is required for {entry.method}")
    blob = None
    if entry.resource_type == "Binary":
        data = decode_data(entry.resource, f"{entry.where}.resource")
        blob = store_bytes(changes.connection, data, chunk_bytes)
    return changes.put(
        entry.resource,
        entry.if_match,
        method=entry.method,
        blob=blob,
        create_only=entry.create_only,
    )
