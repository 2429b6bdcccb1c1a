"""The dermoscopy ABCD rule (Stolz et al. 1994), measured automatically on a segmented lesion.

Decision support, not a diagnosis. Automated approximations of a rule designed for a trained
eye; every number comes with the segmentation outline so a clinician can check it.

- A, asymmetry (0–2): the lesion is folded about its two principal axes; an axis counts when
  the halves differ in shape (non-overlapping area > 10 % of the lesion) or in mean colour
  (CIELAB ΔE > 10).
- B, border (0–8): the lesion is cut into eight 45° sectors around its centroid; a sector counts
  when its border has an abrupt cut-off (the pigment ramps from lesion to skin over less than
  3 % of the lesion's diameter).
- C, colours (1–6): white, red, light brown, dark brown, blue-grey and black, each counted when
  at least 5 % of the lesion (away from its rim) is nearest that reference colour in CIELAB.
- D, differential structures (1–5: network, structureless areas, dots, globules, streaks):
  Stolz's D is *not* measurable reliably here, so it is the clinician's input. Without it the
  score is given as the range over D = 1…5 and classified only when that range allows.
- Diameter: the largest distance across the lesion (Feret), in mm when the photo is calibrated
  (pixels per mm from a ruler) — the clinical ABCD's "D", reported beside the score, not in it.

TDS = 1.3·A + 0.1·B + 0.5·C + 0.5·D; < 4.75 benign, 4.75–5.45 suspicious, > 5.45 highly
suspicious for melanoma.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from clinic_app.imaging.lesion_segmentation import Segmentation, lightness, segment_lesion

WEIGHTS = {"A": 1.3, "B": 0.1, "C": 0.5, "D": 0.5}
BENIGN_BELOW = 4.75
SUSPICIOUS_UP_TO = 5.45
SHAPE_ASYMMETRY = 0.10
COLOUR_ASYMMETRY = 10.0
ABRUPT_RAMP = 0.03
COLOUR_SHARE = 0.05
COLOUR_MAX_DISTANCE = 40.0
DECISION_SUPPORT = (
    "Decision support only, not a diagnosis: automated ABCD rule of dermoscopy (Stolz 1994); "
    "a clinician must review the outline and the scores."
)

REFERENCE_COLOURS: dict[str, tuple[int, int, int]] = {
    "white": (235, 235, 235),
    "red": (200, 50, 50),
    "light brown": (165, 105, 60),
    "dark brown": (95, 55, 30),
    "blue-grey": (110, 125, 150),
    "black": (30, 30, 30),
}


@dataclass(frozen=True)
class AbcdResult:
    asymmetry: int
    asymmetry_axes: tuple[float, float]  # shape mismatch per principal axis
    border: int
    abrupt_sectors: tuple[bool, ...]
    colours: int
    colours_present: tuple[str, ...]
    colour_shares: dict[str, float]
    differential_structures: int | None
    tds: float | None
    tds_range: tuple[float, float]
    category: str  # benign | suspicious | highly suspicious | undetermined
    diameter_px: float
    diameter_mm: float | None
    area_mm2: float | None
    compactness: float  # perimeter² / (4π·area): 1 for a circle, larger when irregular
    contour: tuple[tuple[int, int], ...]  # x, y in the photo's pixels
    note: str = DECISION_SUPPORT


def _lab(rgb: NDArray[np.uint8]) -> NDArray[np.float32]:
    # float input gives true CIELAB (L 0–100, a and b signed).
    return np.asarray(cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB))


def _principal_frame(mask: NDArray[np.uint8]) -> tuple[tuple[float, float], float]:
    m = cv2.moments(mask, binaryImage=True)
    cx, cy = m["m10"] / m["m00"], m["m01"] / m["m00"]
    angle = 0.5 * np.degrees(np.arctan2(2 * m["mu11"], m["mu20"] - m["mu02"]))
    return (cx, cy), float(angle)


def _align(
    image: NDArray[np.generic], centre: tuple[float, float], angle: float
) -> NDArray[np.generic]:
    """Rotates so the major axis is horizontal, with the centroid at the canvas centre."""
    side = int(np.ceil(np.hypot(*image.shape[:2]))) | 1
    matrix = cv2.getRotationMatrix2D(centre, angle, 1.0)
    matrix[0, 2] += side / 2 - centre[0]
    matrix[1, 2] += side / 2 - centre[1]
    return np.asarray(cv2.warpAffine(image, matrix, (side, side), flags=cv2.INTER_NEAREST))


def asymmetry(seg: Segmentation, lab: NDArray[np.float32]) -> tuple[int, tuple[float, float]]:
    centre, angle = _principal_frame(seg.mask)
    mask = _align(seg.mask, centre, angle) > 0
    colour = _align(lab, centre, angle)
    area = float(mask.sum())
    score, shape = 0, []
    for axis in (0, 1):  # fold top/bottom about the major axis, then left/right
        mirrored = np.flip(mask, axis=axis)
        mismatch = float(np.logical_xor(mask, mirrored).sum()) / area
        shape.append(mismatch)
        half = np.zeros_like(mask)
        middle = mask.shape[axis] // 2
        if axis == 0:
            half[:middle] = True
        else:
            half[:, :middle] = True
        one, other = mask & half, mask & ~half
        delta = 0.0
        if one.any() and other.any():
            delta = float(np.linalg.norm(colour[one].mean(axis=0) - colour[other].mean(axis=0)))
        if mismatch > SHAPE_ASYMMETRY or delta > COLOUR_ASYMMETRY:
            score += 1
    return score, (shape[0], shape[1])


def _equivalent_diameter(seg: Segmentation) -> float:
    return float(np.sqrt(4 * seg.area_px / np.pi))


def border(seg: Segmentation) -> tuple[bool, ...]:
    grey = cv2.GaussianBlur(lightness(seg.rgb).astype(np.float32), (0, 0), 1.0)
    gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3) / 8.0
    gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3) / 8.0
    gradient = cv2.dilate(np.hypot(gx, gy), np.ones((5, 5), np.uint8))
    ring = cv2.dilate(seg.mask, np.ones((15, 15), np.uint8)) > 0
    inside = seg.mask > 0
    skin = ring & ~inside
    contrast = (
        abs(float(np.median(grey[skin])) - float(np.median(grey[inside]))) if skin.any() else 0
    )
    m = cv2.moments(seg.mask, binaryImage=True)
    cx, cy = m["m10"] / m["m00"], m["m01"] / m["m00"]
    points = seg.contour
    sectors = (np.degrees(np.arctan2(points[:, 1] - cy, points[:, 0] - cx)) + 360) % 360 // 45
    limit = ABRUPT_RAMP * _equivalent_diameter(seg)
    abrupt = []
    for sector in range(8):
        chosen = points[sectors == sector]
        if len(chosen) == 0 or contrast <= 0:
            abrupt.append(False)
            continue
        steepest = float(np.mean(gradient[chosen[:, 1], chosen[:, 0]]))
        ramp = contrast / steepest if steepest > 0 else float("inf")
        abrupt.append(ramp < limit)
    return tuple(abrupt)


def colours(seg: Segmentation, lab: NDArray[np.float32]) -> dict[str, float]:
    """Share of the lesion's core nearest each reference colour."""
    rim = max(1, round(_equivalent_diameter(seg) * 0.03))
    core = cv2.erode(seg.mask, np.ones((2 * rim + 1, 2 * rim + 1), np.uint8)) > 0
    if not core.any():
        core = seg.mask > 0
    pixels = lab[core]
    names = list(REFERENCE_COLOURS)
    references = _lab(np.array([[REFERENCE_COLOURS[n] for n in names]], dtype=np.uint8))[0]
    distances = np.linalg.norm(pixels[:, None, :] - references[None, :, :], axis=2)
    nearest = np.argmin(distances, axis=1)
    close = distances[np.arange(len(pixels)), nearest] <= COLOUR_MAX_DISTANCE
    return {
        name: float(np.count_nonzero(close & (nearest == i))) / len(pixels)
        for i, name in enumerate(names)
    }


