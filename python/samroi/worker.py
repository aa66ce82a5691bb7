"""The functions the Java side (org.samroi.core.SamSession) calls through appose.

Java never sends Python source beyond a one-line call such as::

    import samroi.worker as _w; _w.set_image(task, **args)

where ``task`` is the appose task (progress with ``task.update``, cancellation with
``task.cancel_requested``) and ``args`` is a dict of JSON values and appose NDArrays.
Every task function therefore has the signature ``fn(task=None, **named_args) -> dict``;
``task`` may be None when the function is called directly (tests, scripts). The returned dict
becomes the task's outputs on the Java side.

The functions (API_VERSION 2):

- ``hello()``: samroi version, API version, pid, interpreter, library versions.
- ``models()``: every model with its title, whether its official weights are installed
  (and verified), their path, and whether it is loaded in this worker.
- ``install_weights(model, source=None)``: install the official weights through
  samroi.weights (download, or from the local file ``source``), reporting bytes written.
- ``set_image(image, model, checkpoint=None, runtime="onnx", normalize="percentile",
  channel=None, rgb_channels=None)``: make ``image`` (an appose NDArray) the current image
  of the Session of (model, checkpoint, runtime), loading that model on first use. The
  pixels are used in place in shared memory (see samroi.worker_api for the lifetime
  contract with Java). Returns the image info (size, dtype, normalisation used, ...).
  A failed call leaves no current image.
- ``segment(prompts, options=None)``: one object per prompt ``{points: [[x, y], ...],
  labels: [1|0, ...], box: [x0, y0, x1, y1]}`` (pixel indices of the full image); options
  as samroi.engine.session.SegmentOptions. Returns ``{"objects": [{"index", "rerun",
  "masks": [{"score", "area", "mask_area", "shapes": [{"outer": [x0, y0, x1, y1, ...],
  "holes": [[...], ...], "area"}]}]}], "encodes", "seconds"}``, masks best first.
- ``clear_image()``: forget the current image (Java then frees its shared memory).
- ``check_image(image)``: shape, dtype, min, max, CRC-32 of an image (transfer check).
- ``sleep_for_test(seconds, image=None)``: for tests of crash and cancel handling.

Errors. A samroi.errors exception (something the user can fix) is answered as a normal
completion with outputs ``{"error": {"kind", "type", "message", ...}, "traceback": ...}``,
so Java gets the whole multi-line message and a ``kind`` it maps to a typed exception
(samroi.worker_api.error_info). Anything else fails the task with its traceback.
Cancellation (Java's cancel -> ``task.cancel_requested``) reaches the engine as its cancel
event; a cancelled call answers with appose's cancellation.

State. One :class:`samroi.worker_api.WorkerState` (models, embedding cache, current image)
lives for the whole worker process; :func:`serve` creates it (tests: :func:`init_state`).
It is the only mutable module-level object.

Benchmarks. With the environment variable ``SAMROI_BENCHMARK_LABELS`` set to label images, the
worker's sessions give a click on a labelled object that object's mask after running the
decoder (:func:`benchmark_session_factory`; the Java and ImageJ click benchmarks' stand-in for
trained weights). Never set it otherwise.

Run as a program for the installer's smoke test::

    python -c "import samroi.worker as w; w.main()" --check

(or ``python -m samroi.worker --check``) prints one JSON line with the versions of everything
the worker needs and exits 0, or prints the error and exits 1.
"""

from __future__ import annotations

import functools
import io
import json
import os
import platform
import sys
import threading
import time
import traceback

import numpy as np

from . import __version__
from .errors import Cancelled, InputError, SamroiError
from .worker_api import WorkerState, cancel_event, error_info, image_stats_of
from . import worker_api

# Bumped whenever the contract between SamSession and these functions changes
# (names, arguments, outputs), so that Java can tell an old worker from a new one.
API_VERSION = 2

