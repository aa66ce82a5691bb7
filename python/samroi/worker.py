"""The functions the Java side (org.samroi.core.SamSession) calls through appose.

Java never sends Python source beyond a one-line call such as::

    import samroi.worker as _w; _w.set_image(task, **args)

where ``task`` is the appose task (progress with ``task.update``, cancellation with
``task.cancel_requested``) and ``args`` is a dict of JSON values and appose NDArrays.
Every task function therefore has the signature ``fn(task=None, **named_args) -> dict``;
``task`` may be None when the function is called directly (tests, scripts). The returned dict
becomes the task's outputs on the Java side.

One worker process lives for the whole Fiji/Icy session, so module state (the current image,
later the loaded models and embeddings) persists between calls. Calls come one at a time from
Java, but each runs on its own appose thread, hence the lock.

Adding a function (segment, models, install_weights, ...): write it here with the
``@task_function`` decorator, add its name to FUNCTIONS, and call it from SamSession by name.
Raise samroi.errors.SamroiError subclasses for anything the user can fix: Java shows their
message (the last traceback line) to the user.

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
import zlib

import numpy as np

from . import __version__
from .errors import Cancelled, InputError

# Bumped whenever the contract between SamSession and these functions changes
# (names, arguments, outputs), so that Java can tell an old worker from a new one.
API_VERSION = 1

# The task functions Java may call; hello() reports them.
FUNCTIONS = ("hello", "set_image", "sleep_for_test")

# dtypes set_image accepts: the host pixel types (uint8 gray, uint8 RGB, uint16, float32)
# plus what a Python caller may reasonably pass.
_IMAGE_DTYPES = ("uint8", "uint16", "int16", "int32", "float32", "float64")

_lock = threading.RLock()


class _State:
    """What the worker holds between calls."""

    def __init__(self) -> None:
        self.image: np.ndarray | None = None  # our own copy, never a view on shared memory
        self.image_stats: dict | None = None


_state = _State()


# --- helpers -------------------------------------------------------------------------------


def progress(task, message: str, current: int | None = None, maximum: int | None = None) -> None:
    """Report progress to Java (no-op without a task)."""
    if task is not None:
        task.update(message=message, current=current, maximum=maximum)


def check_cancelled(task) -> None:
    """Raise Cancelled if Java asked to cancel this task."""
    if task is not None and getattr(task, "cancel_requested", False):
        raise Cancelled("cancelled by the user")


def task_function(fn):
    """Decorator for the functions Java calls.

    A Cancelled raised inside turns into appose's cancellation response (Java completes the
    call with a cancellation instead of an error). Other exceptions propagate: appose reports
    them as a failure carrying the traceback.
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
    shm = getattr(image, "shm", None)
    if shm is None:
        return
    try:
        shm.close()
    except (BufferError, OSError):
        pass  # a view is still alive somewhere; the mapping goes when it is collected


def image_stats(array: np.ndarray) -> dict:
    """Shape, dtype, min, max and the CRC-32 of the raw C-order bytes of an image.

    Java computes the same numbers from the array it sent, so an exact transfer can be
    checked. min/max ignore NaN; both are None for an all-NaN image.
    """
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


def _check_image(array: np.ndarray) -> None:
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (1, 3, 4)):
        raise InputError(
            f"an image must be 2-D (gray) or height x width x 3 (RGB); got shape {list(array.shape)}"
        )
    if array.size == 0:
        raise InputError("the image is empty (width or height is 0)")
    if str(array.dtype) not in _IMAGE_DTYPES:
        raise InputError(
            f"unsupported pixel type {array.dtype}; use one of: {', '.join(_IMAGE_DTYPES)}"
        )


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
def set_image(task=None, image=None) -> dict:
    """Make ``image`` the current image and return its stats (see image_stats).

    ``image`` is an appose NDArray on shared memory owned by Java (or a numpy array): it is
    copied once into worker memory, and the shared-memory mapping is released at once, so
    Java can free the segment as soon as the call returns.
    """
    progress(task, "Receiving image")
    view = _as_numpy(image)
    try:
        _check_image(view)
        data = np.array(view, copy=True, order="C")
    finally:
        del view
        _release(image)
    check_cancelled(task)
    stats = image_stats(data)
    with _lock:
        _state.image = data
        _state.image_stats = stats
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


def serve() -> None:
    """Run the appose worker loop (numpy is already imported on the main thread, which
    Windows needs: see appose issue 23)."""
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
