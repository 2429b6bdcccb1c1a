"""Our reader of the CMS ICD-10-CM tabular XML, on the real April 2026 release and on broken
files."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from clinic_app.codes.icd10cm_importer import (
    Icd10cmFile,
    packaged_release,
    parse_icd10cm,
    read_code_list,
)
from clinic_app.codes.models import CodeKind, NoteKind
from clinic_app.codes.source_set import CodeImportError, SourceCode, SourceSet
from clinic_app.errors import OperationCancelledError
from clinic_app.tasks import CancelToken, RecordingProgress

MINIMAL = """<?xml version="1.0" encoding="utf-8"?>
<ICD10CM.tabular><version>2026</version>
<chapter><name>1</name><desc>Chapter one (A00-A09)</desc>
<section id="A00-A09"><desc>Block</desc>
{diags}
</section></chapter></ICD10CM.tabular>
"""


@pytest.fixture(scope="module")
def release() -> SourceSet:
    return parse_icd10cm(packaged_release())


@pytest.fixture(scope="module")
def by_code(release: SourceSet) -> dict[str, SourceCode]:
    return {item.code: item for item in release.items if item.kind is not CodeKind.BLOCK}


def _file(tmp_path: Path, content: bytes | str, name: str = "tabular.xml") -> Icd10cmFile:
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return Icd10cmFile(path=path, version="test", effective_date=None, source="test")


def test_the_release_has_the_published_counts(release: SourceSet) -> None:
    kinds = Counter(item.kind for item in release.items)
    assert release.billable_count == 74_719
    assert kinds[CodeKind.CHAPTER] == 22
    assert kinds[CodeKind.BLOCK] == 297
    assert kinds[CodeKind.CATEGORY] == 1_918
    assert kinds[CodeKind.EXTENSION] == 51_305


def test_every_item_matches_the_release_code_list(release: SourceSet) -> None:
    code_list = packaged_release().code_list
    assert code_list is not None
    ours = {item.code.replace(".", "") for item in release.items}
    assert ours == read_code_list(code_list)


def test_seventh_characters_are_expanded_with_placeholders(by_code: dict[str, SourceCode]) -> None:
    femur = by_code["S72.001A"]
    assert femur.billable
    assert femur.kind is CodeKind.EXTENSION
    assert femur.description.endswith("initial encounter for closed fracture")
    assert not by_code["S72.001"].billable  # needs its seventh character
    assert by_code["T68.XXXA"].billable  # a three-character category padded with X
    assert by_code["S02.0XXA"].billable
    assert "S06.1X7A" in by_code
    assert "S06.1X7D" not in by_code  # D and S do not apply to death-before-consciousness codes


def test_known_codes_keep_hierarchy_and_notes(
    release: SourceSet, by_code: dict[str, SourceCode]
) -> None:
    e119 = by_code["E11.9"]
    assert e119.description == "Type 2 diabetes mellitus without complications"
    assert e119.billable
    assert release.items[e119.parent].code == "E11"  # type: ignore[index]
    e11 = by_code["E11"]
    block = release.items[e11.parent]  # type: ignore[index]
    assert (block.kind, block.code) == (CodeKind.BLOCK, "E08-E13")
    i10 = by_code["I10"]
    assert (NoteKind.INCLUDES, "high blood pressure") in i10.notes
    assert any(kind is NoteKind.EXCLUDES1 for kind, _ in i10.notes)
    assert (NoteKind.INCLUSION, "Asthma NOS") in by_code["J45.909"].notes
    assert any(kind is NoteKind.SEVENTH_CHARACTER for kind, _ in by_code["S72"].notes)


def test_items_run_from_general_to_specific(release: SourceSet) -> None:
    levels = [item.level for item in release.items]
    assert levels == sorted(levels)
    assert release.items[0].kind is CodeKind.CHAPTER


def test_progress_is_reported_and_cancel_stops_the_read() -> None:
    progress = RecordingProgress()
    token = CancelToken()
    token.cancel()
    with pytest.raises(OperationCancelledError):
        parse_icd10cm(packaged_release(), progress, token)
    assert progress.events


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (MINIMAL.format(diags="<diag><name>A00</name><desc>Cholera</desc></diag>")[:150], "XML"),
        (
            MINIMAL.format(diags="<diag><name>A00</name><desc>Chol\u00e9ra</desc></diag>").encode(
                "latin-1"
            ),
            "XML",
        ),
        (
            MINIMAL.format(
                diags="<diag><name>A00</name><desc>a</desc></diag>"
                "<diag><name>A00</name><desc>b</desc></diag>"
            ),
            "twice",
        ),
        (
            MINIMAL.format(diags=f"<diag><name>A00</name><desc>{'x' * 50_000}</desc></diag>"),
            "longer than",
        ),
        ("<?xml version='1.0'?><patients/>", "not an ICD-10-CM tabular"),
        (MINIMAL.format(diags="<diag><name>not a code</name><desc>x</desc></diag>"), "not an"),
    ],
    ids=[
        "empty",
        "truncated",
        "wrong-encoding",
        "duplicate",
        "huge-line",
        "wrong-root",
        "bad-code",
    ],
)
def test_malformed_files_are_refused_clearly(
    tmp_path: Path, content: bytes | str, message: str
) -> None:
    with pytest.raises(CodeImportError, match=message):
        parse_icd10cm(_file(tmp_path, content))


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CodeImportError, match="No ICD-10-CM file"):
        parse_icd10cm(replace(packaged_release(), path=tmp_path / "gone.xml"))
