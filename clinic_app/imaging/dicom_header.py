"""The DICOM attributes the application keeps: patient, study, series, instance, geometry and
display defaults, read from a pydicom dataset into plain frozen values."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from pydicom.dataset import Dataset
from pydicom.valuerep import PersonName

from clinic_app.imaging.windowing import VoiFunction, VoiLut, Window

PIXEL_TAGS = ("PixelData", "FloatPixelData", "DoubleFloatPixelData")
MAX_TEXT = 200


@dataclass(frozen=True)
class PixelSpacing:
    """Millimetres per pixel between rows and between columns. `source` says which attribute
    gave it: "PixelSpacing" (in the patient), "ImagerPixelSpacing" (at the detector, not
    corrected for magnification) or "calibration" (a ruler measured on a photo)."""

    row_mm: float
    column_mm: float
    source: str

    def distance_mm(self, p1: tuple[float, float], p2: tuple[float, float]) -> float:
        """Distance between two (row, column) pixel positions, in millimetres."""
        d_row = (p2[0] - p1[0]) * self.row_mm
        d_col = (p2[1] - p1[1]) * self.column_mm
        return float(np.hypot(d_row, d_col))


@dataclass(frozen=True)
class DicomPatient:
    patient_id: str
    family_name: str
    given_name: str
    birth_date: date | None
    sex: str  # "female" | "male" | "other" | "unknown"

    @property
    def key(self) -> str:
        """Groups files of one DICOM patient: id, name and birth date together."""
        born = self.birth_date.isoformat() if self.birth_date else ""
        return "|".join((self.patient_id, self.family_name.lower(), self.given_name.lower(), born))


@dataclass(frozen=True)
class DicomHeader:
    patient: DicomPatient
    study_uid: str
    study_date: date | None
    study_time: str
    study_description: str
    accession_number: str
    institution: str
    series_uid: str
    series_number: int | None
    series_description: str
    modality: str
    body_part: str
    sop_instance_uid: str
    sop_class_uid: str
    instance_number: int | None
    transfer_syntax_uid: str
    transfer_syntax_name: str
    has_pixels: bool
    rows: int
    columns: int
    frames: int
    samples_per_pixel: int
    bits_stored: int
    photometric: str
    pixel_spacing: PixelSpacing | None
    slice_position: float | None  # along the slice normal, for ordering a stack
    slice_thickness: float | None
    windows: tuple[Window, ...]
    voi_lut: VoiLut | None

    @property
    def is_monochrome1(self) -> bool:
        return self.photometric == "MONOCHROME1"


def _text(dataset: Dataset, keyword: str) -> str:
    value = dataset.get(keyword)
    if value is None:
        return ""
    if isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue":
        value = "\\".join(str(v) for v in value)
    text = " ".join(str(value).replace("\x00", " ").split())
    return text[:MAX_TEXT]


def _int(dataset: Dataset, keyword: str) -> int | None:
    try:
        value = dataset.get(keyword)
        return None if value in (None, "") else int(value)
    except (TypeError, ValueError, OverflowError):
        return None


def _floats(value: Any) -> list[float]:
    if value is None or value == "":
        return []
    items = value if isinstance(value, (list, tuple)) or hasattr(value, "__iter__") else [value]
    if isinstance(items, (str, bytes)):
        items = [items]
    result = []
    for item in items:
        try:
            number = float(item)
        except (TypeError, ValueError):
            return []
        if not np.isfinite(number):
            return []
        result.append(number)
    return result


def _date(value: Any) -> date | None:
    text = str(value or "").strip()
    if len(text) < 8 or not text[:8].isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None


def _sex(value: Any) -> str:
    return {"F": "female", "M": "male", "O": "other"}.get(
        str(value or "").strip().upper(), "unknown"
    )


def _patient(dataset: Dataset) -> DicomPatient:
    raw = dataset.get("PatientName")
    family = given = ""
    if raw not in (None, ""):
        try:
            name = raw if isinstance(raw, PersonName) else PersonName(str(raw))
            family = " ".join((name.family_name or "").split())
            given = " ".join(" ".join((name.given_name or "", name.middle_name or "")).split())
        except (TypeError, ValueError, UnicodeError):
            family = _text(dataset, "PatientName")
    return DicomPatient(
        patient_id=_text(dataset, "PatientID")[:64],
        family_name=family[:100],
        given_name=given[:100],
        birth_date=_date(dataset.get("PatientBirthDate")),
        sex=_sex(dataset.get("PatientSex")),
    )


def _first_item(dataset: Dataset, *path: str) -> Dataset | None:
    current: Dataset | None = dataset
    for keyword in path:
        if current is None:
            return None
        sequence = current.get(keyword)
        current = sequence[0] if sequence else None
    return current


def _pixel_spacing(dataset: Dataset) -> PixelSpacing | None:
    candidates = [(dataset, "PixelSpacing"), (dataset, "ImagerPixelSpacing")]
    measures = _first_item(dataset, "SharedFunctionalGroupsSequence", "PixelMeasuresSequence")
    if measures is not None:
        candidates.insert(1, (measures, "PixelSpacing"))
    for source, keyword in candidates:
        values = _floats(source.get(keyword))
        if len(values) == 2 and values[0] > 0 and values[1] > 0:
            return PixelSpacing(values[0], values[1], keyword)
    return None


def _slice_position(dataset: Dataset) -> float | None:
    position = _floats(dataset.get("ImagePositionPatient"))
    orientation = _floats(dataset.get("ImageOrientationPatient"))
    if len(position) == 3 and len(orientation) == 6:
        normal = np.cross(orientation[:3], orientation[3:])
        return float(np.dot(normal, position))
    location = _floats(dataset.get("SliceLocation"))
    return location[0] if len(location) == 1 else None


def _windows(dataset: Dataset) -> tuple[Window, ...]:
    centres = _floats(dataset.get("WindowCenter"))
    widths = _floats(dataset.get("WindowWidth"))
    explanations = dataset.get("WindowCenterWidthExplanation") or []
    if isinstance(explanations, str):
        explanations = [explanations]
    function = VoiFunction.parse(dataset.get("VOILUTFunction"))
    windows = []
    for index, (centre, width) in enumerate(zip(centres, widths, strict=False)):
        if width <= 0:
            continue
        name = str(explanations[index]) if index < len(explanations) else ""
        windows.append(Window(centre, width, name or f"File {index + 1}", function))
    return tuple(windows)


def _voi_lut(dataset: Dataset) -> VoiLut | None:
    item = _first_item(dataset, "VOILUTSequence")
    if item is None or "LUTDescriptor" not in item or "LUTData" not in item:
        return None
    with contextlib.suppress(TypeError, ValueError, IndexError):
        count, first, bits = (int(v) for v in item.LUTDescriptor)
        data = np.asarray(item.LUTData, dtype=np.uint16).ravel()
        count = count or 65536
        if len(data) >= 1 and 1 <= bits <= 16:
            return VoiLut(first, bits, data[:count], _text(item, "LUTExplanation"))
    return None


def header_from_dataset(dataset: Dataset, *, pixels_read: bool = True) -> DicomHeader:
    """`pixels_read` False: the dataset was read up to its pixel data (which is then judged
    present when the image module is: Rows and Columns)."""
    meta = getattr(dataset, "file_meta", None)
    syntax = meta.get("TransferSyntaxUID") if meta is not None else None
    if pixels_read:
        has_pixels = any(tag in dataset for tag in PIXEL_TAGS)
    else:
        has_pixels = "Rows" in dataset and "Columns" in dataset
    thickness = _floats(dataset.get("SliceThickness"))
    return DicomHeader(
        patient=_patient(dataset),
        study_uid=_text(dataset, "StudyInstanceUID")[:64],
        study_date=_date(dataset.get("StudyDate")),
        study_time=_text(dataset, "StudyTime")[:16],
        study_description=_text(dataset, "StudyDescription"),
        accession_number=_text(dataset, "AccessionNumber")[:64],
        institution=_text(dataset, "InstitutionName"),
        series_uid=_text(dataset, "SeriesInstanceUID")[:64],
        series_number=_int(dataset, "SeriesNumber"),
        series_description=_text(dataset, "SeriesDescription"),
        modality=_text(dataset, "Modality")[:16].upper(),
        body_part=_text(dataset, "BodyPartExamined")[:64],
        sop_instance_uid=_text(dataset, "SOPInstanceUID")[:64],
        sop_class_uid=_text(dataset, "SOPClassUID")[:64],
        instance_number=_int(dataset, "InstanceNumber"),
        transfer_syntax_uid=str(syntax or "")[:64],
        transfer_syntax_name=str(getattr(syntax, "name", "") or syntax or "")[:120],
        has_pixels=has_pixels,
        rows=_int(dataset, "Rows") or 0,
        columns=_int(dataset, "Columns") or 0,
        frames=max(_int(dataset, "NumberOfFrames") or 1, 1),
        samples_per_pixel=_int(dataset, "SamplesPerPixel") or 1,
        bits_stored=_int(dataset, "BitsStored") or _int(dataset, "BitsAllocated") or 8,
        photometric=_text(dataset, "PhotometricInterpretation")[:32].upper(),
        pixel_spacing=_pixel_spacing(dataset),
        slice_position=_slice_position(dataset),
        slice_thickness=thickness[0] if len(thickness) == 1 else None,
        windows=_windows(dataset),
        voi_lut=_voi_lut(dataset),
    )
