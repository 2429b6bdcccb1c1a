"""Window/level, VOI LUT, modality LUT and MONOCHROME1 against values worked out by hand from
DICOM PS3.3 C.11.2.1.2, and against pydicom on real files."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest
from clinic_app.imaging.dicom_reader import read_dicom
from clinic_app.imaging.display import calibrate_px_per_mm, display_dicom
from clinic_app.imaging.windowing import (
    CT_PRESETS,
    VoiFunction,
    VoiLut,
    Window,
    apply_voi_lut_table,
    apply_window,
    auto_window,
    invert_grey,
    presets_for,
)
from pydicom.pixels import apply_modality_lut, apply_voi_lut
from pydicom.sequence import Sequence

from tests.imaging.conftest import shipped


def test_linear_window_matches_hand_computed_values() -> None:
    # c = 40, w = 80: below 0 -> 0; above 79 -> 255;
    # otherwise ((x - 39.5) / 79 + 0.5) * 255, rounded half to even.
    values = np.array([-1000, 0, 1, 20, 40, 60, 79, 80, 3000], dtype=np.float32)
    # x=1: ((1 - 39.5) / 79 + 0.5) * 255 = 3.23 -> 3; x=20: 64.56 -> 65; x=40: 129.11 -> 129;
    # x=60: 193.67 -> 194; x=79: 255 exactly.
    expected = [0, 0, 3, 65, 129, 194, 255, 255, 255]
    assert apply_window(values, Window(40, 80)).tolist() == expected


def test_linear_exact_and_sigmoid_windows() -> None:
    values = np.array([-60, -50, 0, 25, 50, 60], dtype=np.float32)
    exact = apply_window(values, Window(0, 100, function=VoiFunction.LINEAR_EXACT))
    # (x / 100 + 0.5) * 255: -50 -> 0, 0 -> 127.5 -> 128 (half to even), 25 -> 191.25 -> 191
    assert exact.tolist() == [0, 0, 128, 191, 255, 255]
    sigmoid = apply_window(values, Window(0, 100, function=VoiFunction.SIGMOID))
    # 255 / (1 + exp(-4x/100)): 0 -> 127.5 -> 128; 50 -> 255 / (1 + e^-2) = 224.60 -> 225
    assert sigmoid[2] == 128
    assert sigmoid[4] == 225
    assert sigmoid[1] == 30  # 255 / (1 + e^2) = 30.40 -> 30


def test_a_width_of_one_is_a_threshold() -> None:
    values = np.array([9, 9.5, 10, 11], dtype=np.float32)
    assert apply_window(values, Window(10, 1)).tolist() == [0, 0, 255, 255]


def test_monochrome1_inverts_after_windowing() -> None:
    values = np.array([0, 20, 40, 80], dtype=np.float32)
    window = Window(40, 80)
    inverted = apply_window(values, window, invert=True)
    assert inverted.tolist() == [255, 255 - 65, 255 - 129, 0]
    assert np.array_equal(inverted, invert_grey(apply_window(values, window)))


def test_a_monochrome1_file_shows_low_values_white() -> None:
    image = display_dicom(read_dicom(shipped("dicomdirtests/77654033/CR1/6154")))
    assert image.invert
    frame = image.frame(0)
    full = Window((frame.max() + frame.min()) / 2, frame.max() - frame.min() + 1)
    shown = image.render(0, full)
    assert shown[frame == frame.min()].min() == 255
    assert shown[frame == frame.max()].max() <= 1


def test_modality_lut_gives_hounsfield_units_and_rescaled_values() -> None:
    ct = read_dicom(shipped("CT_small.dcm"))
    ds = pydicom.dcmread(shipped("CT_small.dcm"))
    assert np.array_equal(ct.frames[0], (ds.pixel_array.astype(np.float32) - 1024))
    cr_path = shipped("dicomdirtests/77654033/CR1/6154")
    cr = read_dicom(cr_path)
    cr_ds = pydicom.dcmread(cr_path)
    expected = cr_ds.pixel_array * 0.684 + 200  # RescaleSlope 0.684, RescaleIntercept 200
    assert np.allclose(cr.frames[0], expected, atol=1e-3)
    assert np.allclose(cr.frames[0], apply_modality_lut(cr_ds.pixel_array, cr_ds), atol=1e-3)


def test_the_file_window_is_the_default_view() -> None:
    image = display_dicom(read_dicom(shipped("MR_small.dcm")))
    assert image.default_window == Window(600, 1600, "File 1")
    assert np.array_equal(image.render(0), apply_window(image.frame(0), Window(600, 1600)))


def test_a_voi_lut_sequence_is_applied_like_pydicom() -> None:
    ds = pydicom.dcmread(shipped("MR_small.dcm"))
    item = pydicom.Dataset()
    item.LUTDescriptor = [4096, 0, 16]
    item.add_new(0x00283006, "US", [65535 - 16 * i for i in range(4096)])  # LUT Data
    item.LUTExplanation = "inverse ramp"
    ds.VOILUTSequence = Sequence([item])
    del ds.WindowCenter
    del ds.WindowWidth
    path_bytes = _to_bytes(ds)
    image = display_dicom(read_dicom(path_bytes))
    assert image.voi_lut is not None
    assert image.voi_lut.name == "inverse ramp"
    shown = image.render(0)
    frame = image.frame(0)
    # Hand: v -> LUT[clip(v, 0, 4095)] = 65535 - 16 v, a 16-bit output shown as x 255 / 65535.
    by_hand = np.rint((65535 - 16 * np.clip(frame, 0, 4095)) * 255 / 65535).astype(np.uint8)
    assert np.array_equal(shown, by_hand)
    reference = apply_voi_lut(ds.pixel_array, ds)  # pydicom: the LUT's 16-bit output
    assert np.array_equal(shown, np.rint(reference.astype(float) * 255 / 65535).astype(np.uint8))
    assert shown.min() < 200 < shown.max()


def _to_bytes(ds: pydicom.Dataset) -> bytes:
    from io import BytesIO

    buffer = BytesIO()
    ds.save_as(buffer)
    return buffer.getvalue()


def test_a_sixteen_bit_voi_lut_is_scaled_to_eight_bits() -> None:
    lut = VoiLut(first_mapped=-100, bits=16, data=np.array([0, 65535], dtype=np.uint16))
    values = np.array([-1000, -100, -99, 50], dtype=np.float32)
    assert apply_voi_lut_table(values, lut).tolist() == [0, 0, 255, 255]


def test_presets_per_modality_and_data_driven_windows() -> None:
    assert presets_for("ct") == CT_PRESETS
    assert {w.name for w in CT_PRESETS} >= {"Brain", "Lung", "Bone", "Abdomen"}
    assert Window(-600, 1500, "Lung") in CT_PRESETS
    assert presets_for("MR") == ()
    values = np.arange(1000, dtype=np.float32)
    auto = auto_window(values)
    assert auto.low == pytest.approx(9.99)
    assert auto.high == pytest.approx(989.01)
    ct = display_dicom(read_dicom(shipped("CT_small.dcm")))
    names = [w.name for w in ct.presets]
    assert names[:2] == ["Brain", "Subdural"]
    assert names[-2:] == ["Full range", "Auto"]


def test_pixel_spacing_measures_in_millimetres_and_photos_calibrate() -> None:
    ct = display_dicom(read_dicom(shipped("CT_small.dcm")))
    assert ct.pixel_spacing is not None
    distance = ct.pixel_spacing.distance_mm((0, 0), (30, 40))
    assert distance == pytest.approx(50 * 0.661468, rel=1e-5)
    assert calibrate_px_per_mm((10, 10), (10, 110), 10.0) == pytest.approx(10.0)


def test_overlay_text_names_patient_study_and_geometry() -> None:
    image = display_dicom(read_dicom(shipped("CT_small.dcm")))
    assert image.overlay.top_left[0] == "CompressedSamples, CT1"
    assert "ID 1CT1" in image.overlay.top_left
    assert "2004-01-19" in image.overlay.top_right
    assert any(line.startswith("Thk 5") for line in image.overlay.bottom_left)
    assert image.overlay.bottom_right[0] == "CT"