# The task functions Java may call; hello() reports them.
FUNCTIONS = (
    "hello",
    "models",
    "install_weights",
    "set_image",
    "segment",
    "clear_image",
    "check_image",
    "sleep_for_test",
)

# The worker's state; made by serve() (or init_state() in tests and scripts).
_STATE: WorkerState | None = None


def init_state(**kwargs) -> WorkerState:
    """Create the worker state (replacing any earlier one, whose image is released)."""
    global _STATE
    if _STATE is not None:
        _STATE.close()
    _STATE = WorkerState(**kwargs)
    return _STATE


def state() -> WorkerState:
    if _STATE is None:
        raise RuntimeError("the samroi worker state does not exist: serve() creates it (or call init_state())")
    return _STATE


# --- helpers -------------------------------------------------------------------------------


def progress(task, message: str, current: int | None = None, maximum: int | None = None) -> None:
    """Report progress to Java (no-op without a task)."""
    if task is not None:
        task.update(message=message, current=current, maximum=maximum)


def _reporter(task):
    return None if task is None else (lambda message, current, maximum: progress(task, message, current, maximum))


def check_cancelled(task) -> None:
    """Raise Cancelled if Java asked to cancel this task."""
    if task is not None and getattr(task, "cancel_requested", False):
        raise Cancelled("cancelled by the user")


def task_function(fn):
    """Decorator for the functions Java calls.

    A Cancelled raised inside turns into appose's cancellation response (Java completes the
    call with a cancellation instead of an error). Another samroi error becomes the outputs
    ``{"error": error_info(err), "traceback": ...}``. Other exceptions propagate: appose
    reports them as a failure carrying the traceback. Without a task (direct calls) every
    exception propagates.
    """

    @functools.wraps(fn)
    def wrapper(task=None, **kwargs):
        try:
            return fn(task, **kwargs)
        except Cancelled:
            if task is None:
                raise
            task.cancel()
            return {"cancelled": True}
        except SamroiError as err:
            if task is None:
                raise
            return {"error": error_info(err), "traceback": traceback.format_exc()}

    return wrapper


def _dist_version(name: str) -> str | None:
    try:
        from importlib.metadata import version

        return version(name)
    except Exception:  # noqa: BLE001 -- a missing or odd distribution just has no version
        return None


def _as_numpy(image) -> np.ndarray:
    """The numpy view of an appose NDArray, or the array itself."""
    if image is None:
        raise InputError("no image was given")
    if isinstance(image, np.ndarray):
        return image
    if hasattr(image, "ndarray"):
        return image.ndarray()
    raise InputError(f"expected an image array, got {type(image).__name__}")


def _release(image) -> None:
    """Unmap an appose NDArray's shared memory in this process (Java unlinks it)."""
    worker_api._release(image)


def image_stats(array: np.ndarray) -> dict:
    """Shape, dtype, min, max and the CRC-32 of the raw C-order bytes of an image.

    Java computes the same numbers from the array it sent, so an exact transfer can be
    checked. min/max ignore NaN; both are None for an all-NaN image.
    """
    return image_stats_of(array)


def _check_image(array: np.ndarray) -> None:
    if array.ndim not in (2, 3):
        raise InputError(
            f"an image must be 2-D (gray) or height x width x channels; got shape {list(array.shape)}"
        )
    if array.size == 0:
        raise InputError("the image is empty (width or height is 0)")
    if array.dtype.kind not in "buif":
        raise InputError(f"unsupported pixel type {array.dtype}; use an integer or float image")


# --- task functions ------------------------------------------------------------------------


@task_function
def hello(task=None) -> dict:
    """Who this worker is: samroi version, API version, process id, interpreter, libraries."""
    return {
        "version": __version__,
        "api": API_VERSION,
        "functions": list(FUNCTIONS),
        "pid": os.getpid(),
        "python": platform.python_version(),
        "executable": sys.executable,
        "appose": _dist_version("appose"),
        "numpy": np.__version__,
    }


