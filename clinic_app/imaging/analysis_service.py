"""Running models on stored images and keeping their results with the clinicians' decisions.

Slow work (decoding, inference, the heatmap) runs outside any write transaction; the result,
its outbox entry and its audit event are then written together. Results are decision support:
a doctor accepts or rejects each one, and only an accepted result may be copied into a visit's
assessment (`assessment_text`). "Request review" posts an ASSIGNED notice to a doctor.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select

from clinic_app.errors import NotFoundError, ValidationError
from clinic_app.imaging.abcd import AbcdResult, analyse_lesion
from clinic_app.imaging.analysis_decisions import (
    RECORD_TYPE,
    AssessmentEntry,
    accepting_clinician,
    analysis_row,
    assessment_line,
    record_decision,
    record_review_request,
)
from clinic_app.imaging.analysis_rows import ABCD_MODEL, result_of
from clinic_app.imaging.display import DisplayImage
from clinic_app.imaging.heatmap import DEFAULT_GRID, Heatmap, occlusion_heatmap
from clinic_app.imaging.inference import DEFAULT_BATCH, ModelInfo, Prediction, classify
from clinic_app.imaging.model_registry import LoadedModel, ModelRegistry
from clinic_app.imaging.study_service import decode_instance, instance_row
from clinic_app.imaging.summaries import AnalysisResult
from clinic_app.imaging.tables import AnalysisRow, InstanceRow
from clinic_app.security.authorization import Authorizer
from clinic_app.security.permissions import Action
from clinic_app.security.users import AuthenticatedUser
from clinic_app.storage.audit import AuditLog
from clinic_app.storage.database import Database
from clinic_app.storage.types import utcnow
from clinic_app.tasks import CancelToken, NullProgress, ProgressReporter


class AnalysisService:
    def __init__(
        self,
        db: Database,
        audit: AuditLog,
        authorizer: Authorizer,
        registry: ModelRegistry,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._db = db
        self._audit = audit
        self._authz = authorizer
        self._registry = registry
        self._clock = clock

    # --- running ----------------------------------------------------------------------------

    def analyze_instance(
        self,
        user: AuthenticatedUser,
        instance_id: str,
        model_name: str,
        *,
        frame: int = 0,
        heatmap_grid: int | None = DEFAULT_GRID,
        progress: ProgressReporter | None = None,
        cancel: CancelToken | None = None,
    ) -> AnalysisResult:
        """Classifies one frame and (unless `heatmap_grid` is None) explains it."""
        self._authz.require(
            user, Action.AI_RUN, record_type="imaging_instance", record_id=instance_id
        )
        model = self._registry.load(model_name)
        pixels, patient_id, frame = self._decode_frame(instance_id, frame)
        prediction = classify(model, [pixels], progress=progress, cancel=cancel)[0]
        heatmap = None
        if heatmap_grid:
            heatmap = occlusion_heatmap(
                model, pixels, grid=heatmap_grid, progress=progress, cancel=cancel
            )
        return self._store_predictions(
            user, model, [(instance_id, patient_id, frame, prediction, heatmap)]
        )[0]

    def analyze_series(
        self,
        user: AuthenticatedUser,
        series_id: str,
        model_name: str,
        *,
        batch_size: int = DEFAULT_BATCH,
        progress: ProgressReporter | None = None,
        cancel: CancelToken | None = None,
    ) -> list[AnalysisResult]:
        """Classifies every image of a series (the middle frame of multi-frame ones) in
        batches; each batch's results are stored as it completes."""
        self._authz.require(user, Action.AI_RUN, record_type="imaging_series", record_id=series_id)
        progress = progress or NullProgress()
        model = self._registry.load(model_name)
        with self._db.unit_of_work(write=False) as uow:
            ids = uow.session.scalars(
                select(InstanceRow.id)
                .where(InstanceRow.series_id == series_id, InstanceRow.deleted_at.is_(None))
                .order_by(InstanceRow.slice_position, InstanceRow.instance_number)
            ).all()
        if not ids:
            raise NotFoundError("No images in that series.")
        results: list[AnalysisResult] = []
        total = len(ids)
        for start in range(0, total, max(batch_size, 1)):
            if cancel is not None:
                cancel.raise_if_cancelled()
            items = []
            for instance_id in ids[start : start + batch_size]:
                pixels, patient_id, frame = self._decode_frame(instance_id, None)
                items.append((instance_id, patient_id, frame, pixels))
            predictions = classify(model, [item[3] for item in items], batch_size=batch_size)
            results += self._store_predictions(
                user,
                model,
                [
                    (i, p, f, pred, None)
                    for (i, p, f, _px), pred in zip(items, predictions, strict=True)
                ],
            )
            progress.report(len(results), total, f"Running {model_name}")
        return results

    def analyze_lesion(
        self,
        user: AuthenticatedUser,
        instance_id: str,
        *,
        px_per_mm: float | None = None,
        differential_structures: int | None = None,
    ) -> AnalysisResult:
        """The ABCD rule on a skin photo; the photo's own calibration is used when none given."""
        self._authz.require(
            user, Action.AI_RUN, record_type="imaging_instance", record_id=instance_id
        )
        image, patient_id = self._decode(instance_id)
        if not image.is_colour:
            raise ValidationError("The ABCD rule needs a colour photo of the skin.")
        scale = px_per_mm
        if scale is None and image.pixel_spacing is not None:
            scale = 1.0 / image.pixel_spacing.column_mm
        try:
            abcd = analyse_lesion(
                image.render(0), px_per_mm=scale, differential_structures=differential_structures
            )
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        return self._store_abcd(user, instance_id, patient_id, abcd)

    # --- decisions -------------------------------------------------------------------------

    def review(
        self, user: AuthenticatedUser, analysis_id: str, *, accept: bool, comment: str = ""
    ) -> AnalysisResult:
        """A doctor's decision; the latest one counts and every one is kept."""
        self._authz.require(user, Action.AI_REVIEW, record_type=RECORD_TYPE, record_id=analysis_id)
        with self._db.unit_of_work() as uow:
            row = analysis_row(uow.session, analysis_id)
            record_decision(uow.session, self._audit, user, row, accept=accept, comment=comment)
            uow.flush()
            result = result_of(uow.session, row)
            uow.commit()
            return result

    def request_review(
        self, user: AuthenticatedUser, analysis_id: str, doctor_id: str, note: str = ""
    ) -> AnalysisResult:
        """Sends the result to a doctor's worklist (an ASSIGNED notice in their inbox)."""
        self._authz.require(user, Action.AI_RUN, record_type=RECORD_TYPE, record_id=analysis_id)
        with self._db.unit_of_work() as uow:
            row = analysis_row(uow.session, analysis_id)
            record_review_request(uow.session, self._audit, user, row, doctor_id, note)
            uow.flush()
            result = result_of(uow.session, row)
            uow.commit()
            return result

    # --- reading -----------------------------------------------------------------------------

    def get(self, user: AuthenticatedUser, analysis_id: str) -> AnalysisResult:
        self._authz.require(
            user, Action.IMAGING_VIEW, record_type=RECORD_TYPE, record_id=analysis_id
        )
        # A read: its only write is the audit event, committed without an fsync.
        with self._db.unit_of_work(durable=False) as uow:
            row = analysis_row(uow.session, analysis_id)
            result = result_of(uow.session, row)
            self._audit.append(
                uow.session, user.actor, "ai.view", record_type=RECORD_TYPE, record_id=row.id
            )
            uow.commit()
            return result

    def for_patient(self, user: AuthenticatedUser, patient_id: str) -> list[AnalysisResult]:
        self._authz.require(user, Action.IMAGING_VIEW, record_type="patient", record_id=patient_id)
        with self._db.unit_of_work(durable=False) as uow:
            rows = uow.session.scalars(
                select(AnalysisRow)
                .where(AnalysisRow.patient_id == patient_id, AnalysisRow.deleted_at.is_(None))
                .order_by(AnalysisRow.run_at.desc())
            ).all()
            results = [result_of(uow.session, row) for row in rows]
            self._audit.append(
                uow.session,
                user.actor,
                "ai.list",
                record_type="patient",
                record_id=patient_id,
                details={"results": len(rows)},
            )
            uow.commit()
            return results

    def assessment_text(self, user: AuthenticatedUser, analysis_id: str) -> str:
        """The labelled text a visit's assessment may quote (model, version, status,
        confidence, who accepted it). Refused unless a doctor accepted the result."""
        return self.assessment_entry(user, analysis_id).text

    def assessment_entry(self, user: AuthenticatedUser, analysis_id: str) -> AssessmentEntry:
        """`assessment_text` with the patient it belongs to (`assessment_copy` checks that the
        visit is the same patient's)."""
        self._authz.require(
            user, Action.IMAGING_VIEW, record_type=RECORD_TYPE, record_id=analysis_id
        )
        with self._db.unit_of_work(durable=False) as uow:
            row = analysis_row(uow.session, analysis_id)
            result = result_of(uow.session, row)
            text = assessment_line(result, accepting_clinician(uow.session, result))
            self._audit.append(
                uow.session, user.actor, "ai.view", record_type=RECORD_TYPE, record_id=row.id
            )
            uow.commit()
            return AssessmentEntry(row.id, row.patient_id, text)

    def record_copy(self, user: AuthenticatedUser, analysis_id: str, visit_id: str) -> None:
        """Audits that the result's text went into a visit's assessment (`assessment_copy`)."""
        self._authz.require(
            user, Action.IMAGING_VIEW, record_type=RECORD_TYPE, record_id=analysis_id
        )
        with self._db.unit_of_work() as uow:
            row = analysis_row(uow.session, analysis_id)
            self._audit.append(
                uow.session,
                user.actor,
                "ai.copy_to_assessment",
                record_type=RECORD_TYPE,
                record_id=row.id,
                details={"visit_id": visit_id[:36]},
            )
            uow.commit()

    # --- internals -----------------------------------------------------------------------------

    def _decode(self, instance_id: str) -> tuple[DisplayImage, str]:
        with self._db.unit_of_work(write=False) as uow:
            row = instance_row(uow.session, instance_id)
            return decode_instance(uow.session, row), row.patient_id

    def _decode_frame(
        self, instance_id: str, frame: int | None
    ) -> tuple[NDArray[np.uint8], str, int]:
        """One frame (None: the middle one) as the viewer shows it by default, 8-bit; the
        patient; the frame's index. Only that frame is decoded: a cine's other frames cost
        nothing."""
        with self._db.unit_of_work(write=False) as uow:
            row = instance_row(uow.session, instance_id)
            frames = max(row.frames or 1, 1)
            index = frames // 2 if frame is None else frame
            if not 0 <= index < frames:
                raise ValidationError(f"The image has {frames} frame(s); frame {index} is not one.")
            image = decode_instance(uow.session, row, index if frames > 1 else None)
            return image.render(0), row.patient_id, index

    def _store_predictions(
        self,
        user: AuthenticatedUser,
        model: LoadedModel,
        items: list[tuple[str, str, int, Prediction, Heatmap | None]],
    ) -> list[AnalysisResult]:
        info = ModelInfo.of(model.pack.manifest)
        names = {label.id: label.name for label in model.pack.manifest.labels}
        payloads = [
            (
                i,
                p,
                f,
                pred.top_label,
                pred.top_probability,
                {"probabilities": pred.probabilities, "label_names": names},
                heatmap,
            )
            for i, p, f, pred, heatmap in items
        ]
        return self._store(user, info, "classification", payloads)

    def _store_abcd(
        self, user: AuthenticatedUser, instance_id: str, patient_id: str, abcd: AbcdResult
    ) -> AnalysisResult:
        measurements = dataclasses.asdict(abcd)
        payload = (
            instance_id,
            patient_id,
            0,
            abcd.category,
            None,
            {"measurements": measurements},
            None,
        )
        return self._store(user, ABCD_MODEL, "abcd", [payload])[0]

    def _store(
        self,
        user: AuthenticatedUser,
        info: ModelInfo,
        task: str,
        payloads: list[
            tuple[str, str, int, str | None, float | None, dict[str, Any], Heatmap | None]
        ],
    ) -> list[AnalysisResult]:
        with self._db.unit_of_work() as uow:
            rows = []
            for instance_id, patient_id, frame, top, probability, body, heatmap in payloads:
                row = AnalysisRow(
                    instance_id=instance_id,
                    patient_id=patient_id,
                    frame_index=frame,
                    task=task,
                    model_name=info.name,
                    model_version=info.version,
                    model_sha256=info.sha256,
                    model_status=info.status,
                    model_title=info.title,
                    top_label=top,
                    top_probability=probability,
                    result_json=json.dumps(body),
                    heatmap_json=json.dumps(heatmap.to_json()) if heatmap else None,
                    run_by=user.id,
                    run_at=self._clock(),
                )
                uow.session.add(row)
                rows.append(row)
            uow.flush()
            for row in rows:
                self._audit.append(
                    uow.session,
                    user.actor,
                    "ai.run",
                    record_type=RECORD_TYPE,
                    record_id=row.id,
                    details={
                        "model": info.name,
                        "version": info.version,
                        "instance": row.instance_id,
                    },
                )
            results = [result_of(uow.session, row, new=True) for row in rows]
            uow.commit()
            return results
