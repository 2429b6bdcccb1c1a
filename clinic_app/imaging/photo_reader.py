"""Reads clinical photographs (JPEG, PNG, TIFF) with OpenCV into RGB arrays.

The format is recognised from the file's first bytes, never from its name. HEIC/HEIF and AVIF
photos (iPhones' default) are refused with a clear message: no library the application ships
decodes them, so they must be exported as JPEG first. EXIF orientation is applied, 16-bit
images are reduced to 8 bits, transparency is dropped.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from clinic_app.imaging.errors import UnreadableImageError, UnsupportedImageError

MAX_PHOTO_BYTES = 200 << 20
MAX_PIXELS = 120_000_000

_PNG = b"\x89PNG\r\n\x1a\n"
_PNG_MAX_CHUNK = (1 << 31) - 1
_SIGNATURES = {
    b"\xff\xd8\xff": ("jpeg", "image/jpeg"),
    _PNG: ("png", "image/png"),
    b"II*\x00": ("tiff", "image/tiff"),
    b"MM\x00*": ("tiff", "image/tiff"),
}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"}
_AVIF_BRANDS = {b"avif", b"avis"}


@dataclass(frozen=True, eq=False)
class PhotoImage:
    rgb: NDArray[np.uint8]  # (rows, cols, 3)
    format: str  # "jpeg" | "png" | "tiff"
    content_type: str

    @property
    def rows(self) -> int:
        return int(self.rgb.shape[0])

    @property
    def columns(self) -> int:
        return int(self.rgb.shape[1])


def photo_format(head: bytes) -> tuple[str, str] | None:
    for signature, kind in _SIGNATURES.items():
        if head.startswith(signature):
            return kind
    return None


def _refuse_unsupported(head: bytes, name: str) -> None:
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIF_BRANDS:
            raise UnsupportedImageError(
                f"{name} is a HEIC/HEIF photo, which this application cannot read; "
                "export it as JPEG (on the phone: Settings › Camera › Formats › Most Compatible)."
            )
        if brand in _AVIF_BRANDS:
            raise UnsupportedImageError(
                f"{name} is an AVIF image, which this application cannot read; export it as JPEG."
            )


def png_problem(data: bytes) -> str | None:
    """Walks a PNG's chunks (lengths and CRCs) before OpenCV sees it: OpenCV 5 spends seconds on
    a chunk whose length runs past the end of the buffer."""
    position = len(_PNG)
    while position + 12 <= len(data):
        length = int.from_bytes(data[position : position + 4], "big")
        end = position + 12 + length
        if length > _PNG_MAX_CHUNK or end > len(data):
            return "truncated"
        crc = int.from_bytes(data[end - 4 : end], "big")
        if zlib.crc32(data[position + 4 : end - 4]) != crc:
            return "damaged"
        if data[position + 4 : position + 8] == b"IEND":
            return None
        position = end
    return "truncated"


def _read_bytes(source: Path | bytes, label: str) -> bytes:
    if isinstance(source, Path):
        try:
            size = source.stat().st_size
            if size > MAX_PHOTO_BYTES:
                raise UnsupportedImageError(f"{label} is too large ({size >> 20} MiB).")
            return source.read_bytes()
        except OSError as exc:
            raise UnreadableImageError(f"{label} could not be opened ({exc.strerror}).") from exc
    if len(source) > MAX_PHOTO_BYTES:
        raise UnsupportedImageError(f"{label} is too large ({len(source) >> 20} MiB).")
    return source


def _container(data: bytes, label: str) -> tuple[str, str]:
    """The format, after the structural checks OpenCV's decoders need beforehand."""
    _refuse_unsupported(data[:16], label)
    kind = photo_format(data[:16])
    if kind is None:
        raise UnreadableImageError(f"{label} is not a JPEG, PNG or TIFF image.")
    if kind[0] == "png" and (problem := png_problem(data)) is not None:
        raise UnreadableImageError(f"{label} is a {problem} PNG image.")
    if kind[0] == "jpeg" and data.rfind(b"\xff\xd9") < data.rfind(b"\xff\xda"):
        # No end-of-image marker after the last scan: libjpeg would pad the rest with grey.
        raise UnreadableImageError(f"{label} is a truncated JPEG image.")
    return kind


def read_photo(source: Path | bytes, *, name: str | None = None) -> PhotoImage:
    label = name or (source.name if isinstance(source, Path) else "the file")
    data = _read_bytes(source, label)
    kind = _container(data, label)
    shown = kind[0].upper()
    # IMREAD_COLOR (BGR) then a conversion: OpenCV 5's IMREAD_COLOR_RGB with ANYDEPTH returns
    # garbage for 16-bit TIFF.
    flags = cv2.IMREAD_COLOR | cv2.IMREAD_ANYDEPTH
    try:
        pixels = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), flags)
    except cv2.error as exc:
        raise UnreadableImageError(f"{label} is a damaged {shown} image.") from exc
    if pixels is None or pixels.ndim != 3 or pixels.shape[2] != 3 or pixels.size == 0:
        raise UnreadableImageError(f"{label} is a damaged or truncated {shown} image.")
    if pixels.shape[0] * pixels.shape[1] > MAX_PIXELS:
        raise UnsupportedImageError(f"{label} has too many pixels to display.")
    if pixels.dtype == np.uint16:
        pixels = (pixels >> 8).astype(np.uint8)
    elif pixels.dtype != np.uint8:
        scaled = cv2.normalize(pixels, None, 0, 255, cv2.NORM_MINMAX)
        pixels = np.asarray(scaled).astype(np.uint8)
    rgb = cv2.cvtColor(pixels, cv2.COLOR_BGR2RGB)
    return PhotoImage(np.ascontiguousarray(rgb), kind[0], kind[1])
