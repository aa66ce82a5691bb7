"""The default runtime: onnxruntime on the CPU, with no torch in the environment."""

from __future__ import annotations

import os
import re
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Mapping

import numpy as np
import onnxruntime as ort

from .. import paths
from ..modelspec import ALL_MASKS, MODELS, ModelSpec
from . import graphs


def default_threads() -> int:
    """The CPUs this process may use (affinity-aware where the platform tells)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def session_options(threads: int | None = None) -> ort.SessionOptions:
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads or default_threads()
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # errors only; ORT's warnings mean nothing to a user
    return options


class OnnxRunner:
    """The graphs of one checkpoint (graphs.paths_in of its folder): encoder, the decoder's
    per-image part (prepare) and decoder."""

    def __init__(self, spec: ModelSpec, files: Mapping[str, Path], threads: int | None = None, identity: str | None = None):
        self.spec = spec
        # Names the weights in embedding-cache keys: the checkpoint's identity when known.
        self.identity = identity or Path(files["encoder"]).parent.name
        self.threads = threads or default_threads()
        options = session_options(self.threads)
        providers = ["CPUExecutionProvider"]
        self._encoder = ort.InferenceSession(str(files["encoder"]), options, providers=providers)
        self._prepare = ort.InferenceSession(str(files["prepare"]), options, providers=providers)
        # onnxruntime fuses each residual Add into the LayerNorm after it (SkipLayerNormalization);
        # for the decoder's 4096 x 256 image tokens that kernel measured slower than the two ops.
        self._decoder = ort.InferenceSession(
            str(files["decoder"]), options, providers=providers, disabled_optimizers=["SkipLayerNormFusion"]
        )
        self._merges_padding = any(i.name == "point_log_counts" for i in self._decoder.get_inputs())
        self._prepared = PreparedImages(self._prepare)

    @classmethod
    def for_checkpoint(cls, spec: ModelSpec, checkpoint=None, threads: int | None = None, attention: str = graphs.DEFAULT_ATTENTION):
        folder = ensure_onnx(spec, checkpoint, attention=attention)
        return cls(spec, graphs.paths_in(folder), threads=threads, identity=folder.name)

    def encode(self, x: np.ndarray) -> np.ndarray:
        """The embedding [1, 256, 64, 64], a read-only view of the encoder's channels-last output."""
        tokens = self._encoder.run(None, {"image": np.ascontiguousarray(x, dtype=np.float32)})[0]
        tokens.flags.writeable = False  # so that decode() may keep what it derives from it
        batch, pixels, channels = tokens.shape
        side = int(round(pixels**0.5))
        return tokens.transpose(0, 2, 1).reshape(batch, channels, side, side)

    def decode(self, embedding: np.ndarray, coords: np.ndarray, labels: np.ndarray, masks=ALL_MASKS):
        """(low-res logits [Q, K, 256, 256] of the K mask tokens ``masks`` (see
        samroi.modelspec.BEST_MULTIMASK), predicted IoU of all four [Q, 4])."""
        feed = self._prepared.get(embedding)
        if self._merges_padding:
            coords, labels, feed["point_log_counts"] = merge_padding(coords, labels)
        feed["coords"] = np.ascontiguousarray(coords, dtype=np.float32)
        feed["labels"] = np.ascontiguousarray(labels, dtype=np.float32)
        feed["masks"] = np.asarray(masks, dtype=np.int64).reshape(-1)
        lowres, iou = self._decoder.run(None, feed)
        return lowres, iou


class PreparedImages:
    """The prepare graph's outputs for the last few read-only embeddings decoded.

    Clicks come in runs on one image (or tile), so a handful of entries serves them all.
    An entry is found by the embedding's memory and holds a reference to the embedding, so
    the memory cannot be reused for another image while the entry lives. Only read-only
    embeddings (encode()'s and the embedding cache's) are kept: the values of a writable
    array may change between calls.
    """

    def __init__(self, session: ort.InferenceSession, size: int = 4):
        self._session = session
        # EfficientSAM's prepare graph passes its input on as its "image" output, whose name
        # the input then takes.
        self._input = session.get_inputs()[0].name
        self._names = [o.name for o in session.get_outputs()]
        self._size = size
        self._entries: OrderedDict[tuple, tuple[np.ndarray, dict]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, embedding: np.ndarray) -> dict[str, np.ndarray]:
        """A new feed dict holding the decoder's image inputs for ``embedding``."""
        embedding = np.asarray(embedding)
        if embedding.flags.writeable:
            return self._run(embedding)
        key = (embedding.__array_interface__["data"][0], embedding.shape, embedding.strides, embedding.dtype.str)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                return dict(entry[1])
        prepared = self._run(embedding)
        with self._lock:
            self._entries[key] = (embedding, prepared)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return dict(prepared)

    def _run(self, embedding: np.ndarray) -> dict[str, np.ndarray]:
        """A new dict of the prepare graph's outputs by name."""
        outputs = self._session.run(None, {self._input: _image_tokens(embedding)})
        return dict(zip(self._names, outputs))


