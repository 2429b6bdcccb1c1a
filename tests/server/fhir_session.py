"""An HTTP session against the server that checks every FHIR answer it receives.

Each `application/fhir+json` body is validated against the FHIR R4B models of `fhir.resources`
(the closest to R4 that version ships), so every shape the server returns in any test is checked.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import requests
from fhir.resources.R4B import get_fhir_model_class

FHIR_JSON = "application/fhir+json"


def validate_fhir(document: dict[str, Any]) -> None:
    get_fhir_model_class(document["resourceType"]).model_validate(document)


def _check_response(response: requests.Response, *_args: Any, **_kwargs: Any) -> None:
    content_type = response.headers.get("Content-Type", "")
    if not content_type.startswith(FHIR_JSON) or not response.content:
        return
    if response.request.headers.get("Range"):
        return
    document = response.json()
    validate_fhir(document)
    if response.status_code >= 400:
        assert document["resourceType"] == "OperationOutcome", document


class FhirSession:
    """`fhir.get("Patient/1")`: paths are relative to the server's base URL."""

    def __init__(self, base: str, token: str | None) -> None:
        self.base = base
        self.http = requests.Session()
        self.http.hooks["response"].append(_check_response)
        self.http.headers["Accept"] = FHIR_JSON
        if token:
            self.http.headers["Authorization"] = f"Bearer {token}"

    def url(self, path: str) -> str:
        return path if path.startswith("http") else f"{self.base}/{path.lstrip('/')}"

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.get(self.url(path), timeout=60, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.http.delete(self.url(path), timeout=60, **kwargs)

    def put(
        self,
        path: str,
        resource: dict[str, Any] | None = None,
        *,
        if_match: str | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}))
        if if_match is not None:
            headers["If-Match"] = if_match
        if resource is not None:
            headers.setdefault("Content-Type", FHIR_JSON)
            kwargs["data"] = json.dumps(resource)
        return self.http.put(self.url(path), headers=headers, timeout=120, **kwargs)

    def post(self, path: str, document: Any = None, **kwargs: Any) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}))
        if document is not None:
            headers.setdefault("Content-Type", FHIR_JSON)
            kwargs["data"] = document if isinstance(document, bytes | str) else json.dumps(document)
        return self.http.post(self.url(path), headers=headers, timeout=120, **kwargs)

    def transaction(self, entries: list[dict[str, Any]], **kwargs: Any) -> requests.Response:
        return self.post(
            "", {"resourceType": "Bundle", "type": "transaction", "entry": entries}, **kwargs
        )


def new_id() -> str:
    return str(uuid.uuid4())


def patient(resource_id: str, family: str = "Test", **extra: Any) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": resource_id,
        "name": [{"family": family, "given": ["Pat"]}],
        "gender": "unknown",
        **extra,
    }


def put_entry(resource: dict[str, Any], if_match: str | None = None) -> dict[str, Any]:
    request: dict[str, Any] = {
        "method": "PUT",
        "url": f"{resource['resourceType']}/{resource['id']}",
    }
    if if_match is not None:
        request["ifMatch"] = if_match
    entry: dict[str, Any] = {"resource": resource, "request": request}
    if _is_uuid(resource["id"]):
        entry["fullUrl"] = f"urn:uuid:{resource['id']}"
    return entry


def delete_entry(
    resource_type: str, resource_id: str, if_match: str | None = None
) -> dict[str, Any]:
    request: dict[str, Any] = {"method": "DELETE", "url": f"{resource_type}/{resource_id}"}
    if if_match is not None:
        request["ifMatch"] = if_match
    return {"request": request}


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
