"""AI results ↔ DiagnosticReport (with the model's provenance), and the clinicians' reviews of
them ↔ Provenance.

A result is decision support, never a diagnosis: its DiagnosticReport says so in its code and
conclusion, names the model (name, version, file SHA-256, validation status, title) in
extensions, lists each label's probability in a `probability` extension (label, name,
value), has the image (Media) it was run on in `media`, the person who ran it as `performer`,
and the patient as `subject`. Its `status` is the latest decision: preliminary while none,
final when a doctor accepted it, cancelled (withdrawn as a finding) when one rejected it; the
deciding doctor is `resultsInterpreter`.

Reviews are append-only (accepted, rejected, review requested), each a Provenance whose
target is the result, so they never conflict; the result's status is worked out from them
wherever they are. A review reaching the server, or arriving from it, queues the result to be
sent again with the status all known reviews give (see `TableMapping.summarised_in`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.imaging.tables import AnalysisReviewRow, AnalysisRow, InstanceRow
from clinic_app.security.permissions import Action
from clinic_app.sync.errors import MappingError
from clinic_app.sync.fhir_values import (
    EXTENSION_BASE,
    extension_value,
    extensions,
    instant,
    parse_instant,
    reference,
    reference_id,
    user_id_of,
    user_reference,
)
from clinic_app.sync.mappings.base import (
    TableMapping,
    Values,
    float_or_none,
    int_or_none,
    required_text,
    text_or_none,
)
from clinic_app.sync.rows import chunks

TASK_SYSTEM = "https://fhir.clinic-app.local/CodeSystem/ai-task"
REVIEW_SYSTEM = "https://fhir.clinic-app.local/CodeSystem/ai-review"
PARTICIPANT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
STATUS_OF = {None: "preliminary", "accepted": "final", "rejected": "cancelled"}
REVIEW_KINDS = ("accepted", "rejected", "review_requested")
MAX_JSON = 2_000_000


def _decision_text(values: Mapping[str, Any]) -> str:
    try:
        body = json.loads(values["result_json"])
    except (TypeError, ValueError):
        body = {}
    measurements = body.get("measurements") if isinstance(body, dict) else None
    if values["task"] == "abcd" and isinstance(measurements, dict):
        score = measurements.get("tds", measurements.get("tds_range"))
        finding = f"ABCD rule: {values['top_label'] or 'no category'}, TDS {score}"
    else:
        names = body.get("label_names", {}) if isinstance(body, dict) else {}
        label = values["top_label"] or ""
        name = names.get(label, label) if isinstance(names, dict) else label
        probability = values["top_probability"]
        finding = name + (f" ({probability * 100:.0f}%)" if probability is not None else "")
    return (
        f"AI decision support, not a diagnosis: {finding}. Model {values['model_name']} "
        f"{values['model_version']} ({values['model_status']})."
    )


def _probabilities(result_json: str) -> list[dict[str, Any]]:
    try:
        body = json.loads(result_json)
    except ValueError:
        return []
    found = body.get("probabilities") if isinstance(body, dict) else None
    names = body.get("label_names", {}) if isinstance(body, dict) else {}
    items = []
    for label, value in (found or {}).items() if isinstance(found, dict) else ():
        parts: list[dict[str, Any]] = [
            {"url": "label", "valueCode": str(label)},
            {"url": "value", "valueDecimal": float(value)},
        ]
        if isinstance(names, dict) and names.get(label):
            parts.insert(1, {"url": "name", "valueString": str(names[label])})
        items.append({"url": EXTENSION_BASE + "probability", "extension": parts})
    return items


class AnalysisMapping(TableMapping):
    row_class = AnalysisRow
    resource_types = ("DiagnosticReport",)
    defaults = ("DiagnosticReport",)
    fields: ClassVar[tuple[str, ...]] = (
        "instance_id",
        "patient_id",
        "frame_index",
        "task",
        "model_name",
        "model_version",
        "model_sha256",
        "model_status",
        "model_title",
        "top_label",
        "top_probability",
        "result_json",
        "heatmap_json",
        "run_by",
        "run_at",
    )
    audience = Action.AI_REVIEW
    append_only = True

    def enrich(self, session: Session, rows: list[Values]) -> None:
        """The latest decision on each result, and the series its image belongs to."""
        ids = [str(row["id"]) for row in rows]
        decisions: dict[str, tuple[str, str]] = {}
        series: dict[str, str] = {}
        for part in chunks(ids):
            for analysis_id, kind, actor in session.execute(
                select(
                    AnalysisReviewRow.analysis_id,
                    AnalysisReviewRow.kind,
                    AnalysisReviewRow.actor_id,
                )
                .where(
                    AnalysisReviewRow.analysis_id.in_(part),
                    AnalysisReviewRow.kind.in_(("accepted", "rejected")),
                    AnalysisReviewRow.deleted_at.is_(None),
                )
                .order_by(AnalysisReviewRow.created_at, AnalysisReviewRow.id)
            ):
                decisions[analysis_id] = (kind, actor)  # the latest wins
        instances = sorted({str(row["instance_id"]) for row in rows})
        for part in chunks(instances):
            for instance_id, series_id in session.execute(
                select(InstanceRow.id, InstanceRow.series_id).where(InstanceRow.id.in_(part))
            ):
                series[instance_id] = series_id
        for row in rows:
            row["_decision"] = decisions.get(row["id"])
            row["_series_id"] = series.get(row["instance_id"])

    def body(self, values: Mapping[str, Any]) -> dict[str, Any]:
        decision = values.get("_decision")
        items: list[tuple[str, str, Any]] = [
            ("task", "valueCode", values["task"]),
            ("frame-index", "valueInteger", values["frame_index"]),
            ("model-name", "valueString", values["model_name"]),
            ("model-version", "valueString", values["model_version"]),
            ("model-sha256", "valueString", values["model_sha256"] or None),
            ("model-status", "valueCode", values["model_status"]),
            ("model-title", "valueString", values["model_title"]),
            ("top-label", "valueString", values["top_label"]),
            ("top-probability", "valueDecimal", values["top_probability"]),
            ("result", "valueString", values["result_json"]),
            ("heatmap", "valueString", values["heatmap_json"]),
            ("decision", "valueCode", decision[0] if decision else None),
        ]
        body: dict[str, Any] = {
            "extension": [*extensions(items), *_probabilities(values["result_json"])],
            "status": STATUS_OF[decision[0] if decision else None],
            "code": {
                "coding": [{"system": TASK_SYSTEM, "code": values["task"]}],
                "text": f"AI decision support: {values['model_title']}",
            },
            "subject": reference("Patient", values["patient_id"]),
            "effectiveDateTime": instant(values["run_at"]),
            "issued": instant(values["run_at"]),
            "performer": [user_reference(values["run_by"])],
            "media": [{"link": reference("Media", values["instance_id"])}],
            "conclusion": _decision_text(values),
        }
        if decision:
            body["resultsInterpreter"] = [user_reference(decision[1])]
        if values.get("_series_id"):
            body["imagingStudy"] = [reference("ImagingStudy", values["_series_id"])]
        return body

    def differs(self, sent: Mapping[str, Any], current: Mapping[str, Any]) -> bool:
        return sent.get("status") != current.get("status")

    def values(self, resource: Mapping[str, Any]) -> Values:
        media = resource.get("media")
        first = media[0] if isinstance(media, list) and media else None
        performers = resource.get("performer")
        result_json = required_text(
            extension_value(resource, "result", "valueString"), "result", MAX_JSON
        )
        try:
            json.loads(result_json)
        except ValueError as exc:
            raise MappingError("The result's data is not JSON.") from exc
        frame = int_or_none(extension_value(resource, "frame-index", "valueInteger"), "frame")
        return {
            "instance_id": reference_id(
                first.get("link") if isinstance(first, dict) else None, "Media", "result image"
            ),
            "patient_id": reference_id(resource.get("subject"), "Patient", "result subject"),
            "frame_index": frame or 0,
            "task": required_text(extension_value(resource, "task", "valueCode"), "task", 32),
            "model_name": self._ext(resource, "model-name", 64),
            "model_version": self._ext(resource, "model-version", 32),
            "model_sha256": text_or_none(
                extension_value(resource, "model-sha256", "valueString"), "model hash", 64
            )
            or "",
            "model_status": required_text(
                extension_value(resource, "model-status", "valueCode"), "model status", 16
            ),
            "model_title": self._ext(resource, "model-title", 200),
            "top_label": text_or_none(
                extension_value(resource, "top-label", "valueString"), "top label", 64
            ),
            "top_probability": float_or_none(
                extension_value(resource, "top-probability", "valueDecimal"), "probability"
            ),
            "result_json": result_json,
            "heatmap_json": text_or_none(
                extension_value(resource, "heatmap", "valueString"), "heatmap", MAX_JSON
            ),
            "run_by": user_id_of(
                performers[0] if isinstance(performers, list) and performers else None,
                "result performer",
            ),
            "run_at": parse_instant(resource.get("effectiveDateTime"), "time the model ran"),
        }

    @staticmethod
    def _ext(resource: Mapping[str, Any], name: str, limit: int) -> str:
        return required_text(
            extension_value(resource, name, "valueString"), name.replace("-", " "), limit
        )


class ReviewMapping(TableMapping):
    row_class = AnalysisReviewRow
    resource_types = ("Provenance",)
    defaults = ("Provenance",)
    # `created_at` travels: the latest decision counts, on every workstation the same.
    fields: ClassVar[tuple[str, ...]] = (
        "analysis_id",
        "kind",
        "comment",
        "actor_id",
        "assigned_to",
        "created_at",
    )
    audience = Action.AI_REVIEW
    append_only = True
    summarised_in = ("imaging_analyses", "analysis_id")

    def body(self, values: Mapping[str, Any]) -> dict[str, Any]:
        role = "author" if values["kind"] == "review_requested" else "verifier"
        assigned = values["assigned_to"]
        return {
            "extension": extensions(
                [
                    ("comment", "valueString", values["comment"] or None),
                    (
                        "assigned-to",
                        "valueReference",
                        user_reference(assigned) if assigned else None,
                    ),
                ]
            ),
            "target": [reference("DiagnosticReport", values["analysis_id"])],
            "recorded": instant(values["created_at"]),
            "activity": {"coding": [{"system": REVIEW_SYSTEM, "code": values["kind"]}]},
            "agent": [
                {
                    "type": {"coding": [{"system": PARTICIPANT, "code": role}]},
                    "who": user_reference(values["actor_id"]),
                }
            ],
        }

    def values(self, resource: Mapping[str, Any]) -> Values:
        targets = resource.get("target")
        activity = resource.get("activity")
        codings = activity.get("coding") if isinstance(activity, dict) else None
        coding = codings[0] if isinstance(codings, list) and codings else None
        kind = coding.get("code") if isinstance(coding, dict) else None
        if kind not in REVIEW_KINDS:
            raise MappingError("The review's activity is not accepted, rejected or a request.")
        agents = resource.get("agent")
        agent = agents[0] if isinstance(agents, list) and agents else {}
        assigned = extension_value(resource, "assigned-to", "valueReference")
        return {
            "analysis_id": reference_id(
                targets[0] if isinstance(targets, list) and targets else None,
                "DiagnosticReport",
                "reviewed result",
            ),
            "kind": kind,
            "comment": text_or_none(
                extension_value(resource, "comment", "valueString"), "comment", 2000
            )
            or "",
            "actor_id": user_id_of(
                agent.get("who") if isinstance(agent, dict) else None, "reviewer"
            ),
            "assigned_to": None if assigned is None else user_id_of(assigned, "assigned doctor"),
            "created_at": parse_instant(resource.get("recorded"), "review time"),
        }

    def patient_id(self, values: Mapping[str, Any]) -> str | None:
        return None
