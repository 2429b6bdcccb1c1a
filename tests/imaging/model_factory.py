"""Builds small real ONNX models and model packs for the tests (with the `onnx` package).

`quadrant_model`: input (N, 1, 32, 32) NCHW grey in [0, 1]; two labels, "bright" and "dark";
the logit of "bright" is 8 × (mean of the top-left 16×16 quadrant − 0.5), so the answer depends
on that quadrant alone: an occlusion heatmap must light up there and nowhere else.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SIZE = 32


def quadrant_model(layout: str = "NCHW") -> bytes:
    shape = [None, 1, SIZE, SIZE] if layout == "NCHW" else [None, SIZE, SIZE, 1]
    x = helper.make_tensor_value_info("pixels", TensorProto.FLOAT, shape)
    y = helper.make_tensor_value_info("scores", TensorProto.FLOAT, [None, 2])
    axes_hw = [2, 3] if layout == "NCHW" else [1, 2]
    inits = [
        numpy_helper.from_array(np.array([0, 0], dtype=np.int64), "starts"),
        numpy_helper.from_array(np.array([SIZE // 2, SIZE // 2], dtype=np.int64), "ends"),
        numpy_helper.from_array(np.array(axes_hw, dtype=np.int64), "axes"),
        numpy_helper.from_array(np.array([[8.0, -8.0]], dtype=np.float32), "gain"),
        numpy_helper.from_array(np.array([[-4.0, 4.0]], dtype=np.float32), "bias"),
    ]
    nodes = [
        helper.make_node("Slice", ["pixels", "starts", "ends", "axes"], ["quadrant"]),
        helper.make_node("ReduceMean", ["quadrant"], ["mean"], axes=[1, 2, 3], keepdims=0),
        helper.make_node("Unsqueeze", ["mean", "one"], ["column"]),
        helper.make_node("Mul", ["column", "gain"], ["scaled"]),
        helper.make_node("Add", ["scaled", "bias"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["scores"], axis=1),
    ]
    inits.append(numpy_helper.from_array(np.array([1], dtype=np.int64), "one"))
    graph = helper.make_graph(nodes, "quadrant", [x], [y], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def manifest_for(data: bytes, **overrides: Any) -> dict[str, Any]:
    manifest: dict[str, Any] = {
        "format": 1,
        "name": "quadrant-demo",
        "version": "1.0.0",
        "title": "Quadrant brightness (test model)",
        "task": "classification",
        "modalities": ["MR", "XC"],
        "status": "demonstration",
        "model_file": "model.onnx",
        "sha256": hashlib.sha256(data).hexdigest(),
        "input": {
            "name": "pixels",
            "layout": "NCHW",
            "height": SIZE,
            "width": SIZE,
            "colour": "GRAY",
            "resize": "area",
            "scale": 1 / 255,
            "mean": [0.0],
            "std": [1.0],
        },
        "output": {"name": "scores", "kind": "probabilities"},
        "labels": [
            {"id": "bright", "name": "Bright corner", "description": "Top-left is bright."},
            {"id": "dark", "name": "Dark corner", "description": "Top-left is dark."},
        ],
        "intended_use": "Tests only.",
        "limitations": "Looks at one quadrant.",
        "licence": "Test fixture, no licence needed.",
        "source": "tests/imaging/model_factory.py",
    }
    manifest.update(overrides)
    return manifest


def write_pack(folder: Path, layout: str = "NCHW", **overrides: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = quadrant_model(layout)
    (folder / "model.onnx").write_bytes(data)
    manifest = manifest_for(data, **overrides)
    if layout != "NCHW":
        manifest["input"] = {**manifest["input"], "layout": layout}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return folder
