"""Every file pydicom ships: it decodes to the shape and dtype pydicom itself reports, or it is
refused with a clear message naming the file. The broken and unsupported ones are listed."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pydicom
import pytest
from clinic_app.imaging.dicom_reader import read_dicom, read_dicom_header
from clinic_app.imaging.errors import ImagingError, UnreadableImageError, UnsupportedImageError

from tests.imaging.conftest import SHIPPED

# Valid files whose compression no decoder we ship handles: 12-bit "JPEG Extended" (Pillow
# reads 8-bit only) and JPEG Lossless (the only decoders are GPL-3 pylibjpeg-libjpeg or GDCM).
UNSUPPORTED_COMPRESSION = {"JPEG-lossy.dcm", "JPGExtended.dcm", "SC_rgb_jpeg_gdcm.dcm"}
# Damaged on purpose in pydicom's suite.
DAMAGED = {
    "JPEG2000-embedded-sequence-delimiter.dcm": "could not be decoded",
    "MR_truncated.dcm": "truncated",
    "badVR.dcm": "malformed image dimensions",
    "meta_missing_tsyntax.dcm": "declares no image size",
    "nested_priv_SQ.dcm": "declares no image size",
}
NOT_DICOM = {
    "README.txt",
    "dicomdirtests/README.txt",
    "dicomdirtests/TINY_ALPHA/README",
    "crayons.icc",
    "rtplan.dump",
    "rtstruct.dump",
    "test1.json",
    "test_PN.json",
    "zipMR.gz",
    "no_meta.dcm",
}
# DICOM objects without pixels (structured reports, plans, waveforms, media directories, and
# TINY_ALPHA's CT files, whose pixel data was stripped to keep the suite small).
NO_IMAGE_PREFIXES = ("dicomdirtests/DICOMDIR", "dicomdirtests/TINY_ALPHA/")
NO_IMAGE = {
    "ExplVR_BigEndNoMeta.dcm",
    "ExplVR_LitEndNoMeta.dcm",
    "UN_sequence.dcm",
    "empty_charset_LEI.dcm",
    "no_meta_group_length.dcm",
    "priv_SQ.dcm",
    "reportsi.dcm",
    "reportsi_with_empty_number_tags.dcm",
    "rtplan.dcm",
    "rtplan_truncated.dcm",
    "rtstruct.dcm",
    "test-SR.dcm",
    "waveform_ecg.dcm",
}


def _expected(name: str) -> str:
    base = name.rsplit("/", 1)[-1]
    if base in UNSUPPORTED_COMPRESSION:
        return "unsupported"
    if base in DAMAGED:
        return "damaged"
    if name in NOT_DICOM:
        return "not-dicom"
    if name in NO_IMAGE or name.startswith(NO_IMAGE_PREFIXES):
        return "no-image"
    return "ok"


def _pydicom_shape(path: Path) -> tuple[tuple[int, ...], bool]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = pydicom.dcmread(path, force=True)
        array = ds.pixel_array
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    colour = int(ds.get("SamplesPerPixel", 1)) == 3
    shape = array.shape if frames > 1 else (1, *array.shape)
    return tuple(shape), colour


def test_the_shipped_files_are_all_accounted_for() -> None:
    assert len(SHIPPED) > 170
    counts = {}
    for name in SHIPPED:
        counts[_expected(name)] = counts.get(_expected(name), 0) + 1
    assert counts["ok"] >= 85
    assert counts["unsupported"] == len(UNSUPPORTED_COMPRESSION)
    assert counts["damaged"] == len(DAMAGED)


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_each_shipped_file_decodes_or_is_refused_clearly(name: str) -> None:
    path = SHIPPED[name]
    expected = _expected(name)
    if expected == "ok":
        image = read_dicom(path)
        shape, colour = _pydicom_shape(path)
        assert image.frames.shape == shape
        assert image.frames.dtype == (np.uint8 if colour else np.float32)
        assert image.header.rows == shape[1]
        assert image.header.columns == shape[2]
        assert np.isfinite(image.frames.astype(np.float64)).all()
        return
    with pytest.raises(ImagingError) as raised:
        read_dicom(path)
    message = str(raised.value)
    assert path.name in message
    if expected == "unsupported":
        assert isinstance(raised.value, UnsupportedImageError)
        assert "cannot decode" in message
    elif expected == "damaged":
        assert isinstance(raised.value, UnreadableImageError)
        assert DAMAGED[path.name] in message
    elif expected == "not-dicom":
        assert "not a DICOM file" in message
    else:
        assert isinstance(raised.value, UnsupportedImageError)
        assert "holds no image" in message


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_headers_carry_patient_study_and_geometry() -> None:
    header = read_dicom_header(SHIPPED["CT_small.dcm"])
    assert header.modality == "CT"
    assert header.patient.patient_id == "1CT1"
    assert header.patient.family_name == "CompressedSamples"
    assert header.study_date is not None
    assert header.study_date.isoformat() == "2004-01-19"
    assert header.pixel_spacing is not None
    assert header.pixel_spacing.source == "PixelSpacing"
    assert header.pixel_spacing.row_mm == pytest.approx(0.661468)
    assert header.rows == header.columns == 128
    cr = read_dicom_header(SHIPPED["dicomdirtests/77654033/CR1/6154"])
    assert cr.is_monochrome1
    assert cr.pixel_spacing is not None
    assert cr.pixel_spacing.source == "ImagerPixelSpacing"


def test_multi_frame_files_keep_every_frame() -> None:
    image = read_dicom(SHIPPED["rtdose.dcm"])
    assert image.frames.shape == (15, 10, 10)
    colour = read_dicom(SHIPPED["examples_ybr_color.dcm"])
    assert colour.frames.shape == (30, 240, 320, 3)
    assert colour.is_colour


def test_sixteen_bit_colour_is_scaled_to_eight_bits() -> None:
    image = read_dicom(SHIPPED["SC_rgb_rle_16bit_2frame.dcm"])
    raw = pydicom.dcmread(SHIPPED["SC_rgb_rle_16bit_2frame.dcm"]).pixel_array
    assert image.frames.dtype == np.uint8
    expected = np.rint(raw.astype(np.float64) * 255 / 65535).astype(np.uint8)
    assert np.array_equal(image.frames, expected)


def test_the_first_frame_alone_can_be_decoded_for_a_quick_check() -> None:
    image = read_dicom(SHIPPED["rtdose.dcm"], first_frame_only=True)
    assert image.frames.shape == (1, 10, 10)
    assert np.array_equal(image.frames[0], read_dicom(SHIPPED["rtdose.dcm"]).frames[0])
