"""The click benchmark's plain baseline computes what the official EfficientSAM decoder does:
if it did not, its time would say nothing about ours."""

from __future__ import annotations

import numpy as np
import pytest

from fidelity import TOL_IOU, TOL_LOGITS_FULL, case_prompt, load_fixture
from samroi.modelspec import get_spec

pytest.importorskip("onnxscript")  # building the plain graph needs the development dependencies


def test_plain_decoder_reproduces_the_official_multimask_outputs(reference_dir):
    from samroi.bench_plain import PlainClick

    spec = get_spec("efficientsam-ti")
    ref = load_fixture(reference_dir, spec, "dsb_fluo_d01")
    height, width = ref["image"].shape[:2]
    plain = PlainClick(spec, str(reference_dir / "efficient_sam_vitt_random.pt"), height, width)
    embedding = np.ascontiguousarray(ref["embedding"][None], np.float32)
    for case in range(4):  # the multimask cases: points, several points, a box, box and point
        logits, iou = plain.masks(embedding, **case_prompt(ref, case))
        assert np.abs(iou - ref[f"case{case}_iou"]).max() <= TOL_IOU
        assert np.abs(logits - ref[f"case{case}_logits_full"]).max() <= TOL_LOGITS_FULL
        best = int(np.argmax(iou))
        assert plain.polygons_of(logits, iou), f"case {case}: mask {best} gave no polygon"
