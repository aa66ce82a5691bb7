"""``samroi bench --engine``: what a user waits for, next to the naive approach.

Three scenarios, each in a fresh process so that its peak memory is its own:

- click: prompt-to-polygon latency with a cached embedding (one point per labelled object,
  median and p95). Baselines: the same decoder output upscaled to the whole image before
  thresholding and tracing, as the official predictors do; and EfficientSAM's decoder as the
  official ONNX export computes it (bench_plain), alone and with the polygon.
- batch: one box per labelled nucleus of a large image (the 4160x4176 mosaic), all in one
  call: total time, prompts per second, encodes, peak memory. Baseline: the whole image
  downscaled to one 1024 view, encoded once, every prompt decoded there (what tools that
  downscale large images for batches do).
- huge: a 16384x16384 uint16 image made by tiling the mosaic: time from set_image to the
  first polygon, and peak memory. Baseline: the same first prompt on the downscaled view.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import resource
import statistics
import subprocess
import sys
import time
import traceback
from pathlib import Path

import numpy as np

from .engine.images import read_image
from .engine.session import SegmentOptions, Session
from .engine.tiles import Window
from .predictor import Prompt

HUGE_SIDE = 16384


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def label_boxes(labels: np.ndarray) -> list[np.ndarray]:
    """(x0, y0, x1, y1) of every label, the extreme pixel indices it covers."""
    from scipy import ndimage

    boxes = []
    for index, found in enumerate(ndimage.find_objects(labels), start=1):
        if found is not None:
            ys, xs = found
            boxes.append(np.array([xs.start, ys.start, xs.stop - 1, ys.stop - 1], np.float64))
    return boxes


def label_points(labels: np.ndarray) -> list[np.ndarray]:
    """One pixel inside every label (the label pixel nearest its centroid)."""
    from scipy import ndimage

    points = []
    for index, found in enumerate(ndimage.find_objects(labels), start=1):
        if found is None:
            continue
        ys, xs = np.nonzero(labels[found] == index)
        cy, cx = ys.mean(), xs.mean()
        k = int(np.argmin((ys - cy) ** 2 + (xs - cx) ** 2))
        points.append(np.array([[xs[k] + found[1].start, ys[k] + found[0].start]], np.float64))
    return points


def downscaled_view(height: int, width: int, side: int = 1024) -> Window:
    """The whole image as one window, area-downscaled to fit ``side`` (the naive baseline)."""
    step = max(1, -(-max(height, width) // side))
    return Window(0, 0, (height // step) * step, (width // step) * step, step)


def naive_segment(session: Session, prompts: list[Prompt]) -> list[list]:
    """The baseline: every prompt decoded on one downscaled view of the whole image, the mask
    thresholded at the view's resolution and its polygons scaled up by the step."""
    from . import preprocess
    from .engine.session import _to_window
    from .polygons import Shape, mask_to_polygons
    from .predictor import Predictor

    window = downscaled_view(*session.image_shape)
    height, width = window.model_size
    predictor = Predictor(session.runner)
    predictor.set_embedding(session.embedding(window), height, width)
    out = []
    for start in range(0, len(prompts), 8):
        for prediction in predictor.predict_batch([_to_window(p, window) for p in prompts[start : start + 8]]):
            logits = preprocess.full_logits(session.spec, prediction.lowres[prediction.best], height, width)
            shapes = mask_to_polygons(preprocess.threshold(session.spec, logits))
            step = window.step  # back to image pixels
            out.append([Shape(sh.outer * step, tuple(h * step for h in sh.holes), sh.area * step * step) for sh in shapes])
    return out


PLAIN_GROUP = 10  # clicks timed in a row on one thread pool


