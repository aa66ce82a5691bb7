"""Comparing samroi's outputs with the official golden outputs in ../shared/reference.

Tolerances are the ones ../shared/reference/README.md recommends for an independent
float32 implementation.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from samroi.modelspec import ModelSpec

CHECKPOINTS = {"efficientsam-ti": "efficient_sam_vitt_random.pt", "mobilesam": "mobile_sam_random.pt"}
FIXTURE_PREFIX = {"efficientsam-ti": "efficientsam_ti", "mobilesam": "mobilesam"}
FIXTURE_IMAGES = ("dsb_fluo_d01", "dsb_he_d01", "usiigaci_phase_d01")

TOL_EMBEDDING = 2e-4
TOL_LOWRES_DECODER = 5e-5
TOL_LOWRES_END_TO_END = 1e-4
TOL_IOU = 1e-5
TOL_LOGITS_FULL = 1e-4
MIN_MASK_IOU = 0.999

_cache: dict[Path, dict] = {}


def load_fixture(reference_dir: Path, spec: ModelSpec, image: str) -> dict:
    path = Path(reference_dir) / f"{FIXTURE_PREFIX[spec.name]}_{image}.npz"
    if path not in _cache:
        with np.load(path) as data:
            _cache[path] = {k: data[k] for k in data.files}
    return _cache[path]


def fixture_rgb(spec: ModelSpec, ref: dict) -> np.ndarray:
    """The fixture's model input as an RGB image in [0, 1] (what samroi's engine produces)."""
    image = ref["image"]
    return image.astype(np.float64) / 255.0 if image.dtype == np.uint8 else image


def case_prompt(ref: dict, case: int) -> dict:
    points = ref[f"case{case}_points"]
    box = ref[f"case{case}_box"]
    return {
        "points": points if len(points) else None,
        "labels": ref[f"case{case}_labels"] if len(points) else None,
        "box": box if len(box) else None,
    }


def reference_masks(ref: dict, case: int) -> np.ndarray:
    shape = tuple(int(v) for v in ref[f"case{case}_masks_shape"])
    return np.unpackbits(ref[f"case{case}_masks"], count=int(np.prod(shape))).reshape(shape).astype(bool)


def mask_iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.logical_or(a, b).sum()
    return 1.0 if union == 0 else float(np.logical_and(a, b).sum() / union)


def check_case_end_to_end(predictor, ref: dict, case: int) -> None:
    """One fixture case through samroi's predictor: logits, IoU, full logits and masks."""
    result = predictor.predict(**case_prompt(ref, case), multimask=case != 4)
    assert np.abs(result.lowres - ref[f"case{case}_lowres"]).max() <= TOL_LOWRES_END_TO_END
    assert np.abs(result.iou - ref[f"case{case}_iou"]).max() <= TOL_IOU
    expected = reference_masks(ref, case)
    masks = result.masks
    for got, want in zip(masks, expected):
        assert mask_iou(got, want) >= MIN_MASK_IOU
    key = f"case{case}_logits_full"
    if key in ref:
        logits = result.logits()
        assert np.abs(logits - ref[key]).max() <= TOL_LOGITS_FULL
        differing = masks != expected
        assert np.all(np.abs(ref[key][differing]) <= TOL_LOGITS_FULL)


def best_only_prompts(ref: dict) -> list:
    """The fixture's point and box cases and clicks on a grid over its image."""
    from samroi.predictor import Prompt

    height, width = ref["image"].shape[:2]
    prompts = [Prompt(**case_prompt(ref, case)) for case in range(4)]
    prompts += [
        Prompt(points=np.array([[x, y]], np.float64), labels=np.array([1]))
        for x in np.linspace(0, width - 1, 4)
        for y in np.linspace(0, height - 1, 3)
    ]
    return prompts


def with_iou_recentred(state: dict, scores: np.ndarray) -> dict:
    """The checkpoint with the IoU head's multimask output biases shifted by minus each
    output's median score over ``scores`` [N, 3]. The random weights rank the same output
    first for every prompt; recentred, the prompts decide, so that a batch has objects with
    different best outputs."""
    key = [k for k in state if "iou_prediction_head" in k and k.endswith("bias")][-1]
    bias = np.array(state[key], np.float32)
    bias[1:4] -= np.median(scores, axis=0).astype(np.float32)
    return {**state, key: bias}


def check_best_only(predictor, prompts: list) -> None:
    """best_only gives each object of a batch its best multimask output and score, computed
    alone; the objects must have different best outputs, so that a choice made for the wrong
    object, or the same for all, fails."""
    everything = predictor.predict_batch(prompts)
    best = predictor.predict_batch(prompts, best_only=True)
    assert len({full.best for full in everything}) > 1
    for full, alone in zip(everything, best):
        assert alone.lowres.shape == (1, *full.lowres.shape[1:])
        assert np.abs(alone.lowres[0] - full.lowres[full.best]).max() <= TOL_LOWRES_DECODER
        assert alone.iou.tolist() == [full.iou.max()]
    single = predictor.predict_batch(prompts[:2], multimask=False, best_only=True)
    assert [s.lowres.shape[0] for s in single] == [1, 1]
