"""The official models' image and prompt preparation and mask post-processing, in numpy.

Both runtimes (torch and onnxruntime) feed the networks the same arrays, made here, so
the onnxruntime path needs no torch. Every step reproduces the official predictors:

- EfficientSAM stretches the [0, 1] RGB image to 1024x1024 (bilinear, align_corners=False,
  no antialias), normalises with ImageNet statistics, and scales prompt coordinates per axis.
  Its low-resolution logits go straight to the image size with bicubic interpolation.
- MobileSAM (SAM's predictor) quantises to uint8, resizes with Pillow so the longest side
  is 1024, normalises on the 0..255 scale and zero-pads bottom/right. Its logits go bilinear
  to 1024, are cropped to the resized size, then bilinear to the image size.

Both post-processing chains are linear and separable, so they are written as two
interpolation matrices (rows, columns): logits = Ry @ lowres @ Rx.T. That lets samroi
upscale only the part of the image that can contain the mask (see ``mask_region``).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from .errors import PromptError
from .modelspec import IMAGE_SIZE, LOWRES_SIZE, ModelSpec

_IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
_IMAGENET_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
_SAM_MEAN = np.array([123.675, 116.28, 103.53], dtype=np.float32)
_SAM_STD = np.array([58.395, 57.12, 57.375], dtype=np.float32)

MAX_POINTS_MOBILESAM = 64  # more clicks than this on one object is a mistake, not a prompt


# ---------------------------------------------------------------------------- geometry


def resized_size(spec: ModelSpec, height: int, width: int) -> tuple[int, int]:
    """(h, w) of the image inside the 1024x1024 encoder input."""
    if spec.resize == "stretch":
        return IMAGE_SIZE, IMAGE_SIZE
    scale = IMAGE_SIZE / max(height, width)
    return int(math.floor(height * scale + 0.5)), int(math.floor(width * scale + 0.5))


def coordinate_scale(spec: ModelSpec, height: int, width: int) -> tuple[float, float]:
    """Factors (sx, sy) taking image pixel coordinates into the 1024 input frame."""
    new_h, new_w = resized_size(spec, height, width)
    return new_w / width, new_h / height


# ---------------------------------------------------------------------------- image


def model_input(spec: ModelSpec, rgb: np.ndarray) -> np.ndarray:
    """The encoder input [1, 3, 1024, 1024] float32 for an RGB image with values in [0, 1].

    ``rgb`` is H x W x 3 (any float dtype). For MobileSAM it is quantised to uint8 first,
    as the official predictor only takes uint8 images.
    """
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected an H x W x 3 image, got shape {rgb.shape}")
    height, width = rgb.shape[:2]
    if spec.resize == "stretch":
        x = rgb.astype(np.float32, copy=False)
        if (height, width) != (IMAGE_SIZE, IMAGE_SIZE):
            x = _bilinear_resize(x, IMAGE_SIZE, IMAGE_SIZE)
        x = (x - _IMAGENET_MEAN) / _IMAGENET_STD
        return np.ascontiguousarray(x.transpose(2, 0, 1)[None], dtype=np.float32)

    from PIL import Image

    u8 = np.clip(np.round(np.asarray(rgb, dtype=np.float64) * 255.0), 0, 255).astype(np.uint8)
    new_h, new_w = resized_size(spec, height, width)
    if (new_h, new_w) != (height, width):
        u8 = np.asarray(Image.fromarray(u8).resize((new_w, new_h), Image.BILINEAR))
    out = np.zeros((1, 3, IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32)
    out[0, :, :new_h, :new_w] = ((u8.astype(np.float32) - _SAM_MEAN) / _SAM_STD).transpose(2, 0, 1)
    return out


def _bilinear_resize(x: np.ndarray, out_h: int, out_w: int) -> np.ndarray:
    """torch.nn.functional.interpolate(mode="bilinear", align_corners=False, antialias=False)."""
    rows0, rows1, wy = _linear_taps(x.shape[0], out_h)
    cols0, cols1, wx = _linear_taps(x.shape[1], out_w)
    wy = wy[:, None, None]
    wx = wx[None, :, None]
    top = x[rows0]
    bottom = x[rows1]
    top = top[:, cols0] * (1 - wx) + top[:, cols1] * wx
    bottom = bottom[:, cols0] * (1 - wx) + bottom[:, cols1] * wx
    return (top * (1 - wy) + bottom * wy).astype(np.float32)


def _linear_taps(n_in: int, n_out: int):
    """Source indices and weights of PyTorch's bilinear (align_corners=False) along one axis."""
    src = (np.arange(n_out, dtype=np.float64) + 0.5) * (n_in / n_out) - 0.5
    src = np.maximum(src, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    return i0, i1, (src - i0).astype(np.float32)


# ---------------------------------------------------------------------------- prompts


def decoder_prompts(
    spec: ModelSpec,
    height: int,
    width: int,
    points: np.ndarray | None,
    labels: np.ndarray | None,
    box: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates [P, 2] and labels [P] for one object, as the official prompt encoders get them.

    ``points`` are (x, y) image pixel coordinates with ``labels`` 1 (object) or 0
    (background); ``box`` is (x0, y0, x1, y1). Box corners follow the clicks with labels 2
    and 3. EfficientSAM pads to exactly 6 points with (-1, -1) / -1; MobileSAM adds one
    padding point (0, 0) / -1 when there is no box, as SAM's prompt encoder does.
    """
    pts = np.zeros((0, 2), np.float64) if points is None else np.asarray(points, np.float64).reshape(-1, 2)
    lab = np.zeros((0,), np.float64) if labels is None else np.asarray(labels, np.float64).reshape(-1)
    if len(lab) != len(pts):
        raise PromptError(f"{len(pts)} points but {len(lab)} labels; give one label per point")
    if box is not None:
        corners = np.asarray(box, np.float64).reshape(2, 2)
        pts = np.concatenate([pts, corners])
        lab = np.concatenate([lab, [2.0, 3.0]])
    if len(pts) == 0:
        raise PromptError("an object needs at least one point or a box")

    sx, sy = coordinate_scale(spec, height, width)
    coords = pts * (sx, sy)
    if spec.fixed_points is not None:
        limit = spec.fixed_points
        if len(coords) > limit:
            raise PromptError(
                f"{spec.title} takes at most {limit} prompt points per object (a box counts as 2); "
                f"got {len(coords)}. Remove some clicks."
            )
        coords = np.where(pts >= 0, coords, -1.0)  # the official code marks negatives invalid
        pad = limit - len(coords)
        coords = np.concatenate([coords, np.full((pad, 2), -1.0)])
        lab = np.concatenate([lab, np.full(pad, -1.0)])
    else:
        if len(coords) > MAX_POINTS_MOBILESAM:
            raise PromptError(
                f"{spec.title} takes at most {MAX_POINTS_MOBILESAM} points per object; got {len(coords)}"
            )
        if box is None:
            coords = np.concatenate([coords, [[0.0, 0.0]]])
            lab = np.concatenate([lab, [-1.0]])
    return coords.astype(np.float32), lab.astype(np.float32)


# ---------------------------------------------------------------------------- masks


@functools.lru_cache(maxsize=32)
def upscale_matrices(
    spec: ModelSpec, height: int, width: int, model_size: tuple[int, int] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(Ry [H, 256], Rx [W, 256]) float32 with full-size logits = Ry @ lowres @ Rx.T.

    ``model_size`` is the size of the image the model was given when that differs from
    the output size (a downscaled view): the logits are then interpolated straight to
    the finer grid, so the mask has the image's own resolution.
    """
    if spec.resize == "stretch":
        return _cubic_matrix(LOWRES_SIZE, height), _cubic_matrix(LOWRES_SIZE, width)
    new_h, new_w = resized_size(spec, *(model_size or (height, width)))
    to_input = _linear_matrix(LOWRES_SIZE, IMAGE_SIZE)
    ry = _linear_matrix(new_h, height) @ to_input[:new_h]
    rx = _linear_matrix(new_w, width) @ to_input[:new_w]
    return ry.astype(np.float32), rx.astype(np.float32)


def _linear_matrix(n_in: int, n_out: int) -> np.ndarray:
    """[n_out, n_in] float64 matrix of PyTorch's bilinear interpolation along one axis."""
    i0, i1, w = _linear_taps(n_in, n_out)
    m = np.zeros((n_out, n_in), np.float64)
    rows = np.arange(n_out)
    np.add.at(m, (rows, i0), 1.0 - w.astype(np.float64))
    np.add.at(m, (rows, i1), w.astype(np.float64))
    return m


def _cubic_matrix(n_in: int, n_out: int, a: float = -0.75) -> np.ndarray:
    """[n_out, n_in] float64 matrix of PyTorch's bicubic (align_corners=False, clamped borders)."""
    src = (np.arange(n_out, dtype=np.float64) + 0.5) * (n_in / n_out) - 0.5  # not clamped for cubic
    i0 = np.floor(src)
    t = src - i0

    def near(d):  # |d| <= 1
        return ((a + 2) * d - (a + 3)) * d * d + 1

    def far(d):  # 1 < |d| < 2
        return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a

    weights = np.stack([far(t + 1), near(t), near(1 - t), far(2 - t)], axis=1)
    m = np.zeros((n_out, n_in), np.float64)
    rows = np.repeat(np.arange(n_out), 4)
    taps = np.clip(i0[:, None].astype(np.int64) + np.arange(-1, 3), 0, n_in - 1).ravel()
    np.add.at(m, (rows, taps), weights.ravel())
    return m


def threshold(spec: ModelSpec, logits: np.ndarray) -> np.ndarray:
    """Binary mask as the official predictor makes it (>= 0 for EfficientSAM, > 0 for MobileSAM)."""
    return logits >= 0 if spec.threshold_inclusive else logits > 0


def full_logits(
    spec: ModelSpec, lowres: np.ndarray, height: int, width: int, model_size=None, region=None
) -> np.ndarray:
    """Full-size logits [..., H, W] from low-res logits [..., 256, 256].

    ``region`` (y0, y1, x0, x1) computes only that part of the output.
    """
    ry, rx = upscale_matrices(spec, height, width, model_size)
    (ry_first, ry_last), (rx_first, rx_last) = _band_limits(spec, height, width, model_size)
    if region is not None:
        y0, y1, x0, x1 = region
        ry, ry_first, ry_last = ry[y0:y1], ry_first[y0:y1], ry_last[y0:y1]
        rx, rx_first, rx_last = rx[x0:x1], rx_first[x0:x1], rx_last[x0:x1]
    lowres = np.asarray(lowres, dtype=np.float32)
    out = np.empty(lowres.shape[:-2] + (ry.shape[0], rx.shape[0]), np.float32)
    with _one_blas_thread():
        for index in np.ndindex(lowres.shape[:-2]):
            _upscale_one(lowres[index], ry, (ry_first, ry_last), rx, (rx_first, rx_last), out[index])
    return out


# Interpolation matrices have a few non-zero taps per row, close to the diagonal. Products
# over blocks of BAND_ROWS output rows with only the input columns those rows touch do about
# 1/8 of a dense product's work (4 ms instead of 17 ms for a 1024x1024 mask, measured).
BAND_ROWS = 32


def _upscale_one(low, ry, ry_band, rx, rx_band, out) -> None:
    """out = ry @ low @ rx.T for one [256, 256] array, block by block along the bands."""
    (ry_first, ry_last), (rx_first, rx_last) = ry_band, rx_band
    width = rx.shape[0]
    columns = np.empty((low.shape[0], width), np.float32)  # low @ rx.T
    for j0 in range(0, width, BAND_ROWS):
        j1 = min(j0 + BAND_ROWS, width)
        c0, c1 = rx_first[j0], rx_last[j1 - 1] + 1
        np.matmul(low[:, c0:c1], rx[j0:j1, c0:c1].T, out=columns[:, j0:j1])
    for r0 in range(0, ry.shape[0], BAND_ROWS):
        r1 = min(r0 + BAND_ROWS, ry.shape[0])
        c0, c1 = ry_first[r0], ry_last[r1 - 1] + 1
        np.matmul(ry[r0:r1, c0:c1], columns[c0:c1], out=out[r0:r1])


@functools.lru_cache(maxsize=32)
def _band_limits(spec: ModelSpec, height: int, width: int, model_size=None):
    """((first, last) non-zero column per row of Ry, the same for Rx); both non-decreasing."""
    return tuple(_first_last(m) for m in upscale_matrices(spec, height, width, model_size))


def _first_last(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    first, last = _tap_bounds(m)
    # a row's taps may start before the previous row's: keep block limits covering every row
    return np.minimum.accumulate(first[::-1])[::-1], np.maximum.accumulate(last)


def _tap_bounds(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first and last non-zero column of each row."""
    nz = m != 0
    return nz.argmax(axis=1), m.shape[1] - 1 - nz[:, ::-1].argmax(axis=1)


@functools.lru_cache(maxsize=1)
def _blas_controller():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _one_blas_thread():
    """These products are small. Multi-threaded BLAS leaves its threads spinning after each
    call, and they took the CPUs from onnxruntime's decoder: a click took 106 ms instead of
    52 ms here. One thread avoids that."""
    return _blas_controller().limit(limits=1, user_api="blas")


def mask_region(spec: ModelSpec, lowres: np.ndarray, height: int, width: int, model_size=None):
    """The smallest (y0, y1, x0, x1) box outside which no pixel of the full-size mask can be set.

    None when the mask is certainly empty. The bound is exact, not a heuristic. An output
    logit is sum(w * v) over a small window of low-res logits v, with weights w summing to 1
    whose negative part has mass at most N (bicubic has negative lobes; bilinear has none).
    So it is at most (1 + N) * max(v) + N * max(0, -min(v)) when max(v) >= 0, and at most
    max(v) + N * max(0, -min(v)) otherwise. Only windows where that bound reaches 0 can hold
    mask pixels; the box covers the output pixels whose taps start in such windows.
    """
    (first_y, span_y, neg_y), (first_x, span_x, neg_x) = _tap_cache(spec, height, width, model_size)
    neg = (1 + neg_y) * neg_x + neg_y * (1 + neg_x)  # negative mass of a 2-D kernel wy * wx
    vmax = _running(np.maximum, lowres, span_y, span_x)
    vmin = _running(np.minimum, lowres, span_y, span_x)
    bound = np.where(vmax >= 0, (1 + neg) * vmax, vmax) + neg * np.maximum(0.0, -vmin)
    cells = bound >= 0
    if not cells.any():
        return None
    rows = np.flatnonzero(cells.any(axis=1))
    cols = np.flatnonzero(cells.any(axis=0))
    out_rows = np.flatnonzero((first_y >= rows[0]) & (first_y <= rows[-1]))
    out_cols = np.flatnonzero((first_x >= cols[0]) & (first_x <= cols[-1]))
    return int(out_rows[0]), int(out_rows[-1]) + 1, int(out_cols[0]), int(out_cols[-1]) + 1


def _running(reduce, a: np.ndarray, span_y: int, span_x: int) -> np.ndarray:
    """reduce() over the windows a[i : i + span_y + 1, j : j + span_x + 1] (edge-padded), separably."""
    padded = np.pad(a, ((0, span_y), (0, span_x)), mode="edge")
    rows = padded[: a.shape[0]].copy()
    for k in range(1, span_y + 1):
        reduce(rows, padded[k : k + a.shape[0]], out=rows)
    out = rows[:, : a.shape[1]].copy()
    for k in range(1, span_x + 1):
        reduce(out, rows[:, k : k + a.shape[1]], out=out)
    return out


@functools.lru_cache(maxsize=32)
def _tap_cache(spec: ModelSpec, height: int, width: int, model_size=None):
    ry, rx = upscale_matrices(spec, height, width, model_size)
    return _taps(ry), _taps(rx)


def _taps(m: np.ndarray) -> tuple[np.ndarray, int, float]:
    """Per output row: first tap index; the widest tap span; the largest negative weight mass."""
    first, last = _tap_bounds(m)
    neg = float(-np.clip(m, None, 0).sum(axis=1).min())  # the most negative row
    return first, int((last - first).max()), neg