def scenario_click(model: str, checkpoint: str | None, image_path: str, labels_path: str, clicks: int) -> dict:
    session = Session(model, checkpoint=checkpoint)
    image = read_image(image_path)
    session.set_image(image)
    points = label_points(read_image(labels_path))[:clicks]
    prompts = [Prompt(points=p, labels=np.ones(1)) for p in points]
    session.segment(prompts[0])  # encode once; every click after this reuses the embedding
    shaped = ObjectShapedLogits(session, read_image(labels_path))
    plain = _plain_click(session, checkpoint)
    ours, baseline, object_shaped, plain_decode, plain_polygon = [], [], [], [], []
    # Interleaved in groups, so all see the same machine state. The plain decoder has its own
    # onnxruntime thread pool, whose threads spin for a while after a run and would slow the
    # other pool's next run (and the reverse): one untimed run after each switch of pool.
    for group in range(0, len(prompts), PLAIN_GROUP):
        chosen = prompts[group : group + PLAIN_GROUP]
        session.segment(chosen[0])
        for prompt in chosen:
            start = time.perf_counter()
            session.segment(prompt)
            ours.append(time.perf_counter() - start)
            baseline.append(_full_upscale_click(session, prompt))
            with shaped.replacing(shaped.logits_at(*prompt.points[0])):
                start = time.perf_counter()
                session.segment(prompt)
                object_shaped.append(time.perf_counter() - start)
        if plain is not None:
            plain(chosen[0])
            for prompt in chosen:
                decode, polygon = plain(prompt)
                plain_decode.append(decode)
                plain_polygon.append(polygon)
    plain_figures = {}
    if plain_decode:
        plain_figures = {
            "plain_decode_median_ms": statistics.median(plain_decode) * 1e3,
            "plain_median_ms": statistics.median(plain_polygon) * 1e3,
            "plain_p95_ms": float(np.percentile(plain_polygon, 95)) * 1e3,
        }
    return {
        "scenario": "click",
        "image": Path(image_path).name,
        "clicks": len(prompts),
        "median_ms": statistics.median(ours) * 1e3,
        "p95_ms": float(np.percentile(ours, 95)) * 1e3,
        "baseline_median_ms": statistics.median(baseline) * 1e3,
        "baseline_p95_ms": float(np.percentile(baseline, 95)) * 1e3,
        "object_median_ms": statistics.median(object_shaped) * 1e3,
        "object_p95_ms": float(np.percentile(object_shaped, 95)) * 1e3,
        "random_mask_area": float(np.median(shaped.random_areas)),
        **plain_figures,
        "encodes": session.encodes,
        "peak_rss_mb": _peak_mb(),
    }


CLIP = 8  # the fitted logits are the signed distance to the object's edge, clipped to this


class ObjectShapedLogits:
    """Stands in for trained weights in the click benchmarks.

    The random fixture checkpoint draws noise masks (thousands of specks over a quarter of
    the image), whose upscaling and tracing cost far more than a real object's. Inside
    ``replacing(logits_at(x, y))`` the session's decoder still runs in full, but the logits it
    returns are swapped for logits whose mask is the labelled object at pixel (x, y) (a
    least-squares fit of its signed distance, clipped to CLIP, through the model's upscaling), so the
    rest of the click costs what it would with a trained model that finds that object.

    For an image of one tile (the session's current image) and its label image.
    """

    def __init__(self, session: Session, labels: np.ndarray) -> None:
        from scipy import ndimage

        from . import preprocess

        if not session.grid.single or labels.shape != session.image_shape:
            raise ValueError(f"need a one-tile image and its labels; got labels {labels.shape} for {session.image_shape}")
        self._runner = session.runner
        self._decode = session.runner.decode
        self._labels = labels
        window = session.grid.windows[0]
        ry, rx = preprocess.upscale_matrices(session.spec, window.height, window.width)
        ry_inv, rx_inv = np.linalg.pinv(ry), np.linalg.pinv(rx)
        # Fitted once for every object, so that no click pays for it. The clipped distance is
        # -CLIP away from the object: a constant part plus a small crop around the object.
        background = -CLIP * (ry_inv.sum(axis=1)[:, None] * rx_inv.sum(axis=1)[None, :])
        self._fitted: dict[int, np.ndarray] = {}
        for label, found in enumerate(ndimage.find_objects(labels), start=1):
            if found is None:
                continue
            ys, xs = (slice(max(0, f.start - CLIP - 1), f.stop + CLIP + 1) for f in found)
            obj = labels[ys, xs] == label
            signed = ndimage.distance_transform_edt(obj) - ndimage.distance_transform_edt(~obj)
            inside = ry_inv[:, ys] @ (np.clip(signed, -CLIP, CLIP) + CLIP) @ rx_inv[:, xs].T
            self._fitted[label] = (background + inside).astype(np.float32)
        self._current = None
        self.random_areas: list[float] = []  # mask area of the logits replaced, for the report

    def logits_at(self, x: float, y: float) -> np.ndarray | None:
        """Low-res logits [256, 256] whose mask is the object at pixel (x, y); None on background."""
        return self._fitted.get(int(self._labels[int(y), int(x)]))

    def _replaced(self, embedding, coords, labels, masks):
        lowres, iou = self._decode(embedding, coords, labels, masks)
        self.random_areas.append(float((lowres > 0).mean()))
        return np.broadcast_to(self._current, lowres.shape).copy(), iou

    @contextlib.contextmanager
    def replacing(self, logits: np.ndarray | None):
        """Decoder calls return ``logits`` for every mask inside (unchanged when None)."""
        if logits is None:
            yield
            return
        self._current = logits
        self._runner.decode = self._replaced
        try:
            yield
        finally:
            del self._runner.decode  # the class's own decode again


