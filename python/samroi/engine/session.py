"""A segmentation session: one model, one image at a time, many prompts.

    session = Session("efficientsam-ti")
    session.set_image(pixels)                       # any 2-D microscopy image; nothing encoded yet
    [obj] = session.segment([Prompt(box=[40, 60, 90, 120])])
    obj.best.shapes                                 # pixel-edge polygons in image coordinates

Images larger than one tile are covered by a grid of overlapping 1024-pixel tiles at native
resolution (samroi.engine.tiles); only the tiles that prompts need are encoded, and each
embedding is cached under a key of model, checkpoint, normalisation and pixels, so clicks
on the same tile, re-opened images and macro calls reuse it.

Objects that cross a tile side. A prompt is decoded in the tile that centres it. When the
resulting mask reaches a side of that tile that lies inside the image, the object probably
goes on beyond it, so samroi decodes the same prompt again in the grid tile that contains the
mask's bounding box (the one centring it best). Re-running beats merging masks from two
tiles: the model sees the whole object at once, and the result is one mask from one forward
pass. Tiles overlap by ``overlap`` pixels (256 by default), so every object up to that size
has such a tile; only grid tiles are used for this, so a batch never encodes more than the
grid. Larger objects that cross a side keep the first result: raise ``overlap`` (or the
tile) for them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from .. import preprocess
from ..errors import Cancelled, InputError
from ..modelspec import DEFAULT_MODEL
from ..polygons import Shape, mask_to_polygons, polygon_iou, simplify_shapes
from ..predictor import Predictor, Prompt, check_prompt
from .cache import EmbeddingCache
from .images import ImageSource, Normalization
from .tiles import DEFAULT_OVERLAP, DEFAULT_TILE, TileGrid, Window

DECODE_CHUNK = 8  # queries per decoder call: each holds ~40 MB of activations
ProgressFn = Callable[[int, int, str], None]


@dataclass
class SegmentOptions:
    """How prompts become masks and polygons."""

    multimask: bool = True  # let the decoder propose 3 masks and keep the one it rates best
    all_masks: bool = False  # return every proposed mask, best first, instead of the best only
    all_components: bool = False  # every connected part of a mask, not just the largest
    min_area: int = 0  # drop parts with fewer pixels
    keep_holes: bool = True
    simplify: float = 0.0  # polygon simplification tolerance in pixels (0: exact)
    # Keep each mask as a bool crop. Batches that only need polygons (the CLI, the worker)
    # turn this off: a crop can be a whole tile, and thousands of them add up to gigabytes.
    keep_masks: bool = True


@dataclass
class MaskResult:
    """One mask for one prompt: a crop of the image plus its polygons."""

    score: float  # the decoder's predicted IoU
    mask: np.ndarray | None  # bool crop (None when SegmentOptions.keep_masks is off)
    y0: int  # crop position in the image
    x0: int
    shapes: list[Shape]
    window: Window
    simplified_iou: float = 1.0  # IoU of the simplified polygons with the exact mask
    pixels: int = 0  # the area, kept when the mask itself is not

    def drop_mask(self) -> None:
        if self.mask is not None:
            self.pixels = int(self.mask.sum())
            self.mask = None

    @property
    def area(self) -> int:
        """Mask pixels (all of them, also parts the polygon options dropped)."""
        return self.pixels if self.mask is None else int(self.mask.sum())

    def full_mask(self, height: int, width: int) -> np.ndarray:
        if self.mask is None:
            raise ValueError("the mask was not kept (SegmentOptions.keep_masks=False)")
        out = np.zeros((height, width), bool)
        h, w = self.mask.shape
        out[self.y0 : self.y0 + h, self.x0 : self.x0 + w] = self.mask
        return out


@dataclass
class ObjectResult:
    """Everything one prompt produced: its masks, best first."""

    prompt_index: int
    masks: list[MaskResult] = field(default_factory=list)
    rerun: bool = False  # decoded again in a second window because it crossed a tile side

    @property
    def best(self) -> MaskResult:
        return self.masks[0]


class Session:
    """One model with its runtime, an embedding cache, and the current image."""

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        runtime: str = "onnx",
        checkpoint=None,
        *,
        threads: int | None = None,
        tile: int = DEFAULT_TILE,
        overlap: int = DEFAULT_OVERLAP,
        cache: EmbeddingCache | None = None,
        runner=None,
    ):
        if runner is None:
            from ..runtime import load_runner

            runner = load_runner(model, runtime, checkpoint=checkpoint, threads=threads)
        self.runner = runner
        self.spec = runner.spec
        self.tile, self.overlap = tile, overlap
        TileGrid(tile, tile, tile, overlap)  # validates the numbers early
        self.cache = cache if cache is not None else EmbeddingCache()
        self.model_key = f"{self.spec.name}:{getattr(runner, 'identity', 'unknown')}"
        self.source: ImageSource | None = None
        self.normalizer = None
        self.grid: TileGrid | None = None
        self._keys: dict[Window, str] = {}
        self.encodes = 0  # encoder runs so far (benchmarks and tests read it)
        self._lock = threading.RLock()  # one image at a time; the worker may call from threads

    # ------------------------------------------------------------------------ image

    def set_image(
        self,
        image: np.ndarray,
        *,
        channel: int | None = None,
        rgb_channels: Sequence[int] | None = None,
        normalize: str | Normalization = "percentile",
    ) -> None:
        """Use ``image`` (2-D, or channels last) for the following prompts. Nothing is encoded yet."""
        norm = Normalization.parse(normalize) if isinstance(normalize, str) else normalize
        source = ImageSource(image, channel=channel, rgb_channels=tuple(rgb_channels) if rgb_channels else None)
        normalizer = source.fit(norm)
        with self._lock:
            self.source, self.normalizer = source, normalizer
            self._keys: dict[Window, str] = {}
            self.grid = TileGrid(source.height, source.width, self.tile, self.overlap)

    def clear_image(self) -> None:
        """Forget the current image (its embeddings stay cached)."""
        with self._lock:
            self.source = self.normalizer = self.grid = None
            self._keys = {}

    @property
    def image_shape(self) -> tuple[int, int]:
        self._require_image()
        return self.source.height, self.source.width

    def _require_image(self) -> None:
        if self.source is None:
            raise InputError("no image set: call set_image() first")

    # ------------------------------------------------------------------------ prompts

    def segment(
        self,
        prompts: Sequence[Prompt] | Prompt,
        options: SegmentOptions | None = None,
        *,
        progress: ProgressFn | None = None,
        cancel: threading.Event | None = None,
    ) -> list[ObjectResult]:
        """Segment one object per prompt. Prompts sharing a tile share its encoding and decoder calls.

        A bad prompt raises PromptError before anything runs; the session is unchanged.
        """
        if isinstance(prompts, Prompt):
            prompts = [prompts]
        options = options or SegmentOptions()
        with self._lock:
            self._require_image()
            height, width = self.image_shape
            for index, prompt in enumerate(prompts):
                try:
                    check_prompt(self.spec, prompt, height, width)
                except InputError as err:
                    raise type(err)(f"prompt {index + 1}: {err}") from None
            results = [ObjectResult(i) for i in range(len(prompts))]
            plan = _group([(i, self.grid.window_for(_extent(p))) for i, p in enumerate(prompts)])
            total = len(plan)
            reruns: list[tuple[int, Window]] = []
            for done, (window, members) in enumerate(plan):
                _check(cancel)
                if progress:
                    progress(done, total, f"tile {done + 1}/{total}")
                for index, masks in zip(members, self._decode(window, [prompts[i] for i in members], options, cancel)):
                    results[index].masks = masks
                    retry = self._crossing_window(masks[0], prompts[index], window)
                    if retry is not None:
                        reruns.append((index, retry))
                    elif not options.keep_masks:
                        _drop_masks(masks)
            second = _group(reruns)
            for done, (window, members) in enumerate(second):
                _check(cancel)
                if progress:
                    progress(total + done, total + len(second), "objects crossing tile sides")
                for index, masks in zip(members, self._decode(window, [prompts[i] for i in members], options, cancel)):
                    results[index].masks = masks
                    results[index].rerun = True
                    if not options.keep_masks:
                        _drop_masks(masks)
            if progress:
                progress(1, 1, "done")
            return results

    def embedding(self, window: Window) -> np.ndarray:
        """The image embedding of ``window``, from the cache or the encoder."""
        key = self._keys.get(window)
        if key is None:  # hashing a tile's pixels takes milliseconds: once per image is enough
            key = "|".join(
                (
                    self.model_key,
                    self.normalizer.key(),
                    f"{window.y0},{window.x0},{window.height},{window.width},{window.step}",
                    self.source.content_key(window.y0, window.y1, window.x0, window.x1),
                )
            )
            self._keys[window] = key
        found = self.cache.get(key)
        if found is not None:
            return found
        rgb = self._window_rgb(window)
        embedding = self.runner.encode(preprocess.model_input(self.spec, rgb))
        self.encodes += 1
        self.cache.put(key, embedding)
        return embedding

    def _window_rgb(self, window: Window) -> np.ndarray:
        """The normalised RGB picture of a window, area-downscaled when step > 1.

        Downscaling goes in bands of rows so that a huge window never exists at full
        resolution in float32.
        """
        step = window.step
        if step == 1:
            return self.normalizer.apply(self.source.crop(window.y0, window.y1, window.x0, window.x1))
        out_h, out_w = window.model_size
        out = np.empty((out_h, out_w, 3), np.float32)
        band = max(1, 256 // step) * step
        for top in range(0, out_h * step, band):
            rows = min(band, out_h * step - top)
            crop = self.source.crop(window.y0 + top, window.y0 + top + rows, window.x0, window.x0 + out_w * step)
            rgb = self.normalizer.apply(crop)
            out[top // step : (top + rows) // step] = rgb.reshape(rows // step, step, out_w, step, 3).mean(axis=(1, 3))
        return out

    def _decode(self, window: Window, prompts: list[Prompt], options: SegmentOptions, cancel) -> list[list[MaskResult]]:
        model_h, model_w = window.model_size
        predictor = Predictor(self.runner)
        predictor.set_embedding(self.embedding(window), model_h, model_w)
        local = [_to_window(p, window) for p in prompts]
        out: list[list[MaskResult]] = []
        for start in range(0, len(local), DECODE_CHUNK):
            _check(cancel)
            chunk = local[start : start + DECODE_CHUNK]
            for prediction in predictor.predict_batch(chunk, options.multimask, best_only=not options.all_masks):
                order = np.argsort(-prediction.iou, kind="stable")
                chosen = order if options.all_masks else order[:1]
                out.append([self._mask(prediction, int(m), window, options) for m in chosen])
        return out

    def _mask(self, prediction, m: int, window: Window, options: SegmentOptions) -> MaskResult:
        model_size = window.model_size if window.step > 1 else None
        lowres = prediction.lowres[m]
        region = preprocess.mask_region(self.spec, lowres, window.height, window.width, model_size)
        score = float(prediction.iou[m])
        if region is None:
            return MaskResult(score, np.zeros((0, 0), bool), window.y0, window.x0, [], window)
        logits = preprocess.full_logits(self.spec, lowres, window.height, window.width, model_size, region=region)
        mask = preprocess.threshold(self.spec, logits)
        y0, x0 = window.y0 + region[0], window.x0 + region[2]
        shapes = mask_to_polygons(
            mask,
            offset=(x0, y0),
            all_components=options.all_components,
            min_area=options.min_area,
            keep_holes=options.keep_holes,
        )
        result = MaskResult(score, mask, y0, x0, shapes, window)
        if options.simplify > 0 and shapes:
            simple = simplify_shapes(shapes, options.simplify)
            local = [s.translated(-x0, -y0) for s in shapes]
            result.simplified_iou = polygon_iou(local, [s.translated(-x0, -y0) for s in simple], mask.shape)
            result.shapes = simple
        return result

    def _crossing_window(self, result: MaskResult, prompt: Prompt, window: Window) -> Window | None:
        """A better window when the mask reaches a side of ``window`` inside the image."""
        if self.grid.single or not result.mask.size or not result.mask.any():
            return None
        mask = result.mask
        rows = np.flatnonzero(mask.any(axis=1))
        cols = np.flatnonzero(mask.any(axis=0))
        top, bottom = result.y0 + rows[0], result.y0 + rows[-1]
        left, right = result.x0 + cols[0], result.x0 + cols[-1]
        inner = window.inner_sides(self.source.height, self.source.width)
        touches = (
            (inner["top"] and top <= window.y0)
            or (inner["bottom"] and bottom >= window.y1 - 1)
            or (inner["left"] and left <= window.x0)
            or (inner["right"] and right >= window.x1 - 1)
        )
        if not touches:
            return None
        px0, py0, px1, py1 = _extent(prompt)
        extent = (min(left, px0), min(top, py0), max(right, px1), max(bottom, py1))
        better = self.grid.tile_containing(extent)  # grid tiles only: their encodings are shared
        return None if better is None or better == window else better


def _extent(prompt: Prompt) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) pixel bounds of everything in a prompt."""
    xs, ys = [], []
    if prompt.points is not None:
        pts = np.asarray(prompt.points, np.float64).reshape(-1, 2)
        xs += list(pts[:, 0])
        ys += list(pts[:, 1])
    if prompt.box is not None:
        x0, y0, x1, y1 = np.asarray(prompt.box, np.float64).reshape(4)
        xs += [x0, x1]
        ys += [y0, y1]
    return min(xs), min(ys), max(xs), max(ys)


def _to_window(prompt: Prompt, window: Window) -> Prompt:
    """The prompt in the coordinates of the picture the model sees for ``window``.

    A pixel index maps through its centre: (x + 0.5 - x0) / step - 0.5.
    """

    def local(xy):
        return (np.asarray(xy, np.float64).reshape(-1, 2) + 0.5 - (window.x0, window.y0)) / window.step - 0.5

    points = None if prompt.points is None else local(prompt.points)
    box = None if prompt.box is None else local(prompt.box).reshape(4)
    return Prompt(points, prompt.labels, box)


def _group(pairs: list[tuple[int, Window]]) -> list[tuple[Window, list[int]]]:
    """Prompt indices by window, windows in reading order (spatially coherent)."""
    groups: dict[Window, list[int]] = {}
    for index, window in pairs:
        groups.setdefault(window, []).append(index)
    return sorted(groups.items(), key=lambda item: (item[0].y0, item[0].x0, item[0].step))


def _drop_masks(masks: list[MaskResult]) -> None:
    for mask in masks:
        mask.drop_mask()


def _check(cancel) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled("segmentation cancelled; results so far were discarded")
