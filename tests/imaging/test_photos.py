"""Clinical photos through OpenCV: JPEG, PNG, TIFF (8- and 16-bit, grey or colour) become RGB;
HEIC, truncated and non-image files are refused with a clear reason."""

from __future__ import annotations

import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from clinic_app.imaging.errors import UnreadableImageError, UnsupportedImageError
from clinic_app.imaging.photo_reader import read_photo


def _encode(rgb: np.ndarray, ext: str) -> bytes:
    image = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR) if rgb.ndim == 3 else rgb
    ok, buffer = cv2.imencode(ext, image)
    assert ok
    return buffer.tobytes()


def _picture() -> np.ndarray:
    rgb = np.zeros((40, 60, 3), dtype=np.uint8)
    rgb[:, :20] = (200, 30, 40)
    rgb[:, 20:40] = (20, 180, 60)
    rgb[:, 40:] = (10, 20, 220)
    return rgb


@pytest.mark.parametrize(("ext", "kind"), [(".png", "png"), (".tiff", "tiff")])
def test_lossless_photos_read_back_exactly_as_rgb(ext: str, kind: str) -> None:
    photo = read_photo(_encode(_picture(), ext))
    assert photo.format == kind
    assert np.array_equal(photo.rgb, _picture())


def test_jpeg_photos_read_as_rgb_in_the_right_channel_order(tmp_path: Path) -> None:
    path = tmp_path / "lesion.jpg"
    path.write_bytes(_encode(_picture(), ".jpg"))
    photo = read_photo(path)
    assert photo.format == "jpeg"
    assert photo.content_type == "image/jpeg"
    assert (photo.rows, photo.columns) == (40, 60)
    assert np.abs(photo.rgb.astype(int) - _picture()).mean() < 6
    assert photo.rgb[20, 5, 0] > 150
    assert photo.rgb[20, 55, 2] > 150


def test_sixteen_bit_and_grey_images_become_eight_bit_rgb() -> None:
    deep = np.full((10, 12, 3), 1000, dtype=np.uint16)
    assert read_photo(_encode(deep, ".tiff")).rgb[0, 0].tolist() == [3, 3, 3]
    assert read_photo(_encode(deep, ".png")).rgb[0, 0].tolist() == [3, 3, 3]
    grey = np.full((10, 12), 77, dtype=np.uint8)
    assert read_photo(_encode(grey, ".png")).rgb.shape == (10, 12, 3)


def test_heic_is_refused_with_what_to_do() -> None:
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
    with pytest.raises(UnsupportedImageError, match=r"HEIC.*export it as JPEG"):
        read_photo(heic, name="IMG_0001.HEIC")


def test_truncated_and_foreign_files_are_refused() -> None:
    jpeg = _encode(_picture(), ".jpg")
    with pytest.raises(UnreadableImageError, match="truncated JPEG"):
        read_photo(jpeg[: len(jpeg) // 2])
    png = _encode(_picture(), ".png")
    with pytest.raises(UnreadableImageError, match="truncated PNG"):
        read_photo(png[: len(png) // 2])
    with pytest.raises(UnreadableImageError, match="not a JPEG, PNG or TIFF"):
        read_photo(b"%PDF-1.7 not a photo")
    with pytest.raises(UnreadableImageError, match="could not be opened"):
        read_photo(Path("/nonexistent/photo.jpg"))


def test_a_png_chunk_running_past_the_end_is_refused_at_once() -> None:
    # Found by the fuzz test: OpenCV 5 spends ~6 s on this before giving up.
    png = _encode(_picture(), ".png")
    idat = png.index(b"IDAT") - 4
    bad = png[:idat] + b"\xff\xff\xff\x00" + png[idat + 4 : idat + 80]
    started = time.perf_counter()
    with pytest.raises(UnreadableImageError, match="truncated PNG"):
        read_photo(bad)
    assert time.perf_counter() - started < 0.5
    flipped = bytearray(png)
    flipped[idat + 20] ^= 0xFF
    with pytest.raises(UnreadableImageError, match="damaged PNG"):
        read_photo(bytes(flipped))
