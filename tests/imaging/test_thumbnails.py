"""Series thumbnails: the middle frame as the viewer shows it by default, shrunk with its
aspect kept and never enlarged; the service audits it as a view and refuses bad sizes and
frames with a clear error."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from clinic_app.bootstrap import Services
from clinic_app.errors import NotFoundError, PermissionDeniedError, ValidationError
from clinic_app.imaging.dicom_reader import read_dicom
from clinic_app.imaging.display import DisplayImage, display_dicom
from clinic_app.imaging.errors import UnsupportedImageError
from clinic_app.imaging.thumbnails import middle_frame, thumbnail_pixels
from clinic_app.imaging.windowing import Window
from clinic_app.security.permissions import Role
from clinic_app.security.users import AuthenticatedUser

from tests.imaging.conftest import shipped
from tests.patient_inputs import patient_input
from tests.store_inspection import audit_events

Users = dict[Role, AuthenticatedUser]


def _grey(frames: np.ndarray) -> DisplayImage:
    return DisplayImage(
        kind="dicom",
        modality="MR",
        frames=frames.astype(np.float32),
        invert=False,
        default_window=Window(127.5, 256),
        voi_lut=None,
        presets=(),
        pixel_spacing=None,
    )


def test_the_middle_frame_is_shown_at_the_viewers_default_window() -> None:
    frames = np.stack([np.full((8, 8), value) for value in (0, 100, 200, 250)])
    image = _grey(frames)
    assert middle_frame(4) == 2
    assert middle_frame(1) == 0
    assert middle_frame(0) == 0
    pixels = thumbnail_pixels(image)
    assert pixels.dtype == np.uint8
    assert pixels.shape == (8, 8), "a small image is never enlarged"
    assert np.array_equal(pixels, image.render(2))
    assert np.array_equal(thumbnail_pixels(image, frame=0), image.render(0))


def test_a_large_image_shrinks_to_the_size_with_its_aspect_kept() -> None:
    frames = np.zeros((1, 300, 600))
    frames[0, :, :300] = 255  # left half white
    pixels = thumbnail_pixels(_grey(frames), size=64)
    assert pixels.shape == (32, 64)
    assert pixels[:, :30].min() > 250
    assert pixels[:, 34:].max() < 5
    rgb = DisplayImage(
        kind="photo",
        modality="XC",
        frames=np.zeros((1, 1000, 500, 3), dtype=np.uint8),
        invert=False,
        default_window=None,
        voi_lut=None,
        presets=(),
        pixel_spacing=None,
    )
    assert thumbnail_pixels(rgb, size=50).shape == (50, 25, 3)


def test_monochrome1_is_inverted_in_the_thumbnail_as_in_the_viewer() -> None:
    image = display_dicom(read_dicom(shipped("MR_small.dcm")))
    inverted = DisplayImage(**{**image.__dict__, "invert": True})
    normal, flipped = thumbnail_pixels(image, size=32), thumbnail_pixels(inverted, size=32)
    # (Area averaging rounds each way once: at most one grey level apart.)
    assert np.abs(flipped.astype(int) - (255 - normal.astype(int))).max() <= 1
    assert abs(float(flipped.mean()) - (255 - float(normal.mean()))) < 0.5


@pytest.mark.parametrize(("size", "frame"), [(0, None), (-5, None), (10_000, None), (64, 4)])
def test_bad_sizes_and_frames_are_refused(size: int, frame: int | None) -> None:
    with pytest.raises(ValueError, match=r"thumbnail|frame"):
        thumbnail_pixels(_grey(np.zeros((2, 8, 8))), frame, size)


def test_the_service_renders_an_audited_thumbnail_and_refuses_bad_requests(
    services: Services, users: Users, tmp_path: Path
) -> None:
    nurse = users[Role.NURSE]
    patient = services.patients.create(nurse, patient_input()).patient.id
    scan = services.imaging_import.scan(nurse, [shipped("CT_small.dcm")])
    [instance] = services.imaging_import.import_files(nurse, scan, patient).instance_ids
    before = len(audit_events(services.db))
    pixels = services.imaging.thumbnail(nurse, instance, size=48)
    assert pixels.shape == (48, 48)
    expected = thumbnail_pixels(services.imaging.load_image(nurse, instance), size=48)
    assert np.array_equal(pixels, expected)
    events = audit_events(services.db)[before:]
    assert [e.action for e in events] == ["imaging.view", "imaging.view"]
    assert events[0].details["thumbnail"] is True
    assert "thumbnail" not in events[1].details
    for size, frame in ((0, None), (513, None), (48, 1), (48, -1)):
        with pytest.raises(ValidationError):
            services.imaging.thumbnail(nurse, instance, frame, size)
    for missing in ("", "no-such-image", "x" * 10_000):
        with pytest.raises(NotFoundError):
            services.imaging.thumbnail(nurse, missing)
    with pytest.raises(PermissionDeniedError):
        services.imaging.thumbnail(users[Role.FRONT_DESK], instance)


def test_a_multi_frame_thumbnail_decodes_only_its_frame_and_matches_the_full_decode(
    services: Services, users: Users
) -> None:
    nurse = users[Role.NURSE]
    patient = services.patients.create(nurse, patient_input()).patient.id
    scan = services.imaging_import.scan(nurse, [shipped("rtdose.dcm")])
    [instance] = services.imaging_import.import_files(nurse, scan, patient).instance_ids
    full = services.imaging.load_image(nurse, instance)
    assert full.frame_count == 15
    alone = read_dicom(shipped("rtdose.dcm"), frame=5)
    assert alone.frames.shape[0] == 1
    assert np.array_equal(alone.frames[0], full.frames[5])
    for frame in (None, 0, 14):
        expected = thumbnail_pixels(full, frame, 32)
        assert np.array_equal(services.imaging.thumbnail(nurse, instance, frame, 32), expected)
    with pytest.raises(ValidationError, match="15 frame"):
        services.imaging.thumbnail(nurse, instance, 15)
    with pytest.raises(UnsupportedImageError, match="no frame 15"):
        read_dicom(shipped("rtdose.dcm"), frame=15)