@task_function
def models(task=None) -> dict:
    """The models, their weights (installed, identity, path) and whether each is loaded."""
    return state().models()


@task_function
def install_weights(task=None, model=None, source=None) -> dict:
    """Install the official weights of ``model`` (from the file ``source`` when given)."""
    return worker_api.install_weights(model, source, progress=_reporter(task))


@task_function
def set_image(
    task=None,
    image=None,
    model=None,
    checkpoint=None,
    runtime="onnx",
    normalize="percentile",
    channel=None,
    rgb_channels=None,
) -> dict:
    """Make ``image`` the current image for ``model``; returns the image info.

    ``image`` is an appose NDArray on shared memory that Java keeps until its next
    set_image / clear_image or the end of the session: it is used in place, not copied.
    If the call fails (or is cancelled) there is no current image afterwards, and this
    mapping is closed at once.
    """
    progress(task, "Receiving the image")
    if model is None:
        raise InputError("no model was given; choose one of: " + ", ".join(worker_api.MODELS))
    view = _as_numpy(image)
    accepted = False
    try:
        _check_image(view)
        check_cancelled(task)
        info = state().set_image(
            image,
            view,
            model=model,
            checkpoint=checkpoint,
            runtime=runtime,
            normalize=normalize,
            channel=channel,
            rgb_channels=rgb_channels,
            progress=_reporter(task),
            cancel=cancel_event(task),
        )
        accepted = True
    finally:
        del view
        if not accepted:
            _release(image)
            if _STATE is not None:
                _STATE.clear_image()
    progress(task, "Image ready")
    return info


@task_function
def segment(task=None, prompts=None, options=None) -> dict:
    """One object per prompt on the current image (see the module docstring for the format)."""
    out = state().segment(prompts, options, progress=_reporter(task), cancel=cancel_event(task))
    check_cancelled(task)
    return out


@task_function
def clear_image(task=None) -> dict:
    """Forget the current image and close its shared-memory mapping."""
    state().clear_image()
    return {"cleared": True}


@task_function
def check_image(task=None, image=None) -> dict:
    """Stats of ``image`` (see image_stats) computed in place; its mapping is closed at once."""
    progress(task, "Receiving image")
    view = _as_numpy(image)
    try:
        _check_image(view)
        check_cancelled(task)
        stats = image_stats(view)
    finally:
        del view
        _release(image)
    progress(task, "Image received")
    return stats


@task_function
def sleep_for_test(task=None, seconds: float = 1.0, image=None) -> dict:
    """Sleep (checking for cancellation every 10 ms); for tests of crash and cancel handling.

    If ``image`` is given, its shared memory stays mapped while sleeping, as during a long
    computation on an image.
    """
    view = None if image is None else _as_numpy(image)
    try:
        total = max(0.0, float(seconds))
        start = time.monotonic()
        steps = 0
        progress(task, "Sleeping", 0, int(total * 1000))
        while (elapsed := time.monotonic() - start) < total:
            check_cancelled(task)
            time.sleep(min(0.01, total - elapsed))
            steps += 1
            if steps % 10 == 0:
                progress(task, "Sleeping", int(elapsed * 1000), int(total * 1000))
        return {"slept": time.monotonic() - start, "pid": os.getpid()}
    finally:
        del view
        if image is not None:
            _release(image)


# --- environment check and worker entry point -----------------------------------------------


def check_environment() -> dict:
    """Import everything the worker needs; the installer's smoke test."""
    import appose  # noqa: F401 -- the import itself is the check
    import onnxruntime

    return {
        "samroi": __version__,
        "api": API_VERSION,
        "python": platform.python_version(),
        "executable": sys.executable,
        "numpy": np.__version__,
        "onnxruntime": onnxruntime.__version__,
        "appose": _dist_version("appose"),
    }


