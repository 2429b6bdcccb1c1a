"""What a file really is, from its bytes: never from its name.

Fed chunk by chunk while the file streams in, so the whole file is never held in memory. It
knows the formats a clinic attaches (PDF, PNG, JPEG, GIF, TIFF, DICOM, UTF-8 text), checks the
end of formats that have one (a PDF without `%%EOF`, a PNG without `IEND`, a JPEG without its
end marker is reported as probably truncated), and compares with the type the extension
claims, so a renamed file is flagged.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import PurePath

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
TIFF = "image/tiff"
DICOM = "application/dicom"
TEXT = "text/plain"
UNKNOWN = "application/octet-stream"

PREVIEWABLE = (PDF, PNG, JPEG, GIF, TIFF, TEXT)

_EXTENSIONS = {
    ".pdf": PDF,
    ".png": PNG,
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".jpe": JPEG,
    ".gif": GIF,
    ".tif": TIFF,
    ".tiff": TIFF,
    ".dcm": DICOM,
    ".dicom": DICOM,
    ".txt": TEXT,
    ".text": TEXT,
    ".csv": TEXT,
    ".log": TEXT,
    ".md": TEXT,
}
_EDGE = 1024  # bytes kept from the start and the end of the file
# Text may hold tabs, line breaks and form feeds; other C0 controls mean binary.
_BINARY_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    declared_type: str | None
    type_mismatch: bool
    problems: tuple[str, ...]


def declared_type_for(filename: str) -> str | None:
    return _EXTENSIONS.get(PurePath(filename).suffix.lower())


class ContentSniffer:
    def __init__(self) -> None:
        self._head = b""
        self._tail = b""
        self._size = 0
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._text = True

    def feed(self, chunk: bytes) -> None:
        if len(self._head) < _EDGE:
            self._head += chunk[: _EDGE - len(self._head)]
        self._tail = (self._tail + chunk[-_EDGE:])[-_EDGE:]
        self._size += len(chunk)
        if self._text:
            try:
                decoded = self._decoder.decode(chunk)
            except UnicodeDecodeError:
                self._text = False
                return
            if _BINARY_CONTROL.search(decoded):
                self._text = False

    def _is_text(self) -> bool:
        if not self._text or self._size == 0:
            return False
        try:
            self._decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
        return True

    def _type(self) -> str:
        head = self._head
        # First: a DICOM preamble may itself hold a TIFF header (dual-format files).
        if head[128:132] == b"DICM":
            return DICOM
        if head.startswith(b"%PDF-"):
            return PDF
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return PNG
        if head.startswith(b"\xff\xd8\xff"):
            return JPEG
        if head.startswith((b"GIF87a", b"GIF89a")):
            return GIF
        if head.startswith((b"II*\x00", b"MM\x00*")):
            return TIFF
        if self._is_text():
            return TEXT
        return UNKNOWN

    def _problems(self, content_type: str) -> list[str]:
        tail = self._tail
        if content_type == PDF and b"%%EOF" not in tail:
            return ["The PDF has no end-of-file marker: it is probably truncated."]
        if content_type == PNG and b"IEND" not in tail:
            return ["The PNG image has no end chunk: it is probably truncated."]
        if content_type == JPEG and b"\xff\xd9" not in tail:
            return ["The JPEG image has no end marker: it is probably truncated."]
        return []

    def finish(self, filename: str) -> Sniffed:
        content_type = self._type()
        declared = declared_type_for(filename)
        problems = self._problems(content_type)
        mismatch = declared is not None and declared != content_type
        if mismatch:
            problems.append(
                f"The name says {declared} but the content is {content_type}; "
                "the content type is used."
            )
        return Sniffed(content_type, declared, mismatch, tuple(problems))


def sniff_bytes(data: bytes, filename: str = "") -> Sniffed:
    sniffer = ContentSniffer()
    sniffer.feed(data)
    return sniffer.finish(filename)
