"""clinic codes sets|import-icd10cm|import|activate|search|show|suggest"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from clinic_app.cli.context import CliContext, pass_cli, user_option
from clinic_app.cli.output import ConsoleProgress, emit_json, emit_table, to_jsonable
from clinic_app.codes.icd10cm_importer import Icd10cmFile
from clinic_app.codes.models import CodeHit, CodeSetInfo, CodeSuggestion, CodeSystem
from clinic_app.codes.service import MAX_LIMIT
from clinic_app.errors import ValidationError

_LIMIT = click.IntRange(1, MAX_LIMIT)
_SYSTEMS = [system.value for system in CodeSystem]


def _system(value: str) -> CodeSystem:
    return CodeSystem.parse(value)


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError("The effective date must be YYYY-MM-DD.") from exc


def _lines(path: str) -> list[str]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError("The input file is not UTF-8 text.") from exc
    except OSError as exc:
        raise ValidationError(f"Cannot read {Path(path).name}.") from exc
    return text.splitlines()


def _hit_json(hit: CodeHit) -> dict[str, object]:
    return {
        "code": hit.code,
        "description": hit.description,
        "billable": hit.billable,
        "score": hit.score,
        "system": hit.system.value,
        "set_version": hit.set_version,
        "set_id": hit.set_id,
    }


def _suggestion_json(item: CodeSuggestion) -> dict[str, object]:
    return {
        "code": item.code,
        "description": item.description,
        "billable": item.billable,
        "score": item.score,
        "evidence": [e.text for e in item.evidence],
        "spans": [[e.start, e.end] for e in item.evidence],
        "context": item.context,
        "system": item.system.value,
        "set_version": item.set_version,
        "set_id": item.set_id,
    }


def _json_line(value: object) -> None:
    click.echo(json.dumps(to_jsonable(value), ensure_ascii=False, separators=(",", ":")))


def _print_sets(sets: list[CodeSetInfo], as_json: bool) -> None:
    if as_json:
        emit_json(sets)
        return
    emit_table(
        ["SYSTEM", "VERSION", "EFFECTIVE", "ACTIVE", "CODES", "BILLABLE", "ID"],
        [
            [
                s.system.value,
                s.version,
                s.effective_date.isoformat() if s.effective_date else "",
                "yes" if s.active else "",
                s.code_count,
                s.billable_count,
                s.id,
            ]
            for s in sets
        ],
    )


@click.group()
def codes() -> None:
    """Medical codes: code sets, search, suggestions from clinical text."""


@codes.command("sets")
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def sets_(state: CliContext, as_json: bool) -> None:
    """List imported code sets and which version is active per system."""
    _print_sets(state.services().codes.list_sets(state.user()), as_json)


@codes.command("import-icd10cm")
@click.option(
    "--xml",
    "xml_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="A CMS tabular XML release (default: the April 2026 release shipped).",
)
@click.option("--version", "version", default=None, help="Version label for --xml, e.g. 2027-04.")
@click.option("--effective-date", default=None, help="YYYY-MM-DD, for --xml.")
@click.option(
    "--code-list",
    type=click.Path(dir_okay=False),
    default=None,
    help="The release's code list, to check generated seventh-character codes.",
)
@click.option("--no-activate", is_flag=True, help="Import without making it the active version.")
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def import_icd10cm(
    state: CliContext,
    xml_path: str | None,
    version: str | None,
    effective_date: str | None,
    code_list: str | None,
    no_activate: bool,
    as_json: bool,
) -> None:
    """Import ICD-10-CM into the encrypted store (set-up; takes a few seconds)."""
    release = None
    if xml_path:
        if not version:
            raise ValidationError("--version is required with --xml.")
        release = Icd10cmFile(
            path=Path(xml_path),
            version=version.strip()[:40],
            effective_date=_date(effective_date),
            source=f"CMS ICD-10-CM tabular XML, file {Path(xml_path).name}",
            code_list=Path(code_list) if code_list else None,
        )
    info = state.services().codes.import_icd10cm(
        state.user(), release, activate=not no_activate, progress=ConsoleProgress()
    )
    _print_sets([info], as_json)


@codes.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--system", "system", required=True, help=f"One of: {', '.join(_SYSTEMS)}.")
@click.option("--version", "version", required=True, help="Version label, e.g. 2026-Q2.")
@click.option("--effective-date", default=None, help="YYYY-MM-DD.")
@click.option("--source", default=None, help="Where the file came from (licence, publisher).")
@click.option("--no-activate", is_flag=True, help="Import without making it the active version.")
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def import_file(
    state: CliContext,
    file: str,
    system: str,
    version: str,
    effective_date: str | None,
    source: str | None,
    no_activate: bool,
    as_json: bool,
) -> None:
    """Import a CSV/TSV code file (columns: code, description, parent, synonyms, billable)."""
    info = state.services().codes.import_file(
        state.user(),
        Path(file),
        _system(system),
        version,
        effective_date=_date(effective_date),
        source=source,
        activate=not no_activate,
        progress=ConsoleProgress(),
    )
    _print_sets([info], as_json)


@codes.command()
@click.argument("system")
@click.argument("version")
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def activate(state: CliContext, system: str, version: str, as_json: bool) -> None:
    """Make an imported version the active one for its system."""
    info = state.services().codes.activate(state.user(), _system(system), version)
    _print_sets([info], as_json)


@codes.command()
@click.argument("query", required=False)
@click.option("--system", "system", default=CodeSystem.ICD10CM.value, show_default=True)
@click.option("--limit", type=_LIMIT, default=20, show_default=True)
@click.option("--billable", "billable_only", is_flag=True, help="Billable codes only.")
@click.option(
    "--file",
    "file",
    type=click.Path(dir_okay=False),
    default=None,
    help="One query per line; prints one JSON line per input line, in order.",
)
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def search(
    state: CliContext,
    query: str | None,
    system: str,
    limit: int,
    billable_only: bool,
    file: str | None,
    as_json: bool,
) -> None:
    """Search by code (E11.9, e119, S72) or by words (prefixes work)."""
    if file is None and not (query or "").strip():
        raise ValidationError("Type a code or words to search for (or pass --file).")
    queries = _lines(file) if file else [query or ""]
    results = state.services().codes.search_many(
        state.user(), queries, system=_system(system), limit=limit, billable_only=billable_only
    )
    if file:
        for line, (text, hits) in enumerate(zip(queries, results, strict=True), start=1):
            _json_line({"line": line, "query": text, "results": [_hit_json(h) for h in hits]})
    elif as_json:
        emit_json([_hit_json(h) for h in results[0]])
    else:
        emit_table(
            ["CODE", "BILLABLE", "SCORE", "DESCRIPTION"],
            [
                [h.code, "yes" if h.billable else "", f"{h.score:.2f}", h.description]
                for h in results[0]
            ],
        )


@codes.command()
@click.argument("code")
@click.option("--system", "system", default=CodeSystem.ICD10CM.value, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def show(state: CliContext, code: str, system: str, as_json: bool) -> None:
    """One code: its hierarchy (chapter › block › category › …), children and notes."""
    detail = state.services().codes.get(state.user(), code, system=_system(system))
    if as_json:
        emit_json(detail)
        return
    for ancestor in detail.ancestors:
        click.echo(f"  {ancestor.code:<10} {ancestor.description}")
    mark = "billable" if detail.node.billable else "not billable"
    click.echo(f"> {detail.code:<10} {detail.node.description} ({mark})")
    for note in detail.notes:
        click.echo(f"    {note.kind.value}: {note.text}")
    for owner, notes in detail.inherited_notes.items():
        for note in notes:
            click.echo(f"    {note.kind.value} (from {owner}): {note.text}")
    for child in detail.children:
        click.echo(f"    - {child.code:<10} {child.description}")


@codes.command()
@click.argument("text", required=False)
@click.option("--limit", type=_LIMIT, default=10, show_default=True)
@click.option(
    "--file",
    "file",
    type=click.Path(dir_okay=False),
    default=None,
    help="One text per line; prints one JSON line per input line, in order.",
)
@click.option("--json", "as_json", is_flag=True)
@user_option
@pass_cli
def suggest(
    state: CliContext, text: str | None, limit: int, file: str | None, as_json: bool
) -> None:
    """Suggest ICD-10-CM codes for clinical text, with the words that support each."""
    if file is None and not (text or "").strip():
        raise ValidationError("Give the clinical text to suggest codes for (or pass --file).")
    texts = _lines(file) if file else [text or ""]
    results = state.services().codes.suggest_many(state.user(), texts, limit=limit)
    if file:
        for line, items in enumerate(results, start=1):
            _json_line({"line": line, "suggestions": [_suggestion_json(s) for s in items]})
    elif as_json:
        emit_json([_suggestion_json(s) for s in results[0]])
    else:
        emit_table(
            ["CODE", "SCORE", "EVIDENCE", "DESCRIPTION"],
            [
                [s.code, f"{s.score:.2f}", ", ".join(e.text for e in s.evidence), s.description]
                for s in results[0]
            ],
        )