class _LineAtomicWriter(io.TextIOBase):
    """Wraps the worker's stdout so that each line reaches Java whole.

    appose answers with ``print(json, flush=True)``, i.e. two writes (the text, then the
    newline), from whichever thread the response comes from. Two threads answering at once
    (a task thread and the janitor, or the COMPLETION a cancelled task still sends while the
    next task starts) could interleave into one unreadable line, which Java drops: a lost
    LAUNCH, update or final answer. Here each thread collects its text up to a newline and
    complete lines are written and flushed under one lock.
    """

    def __init__(self, stream) -> None:
        super().__init__()
        self._stream = stream
        self._lock = threading.Lock()
        self._pending = threading.local()

    @property
    def encoding(self):  # noqa: D102 -- as the wrapped stream
        return getattr(self._stream, "encoding", "utf-8")

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._stream.fileno()

    def isatty(self) -> bool:
        return self._stream.isatty()

    def __getattr__(self, name):
        # Anything else (buffer, reconfigure, ...) is the wrapped stream's.
        return getattr(self._stream, name)

    def write(self, text: str) -> int:
        pending = getattr(self._pending, "text", "") + text
        lines, newline, rest = pending.rpartition("\n")
        if newline:
            with self._lock:
                self._stream.write(lines + newline)
                self._stream.flush()
        self._pending.text = rest
        return len(text)

    def flush(self) -> None:
        # A partial line stays with its thread until its newline comes.
        with self._lock:
            self._stream.flush()


def _reap_dead_tasks(worker) -> None:
    """One pass of the appose worker's janitor: forget tasks whose thread has ended, and
    answer "thread death" for those that ended without a final answer (e.g. sys.exit).

    appose 0.7.0's own janitor takes a thread that has not *started* yet for a dead one: the
    receiver sets ``task._thread`` before calling ``start()``, and ``is_alive()`` is False
    until the new thread runs. A task caught in that window was failed with "thread death"
    while it went on to run anyway (fixed upstream in later appose, apposed/appose#15). Here
    a thread counts as dead only once it has started (``join`` refuses a thread that has
    not) and stopped.
    """
    for uuid, task in list(worker.tasks.items()):
        thread = getattr(task, "_thread", None)
        if thread is None or thread.is_alive():
            continue
        try:
            thread.join(timeout=0)
        except RuntimeError:
            continue  # not started yet: judge it on a later pass
        if thread.is_alive():
            continue  # it started between the two checks
        worker.tasks.pop(uuid, None)
        if not task._finished:
            task.fail("thread death")


def _worker_class():
    from appose import python_worker

    class Worker(python_worker.Worker):
        """appose's worker loop with a janitor that does not kill tasks being started."""

        def _cleanup_threads(self) -> None:
            while self.running:
                time.sleep(0.05)
                try:
                    _reap_dead_tasks(self)
                except Exception:  # noqa: BLE001 -- the janitor must outlive any one pass
                    traceback.print_exc()

    return Worker


def benchmark_session_factory():
    """For the Java and ImageJ click benchmarks only: with SAMROI_BENCHMARK_LABELS set (label
    images), sessions give a click on a labelled object that object's mask after running the
    decoder (samroi.bench_engine.ObjectShapedSession). None otherwise."""
    paths = os.environ.get("SAMROI_BENCHMARK_LABELS")
    if not paths:
        return None
    from .bench_engine import object_shaped_factory

    return object_shaped_factory(paths)


def serve() -> None:
    """Run the appose worker loop (numpy is already imported on the main thread, which
    Windows needs: see appose issue 23). Creates the worker state first."""
    init_state(session_factory=benchmark_session_factory())
    sys.stdout = _LineAtomicWriter(sys.stdout)
    _worker_class()().run()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--check"]:
        try:
            report = check_environment()
        except Exception as err:  # noqa: BLE001 -- report any import failure to the installer
            print(f"samroi environment check failed: {type(err).__name__}: {err}", file=sys.stderr)
            return 1
        print(json.dumps(report))
        return 0
    if args in ([], ["serve"]):
        serve()
        return 0
    print("usage: python -m samroi.worker [--check | serve]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
