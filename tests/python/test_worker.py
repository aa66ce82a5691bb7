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
import time
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


# --- the worker loop (serve) ------------------------------------------------------------------


class _FakeTask:
    def __init__(self, thread, finished=False) -> None:
        self._thread = thread
        self._finished = finished
        self.failures: list[str] = []

    def fail(self, error=None):
        self.failures.append(error)


def test_janitor_leaves_tasks_whose_thread_has_not_started_yet():
    """appose 0.7.0's janitor failed such tasks with "thread death" while they went on running."""
    release = threading.Event()
    running = threading.Thread(target=release.wait)
    running.start()
    done_ok = threading.Thread(target=lambda: None)
    done_ok.start()
    done_ok.join()
    died = threading.Thread(target=lambda: None)
    died.start()
    died.join()
    tasks = {
        "registered": _FakeTask(None),
        "not-started": _FakeTask(threading.Thread(target=lambda: None)),
        "running": _FakeTask(running),
        "answered": _FakeTask(done_ok, finished=True),
        "died": _FakeTask(died),
    }
    fake = type("FakeWorker", (), {})()
    fake.tasks = dict(tasks)
    try:
        worker._reap_dead_tasks(fake)
    finally:
        release.set()
        running.join()
    assert set(fake.tasks) == {"registered", "not-started", "running"}
    assert tasks["died"].failures == ["thread death"]
    for name in ("registered", "not-started", "running", "answered"):
        assert tasks[name].failures == [], name


class _SlowSink:
    """A text stream that lets other threads run inside every write, as a pipe may."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        time.sleep(0)
        self.parts.append(text)
        return len(text)

    def flush(self) -> None:
        time.sleep(0)

    def getvalue(self) -> str:
        return "".join(self.parts)


def test_line_atomic_writer_keeps_concurrent_lines_whole():
    out = _SlowSink()
    writer = worker._LineAtomicWriter(out)
    barrier = threading.Barrier(8)

    def talk(n):
        barrier.wait()
        for i in range(300):
            print(json.dumps({"thread": n, "i": i, "pad": "x" * (i % 50)}), file=writer, flush=True)

    threads = [threading.Thread(target=talk, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = out.getvalue().splitlines()
    assert len(lines) == 8 * 300
    seen = [json.loads(line) for line in lines]  # every line is one whole message
    for n in range(8):
        assert [m["i"] for m in seen if m["thread"] == n] == list(range(300))


def _start_worker():
    env = dict(os.environ)
    # The worker must import this samroi, whatever an installed samroi points at.
    paths = [str(Path(worker.__file__).resolve().parents[1])]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return subprocess.Popen(
        [sys.executable, "-c", "import samroi.worker as _w; _w.serve()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        bufsize=1,
        env=env,
    )


def _run_task(proc, uuid: str, script: str) -> list[dict]:
    """Send one EXECUTE request; return the task's responses up to its final one."""
    request = {"task": uuid, "requestType": "EXECUTE", "script": script, "inputs": {}}
    proc.stdin.write(json.dumps(request) + "\n")
    proc.stdin.flush()
    responses = []
    while True:
        line = proc.stdout.readline()
        assert line, "the worker closed its output"
        response = json.loads(line)  # a broken line fails here
        responses.append(response)
        final = response["responseType"] in ("COMPLETION", "FAILURE", "CANCELATION")
        if response["task"] == uuid and final:
            return responses


def test_served_worker_answers_many_tasks_in_a_row_without_spurious_failures():
    """Thousands of short tasks one after the other, as Java sends them: every one completes,
    with nothing but its own LAUNCH and COMPLETION (appose 0.7.0's own loop failed about one
    task in a thousand with "thread death")."""
    proc = _start_worker()
    try:
        for i in range(2000):
            uuid = f"task-{i}"
            responses = _run_task(proc, uuid, "import samroi.worker as _w; _w.hello(task)")
            seen = [(r["task"], r["responseType"]) for r in responses]
            assert seen == [(uuid, "LAUNCH"), (uuid, "COMPLETION")], (i, responses)
            if i == 0:
                assert responses[-1]["outputs"]["version"] == __version__
                assert responses[-1]["outputs"]["pid"] == proc.pid
    finally:
        proc.stdin.close()
        assert proc.wait(timeout=30) == 0, proc.stderr.read()


def test_served_worker_still_reports_a_task_thread_that_dies():
    proc = _start_worker()
    try:
        responses = _run_task(proc, "dies", "import sys; sys.exit(3)")
        assert responses[-1]["responseType"] == "FAILURE"
        assert responses[-1]["error"] == "thread death"
        responses = _run_task(proc, "after", "import samroi.worker as _w; _w.hello(task)")
        assert responses[-1]["responseType"] == "COMPLETION"
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)