def feret_diameter(contour: NDArray[np.int32]) -> float:
    hull = cv2.convexHull(contour.reshape(-1, 1, 2)).reshape(-1, 2).astype(np.float64)
    if len(hull) < 2:
        return 0.0
    differences = hull[:, None, :] - hull[None, :, :]
    return float(np.sqrt((differences**2).sum(axis=2)).max())


def total_dermoscopy_score(a: int, b: int, c: int, d: int) -> float:
    return round(WEIGHTS["A"] * a + WEIGHTS["B"] * b + WEIGHTS["C"] * c + WEIGHTS["D"] * d, 2)


def category_of(score: float) -> str:
    if score < BENIGN_BELOW:
        return "benign"
    if score <= SUSPICIOUS_UP_TO:
        return "suspicious"
    return "highly suspicious"


def analyse_lesion(
    rgb: NDArray[np.uint8],
    *,
    px_per_mm: float | None = None,
    differential_structures: int | None = None,
) -> AbcdResult:
    """Segments the lesion in an RGB photo and scores it. `px_per_mm` (from a ruler in the
    photo) gives sizes in mm; `differential_structures` (1–5) is the clinician's count."""
    if differential_structures is not None and not 1 <= differential_structures <= 5:
        raise ValueError("differential structures are counted 1 to 5")
    if px_per_mm is not None and px_per_mm <= 0:
        raise ValueError("pixels per mm must be positive")
    seg = segment_lesion(rgb)
    lab = _lab(seg.rgb)
    a, axes = asymmetry(seg, lab)
    abrupt = border(seg)
    shares = colours(seg, lab)
    present = tuple(name for name, share in shares.items() if share >= COLOUR_SHARE)
    if not present:
        present = (max(shares, key=lambda name: shares[name]),)
    b, c = sum(abrupt), len(present)
    low, high = total_dermoscopy_score(a, b, c, 1), total_dermoscopy_score(a, b, c, 5)
    tds = None
    if differential_structures is not None:
        tds = total_dermoscopy_score(a, b, c, differential_structures)
        category = category_of(tds)
    else:
        category = category_of(low) if category_of(low) == category_of(high) else "undetermined"
    perimeter = cv2.arcLength(seg.contour.reshape(-1, 1, 2), closed=True)
    diameter_px = feret_diameter(seg.contour) / seg.scale
    mm_per_px = (1.0 / px_per_mm) if px_per_mm else None
    return AbcdResult(
        asymmetry=a,
        asymmetry_axes=(round(axes[0], 4), round(axes[1], 4)),
        border=b,
        abrupt_sectors=abrupt,
        colours=c,
        colours_present=present,
        colour_shares={name: round(share, 4) for name, share in shares.items()},
        differential_structures=differential_structures,
        tds=tds,
        tds_range=(low, high),
        category=category,
        diameter_px=round(diameter_px, 1),
        diameter_mm=round(diameter_px * mm_per_px, 2) if mm_per_px else None,
        area_mm2=round(seg.area_px / seg.scale**2 * mm_per_px**2, 2) if mm_per_px else None,
        compactness=round(float(perimeter**2 / (4 * np.pi * seg.area_px)), 3),
        contour=tuple(seg.contour_in_original()),
    )