def _image_tokens(embedding: np.ndarray) -> np.ndarray:
    """[1, C, h, w] -> [1, h*w, C] float32; free for embeddings made by encode() (views of
    channels-last arrays), a copy for others (e.g. read from a file)."""
    batch, channels = embedding.shape[:2]
    tokens = embedding.reshape(batch, channels, -1).transpose(0, 2, 1)
    return np.ascontiguousarray(tokens, dtype=np.float32)


# A slot weighted this much less is ignored: exp(-1e4) is 0 in float32.
EMPTY_SLOT = -1e4


def merge_padding(coords: np.ndarray, labels: np.ndarray):
    """EfficientSAM's prompts with their padding points merged into one weighted point.

    EfficientSAM takes exactly 6 points per object; a click is 1 point and 5 identical padding
    points (label -1). Identical tokens stay identical through the decoder, so one of them
    whose attention weight counts log(5) times gives the same result with 7 tokens instead of
    11 (a third less decoder work). Returns (coords [Q, P', 2], labels [Q, P'],
    point_log_counts [Q, P']): each object's real points first, then its padding point (if
    any), then empty slots (EMPTY_SLOT) where objects have fewer points than the widest.
    """
    pad = labels == -1
    order = np.argsort(pad, axis=1, kind="stable")  # real points first, in their order
    coords = np.take_along_axis(coords, order[:, :, None], axis=1)
    labels = np.take_along_axis(labels, order, axis=1)
    real = (~pad).sum(axis=1)
    pads = pad.sum(axis=1)
    width = int((real + (pads > 0)).max())
    slot = np.arange(width)[None, :]
    log_counts = np.where(slot < real[:, None], 0.0, EMPTY_SLOT)
    first_pad = (slot == real[:, None]) & (pads[:, None] > 0)
    log_counts = np.where(first_pad, np.log(np.maximum(pads, 1))[:, None], log_counts)
    return coords[:, :width], labels[:, :width], log_counts.astype(np.float32)


def onnx_folder(spec: ModelSpec, identity: str, attention: str = graphs.DEFAULT_ATTENTION) -> Path:
    """Cache folder of the ONNX graphs for one checkpoint (by its identity) of ``spec``.

    The name also carries the templates' digest, so a samroi with changed networks builds
    new graphs instead of running the old ones.
    """
    suffix = "" if attention == graphs.DEFAULT_ATTENTION else f"-{attention}"
    return paths.onnx_dir() / f"{spec.name}-{identity[:16]}-{graphs.templates_digest(spec)[:8]}{suffix}"


# onnx_folder()'s names: model, checkpoint identity, templates digest, optional attention suffix.
_BUILD_NAME = re.compile(r"^(?P<model>[a-z0-9-]+?)-[0-9a-f]{16}-(?P<digest>[0-9a-f]{8})(-[a-z]+)?$")
UNFINISHED_AGE_S = 3600  # an unfinished build (.part) this old was cut off, not still running


def build_name(folder: Path) -> tuple[str, str] | None:
    """(model name, templates digest) of a folder named by onnx_folder(), else None."""
    match = _BUILD_NAME.match(folder.name)
    return (match["model"], match["digest"]) if match else None


def stale_onnx_builds(now: float | None = None) -> list[Path]:
    """Folders under paths.onnx_dir() that this samroi will never use: graphs built from another
    version's templates (another digest in the name; a samroi that needs them builds them
    again) and unfinished builds left by a crash, older than UNFINISHED_AGE_S. Anything else
    there is left alone."""
    folder = paths.onnx_dir()
    if not folder.is_dir():
        return []
    now = time.time() if now is None else now
    current = {name: graphs.templates_digest(spec)[:8] for name, spec in MODELS.items()}
    stale = []
    for entry in sorted(folder.iterdir()):
        if not entry.is_dir():
            continue
        if entry.name.endswith(".part"):
            if now - entry.stat().st_mtime > UNFINISHED_AGE_S:
                stale.append(entry)
            continue
        built = build_name(entry)
        if built and built[0] in current and built[1] != current[built[0]]:
            stale.append(entry)
    return stale


def ensure_onnx(spec: ModelSpec, checkpoint=None, attention: str = graphs.DEFAULT_ATTENTION, force: bool = False) -> Path:
    """The folder with the checkpoint's graphs (graphs.paths_in), built if missing."""
    from .. import weights
    from ..checkpoint import load_state

    path = weights.find_checkpoint(spec.name, checkpoint)
    identity = weights.checkpoint_sha1(path)
    folder = onnx_folder(spec, identity, attention)
    if force or not graphs.is_complete(folder):
        state = load_state(path, spec)
        graphs.build_onnx(spec, state, folder, attention=attention, source=str(path))
    return folder
