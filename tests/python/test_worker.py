"""samroi.worker: the functions Java calls through appose, tested directly in-process.

Images travel the way they do from Java: an appose NDArray on shared memory, which the worker
sees attached by name (a second SharedMemory object on the same segment).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import zlib
from pathlib import Path

import numpy as np
import pytest

appose = pytest.importorskip("appose")

from samroi import __version__, worker  # noqa: E402
from samroi.errors import Cancelled, InputError  # noqa: E402

SHM_DIR = Path("/dev/shm")


class RecordingTask:
    """Stands in for appose's Task: records updates and cancellation responses."""

    def __init__(self) -> None:
        self.updates: list[dict] = []
        self.cancel_requested = False
        self.cancelled = False

    def update(self, message=None, current=None, maximum=None, info=None):
        self.updates.append({"message": message, "current": current, "maximum": maximum})

    def cancel(self):
        self.cancelled = True


def _segments() -> set[str]:
    return {p.name for p in SHM_DIR.iterdir()} if SHM_DIR.is_dir() else set()


def _shared(array: np.ndarray):
    """(owner NDArray holding a copy of array, the NDArray the worker would see)."""
    owner = appose.NDArray(str(array.dtype), list(array.shape))
    view = owner.ndarray()
    view[...] = array
    del view
    attached = appose.NDArray(
        owner.dtype, owner.shape, appose.SharedMemory(name=owner.shm.name, rsize=owner.shm.rsize)
    )
    return owner, attached


def _dispose(owner) -> None:
    owner.shm.unlink_on_dispose(True)
    owner.shm.dispose()


def test_hello_reports_version_pid_and_functions():
    info = worker.hello(None)
    assert info["version"] == __version__
    assert info["pid"] == os.getpid()
    assert info["api"] == worker.API_VERSION
    assert set(info["functions"]) >= {"hello", "set_image"}
    for name in info["functions"]:
        assert callable(getattr(worker, name))
    json.dumps(info)  # must travel as JSON


@pytest.mark.parametrize(
    "dtype, shape",
    [("uint8", (37, 53)), ("uint16", (64, 40)), ("float32", (31, 29)), ("uint8", (20, 30, 3))],
)
def test_set_image_through_shared_memory_reports_exact_stats(dtype, shape):
    rng = np.random.default_rng(7)
    if dtype == "float32":
        array = rng.normal(size=shape).astype(np.float32)
    else:
        array = rng.integers(0, np.iinfo(dtype).max, size=shape, endpoint=True).astype(dtype)
    owner, attached = _shared(array)
    try:
        task = RecordingTask()
        stats = worker.set_image(task, image=attached)
        assert stats["shape"] == list(shape)
        assert stats["dtype"] == dtype
        assert stats["min"] == float(array.min())
        assert stats["max"] == float(array.max())
        assert stats["nbytes"] == array.nbytes
        assert stats["crc32"] == zlib.crc32(array.tobytes())
        assert [u["message"] for u in task.updates] == ["Receiving image", "Image received"]
        # The worker keeps its own copy, not a view on the segment Java will free.
        assert np.array_equal(worker._state.image, array)
        assert worker._state.image.base is None or worker._state.image.base is not attached
        owner.ndarray()[...] = 0
        assert np.array_equal(worker._state.image, array)
        json.dumps(stats)
    finally:
        _dispose(owner)


def test_set_image_releases_its_mapping_and_leaves_no_segment():
    before = _segments()
    owner, attached = _shared(np.arange(100, dtype=np.uint8).reshape(10, 10))
    name = owner.shm.name.lstrip("/")
    assert name in _segments() or not SHM_DIR.is_dir()
    worker.set_image(None, image=attached)
    assert attached.shm.buf is None  # unmapped in the "worker"
    _dispose(owner)
    assert _segments() - before == set()


def test_set_image_accepts_plain_numpy():
    array = np.array([[0.5, np.nan], [-2.0, 3.0]], dtype=np.float32)
    stats = worker.set_image(None, image=array)
    assert (stats["min"], stats["max"]) == (-2.0, 3.0)


@pytest.mark.parametrize(
    "image, match",
    [
        (None, "no image"),
        (np.zeros((0, 5), np.uint8), "empty"),
        (np.zeros((4, 4), np.complex64), "unsupported pixel type"),
        (np.zeros((2, 3, 4, 5), np.uint8), "2-D"),
        ("not an image", "expected an image array"),
    ],
)
def test_set_image_rejects_bad_images_with_input_error(image, match):
    with pytest.raises(InputError, match=match):
        worker.set_image(None, image=image)


def test_image_stats_all_nan():
    stats = worker.image_stats(np.full((2, 2), np.nan, np.float32))
    assert stats["min"] is None and stats["max"] is None


def test_sleep_for_test_reports_progress_and_honours_cancel():
    task = RecordingTask()
    out = worker.sleep_for_test(task, seconds=0.15)
    assert out["slept"] >= 0.15
    assert task.updates and task.updates[0]["maximum"] == 150

    task = RecordingTask()
    timer = threading.Timer(0.1, lambda: setattr(task, "cancel_requested", True))
    timer.start()
    out = worker.sleep_for_test(task, seconds=30)
    assert out == {"cancelled": True}
    assert task.cancelled


def test_cancel_without_task_raises():
    class Flagged:
        cancel_requested = True

        def update(self, **kwargs):
            pass

        def cancel(self):
            raise AssertionError("must not be called when raising")

    with pytest.raises(Cancelled):
        worker.check_cancelled(Flagged())


def test_environment_check_as_a_program():
    result = subprocess.run(
        [sys.executable, "-c", "import samroi.worker as w, sys; sys.exit(w.main())", "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["samroi"] == __version__
    assert report["onnxruntime"]
    assert report["appose"]
