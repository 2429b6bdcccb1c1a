"""Read-side queries shared by the imaging services: summaries built inside a unit of work."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinic_app.imaging.dicom_header import PixelSpacing
from clinic_app.imaging.summaries import InstanceSummary, SeriesSummary, StudySummary
from clinic_app.imaging.tables import InstanceRow, SeriesRow, StudyRow


def instance_summary(row: InstanceRow) -> InstanceSummary:
    spacing = None
    if row.spacing_row_mm and row.spacing_column_mm:
        spacing = PixelSpacing(row.spacing_row_mm, row.spacing_column_mm, row.spacing_source or "")
    return InstanceSummary(
        id=row.id,
        series_id=row.series_id,
        patient_id=row.patient_id,
        sop_instance_uid=row.sop_instance_uid,
        instance_number=row.instance_number,
        kind=row.kind,
        content_type=row.content_type,
        file_name=row.file_name,
        size_bytes=row.size_bytes,
        sha256=row.sha256,
        rows=row.rows,
        columns=row.columns,
        frames=row.frames,
        photometric=row.photometric,
        pixel_spacing=spacing,
        slice_position=row.slice_position,
        px_per_mm=row.px_per_mm,
    )


def _live_instances() -> object:
    return InstanceRow.deleted_at.is_(None)


def series_summaries(session: Session, study_ids: Sequence[str]) -> list[SeriesSummary]:
    if not study_ids:
        return []
    counts = (
        select(InstanceRow.series_id, func.count().label("n"))
        .where(_live_instances())
        .group_by(InstanceRow.series_id)
        .subquery()
    )
    rows = session.execute(
        select(SeriesRow, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.series_id == SeriesRow.id)
        .where(SeriesRow.study_id.in_(study_ids), SeriesRow.deleted_at.is_(None))
        .order_by(SeriesRow.study_id, SeriesRow.series_number, SeriesRow.created_at)
    ).all()
    return [
        SeriesSummary(
            id=s.id,
            study_id=s.study_id,
            series_uid=s.series_uid,
            series_number=s.series_number,
            modality=s.modality,
            description=s.description,
            body_part=s.body_part,
            instance_count=int(n),
        )
        for s, n in rows
    ]


def study_summaries(session: Session, study_ids: Sequence[str]) -> list[StudySummary]:
    if not study_ids:
        return []
    studies = session.scalars(
        select(StudyRow).where(StudyRow.id.in_(study_ids), StudyRow.deleted_at.is_(None))
    ).all()
    series = series_summaries(session, [s.id for s in studies])
    result = []
    for study in sorted(studies, key=lambda s: study_ids.index(s.id)):
        own = [s for s in series if s.study_id == study.id]
        result.append(
            StudySummary(
                id=study.id,
                patient_id=study.patient_id,
                study_uid=study.study_uid,
                source=study.source,
                study_date=study.study_date,
                description=study.description,
                accession_number=study.accession_number,
                institution=study.institution,
                modalities=tuple(sorted({s.modality for s in own if s.modality})),
                series_count=len(own),
                instance_count=sum(s.instance_count for s in own),
            )
        )
    return result
