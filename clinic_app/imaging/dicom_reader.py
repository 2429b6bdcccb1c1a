"""Reads DICOM files with pydicom (+ pylibjpeg, OpenJPEG, RLE and CharLS decoders).

`read_dicom_header` reads what an import needs without the pixel data; `read_dicom` also
decodes the frames and applies the modality LUT (`pydicom.pixels.apply_modality_lut`), so CT
values are Hounsfield units. Every failure becomes `UnreadableImageError` (damaged, truncated,
not DICOM) or `UnsupportedImageError` (a valid file whose compression or content this
application can't decode), with the reason in words; no other exception escapes.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
from numpy.typing import NDArray
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.pixels import apply_modality_lut, pixel_array

from clinic_app.imaging.dicom_header import DicomHeader, header_from_dataset
from clinic_app.imaging.errors import UnreadableImageError, UnsupportedImageError

log = logging.getLogger(__name__)

# Decoded pixels above this size are refused rather than risk exhausting memory.
MAX_PIXEL_BYTES = 2 << 30
_DICM_OFFSET = 128
_DICM = b"DICM"
# A file without the 128-byte preamble (old ACR-NEMA style) starts with a group 0x0008 tag.
_BARE_DATASET_STARTS = (b"\x08\x00", b"\x00\x08")

Source = Path | bytes


@dataclass(frozen=True, eq=False)
class DicomImage:
    """Decoded frames: `frames` is (n, rows, cols) float32 modality values for grey images or
    (n, rows, cols, 3) uint8 RGB for colour ones (YBR converted to RGB)."""

    header: DicomHeader
    frames: NDArray[Any]

    @property
    def is_colour(self) -> bool:
        return self.frames.ndim == 4


def _name(source: Source, name: str | None) -> str:
    if name:
        return name
    return source.name if isinstance(source, Path) else "the file"


def _open(source: Source) -> io.BufferedIOBase:
    if isinstance(source, Path):
        try:
            return source.open("rb")
        except OSError as exc:
            raise UnreadableImageError(
                f"{source.name} could not be opened ({exc.strerror or exc})."
            ) from exc
    return io.BytesIO(source)


def looks_like_dicom(head: bytes) -> bool:
    """True for a Part 10 file (DICM at offset 128) or a bare dataset starting at group 0008."""
    return head[_DICM_OFFSET : _DICM_OFFSET + 4] == _DICM or head[:2] in _BARE_DATASET_STARTS


def _dcmread(source: Source, name: str, *, pixels: bool) -> Dataset:
    with _open(source) as handle:
        head = handle.read(_DICM_OFFSET + 4)
        handle.seek(0)
        if not looks_like_dicom(head):
            raise UnreadableImageError(f"{name} is not a DICOM file.")
        force = head[_DICM_OFFSET : _DICM_OFFSET + 4] != _DICM
        try:
            dataset = pydicom.dcmread(handle, stop_before_pixels=not pixels, force=force)
            if pixels:
                # Values are read lazily; touch the pixel data while the file is open.
                _ = dataset.get("PixelData")
        except InvalidDicomError as exc:
            raise UnreadableImageError(f"{name} is not a valid DICOM file.") from exc
        except MemoryError as exc:
            raise UnreadableImageError(f"{name} declares an impossibly large element.") from exc
        except Exception as exc:
            raise UnreadableImageError(
                f"{name} is damaged or truncated ({type(exc).__name__})."
            ) from exc
    if force and "SOPInstanceUID" not in dataset:
        raise UnreadableImageError(f"{name} is not a DICOM file.")
    return dataset


def read_dicom_header(source: Source, *, name: str | None = None) -> DicomHeader:
    """The patient, study, series and instance attributes, without decoding pixels."""
    label = _name(source, name)
    dataset = _dcmread(source, label, pixels=False)
    try:
        return header_from_dataset(dataset, pixels_read=False)
    except Exception as exc:
        raise UnreadableImageError(
            f"{label} has a malformed header ({type(exc).__name__})."
        ) from exc


def _expected_bytes(dataset: Dataset) -> int:
    rows = int(dataset.get("Rows", 0) or 0)
    columns = int(dataset.get("Columns", 0) or 0)
    frames = int(dataset.get("NumberOfFrames", 1) or 1)
    samples = int(dataset.get("SamplesPerPixel", 1) or 1)
    allocated = int(dataset.get("BitsAllocated", 8) or 8)
    return rows * columns * frames * samples * max(allocated, 8) // 8


def _is_decoder_panic(exc: BaseException) -> bool:
    return type(exc).__name__ == "PanicException"


def _decode_failure(exc: Exception, header: DicomHeader, label: str) -> Exception:
    message = str(exc)
    syntax = header.transfer_syntax_name or "its transfer syntax"
    if "missing dependencies" in message or "does not support" in message:
        return UnsupportedImageError(
            f"{label} is compressed with {syntax}, which this application cannot decode."
        )
    if "Transfer Syntax UID" in message:
        return UnreadableImageError(f"{label} does not say how its pixel data is encoded.")
    if "less than expected" in message or "truncated" in message.lower():
        return UnreadableImageError(f"{label} is truncated: its pixel data is incomplete.")
    return UnreadableImageError(
        f"{label}: the pixel data could not be decoded ({type(exc).__name__}: "
        f"{message.splitlines()[0][:120] if message else 'no detail'})."
    )


def _modality_values(dataset: Dataset, stored: NDArray[Any]) -> NDArray[np.float32]:
    values = apply_modality_lut(stored, dataset)
    return np.asarray(values, dtype=np.float32)


def read_dicom(
    source: Source,
    *,
    name: str | None = None,
    first_frame_only: bool = False,
    frame: int | None = None,
) -> DicomImage:
    """Decodes every frame, or only the first (a quick check on import), or only `frame`
    (a thumbnail of a long cine): the image then holds that one frame."""
    label = _name(source, name)
    dataset = _dcmread(source, label, pixels=True)
    try:
        header = header_from_dataset(dataset)
    except Exception as exc:
        raise UnreadableImageError(
            f"{label} has a malformed header ({type(exc).__name__})."
        ) from exc
    if not header.has_pixels and header.rows and header.columns:
        raise UnreadableImageError(
            f"{label} describes an image but holds no pixel data: the file is truncated or "
            "incomplete."
        )
    if not header.has_pixels:
        kind = header.modality or "non-image"
        raise UnsupportedImageError(f"{label} holds no image ({kind} object).")
    try:
        expected = _expected_bytes(dataset)
    except (TypeError, ValueError) as exc:
        raise UnreadableImageError(f"{label} has malformed image dimensions.") from exc
    if expected <= 0:
        raise UnreadableImageError(f"{label} declares no image size (Rows, Columns).")
    if expected > MAX_PIXEL_BYTES:
        raise UnsupportedImageError(f"{label} is too large to display ({expected >> 20} MiB).")
    index = frame if frame is not None else 0 if first_frame_only else None
    if index is not None and not 0 <= index < max(header.frames, 1):
        raise UnsupportedImageError(f"{label} has {header.frames} frame(s); no frame {index}.")
    try:
        stored = pixel_array(dataset, index=index if header.frames > 1 else None)
    except MemoryError as exc:
        raise UnsupportedImageError(f"{label} is too large to decode.") from exc
    except Exception as exc:
        raise _decode_failure(exc, header, label) from exc
    except BaseException as exc:
        # The Rust decoders (pylibjpeg-rle, -openjpeg) raise pyo3's PanicException, a
        # BaseException, on some damaged data: that is a damaged file, not a reason to stop.
        if not _is_decoder_panic(exc):
            raise
        raise UnreadableImageError(
            f"{label}: the pixel data is damaged (the decoder gave up)."
        ) from exc
    return DicomImage(header, _shape_frames(dataset, header, stored, label))


def _shape_frames(
    dataset: Dataset, header: DicomHeader, stored: NDArray[Any], label: str
) -> NDArray[Any]:
    frames = header.frames
    colour = header.samples_per_pixel == 3
    if colour:
        pixels = stored if stored.ndim == 4 else stored[np.newaxis]
        if pixels.dtype != np.uint8:
            # 16- or 32-bit colour: scale to 8 bits per channel for display.
            top = float(2 ** max(header.bits_stored, 1) - 1)
            pixels = np.clip(pixels.astype(np.float64) * (255.0 / top), 0, 255)
            pixels = np.rint(pixels).astype(np.uint8)
        return np.ascontiguousarray(pixels)
    if stored.ndim == 2:
        stored = stored[np.newaxis]
    if stored.ndim != 3 or (frames > 1 and stored.shape[0] not in (1, frames)):
        raise UnreadableImageError(f"{label} decoded to an unexpected shape {stored.shape}.")
    try:
        return _modality_values(dataset, stored)
    except Exception as exc:
        raise UnreadableImageError(
            f"{label} has a malformed modality LUT ({type(exc).__name__})."
        ) from exc
