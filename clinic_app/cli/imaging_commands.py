"""clinic imaging import|analyze|studies"""

from __future__ import annotations

from pathlib import Path

import click

from clinic_app.cli.context import CliContext, pass_cli, user_option
from clinic_app.cli.output import ConsoleProgress, emit_json, emit_table
from clinic_app.errors import ClinicError, ValidationError
from clinic_app.imaging.file_analysis import ABCD, FileAnalysis, analyze_file, analyze_lesion_file
from clinic_app.imaging.heatmap import MAX_GRID
from clinic_app.imaging.model_registry import ModelRegistry
from clinic_app.imaging.summaries import ImportReport, ImportScan

_PATH = click.Path(exists=True, path_type=Path)


@click.group()
def imaging() -> None:
    """Medical images: import DICOM media and photos, analyse a file with a model."""


def _print_scan(scan: ImportScan) -> None:
    click.echo(f"{len(scan.dicom_files)} DICOM image(s), {len(scan.photo_files)} photo(s).")
    for group in scan.groups:
        p = group.dicom
        born = p.birth_date.isoformat() if p.birth_date else "?"
        click.echo(
            f"DICOM patient {p.patient_id or '?'} ({born}, {p.sex}): {group.file_count} file(s)"
        )
        for candidate in group.candidates:
            c = candidate.patient
            click.echo(
                f"  possible match: {c.id} {c.display_name} ({'; '.join(candidate.reasons)})"
            )
        if not group.candidates:
            click.echo("  no matching patient: --new-patient registers one from the DICOM data")


def _print_report(report: ImportReport) -> None:
    click.echo(f"Imported {report.imported} file(s); {report.duplicates} already there.")
    for study in report.studies:
        when = study.study_date.isoformat() if study.study_date else "?"
        click.echo(f"  study {study.id} {when} {'/'.join(study.modalities)} {study.description}")
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for problem in report.problems:
        click.echo(f"skipped: {problem.path}: {problem.reason}", err=True)


@imaging.command("import")
@click.argument("paths", nargs=-1, required=True, type=_PATH)
@click.option("--patient", "patient_id", default=None, help="The clinic patient the files are for.")
@click.option(
    "--new-patient", is_flag=True, help="Register a new patient from the files' DICOM data."
)
@click.option(
    "--dicom-patient", default=None, help="Which DICOM patient's files (key from a scan)."
)
@click.option(
    "--px-per-mm",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Photos' scale from a ruler: pixels per millimetre.",
)
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def import_(
    state: CliContext,
    paths: tuple[Path, ...],
    patient_id: str | None,
    new_patient: bool,
    dicom_patient: str | None,
    px_per_mm: float | None,
    as_json: bool,
) -> None:
    """Import DICOM files, folders or DICOMDIR media and photos (JPEG, PNG, TIFF).

    The files' patient is never guessed: without --patient or --new-patient the command only
    shows who the files belong to and which clinic patients match, and imports nothing."""
    if patient_id and new_patient:
        raise click.UsageError("Give --patient or --new-patient, not both.")
    actor = state.user()
    services = state.services()
    scan = services.imaging_import.scan(actor, list(paths), ConsoleProgress(not as_json))
    if not patient_id and not new_patient:
        if as_json:
            emit_json({"imported": False, "scan": scan})
        else:
            _print_scan(scan)
        raise ClinicError(
            "Nothing was imported: confirm whose images these are with --patient ID "
            "(or --new-patient)."
        )
    if new_patient:
        groups = [g for g in scan.groups if dicom_patient in (None, g.key)]
        if len(groups) != 1:
            raise ValidationError(
                "--new-patient needs the files of exactly one DICOM patient "
                f"(found {len(groups)}); use --dicom-patient KEY."
            )
        created = services.patients.create(actor, groups[0].new_patient)
        patient_id = created.patient.id
        dicom_patient = groups[0].key
    assert patient_id is not None
    report = services.imaging_import.import_files(
        actor,
        scan,
        patient_id,
        group_key=dicom_patient,
        px_per_mm=px_per_mm,
        progress=ConsoleProgress(not as_json),
    )
    if as_json:
        emit_json({"imported": True, "report": report})
    else:
        _print_report(report)


def _print_analysis(result: FileAnalysis) -> None:
    model = result.model
    click.echo(f"Model: {model.name} {model.version} ({model.status})")
    if result.probabilities is not None and result.label_names is not None:
        rows = sorted(result.probabilities.items(), key=lambda item: -item[1])
        emit_table(
            ["LABEL", "NAME", "PROBABILITY"],
            [[k, result.label_names.get(k, k), f"{v * 100:.1f}%"] for k, v in rows],
        )
    if result.measurements is not None:
        m = result.measurements
        click.echo(
            f"A {m['asymmetry']}  B {m['border']}  C {m['colours']} "
            f"({', '.join(m['colours_present'])})  diameter "
            + (
                f"{m['diameter_mm']} mm"
                if m["diameter_mm"] is not None
                else f"{m['diameter_px']} px"
            )
        )
        score = m["tds"] if m["tds"] is not None else "{:.2f}–{:.2f}".format(*m["tds_range"])
        click.echo(f"TDS {score}: {m['category']}")
    click.echo(result.decision_support)


@imaging.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--model",
    "model_name",
    required=True,
    help=f"A model pack's name, or '{ABCD}' for the skin-lesion ABCD rule.",
)
@click.option("--frame", type=click.IntRange(0), default=0, show_default=True)
@click.option(
    "--heatmap-grid",
    type=click.IntRange(0, MAX_GRID),
    default=0,
    show_default=True,
    help="Also explain the result: occlusion heatmap on an N×N grid (N² more runs).",
)
@click.option(
    "--px-per-mm",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="ABCD: the photo's scale (pixels per millimetre) for sizes in mm.",
)
@click.option(
    "--structures",
    type=click.IntRange(1, 5),
    default=None,
    help="ABCD: differential structures counted by the clinician (1–5).",
)
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def analyze(
    state: CliContext,
    file: Path,
    model_name: str,
    frame: int,
    heatmap_grid: int,
    px_per_mm: float | None,
    structures: int | None,
    as_json: bool,
) -> None:
    """Analyse one image file without saving anything (decision support, not a diagnosis)."""
    if model_name == ABCD:
        result = analyze_lesion_file(file, px_per_mm=px_per_mm, differential_structures=structures)
    else:
        registry = ModelRegistry.for_data_dir(state.settings.data_dir)
        result = analyze_file(
            registry,
            file,
            model_name,
            frame=frame,
            heatmap_grid=heatmap_grid,
            progress=ConsoleProgress(not as_json),
        )
    if as_json:
        emit_json(result)
    else:
        _print_analysis(result)


@imaging.command()
@click.argument("patient_id")
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def studies(state: CliContext, patient_id: str, as_json: bool) -> None:
    """A patient's imaging studies."""
    found = state.services().imaging.studies(state.user(), patient_id)
    if as_json:
        emit_json(found)
        return
    emit_table(
        ["ID", "DATE", "MODALITY", "SERIES", "IMAGES", "DESCRIPTION"],
        [
            [
                s.id,
                s.study_date.isoformat() if s.study_date else "",
                "/".join(s.modalities),
                s.series_count,
                s.instance_count,
                s.description,
            ]
            for s in found
        ],
    )
