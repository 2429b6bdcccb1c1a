"""Parsing and checking incoming resources against the FHIR R4B models of `fhir.resources`.

`fhir.resources` 8 defaults to R5; its `R4B` subpackage is the closest to R4 it ships (R4B
changed no element of the resources served here in a way that matters to the check). A
resource is refused when it is not JSON, not an object, of a type the server does not hold,
of another type or id than its URL, or when the model rejects it (unknown elements, wrong
types, malformed primitives). Nothing is stored then.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from clinic_app.server.outcome import FhirError, bad_request

RESOURCE_TYPES: tuple[str, ...] = (
    "Patient",
    "Practitioner",
    "PractitionerRole",
    "Encounter",
    "Condition",
    "Procedure",
    "Observation",
    "DocumentReference",
    "Binary",
    "DiagnosticReport",
    "ImagingStudy",
    "Media",
    "Provenance",
    "Schedule",
    "Slot",
    "Appointment",
    "CodeSystem",
    "AuditEvent",
)
_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
# Elements the server owns: whatever a client sends there is replaced.
SERVER_META = ("versionId", "lastUpdated", "source")
_MAX_ISSUES = 20


def check_type(resource_type: str) -> str:
    if resource_type not in RESOURCE_TYPES:
        raise FhirError(404, "not-supported", f"Resource type {resource_type!r} is not served here")
    return resource_type


def check_id(resource_id: str) -> str:
    if not _ID.fullmatch(resource_id):
        raise bad_request("A resource id is 1-64 characters of A-Z, a-z, 0-9, '-' and '.'")
    return resource_id


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate property {key!r}")
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(raw: bytes) -> dict[str, Any]:
    """A JSON object, strictly: UTF-8, no duplicate properties, no NaN or Infinity."""
    try:
        document = json.loads(
            raw.decode("utf-8"),
            object_pairs_hook=_no_duplicate_keys,
            parse_constant=_no_constants,
        )
    except UnicodeDecodeError as exc:
        raise bad_request("The body is not UTF-8", code="structure") from exc
    except RecursionError:
        raise bad_request("The body is nested too deeply", code="structure") from None
    except ValueError as exc:
        # json's messages give a position and a reason, never the content itself.
        reason = str(exc).split(":")[0]
        raise bad_request(f"The body is not valid JSON ({reason})", code="structure") from exc
    if not isinstance(document, dict):
        raise bad_request("The body must be a JSON object (a FHIR resource)", code="structure")
    return document


@functools.cache
def _model(resource_type: str) -> Any:
    return get_fhir_model_class(resource_type)


def _issue(error: Any, prefix: str) -> dict[str, Any]:
    location = ".".join(str(part) for part in error["loc"])
    path = f"{prefix}.{location}" if location else prefix
    if error["type"] == "extra_forbidden":
        message = f"Unknown element '{path}'"
    else:
        message = f"{path}: {error['msg']}"
    return {"severity": "error", "code": "structure", "diagnostics": message, "expression": [path]}


def validate_model(resource: dict[str, Any], where: str = "") -> None:
    """Raises 400 with one issue per problem (paths and reasons, never values)."""
    resource_type = str(resource.get("resourceType"))
    prefix = where or resource_type
    try:
        _model(resource_type).model_validate(resource)
    except ValidationError as exc:
        issues = [_issue(error, prefix) for error in exc.errors()[:_MAX_ISSUES]]
        first = issues[0]
        raise FhirError(
            400,
            "structure",
            f"{prefix} is not a valid FHIR R4 resource: {first['diagnostics']}",
            expressions=first["expression"],
            issues=issues[1:],
        ) from None
    except RecursionError:
        raise bad_request(f"{prefix} is nested too deeply", code="structure") from None
    except (TypeError, ValueError) as exc:  # a model's own checks outside pydantic's errors
        raise bad_request(
            f"{prefix} is not a valid FHIR R4 resource ({type(exc).__name__})"
        ) from None


def check_resource(
    resource: dict[str, Any], resource_type: str | None, resource_id: str | None, where: str = ""
) -> dict[str, Any]:
    """Checks a resource bound for `resource_type`/`resource_id` (None: any type / a new id).

    `where` is the FHIRPath of the resource inside a bundle (`Bundle.entry[3].resource`)."""
    label = f"{where}: " if where else ""
    actual_type = resource.get("resourceType")
    if not isinstance(actual_type, str):
        raise bad_request(f"{label}The resource has no resourceType", code="structure")
    if actual_type not in RESOURCE_TYPES:
        raise bad_request(f"{label}Resource type {actual_type!r} is not served here")
    if resource_type is not None and actual_type != resource_type:
        raise bad_request(f"{label}The body is a {actual_type} but the URL names a {resource_type}")
    if resource_id is not None:
        body_id = resource.get("id")
        if body_id is None:
            raise bad_request(f"{label}An update must carry the resource id of its URL")
        if body_id != resource_id:
            raise bad_request(f"{label}The resource id does not match the id in the URL")
    meta = resource.get("meta")
    if meta is not None and not isinstance(meta, dict):
        raise bad_request(f"{label}meta must be an object", code="structure")
    validate_model(resource, where)
    return resource
