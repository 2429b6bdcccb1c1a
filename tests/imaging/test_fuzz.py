"""Mutated and truncated DICOM and photo bytes never crash or hang the readers: each either
decodes or raises an ImagingError with a message (bounded examples and time)."""

from __future__ import annotations

import time

import cv2
import numpy as np
import pytest
from clinic_app.imaging.dicom_reader import read_dicom, read_dicom_header
from clinic_app.imaging.errors import ImagingError
from clinic_app.imaging.photo_reader import read_photo
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.imaging.conftest import shipped

SEEDS = {
    name: shipped(name).read_bytes()
    for name in (
        "MR_small.dcm",
        "CT_small.dcm",
        "MR_small_RLE.dcm",
        "MR_small_jp2klossless.dcm",
        "SC_rgb_jpeg_dcmtk.dcm",
        "rtdose.dcm",
    )
}
_rgb = np.random.default_rng(5).integers(0, 255, (48, 64, 3), dtype=np.uint8)
PHOTOS = {ext: cv2.imencode(ext, _rgb)[1].tobytes() for ext in (".jpg", ".png", ".tiff")}
MAX_SECONDS = 5.0


@st.composite
def mutated(draw: st.DrawFn, seeds: dict[str, bytes]) -> bytes:
    data = bytearray(seeds[draw(st.sampled_from(sorted(seeds)))])
    for _ in range(draw(st.integers(1, 8))):
        action = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "length"]))
        position = draw(st.integers(0, max(len(data) - 1, 0)))
        if action == "flip" and data:
            data[position] ^= draw(st.integers(1, 255))
        elif action == "truncate":
            del data[position:]
        elif action == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=16))
        elif action == "delete":
            del data[position : position + draw(st.integers(1, 64))]
        elif action == "length" and len(data) > position + 4:
            # Huge element lengths are the classic way to make a parser allocate or loop.
            data[position : position + 4] = draw(
                st.sampled_from([b"\xff\xff\xff\xff", b"\xfe\xff\xff\x7f", b"\x00\x00\x00\x80"])
            )
    return bytes(data)


def _check(read: object, data: bytes) -> None:
    started = time.perf_counter()
    message = "decoded"
    try:
        read(data)  # type: ignore[operator]
    except ImagingError as exc:
        message = str(exc)
    assert message
    assert time.perf_counter() - started < MAX_SECONDS


@pytest.mark.filterwarnings("ignore::UserWarning")
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(SEEDS))
def test_mutated_dicom_never_crashes_the_reader(data: bytes) -> None:
    _check(read_dicom, data)
    _check(read_dicom_header, data)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated(PHOTOS))
def test_mutated_photos_never_crash_the_reader(data: bytes) -> None:
    _check(read_photo, data)


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=600))
def test_random_bytes_are_refused_cleanly(data: bytes) -> None:
    _check(read_dicom, data)
    _check(read_photo, data)
