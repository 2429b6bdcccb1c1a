"""The ABCD rule on synthetic lesions: a round, evenly coloured, soft-edged lesion scores below
an irregular, sharp-edged, many-coloured one on every criterion; sizes follow calibration."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from clinic_app.imaging.abcd import (
    REFERENCE_COLOURS,
    analyse_lesion,
    category_of,
    total_dermoscopy_score,
)
from clinic_app.imaging.lesion_segmentation import SegmentationError

SKIN = (225, 180, 150)
BROWN = REFERENCE_COLOURS["dark brown"]
SIDE = 600


def _skin() -> np.ndarray:
    image = np.empty((SIDE, SIDE, 3), dtype=np.uint8)
    image[:] = SKIN
    return image


def round_lesion(radius: int = 120, soft: bool = True, side: int = SIDE) -> np.ndarray:
    weight = np.zeros((side, side), dtype=np.float32)
    cv2.circle(weight, (side // 2, side // 2), radius, 1.0, -1, lineType=cv2.LINE_AA)
    if soft:
        weight = cv2.GaussianBlur(weight, (0, 0), 10)
    image = np.empty((side, side, 3), dtype=np.float32)
    image[:] = SKIN
    image = image * (1 - weight[..., None]) + np.array(BROWN) * weight[..., None]
    return image.astype(np.uint8)


def irregular_lesion(colours: tuple[tuple[int, int, int], ...] = (BROWN,)) -> np.ndarray:
    rng = np.random.default_rng(3)
    angles = np.linspace(0, 2 * np.pi, 40, endpoint=False)
    radii = 120 + rng.uniform(-45, 45, 40)
    radii[:10] += 50
    points = np.stack([300 + radii * np.cos(angles), 300 + radii * np.sin(angles)], 1)
    mask = np.zeros((SIDE, SIDE), dtype=np.uint8)
    cv2.fillPoly(mask, [points.astype(np.int32)], 1)
    image = _skin()
    yy, xx = np.mgrid[:SIDE, :SIDE]
    sector = (np.degrees(np.arctan2(yy - 300, xx - 300)) + 360) % 360 // (360 / len(colours))
    for index, colour in enumerate(colours):
        image[(mask > 0) & (sector == index)] = colour
    return image


SEVERAL = tuple(
    REFERENCE_COLOURS[name] for name in ("dark brown", "black", "blue-grey", "red", "light brown")
)


def test_a_round_soft_lesion_scores_low_and_an_irregular_one_high() -> None:
    round_ = analyse_lesion(round_lesion(), px_per_mm=20)
    irregular = analyse_lesion(irregular_lesion(SEVERAL), px_per_mm=20)
    assert round_.asymmetry == 0
    assert irregular.asymmetry == 2
    assert max(round_.asymmetry_axes) < 0.05 < min(irregular.asymmetry_axes)
    assert round_.border == 0
    assert irregular.border == 8
    assert round_.colours == 1
    assert irregular.colours >= 4
    assert round_.compactness < 1.2 < irregular.compactness
    assert round_.tds_range[1] < irregular.tds_range[0]
    assert round_.category == "benign"
    assert irregular.category == "highly suspicious"


def test_border_counts_abrupt_edges_not_shape() -> None:
    soft, sharp = analyse_lesion(round_lesion(soft=True)), analyse_lesion(round_lesion(soft=False))
    assert soft.border == 0
    assert sharp.border == 8
    assert soft.asymmetry == sharp.asymmetry == 0


def test_one_colour_versus_several() -> None:
    one = analyse_lesion(irregular_lesion((BROWN,)))
    several = analyse_lesion(irregular_lesion(SEVERAL))
    assert one.colours_present == ("dark brown",)
    assert set(several.colours_present) >= {"dark brown", "black", "blue-grey", "red"}
    assert several.colours > one.colours


def test_diameter_follows_the_calibration() -> None:
    lesion = round_lesion(radius=120)
    at_10 = analyse_lesion(lesion, px_per_mm=10)
    at_20 = analyse_lesion(lesion, px_per_mm=20)
    uncalibrated = analyse_lesion(lesion)
    assert at_10.diameter_px == pytest.approx(240, abs=4)
    assert at_10.diameter_mm == pytest.approx(24.0, abs=0.4)
    assert at_20.diameter_mm == pytest.approx(at_10.diameter_mm / 2, abs=0.05)
    assert at_20.area_mm2 == pytest.approx(np.pi * 6**2, rel=0.05)
    assert uncalibrated.diameter_mm is None
    assert uncalibrated.diameter_px == at_10.diameter_px


def test_large_photos_are_reduced_but_measured_in_original_pixels() -> None:
    big = round_lesion(radius=400, side=2000)
    result = analyse_lesion(big, px_per_mm=40)
    assert result.diameter_px == pytest.approx(800, rel=0.02)
    assert result.diameter_mm == pytest.approx(20, rel=0.02)
    xs = [x for x, _y in result.contour]
    assert max(xs) - min(xs) == pytest.approx(800, rel=0.02)


def test_the_score_uses_the_published_weights_and_thresholds() -> None:
    assert total_dermoscopy_score(2, 8, 5, 4) == pytest.approx(2 * 1.3 + 0.8 + 2.5 + 2.0)
    assert category_of(4.74) == "benign"
    assert category_of(4.75) == "suspicious"
    assert category_of(5.45) == "suspicious"
    assert category_of(5.46) == "highly suspicious"


def test_differential_structures_come_from_the_clinician() -> None:
    lesion = irregular_lesion((BROWN,))
    unknown = analyse_lesion(lesion)
    assert unknown.tds is None
    assert unknown.tds_range[1] - unknown.tds_range[0] == pytest.approx(2.0)
    given = analyse_lesion(lesion, differential_structures=3)
    assert given.tds == total_dermoscopy_score(given.asymmetry, given.border, given.colours, 3)
    assert "not a diagnosis" in given.note
    with pytest.raises(ValueError, match="1 to 5"):
        analyse_lesion(lesion, differential_structures=6)


def test_a_photo_without_a_lesion_is_refused() -> None:
    with pytest.raises(SegmentationError, match="No lesion"):
        analyse_lesion(_skin())
