"""The mask bound that lets a click upscale only part of the image."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from samroi import preprocess
from samroi.modelspec import get_spec


def _mask_outside(spec, lowres, height, width, model_size=None) -> int:
    """Mask pixels of the full upscaling that lie outside mask_region's box."""
    mask = preprocess.threshold(spec, preprocess.full_logits(spec, lowres, height, width, model_size))
    region = preprocess.mask_region(spec, lowres, height, width, model_size)
    if region is None:
        return int(mask.sum())
    y0, y1, x0, x1 = region
    inside = np.zeros_like(mask)
    inside[y0:y1, x0:x1] = True
    return int((mask & ~inside).sum())


def test_bicubic_overshoot_is_inside_the_region():
    """EfficientSAM upscales bicubically: a shallow dip between deep ones rings above zero
    although every low-res logit is negative. Those pixels are part of the official mask."""
    spec = get_spec("efficientsam-ti")
    lowres = np.full((256, 256), -10, np.float32)
    lowres[120:122, 80:82] = -0.5
    mask = preprocess.threshold(spec, preprocess.full_logits(spec, lowres, 1000, 1000))
    assert mask.sum() > 0
    assert _mask_outside(spec, lowres, 1000, 1000) == 0


@pytest.mark.parametrize("model", ["efficientsam-ti", "mobilesam"])
@pytest.mark.parametrize("size", [(1022, 1024), (333, 1024), (700, 300)])
def test_region_holds_every_mask_pixel(model, size):
    spec = get_spec(model)
    rng = np.random.default_rng(sum(size))
    for _ in range(3):
        field = ndimage.gaussian_filter(rng.standard_normal((256, 256)), 4).astype(np.float32)
        lowres = field * 40 - 2.0  # a few islands above zero
        assert _mask_outside(spec, lowres, *size) == 0
        assert _mask_outside(spec, lowres, *size, model_size=(size[0] // 3, size[1] // 3)) == 0


@pytest.mark.parametrize("model", ["efficientsam-ti", "mobilesam"])
@pytest.mark.parametrize("size, model_size", [((1022, 1024), None), ((520, 696), None), ((3000, 2100), (1000, 700)), ((17, 40), None)])
def test_banded_upscaling_equals_the_dense_product(model, size, model_size):
    """The block-banded products skip only zero weights: the logits are those of Ry @ L @ Rx.T,
    for whole outputs, regions and stacks of masks."""
    spec = get_spec(model)
    ry, rx = preprocess.upscale_matrices(spec, *size, model_size)
    lowres = np.random.default_rng(7).standard_normal((2, 256, 256)).astype(np.float32) * 5
    dense = np.matmul(np.matmul(ry.astype(np.float64), lowres), rx.T.astype(np.float64))
    full = preprocess.full_logits(spec, lowres, *size, model_size)
    assert full.shape == (2, *size)
    np.testing.assert_allclose(full, dense, atol=2e-5)
    y0, y1, x0, x1 = size[0] // 5, size[0] - 3, 1, size[1] // 2 + 7
    part = preprocess.full_logits(spec, lowres[1], *size, model_size, region=(y0, y1, x0, x1))
    np.testing.assert_allclose(part, dense[1, y0:y1, x0:x1], atol=2e-5)
