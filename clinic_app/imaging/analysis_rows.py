"""Turns stored analysis rows (and their review events) into `AnalysisResult` values."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from clinic_app.imaging.heatmap import Heatmap
from clinic_app.imaging.inference import ModelInfo
from clinic_app.imaging.summaries import AnalysisResult, ReviewEvent
from clinic_app.imaging.tables import AnalysisReviewRow, AnalysisRow
from clinic_app.security.tables import UserRow

# The ABCD rule is an algorithm in this code base, not a model file: it has no file hash.
ABCD_MODEL = ModelInfo(
    name="abcd-rule",
    version="stolz-1994.1",
    sha256="",
    status="research",
    title="ABCD rule of dermoscopy, automated (OpenCV segmentation)",
)


def result_of(session: Session, row: AnalysisRow, *, new: bool = False) -> AnalysisResult:
    """Call it inside the unit of work, before its commit: afterwards the session would open
    another transaction (a write lock, on a writer's session) only to read the reviews.
    `new`: the row was made in this transaction, so it has no reviews to read."""
    body = json.loads(row.result_json)
    reviews = (
        []
        if new
        else session.scalars(
            select(AnalysisReviewRow)
            .where(AnalysisReviewRow.analysis_id == row.id, AnalysisReviewRow.deleted_at.is_(None))
            .order_by(AnalysisReviewRow.created_at, AnalysisReviewRow.id)
        ).all()
    )
    named = {row.run_by, *(r.actor_id for r in reviews)}
    named |= {r.assigned_to for r in reviews if r.assigned_to}
    # No foreign key guarantees an account (see tables.py): an id without one is left out.
    people = {
        user_id: name
        for user_id, name in session.execute(
            select(UserRow.id, UserRow.display_name).where(UserRow.id.in_(named))
        )
    }
    return AnalysisResult(
        id=row.id,
        instance_id=row.instance_id,
        patient_id=row.patient_id,
        frame_index=row.frame_index,
        task=row.task,
        model=ModelInfo(
            row.model_name, row.model_version, row.model_sha256, row.model_status, row.model_title
        ),
        probabilities={k: float(v) for k, v in body.get("probabilities", {}).items()},
        label_names=dict(body.get("label_names", {})),
        top_label=row.top_label,
        top_probability=row.top_probability,
        measurements=body.get("measurements"),
        heatmap=Heatmap.from_json(json.loads(row.heatmap_json)) if row.heatmap_json else None,
        run_by=row.run_by,
        run_at=row.run_at,
        events=tuple(
            ReviewEvent(r.kind, r.actor_id, r.created_at, r.comment, r.assigned_to) for r in reviews
        ),
        people=people,
    )
