"""The records feature's services, built together on one context (see bootstrap)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from clinic_app.records.addendum_service import AddendumService
from clinic_app.records.annotation_service import AnnotationService
from clinic_app.records.attachment_service import DEFAULT_MAX_BYTES, AttachmentService
from clinic_app.records.chart_service import ChartService
from clinic_app.records.context import RecordsContext
from clinic_app.records.record_service import ClinicalRecordService
from clinic_app.records.review_service import ReviewService
from clinic_app.records.visit_service import VisitService
from clinic_app.security.authorization import Authorizer
from clinic_app.storage.audit import AuditLog
from clinic_app.storage.database import Database
from clinic_app.storage.types import utcnow


@dataclass
class Records:
    context: RecordsContext
    visits: VisitService
    clinical_records: ClinicalRecordService
    addenda: AddendumService
    attachments: AttachmentService
    annotations: AnnotationService
    reviews: ReviewService
    charts: ChartService


def build_records(
    db: Database,
    audit: AuditLog,
    authorizer: Authorizer,
    *,
    max_attachment_bytes: int = DEFAULT_MAX_BYTES,
    clock: Callable[[], datetime] = utcnow,
) -> Records:
    ctx = RecordsContext(db, audit, authorizer, clock)
    return Records(
        context=ctx,
        visits=VisitService(ctx),
        clinical_records=ClinicalRecordService(ctx),
        addenda=AddendumService(ctx),
        attachments=AttachmentService(ctx, max_attachment_bytes),
        annotations=AnnotationService(ctx),
        reviews=ReviewService(ctx),
        charts=ChartService(ctx),
    )
