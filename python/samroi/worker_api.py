"""What the samroi worker does, without the appose plumbing (that is samroi.worker).

One :class:`WorkerState` lives for the whole worker process (Fiji/Icy session). It keeps

- one :class:`samroi.engine.session.Session` per (model, checkpoint file, runtime), created
  on first use and never dropped, so models stay loaded across images and macro calls;
- one :class:`~samroi.engine.cache.EmbeddingCache` shared by all of them (its keys name the
  model, checkpoint, normalisation and pixels, so nothing is mixed up);
- the current image, and the object that keeps its pixels alive.

Image lifetime (shared memory). Java puts the image into a shared-memory segment and keeps
that segment until its next ``set_image``, ``clear_image`` or the end of the session (also
across a restart of a crashed worker, to which it sends the same segment again). Here the image is used IN PLACE (a read-only numpy view of the segment, no copy):
the Session of the current model holds the view, :attr:`WorkerState.image_holder` holds the
appose NDArray that owns the mapping. On the next ``set_image`` the new image replaces the
old one only once it has been accepted; then every Session forgets the old view and the old
mapping is closed. A failed ``set_image`` leaves no current image at all (Java then frees
both segments), so a macro that ignores the error cannot segment the previous image by mistake. Closing the mapping here never frees the segment (Java unlinks it), and Java
unlinking never invalidates a mapping that is still open here (POSIX and Windows keep the
memory while it is mapped), so neither side can pull the pixels from under the other.

Errors the user can fix are samroi.errors exceptions. Those raised here carry a ``kind``
that Java maps to a typed exception (see :func:`error_info`).
"""

from __future__ import annotations

import math
import threading
import time
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from .errors import Cancelled, DownloadError, InputError, PromptError, SamroiError, WeightsError
from .modelspec import DEFAULT_MODEL, MODELS

ProgressFn = Callable[[str, int, int], None]  # (message, current, maximum); maximum 0 = unknown

RUNTIMES = ("onnx", "torch")
SEGMENT_OPTION_NAMES = ("multimask", "all_masks", "all_components", "min_area", "keep_holes", "simplify")


# --- errors with a kind Java can map ------------------------------------------------------------


class UnknownModelError(InputError):
    """A model name samroi does not know."""

    kind = "unknown_model"

    def __init__(self, model) -> None:
        self.model = str(model)
        self.problem = f"samroi has no model called {model!r}."
        self.next_step = f"Choose one of: {', '.join(MODELS)}."
        super().__init__(f"{self.problem} {self.next_step}")


class MissingWeightsError(WeightsError):
    """The official weights are not installed, or the chosen checkpoint file does not exist."""

    kind = "missing_weights"

    def __init__(self, model: str, checkpoint: str | None = None) -> None:
        self.model = model
        self.checkpoint = checkpoint
        title = MODELS[model].title
        if checkpoint is None:
            self.problem = f"The {title} weights are not installed yet."
            self.next_step = (
                f"Install them with the Install button (or on the command line: samroi weights install "
                f"{model}), or choose a checkpoint file."
            )
        else:
            self.problem = f"The checkpoint file {checkpoint} does not exist."
            self.next_step = (
                f"Choose an existing {title} checkpoint file, or leave the checkpoint empty to use the "
                "installed official weights."
            )
        super().__init__(f"{self.problem} {self.next_step}")


class BadPromptError(PromptError):
    """A prompt that cannot be used; ``index`` is its 0-based position in the request."""

    kind = "prompt"

    def __init__(self, index: int, message: str) -> None:
        self.index = index
        super().__init__(f"prompt {index + 1}: {message}")


class NoImageError(InputError):
    kind = "no_image"

    def __init__(self) -> None:
        super().__init__("no image has been set yet: set an image before segmenting")


def error_info(err: BaseException) -> dict:
    """What Java needs to raise a typed exception: kind, Python type, message and details."""
    cls = type(err)
    kind = getattr(err, "kind", None)
    if kind is None:
        if isinstance(err, PromptError):
            kind = "prompt"
        elif isinstance(err, DownloadError):
            kind = "download"
        elif isinstance(err, WeightsError):
            kind = "weights"
        elif isinstance(err, InputError):
            kind = "input"
        else:
            kind = "error"
    info: dict[str, Any] = {"kind": kind, "type": f"{cls.__module__}.{cls.__qualname__}", "message": str(err)}
    for name in ("index", "model", "checkpoint", "problem", "next_step"):
        if hasattr(err, name):
            info[name] = getattr(err, name)
    return info


