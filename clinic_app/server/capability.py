"""The CapabilityStatement served at GET /metadata."""

from __future__ import annotations

from typing import Any

from clinic_app import __version__
from clinic_app.server.validation import RESOURCE_TYPES

_INSTANCE = ("read", "vread", "update", "delete", "create", "history-instance", "history-type")


def capability_statement(base: str, date: str) -> dict[str, Any]:
    resources = [
        {
            "type": resource_type,
            "interaction": [{"code": code} for code in _INSTANCE],
            "versioning": "versioned-update",
            "readHistory": True,
            "updateCreate": True,
            "conditionalCreate": False,
            "conditionalUpdate": False,
            "conditionalDelete": "not-supported",
        }
        for resource_type in RESOURCE_TYPES
    ]
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": date,
        "publisher": "clinic_app",
        "kind": "instance",
        "software": {"name": "clinic-server", "version": __version__},
        "implementation": {"description": "clinic_app reference sync server", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [
            {
                "mode": "server",
                "documentation": (
                    "Versioned resources with client-assigned ids (update as create), If-Match "
                    "optimistic locking, transaction bundles, _history newest first with "
                    "stable cursor paging, Binary content streamed raw."
                ),
                "security": {
                    "description": "Authorization: Bearer <device token> on every request but "
                    "/metadata and /health; tokens are issued by `clinic-server devices add`.",
                },
                "resource": resources,
                "interaction": [{"code": "transaction"}, {"code": "history-system"}],
            }
        ],
    }
