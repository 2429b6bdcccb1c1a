"""Imaging: not synced yet. Studies, series and instances would travel as ImagingStudy with
their files as Binary, and analyses as DiagnosticReport; until then they stay local, and the
push says so in the sync log instead of dropping their changes silently."""

from __future__ import annotations

from clinic_app.sync.mappings.base import TableMapping

IMAGING_MAPPINGS: list[TableMapping] = []
IMAGING_LOCAL_ONLY: dict[str, str] = {
    table: "imaging is not synced yet"
    for table in (
        "imaging_studies",
        "imaging_series",
        "imaging_instances",
        "imaging_analyses",
        "imaging_analysis_reviews",
    )
}