class ObjectShapedSession(Session):
    """A Session whose clicks on labelled objects give those objects' masks (ObjectShapedLogits),
    for the Java and ImageJ benchmarks, which run it in the worker (worker.benchmark_session_factory:
    ``SAMROI_BENCHMARK_LABELS`` names label images, separated by os.pathsep). An image of one
    tile with the size of one of them uses it; other images, and prompts of several objects or
    without points, segment as usual.
    """

    def __init__(self, *args, labels: list[np.ndarray], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._label_images = labels
        self._shaped: ObjectShapedLogits | None = None

    def set_image(self, image, **kwargs) -> None:
        super().set_image(image, **kwargs)
        self._shaped = None  # made at the first click: the fit's set-up takes a while

    def segment(self, prompts, options=None, **kwargs):
        first = prompts if isinstance(prompts, Prompt) else prompts[0] if len(prompts) == 1 else None
        shaped = self._stand_in() if first is not None and first.points is not None else None
        if shaped is None:
            return super().segment(prompts, options, **kwargs)
        x, y = np.asarray(first.points, np.float64).reshape(-1, 2)[0]
        with shaped.replacing(shaped.logits_at(x, y)):
            return super().segment(prompts, options, **kwargs)

    def _stand_in(self) -> ObjectShapedLogits | None:
        if self._shaped is None and self.source is not None and self.grid.single:
            found = [labels for labels in self._label_images if labels.shape == self.image_shape]
            if found:
                self._shaped = ObjectShapedLogits(self, found[0])
        return self._shaped


def object_shaped_factory(paths: str):
    """A WorkerState session factory making ObjectShapedSessions for the label images in
    ``paths`` (separated by os.pathsep)."""
    import os

    labels = [read_image(p) for p in paths.split(os.pathsep) if p]

    def factory(model, runtime, checkpoint, cache=None):
        return ObjectShapedSession(model, runtime, checkpoint, cache=cache, labels=labels)

    return factory


def _plain_click(session: Session, checkpoint: str | None):
    """A function timing one prompt through bench_plain's decoder: (seconds to the full-size
    masks, seconds to the polygon); None for models other than EfficientSAM or without torch
    and onnxscript (the development dependencies), which building that decoder needs."""
    if session.spec.family != "efficientsam":
        return None
    if any(importlib.util.find_spec(name) is None for name in ("torch", "onnxscript")):
        return None  # found, not imported: torch stays out of the timed process
    from . import weights
    from .bench_plain import PlainClick

    window = session.grid.windows[0]
    path = str(weights.find_checkpoint(session.spec.name, checkpoint))
    plain = PlainClick(session.spec, path, window.height, window.width, threads=session.runner.threads)
    embedding = np.ascontiguousarray(session.embedding(window), np.float32)  # once, not per click

    def click(prompt: Prompt) -> tuple[float, float]:
        start = time.perf_counter()
        logits, iou = plain.masks(embedding, prompt.points, prompt.labels)
        decoded = time.perf_counter()
        plain.polygons_of(logits, iou)
        return decoded - start, time.perf_counter() - start

    return click


def _full_upscale_click(session: Session, prompt: Prompt) -> float:
    """Decoder, full-size upscaling, threshold and tracing: the official predictors' way."""
    from . import preprocess
    from .polygons import mask_to_polygons
    from .predictor import Predictor

    start = time.perf_counter()
    window = session.grid.windows[0]
    predictor = Predictor(session.runner)
    predictor.set_embedding(session.embedding(window), window.height, window.width)
    prediction = predictor.predict(prompt.points, prompt.labels, prompt.box)
    best = prediction.best
    logits = preprocess.full_logits(session.spec, prediction.lowres[best], window.height, window.width)
    mask_to_polygons(preprocess.threshold(session.spec, logits))
    return time.perf_counter() - start


def scenario_batch(model: str, checkpoint: str | None, image_path: str, labels_path: str, naive: bool) -> dict:
    session = Session(model, checkpoint=checkpoint)
    image = read_image(image_path)
    session.set_image(image)
    prompts = [Prompt(box=b) for b in label_boxes(read_image(labels_path))]
    start = time.perf_counter()
    if naive:
        empty = sum(1 for shapes in naive_segment(session, prompts) if not shapes)
    else:
        results = session.segment(prompts, SegmentOptions(keep_masks=False))
        empty = sum(1 for r in results if not r.best.shapes)
    seconds = time.perf_counter() - start
    return {
        "scenario": "batch-naive" if naive else "batch",
        "image": Path(image_path).name,
        "prompts": len(prompts),
        "seconds": seconds,
        "prompts_per_s": len(prompts) / seconds,
        "encodes": session.encodes,
        "empty_masks": empty,
        "reruns": 0 if naive else sum(r.rerun for r in results),
        "peak_rss_mb": _peak_mb(),
    }


def huge_image(mosaic_path: str, side: int = HUGE_SIDE) -> np.ndarray:
    """A side x side uint16 image made by tiling the mosaic (values scaled to 16 bits)."""
    mosaic = read_image(mosaic_path)
    reps = (-(-side // mosaic.shape[0]), -(-side // mosaic.shape[1]))
    out = np.empty((side, side), np.uint16)
    for i in range(reps[0]):
        for j in range(reps[1]):
            y, x = i * mosaic.shape[0], j * mosaic.shape[1]
            h, w = min(mosaic.shape[0], side - y), min(mosaic.shape[1], side - x)
            out[y : y + h, x : x + w] = mosaic[:h, :w].astype(np.uint16) * 257
    return out


def scenario_huge(model: str, checkpoint: str | None, mosaic_path: str, naive: bool) -> dict:
    session = Session(model, checkpoint=checkpoint)
    image = huge_image(mosaic_path)
    image_mb = image.nbytes / 2**20
    before = _peak_mb()
    prompt = Prompt(points=np.array([[9000.0, 7000.0]]), labels=np.ones(1))
    start = time.perf_counter()
    session.set_image(image)
    if naive:
        naive_segment(session, [prompt])
    else:
        session.segment(prompt)
    first = time.perf_counter() - start
    tile_encode = _one_tile_encode(session)
    return {
        "scenario": "huge-naive" if naive else "huge",
        "side": HUGE_SIDE,
        "image_mb": image_mb,
        "first_polygon_s": first,
        "one_tile_encode_s": tile_encode,
        "encodes": session.encodes,
        "peak_rss_mb": _peak_mb(),
        "rss_before_mb": before,
    }


def _one_tile_encode(session: Session) -> float:
    from . import preprocess

    x = preprocess.model_input(session.spec, np.zeros((1024, 1024, 3)))
    start = time.perf_counter()
    session.runner.encode(x)
    return time.perf_counter() - start



def run(model: str, checkpoint: str | None, sample: Path, data: Path | None, clicks: int = 50, progress=print) -> dict:
    """Every scenario in its own process; scenarios whose images are missing are skipped."""
    from .bench import machine, matmul_gflops
    from .runtime.onnx_runner import default_threads

    progress("fp32 matrix product (the machine's speed now) ...")
    ceiling = matmul_gflops()
    jobs = [("click", [str(sample / "nuclei.tif"), str(sample / "nuclei_labels.tif"), str(clicks)])]
    mosaic = data / "mosaic_dsb_fluo_4160x4176.tif" if data else None
    if mosaic and mosaic.is_file():
        labels = str(data / "mosaic_dsb_fluo_4160x4176_labels.tif")
        for naive in ("0", "1"):
            jobs.append(("batch", [str(mosaic), labels, naive]))
        for naive in ("0", "1"):
            jobs.append(("huge", [str(mosaic), naive]))
    results = []
    for name, args in jobs:
        progress(f"engine: {name} {' '.join(Path(a).name for a in args)} ...")
        child = subprocess.run(
            [sys.executable, "-m", "samroi.bench_engine", name, model, checkpoint or "", *args],
            capture_output=True,
            text=True,
        )
        label = name + ("-naive" if args[-1] == "1" and name in ("batch", "huge") else "")
        try:
            result = json.loads(child.stdout.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):  # died without a word: its last line of stderr
            result = {"error": (child.stderr.strip().splitlines() or ["no output"])[-1]}
        results.append({"scenario": label, **result} if "error" in result else result)
    return {"model": model, "machine": machine(default_threads()), "matmul_gflops": ceiling, "results": results}


def format_table(report: dict) -> str:
    rows = {r["scenario"]: r for r in report["results"]}
    lines = [f"engine, {report['model']}:", ""]
    if "machine" in report:
        lines += [
            f"fp32 matrix product before the scenarios: {report['matmul_gflops']:.0f} GFLOP/s on "
            f"{report['machine']['threads']} threads ({report['machine']['processor']})",
            "",
        ]
    lines += ["| scenario | samroi | naive baseline | peak RSS (MB) |", "|---|---|---|---:|"]
    if "click" in rows and "error" not in rows["click"]:
        r = rows["click"]
        lines.append(
            f"| prompt to polygon, cached embedding ({r['clicks']} clicks, {r['image']}) | "
            f"median {r['median_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms | full-size upscaling: median "
            f"{r['baseline_median_ms']:.1f} ms, p95 {r['baseline_p95_ms']:.1f} ms | {r['peak_rss_mb']:.0f} |"
        )
        if "plain_median_ms" in r:
            lines.append(
                f"| the same clicks through the plain decoder (the official ONNX export's formulation, three "
                f"masks upscaled to the image) | | decoder {r['plain_decode_median_ms']:.1f} ms; with the polygon: "
                f"median {r['plain_median_ms']:.1f} ms, p95 {r['plain_p95_ms']:.1f} ms | |"
            )
        if "object_median_ms" in r:
            lines.append(
                f"| the same clicks, the decoder's masks shaped like the clicked nuclei (what trained weights "
                f"give; the random checkpoint's masks cover {100 * r['random_mask_area']:.0f}% of the low-res grid) | "
                f"median {r['object_median_ms']:.1f} ms, p95 {r['object_p95_ms']:.1f} ms | | |"
            )
    if "batch" in rows and "error" not in rows["batch"]:
        r, n = rows["batch"], rows.get("batch-naive", {})
        naive = (
            f"{n['seconds']:.0f} s, {n['prompts_per_s']:.1f} prompts/s, {n['encodes']} encode(s), "
            f"{n['peak_rss_mb']:.0f} MB" if "seconds" in n else "n/a"
        )
        lines.append(
            f"| batch, {r['prompts']} boxes on {r['image']} | {r['seconds']:.0f} s, {r['prompts_per_s']:.1f} prompts/s, "
            f"{r['encodes']} encodes, {r['reruns']} re-runs across tile sides | {naive} | {r['peak_rss_mb']:.0f} |"
        )
    if "huge" in rows and "error" not in rows["huge"]:
        r, n = rows["huge"], rows.get("huge-naive", {})
        naive = f"{n['first_polygon_s']:.1f} s, {n['peak_rss_mb']:.0f} MB" if "first_polygon_s" in n else "n/a"
        lines.append(
            f"| first polygon on {r['side']}x{r['side']} uint16 ({r['image_mb']:.0f} MB) | {r['first_polygon_s']:.2f} s "
            f"(one tile encode {r['one_tile_encode_s']:.2f} s: {r['first_polygon_s'] / r['one_tile_encode_s']:.2f}x) | "
            f"{naive} | {r['peak_rss_mb']:.0f} |"
        )
    for r in report["results"]:
        if "error" in r:
            lines.append(f"| {r['scenario']} | failed: {r['error']} | | |")
    return "\n".join(lines)


if __name__ == "__main__":  # one scenario, run by run() in a child process
    name, model, checkpoint, *rest = sys.argv[1:]
    checkpoint = checkpoint or None
    try:
        if name == "click":
            out = scenario_click(model, checkpoint, rest[0], rest[1], int(rest[2]))
        elif name == "batch":
            out = scenario_batch(model, checkpoint, rest[0], rest[1], rest[2] == "1")
        else:
            out = scenario_huge(model, checkpoint, rest[0], rest[1] == "1")
    except Exception as error:  # the table gets the message's first line, stderr the traceback
        traceback.print_exc()
        print(json.dumps({"error": f"{type(error).__name__}: {(str(error).splitlines() or [''])[0]}"}))
        sys.exit(1)
    print(json.dumps(out))
