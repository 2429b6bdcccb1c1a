"""Finds what an import was given: files, folders (recursively) and DICOMDIR media, sorted into
DICOM images, photos and problems (each with its reason). Reads headers only."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pydicom

from clinic_app.imaging.dicom_header import DicomHeader
from clinic_app.imaging.dicom_reader import looks_like_dicom, read_dicom_header
from clinic_app.imaging.errors import ImagingError
from clinic_app.imaging.photo_reader import photo_format
from clinic_app.imaging.summaries import FileProblem
from clinic_app.tasks import CancelToken, NullProgress, ProgressReporter

MAX_FILES = 100_000
_HEAD = 132


@dataclass(frozen=True)
class ScannedDicom:
    path: Path
    header: DicomHeader


@dataclass(frozen=True)
class ScannedMedia:
    dicom: tuple[ScannedDicom, ...]
    photos: tuple[Path, ...]
    problems: tuple[FileProblem, ...]


def _is_dicomdir(path: Path) -> bool:
    return path.name.upper() == "DICOMDIR"


def dicomdir_files(path: Path) -> tuple[list[Path], list[FileProblem]]:
    """The image files a DICOMDIR refers to (relative to its folder)."""
    try:
        dataset = pydicom.dcmread(path)
        records = list(dataset.get("DirectoryRecordSequence") or [])
    except Exception as exc:  # noqa: BLE001 - a damaged DICOMDIR is a problem, not a crash
        return [], [FileProblem(str(path), f"The DICOMDIR is damaged ({type(exc).__name__}).")]
    files, problems = [], []
    for record in records:
        reference = record.get("ReferencedFileID")
        if not reference:
            continue
        parts = [reference] if isinstance(reference, str) else list(reference)
        if any(part in ("..", "") or "/" in part or "\\" in part for part in parts):
            problems.append(FileProblem(str(path), "The DICOMDIR names an unsafe path."))
            continue
        target = path.parent.joinpath(*parts)
        if not target.is_file():
            problems.append(FileProblem(str(target), "Listed in the DICOMDIR but missing."))
            continue
        files.append(target)
    return files, problems


def expand(paths: Iterable[Path]) -> tuple[list[Path], list[FileProblem]]:
    """Every file to look at, each once: folders walked, DICOMDIRs followed."""
    found: dict[Path, None] = {}
    problems: list[FileProblem] = []

    def add(path: Path) -> None:
        if len(found) >= MAX_FILES:
            return
        with contextlib.suppress(OSError):
            found.setdefault(path.resolve(), None)

    for path in paths:
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs.sort()
                for name in sorted(names):
                    candidate = Path(root) / name
                    if not _is_dicomdir(candidate) and not name.startswith("."):
                        add(candidate)
        elif path.is_file() and _is_dicomdir(path):
            files, issues = dicomdir_files(path)
            problems += issues
            for file in files:
                add(file)
        elif path.is_file():
            add(path)
        else:
            problems.append(FileProblem(str(path), "No such file or folder."))
    if len(found) >= MAX_FILES:
        problems.append(FileProblem("", f"Only the first {MAX_FILES} files were considered."))
    return list(found), problems


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(_HEAD)


def classify(path: Path) -> ScannedDicom | Path | FileProblem:
    try:
        head = _head(path)
    except OSError as exc:
        return FileProblem(str(path), f"Cannot be read ({exc.strerror}).")
    part10 = head[128:132] == b"DICM"
    if not part10 and photo_format(head) is not None:
        # (A DICOM file's preamble may itself hold a TIFF header: DICM decides first.)
        return path
    if not looks_like_dicom(head):
        if head[4:8] == b"ftyp":
            return FileProblem(
                str(path), "HEIC/HEIF or AVIF photos are not supported; export JPEG."
            )
        return FileProblem(str(path), "Not a DICOM file or a JPEG, PNG or TIFF photo.")
    try:
        header = read_dicom_header(path)
    except ImagingError as exc:
        return FileProblem(str(path), str(exc))
    if not header.has_pixels:
        kind = header.modality or "non-image"
        return FileProblem(str(path), f"Holds no image ({kind} object); skipped.")
    if not header.sop_instance_uid:
        return FileProblem(str(path), "Has no SOP Instance UID; cannot be stored.")
    return ScannedDicom(path, header)


def scan_media(
    paths: Iterable[Path],
    progress: ProgressReporter | None = None,
    cancel: CancelToken | None = None,
) -> ScannedMedia:
    progress = progress or NullProgress()
    files, problems = expand(paths)
    dicom: list[ScannedDicom] = []
    photos: list[Path] = []
    for index, path in enumerate(_with_progress(files, progress)):
        if cancel is not None and index % 16 == 0:
            cancel.raise_if_cancelled()
        result = classify(path)
        if isinstance(result, ScannedDicom):
            dicom.append(result)
        elif isinstance(result, FileProblem):
            problems.append(result)
        else:
            photos.append(result)
    return ScannedMedia(tuple(dicom), tuple(photos), tuple(problems))


def _with_progress(files: list[Path], progress: ProgressReporter) -> Iterator[Path]:
    total = len(files)
    for index, path in enumerate(files):
        if index % 16 == 0:
            progress.report(index, total, "Reading headers")
        yield path
    progress.report(total, total, "Reading headers")