# --- cancellation ---------------------------------------------------------------------------------


class TaskCancelEvent(threading.Event):
    """A threading.Event that is also set once the appose task asks to cancel.

    appose only raises ``task.cancel_requested``; the engine waits on an Event. Checking the
    flag inside ``is_set`` bridges the two without a watcher thread.
    """

    def __init__(self, task) -> None:
        super().__init__()
        self._task = task

    def is_set(self) -> bool:
        if not super().is_set() and getattr(self._task, "cancel_requested", False):
            self.set()
        return super().is_set()

    isSet = is_set


def cancel_event(task) -> threading.Event:
    return TaskCancelEvent(task) if task is not None else threading.Event()


# --- argument parsing -----------------------------------------------------------------------------


def check_model(model) -> str:
    if not isinstance(model, str) or model not in MODELS:
        raise UnknownModelError(model)
    return model


def _bool(value, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, np.integer)) and value in (0, 1):
        return bool(value)
    raise InputError(f"option {name} must be true or false, got {value!r}")


def parse_options(options: Mapping | None):
    """A dict of segment options (names as in SegmentOptions) -> SegmentOptions."""
    from .engine.session import SegmentOptions

    if options is None:
        return SegmentOptions(keep_masks=False)  # Java only needs polygons and areas
    if not isinstance(options, Mapping):
        raise InputError(f"segment options must be a mapping, got {type(options).__name__}")
    unknown = sorted(set(options) - set(SEGMENT_OPTION_NAMES))
    if unknown:
        raise InputError(f"unknown segment option(s) {', '.join(unknown)}; valid: {', '.join(SEGMENT_OPTION_NAMES)}")
    out = SegmentOptions(keep_masks=False)  # Java only needs polygons and areas
    for name in ("multimask", "all_masks", "all_components", "keep_holes"):
        if options.get(name) is not None:
            setattr(out, name, _bool(options[name], name))
    if options.get("min_area") is not None:
        value = options["min_area"]
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise InputError(f"option min_area must be a whole number of pixels >= 0, got {value!r}")
        out.min_area = int(value)
    if options.get("simplify") is not None:
        value = options["simplify"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            raise InputError(f"option simplify must be a number of pixels >= 0, got {value!r}")
        out.simplify = float(value)
    return out


def _numbers(value, index: int, what: str) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise BadPromptError(index, f"{what} must be numbers, got {value!r}") from None
    if not np.isfinite(array).all():
        raise BadPromptError(index, f"{what} must be finite numbers, got {value!r}")
    return array


def parse_prompt(index: int, prompt) -> "Prompt":  # noqa: F821 -- samroi.predictor.Prompt
    """{points: [[x, y], ...], labels: [1|0, ...], box: [x0, y0, x1, y1]} -> Prompt.

    Coordinates are pixel indices of the full image; labels default to 1 (object).
    """
    from .predictor import Prompt

    if not isinstance(prompt, Mapping):
        raise BadPromptError(index, f"expected points and/or a box, got {type(prompt).__name__}")
    unknown = sorted(set(prompt) - {"points", "labels", "box"})
    if unknown:
        raise BadPromptError(index, f"unknown field(s) {', '.join(unknown)}; a prompt has points, labels and box")
    points = prompt.get("points")
    labels = prompt.get("labels")
    box = prompt.get("box")
    if points is not None and len(points) == 0:
        points = None
    if points is None and box is None:
        raise BadPromptError(index, "it is empty: give at least one point or a box")
    pts = lab = bx = None
    if points is not None:
        pts = _numbers(points, index, "points")
        if pts.ndim != 2 or pts.shape[1] != 2:
            raise BadPromptError(index, f"points must be a list of [x, y] pairs, got {points!r}")
        if labels is None:
            lab = np.ones(len(pts), np.int64)
        else:
            lab = _numbers(labels, index, "labels")
            if lab.shape != (len(pts),):
                raise BadPromptError(index, f"{len(pts)} points need {len(pts)} labels, got {labels!r}")
            if not np.isin(lab, (0, 1)).all():
                raise BadPromptError(index, f"labels must be 1 (object) or 0 (background), got {labels!r}")
            lab = lab.astype(np.int64)
    elif labels is not None and len(labels):
        raise BadPromptError(index, "labels were given without points")
    if box is not None:
        bx = _numbers(box, index, "the box")
        if bx.shape != (4,):
            raise BadPromptError(index, f"a box is [x0, y0, x1, y1], got {box!r}")
    return Prompt(pts, lab, bx)


# --- results --------------------------------------------------------------------------------------


def _flat(ring: np.ndarray) -> list[int]:
    return np.asarray(ring, dtype=np.int64).reshape(-1).tolist()


def shape_dict(shape) -> dict:
    """A Shape as flat int lists [x0, y0, x1, y1, ...] (pixel-edge vertices, ring not repeated)."""
    return {"outer": _flat(shape.outer), "holes": [_flat(h) for h in shape.holes], "area": int(shape.area)}


def mask_dict(mask) -> dict:
    shapes = [shape_dict(s) for s in mask.shapes]
    return {
        "score": float(mask.score),
        "area": int(sum(s["area"] for s in shapes)),  # the pixels the polygons fill
        "mask_area": int(mask.area),  # all mask pixels (also parts dropped by the options)
        "shapes": shapes,
    }


def object_dict(obj) -> dict:
    return {"index": int(obj.prompt_index), "rerun": bool(obj.rerun), "masks": [mask_dict(m) for m in obj.masks]}


# --- the worker's state ---------------------------------------------------------------------------


def _release(holder) -> None:
    """Close this process's mapping of an appose NDArray / SharedMemory (never unlinks)."""
    shm = getattr(holder, "shm", holder)
    close = getattr(shm, "close", None)
    if close is None or isinstance(holder, np.ndarray):
        return
    try:
        close()
    except (BufferError, OSError):
        pass  # a view is still alive somewhere; the mapping goes when it is collected


class WorkerState:
    """Sessions, the shared embedding cache and the current image of one worker process.

    Every method takes the state lock: appose runs each task on its own thread, and a
    cancelled call may still be finishing (an encoder run cannot be interrupted) when the
    next one starts.
    """

    def __init__(self, *, cache=None, session_factory=None, threads: int | None = None) -> None:
        from .engine.cache import EmbeddingCache

        self.lock = threading.RLock()
        self.cache = cache if cache is not None else EmbeddingCache()
        self.threads = threads
        self._factory = session_factory
        self.sessions: dict[tuple, Any] = {}
        self.current = None  # the Session holding the current image
        self.image_holder = None  # what keeps the current pixels alive (appose NDArray or ndarray)
        self.image_info: dict | None = None

    # --- sessions

    @staticmethod
    def _checkpoint_key(model: str, checkpoint) -> tuple[str | None, tuple]:
        """(resolved path or None, identity tuple for the session key)."""
        if checkpoint is None or checkpoint == "":
            return None, ()
        path = Path(str(checkpoint)).expanduser()
        try:
            st = path.stat()
        except OSError:
            raise MissingWeightsError(model, str(path)) from None
        if not path.is_file():
            raise MissingWeightsError(model, str(path))
        resolved = str(path.resolve())
        return resolved, (resolved, st.st_size, st.st_mtime_ns)

    def session(self, model, checkpoint=None, runtime: str = "onnx", progress: ProgressFn | None = None):
        """The Session for (model, checkpoint, runtime), loading the model on first use."""
        model = check_model(model)
        if runtime not in RUNTIMES:
            raise InputError(f"unknown runtime {runtime!r}; choose one of: {', '.join(RUNTIMES)}")
        path, identity = self._checkpoint_key(model, checkpoint)
        key = (model, identity, runtime)
        with self.lock:
            found = self.sessions.get(key)
            if found is not None:
                return found
            if path is None:
                from . import weights

                if weights.installed_path(model) is None:  # WeightsError if not the official file
                    raise MissingWeightsError(model)
            title = MODELS[model].title
            if progress:
                progress(f"Loading {title} (the first time, samroi prepares the model; this can take a minute)", 0, 0)
            if self._factory is not None:
                session = self._factory(model, runtime, path, cache=self.cache)
            else:
                from .engine.session import Session

                session = Session(model, runtime, path, threads=self.threads, cache=self.cache)
            self.sessions[key] = session
            return session

    # --- image

    def set_image(
        self,
        holder,
        array: np.ndarray,
        *,
        model,
        checkpoint=None,
        runtime: str = "onnx",
        normalize: str = "percentile",
        channel: int | None = None,
        rgb_channels: Sequence[int] | None = None,
        progress: ProgressFn | None = None,
        cancel: threading.Event | None = None,
    ) -> dict:
        """Make ``array`` (kept alive by ``holder``) the current image; returns its info.

        The array is used in place (made read-only, never copied). A call that fails (or is
        cancelled) leaves NO current image, so that nobody segments the previous image by
        mistake; ``holder`` is then not released here (the caller releases it).
        """
        start = time.perf_counter()
        try:
            return self._set_image(holder, array, model, checkpoint, runtime, normalize, channel, rgb_channels,
                                   progress, cancel, start)
        except BaseException:
            self.clear_image()
            raise

    def _set_image(self, holder, array, model, checkpoint, runtime, normalize, channel, rgb_channels, progress,
                   cancel, start) -> dict:
        from .engine.images import Normalization

        norm = Normalization.parse(normalize if normalize is not None else "percentile")
        if channel is not None and (isinstance(channel, bool) or not isinstance(channel, (int, np.integer))):
            raise InputError(f"channel must be a channel index (0, 1, ...), got {channel!r}")
        if rgb_channels is not None and not isinstance(rgb_channels, (list, tuple)):
            raise InputError(f"rgb_channels must be a list of 1 to 3 channel indices, got {rgb_channels!r}")
        with self.lock:
            loaded_before = len(self.sessions)
            session = self.session(model, checkpoint, runtime, progress)
            _check_cancel(cancel)
            if progress:
                progress("Preparing the image", 0, 0)
            if array.flags.writeable:
                array = array.view()
                array.flags.writeable = False
            session.set_image(array, channel=channel, rgb_channels=rgb_channels, normalize=norm)
            # Accepted: forget the previous image everywhere, then let go of its pixels.
            previous = self.image_holder
            for other in self.sessions.values():
                if other is not session:
                    _forget_image(other)
            self.current = session
            self.image_holder = holder
            if previous is not None and previous is not holder:
                _release(previous)
            source = session.source
            info = {
                "width": source.width,
                "height": source.height,
                "channels": source.channels,
                "dtype": str(source.dtype),
                "shape": [int(n) for n in source.array.shape],
                "nbytes": source.nbytes,
                "model": session.spec.name,
                "title": session.spec.title,
                "runtime": runtime,
                "checkpoint": None if checkpoint in (None, "") else str(Path(str(checkpoint)).expanduser().resolve()),
                "normalize": norm.text,
                "normalization": session.normalizer.describe(),
                "tiles": len(session.grid.windows),
                "model_loaded": len(self.sessions) > loaded_before,
                "seconds": time.perf_counter() - start,
            }
            self.image_info = info
            return dict(info)

    def clear_image(self) -> None:
        with self.lock:
            for session in self.sessions.values():
                _forget_image(session)
            previous, self.image_holder, self.current, self.image_info = self.image_holder, None, None, None
            if previous is not None:
                _release(previous)

    # --- prompts

    def segment(
        self,
        prompts,
        options: Mapping | None = None,
        *,
        progress: ProgressFn | None = None,
        cancel: threading.Event | None = None,
    ) -> dict:
        """Segment one object per prompt of the current image; results as plain data."""
        from .predictor import check_prompt

        start = time.perf_counter()
        opts = parse_options(options)
        if prompts is None or isinstance(prompts, (str, bytes, Mapping)) or not isinstance(prompts, Sequence):
            raise InputError("prompts must be a list of prompts ({points, labels, box})")
        parsed = [parse_prompt(i, p) for i, p in enumerate(prompts)]
        with self.lock:
            session = self.current
            if session is None or session.source is None:
                raise NoImageError()
            height, width = session.image_shape
            for index, prompt in enumerate(parsed):
                try:
                    check_prompt(session.spec, prompt, height, width)
                except PromptError as err:
                    raise BadPromptError(index, str(err)) from None
            if not parsed:
                return {"objects": [], "encodes": 0, "seconds": 0.0}
            encodes = session.encodes

            def step(done: int, total: int, text: str) -> None:
                if progress:
                    progress(f"Segmenting: {text}", done, total)

            results = session.segment(parsed, opts, progress=step, cancel=cancel)
            return {
                "objects": [object_dict(r) for r in results],
                "encodes": session.encodes - encodes,
                "seconds": time.perf_counter() - start,
            }

    # --- models and weights

    def models(self) -> dict:
        from . import paths, weights

        loaded = {key[0] for key in self.sessions}
        rows = []
        for name, spec in MODELS.items():
            row = {"name": name, "title": spec.title, "default": name == DEFAULT_MODEL, "loaded": name in loaded}
            try:
                st = weights.status(name)
                row.update(installed=st.installed, identity=st.identity, checkpoint=str(st.path))
            except (SamroiError, OSError) as err:
                row.update(installed=True, identity=f"error: {err}", checkpoint=str(weights.checkpoint_path(name)))
            rows.append(row)
        return {"models": rows, "home": str(paths.home()), "weights_dir": str(paths.weights_dir())}

    def close(self) -> None:
        self.clear_image()


def _forget_image(session) -> None:
    """Drop a Session's reference to the image pixels (its embeddings stay cached)."""
    if getattr(session, "source", None) is None:
        return
    session.clear_image()


def _check_cancel(cancel) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled("cancelled by the user")


# --- weights ---------------------------------------------------------------------------------------


def install_weights(model, source=None, *, progress: ProgressFn | None = None, interval: float = 0.25) -> dict:
    """Install the official weights of ``model`` (downloaded, or from the local file ``source``)
    through samroi.weights; reports the bytes written so far while it runs."""
    from . import paths, weights

    model = check_model(model)
    title = MODELS[model].title
    folder = paths.weights_dir()
    entry = weights.REGISTRY[model]
    total = 0
    if source not in (None, ""):
        src = Path(str(source)).expanduser()
        if not src.is_file():
            raise InputError(f"the file {src} does not exist; choose the downloaded {entry.download_name}")
        source = src
        total = src.stat().st_size
        verb = "Copying"
    else:
        source = None
        verb = "Downloading"
    done = threading.Event()

    def watch() -> None:
        last = -1
        while not done.wait(interval):
            size = 0
            try:
                for p in folder.iterdir():
                    name = p.name
                    if name == entry.download_name + ".part" or (name.startswith(f".{entry.filename}.") and name.endswith(".tmp")):
                        size = max(size, p.stat().st_size)
            except OSError:
                continue
            if size != last and progress:
                progress(f"{verb} the {title} weights: {size / 1e6:.1f} MB", size, total)
                last = size

    if progress:
        progress(f"{verb} the {title} weights", 0, total)
    watcher = threading.Thread(target=watch, name="samroi-weights-progress", daemon=True)
    watcher.start()
    try:
        path = weights.install(model, source, progress=False)
    finally:
        done.set()
        watcher.join()
    st = weights.status(model)
    if progress:
        progress(f"The {title} weights are installed", 1, 1)
    return {"model": model, "path": str(path), "identity": st.identity, "sha1": st.sha1}


def image_stats_of(array: np.ndarray) -> dict:
    """Shape, dtype, min, max, byte count and CRC-32 of the raw C-order bytes (transfer check)."""
    import zlib

    data = np.ascontiguousarray(array)
    if data.size == 0:
        vmin = vmax = None
    elif data.dtype.kind == "f":
        finite = data[~np.isnan(data)]
        vmin = float(finite.min()) if finite.size else None
        vmax = float(finite.max()) if finite.size else None
    else:
        vmin, vmax = float(data.min()), float(data.max())
    return {
        "shape": [int(n) for n in data.shape],
        "dtype": str(data.dtype),
        "min": vmin,
        "max": vmax,
        "nbytes": int(data.nbytes),
        "crc32": int(zlib.crc32(memoryview(data).cast("B")) & 0xFFFFFFFF),
    }


__all__ = [
    "BadPromptError",
    "MissingWeightsError",
    "NoImageError",
    "TaskCancelEvent",
    "UnknownModelError",
    "WorkerState",
    "cancel_event",
    "error_info",
    "image_stats_of",
    "install_weights",
    "parse_options",
    "parse_prompt",
]
