"""samroi.worker and samroi.worker_api: the functions Java calls through appose, tested
in-process with real parts (the engine, the random-weight fixture checkpoint, real images).

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

from samroi import __version__, weights, worker, worker_api  # noqa: E402
from samroi.errors import Cancelled, InputError, PromptError, WeightsError  # noqa: E402
from samroi.polygons import Shape, rasterize  # noqa: E402

SHM_DIR = Path("/dev/shm")
CHECKPOINT_NAME = "efficient_sam_vitt_random.pt"


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

    @property
    def messages(self) -> list[str]:
        return [u["message"] for u in self.updates]


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


@pytest.fixture(scope="module")
def checkpoint(reference_dir) -> Path:
    path = reference_dir / CHECKPOINT_NAME
    if not path.is_file():
        pytest.skip(f"{path} not found")
    return path


@pytest.fixture(scope="module")
def fluo(dev_data_dir) -> np.ndarray:
    import tifffile

    return tifffile.imread(dev_data_dir / "dsb_fluo_d01.tif")  # 256 x 256 uint8


@pytest.fixture(scope="module")
def state():
    """The worker state, as serve() makes it; shared by the tests of this module (models stay loaded)."""
    st = worker.init_state()
    yield st
    st.close()


def _set(state_, array, checkpoint, task=None, **kwargs):
    owner, attached = _shared(array)
    kwargs.setdefault("model", "efficientsam-ti")
    kwargs.setdefault("checkpoint", str(checkpoint))
    try:
        info = worker.set_image(task, image=attached, **kwargs)
    except BaseException:
        _dispose(owner)
        raise
    return owner, attached, info


# --- hello, check_image, sleep ------------------------------------------------------------------


def test_hello_reports_version_pid_and_functions():
    info = worker.hello(None)
    assert info["version"] == __version__
    assert info["pid"] == os.getpid()
    assert info["api"] == worker.API_VERSION == 2
    assert set(info["functions"]) >= {"hello", "models", "install_weights", "set_image", "segment", "check_image"}
    for name in info["functions"]:
        assert callable(getattr(worker, name))
    json.dumps(info)  # must travel as JSON


@pytest.mark.parametrize(
    "dtype, shape",
    [("uint8", (37, 53)), ("uint16", (64, 40)), ("float32", (31, 29)), ("uint8", (20, 30, 3))],
)
def test_check_image_through_shared_memory_reports_exact_stats_and_unmaps(dtype, shape):
    rng = np.random.default_rng(7)
    if dtype == "float32":
        array = rng.normal(size=shape).astype(np.float32)
    else:
        array = rng.integers(0, np.iinfo(dtype).max, size=shape, endpoint=True).astype(dtype)
    before = _segments()
    owner, attached = _shared(array)
    try:
        task = RecordingTask()
        stats = worker.check_image(task, image=attached)
        assert stats["shape"] == list(shape)
        assert stats["dtype"] == dtype
        assert stats["min"] == float(array.min())
        assert stats["max"] == float(array.max())
        assert stats["nbytes"] == array.nbytes
        assert stats["crc32"] == zlib.crc32(array.tobytes())
        assert task.messages == ["Receiving image", "Image received"]
        assert attached.shm.buf is None  # unmapped in the "worker"
        json.dumps(stats)
    finally:
        _dispose(owner)
    assert _segments() - before == set()


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
def test_check_image_rejects_bad_images_with_input_error(image, match):
    with pytest.raises(InputError, match=match):
        worker.check_image(None, image=image)


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


def test_state_exists_only_once_made():
    saved = worker._STATE
    worker._STATE = None
    try:
        with pytest.raises(RuntimeError, match="serve"):
            worker.models(None)
    finally:
        worker._STATE = saved


# --- set_image / segment on the real engine --------------------------------------------------------


def _ring_ok(flat: list[int]) -> bool:
    """A closed ring of pixel edges: >= 4 vertices, every edge (also last -> first) axis-parallel."""
    xy = np.asarray(flat, np.int64).reshape(-1, 2)
    if len(xy) < 4:
        return False
    step = np.roll(xy, -1, axis=0) - xy
    return bool(((step[:, 0] == 0) ^ (step[:, 1] == 0)).all())


def _fill(shapes: list[dict], height: int, width: int) -> np.ndarray:
    rebuilt = [
        Shape(
            np.asarray(s["outer"], np.int32).reshape(-1, 2),
            tuple(np.asarray(h, np.int32).reshape(-1, 2) for h in s["holes"]),
            s["area"],
        )
        for s in shapes
    ]
    return rasterize(rebuilt, (height, width))


def test_set_image_uses_shared_memory_in_place_and_keeps_it_until_replaced(state, fluo, checkpoint):
    before = _segments()
    task = RecordingTask()
    owner, attached, info = _set(state, fluo, checkpoint, task)
    try:
        assert info["width"] == info["height"] == 256
        assert info["dtype"] == "uint8" and info["channels"] == 1
        assert info["model"] == "efficientsam-ti" and info["title"] == "EfficientSAM-Ti"
        assert info["checkpoint"] == str(checkpoint.resolve())
        assert info["normalize"] == "percentile:1,99.8"
        assert info["normalization"].startswith("percentile 1")
        assert info["tiles"] == 1
        json.dumps(info)
        assert task.messages[0] == "Receiving the image" and task.messages[-1] == "Image ready"
        # In place: the engine reads the segment itself, read-only, no copy.
        source = state.current.source.array
        assert np.shares_memory(source, attached.ndarray())
        assert not source.flags.writeable
        assert state.image_holder is attached
        assert attached.shm.buf is not None  # still mapped: Java keeps the segment too

        # A second image replaces it; only then is the first mapping closed.
        owner2, attached2, info2 = _set(state, fluo[:200, :120], checkpoint)
        try:
            assert (info2["height"], info2["width"]) == (200, 120)
            assert info2["model_loaded"] is False  # one Session per (model, checkpoint, runtime)
            assert attached.shm.buf is None
            assert state.image_holder is attached2
            worker.clear_image(None)
            assert attached2.shm.buf is None and state.current is None
        finally:
            _dispose(owner2)
    finally:
        _dispose(owner)
    assert _segments() - before == set()


def test_failed_set_image_leaves_no_image_and_releases_both_mappings(state, fluo, checkpoint):
    owner, attached, _ = _set(state, fluo, checkpoint)
    bad_owner, bad = _shared(fluo)
    try:
        assert len(worker.segment(None, prompts=[{"points": [[128, 128]]}])["objects"]) == 1
        with pytest.raises(InputError, match="unknown normalisation"):
            worker.set_image(None, image=bad, model="efficientsam-ti", checkpoint=str(checkpoint), normalize="loud")
        assert bad.shm.buf is None and attached.shm.buf is None
        assert state.image_holder is None and state.current is None
        # Nobody segments the previous image by mistake.
        with pytest.raises(InputError, match="no image has been set"):
            worker.segment(None, prompts=[{"points": [[128, 128]]}])
    finally:
        _dispose(bad_owner)
        worker.clear_image(None)
        _dispose(owner)


def test_segment_returns_closed_pixel_edge_polygons_that_fill_the_engine_masks(state, fluo, checkpoint):
    owner, _, _ = _set(state, fluo, checkpoint)
    try:
        prompts = [
            {"box": [40, 60, 90, 120]},
            {"points": [[100, 100], [30, 200]], "labels": [1, 0]},
            {"points": [[10.5, 250]], "box": [0, 200, 60, 255]},
        ]
        task = RecordingTask()
        out = worker.segment(task, prompts=prompts, options={"all_components": True})
        json.dumps(out)
        assert [o["index"] for o in out["objects"]] == [0, 1, 2]
        assert any(m.startswith("Segmenting") for m in task.messages)
        reference_options = worker_api.parse_options({"all_components": True})
        reference_options.keep_masks = True  # the worker drops masks; the reference needs them
        engine = state.current.segment(
            [worker_api.parse_prompt(i, p) for i, p in enumerate(prompts)], reference_options
        )
        for obj, ref in zip(out["objects"], engine):
            assert obj["rerun"] is False
            (mask,) = obj["masks"]
            assert mask["score"] == pytest.approx(ref.best.score, abs=1e-6)
            for shape in mask["shapes"]:
                assert all(isinstance(v, int) for v in shape["outer"])
                assert _ring_ok(shape["outer"]) and all(_ring_ok(h) for h in shape["holes"])
            filled = _fill(mask["shapes"], 256, 256)
            assert np.array_equal(filled, ref.best.full_mask(256, 256))
            assert mask["area"] == mask["mask_area"] == int(filled.sum())
    finally:
        worker.clear_image(None)
        _dispose(owner)


def test_benchmark_labels_give_a_click_its_labelled_object_and_leave_other_clicks_alone(
    state, fluo, checkpoint, dev_data_dir, monkeypatch
):
    """SAMROI_BENCHMARK_LABELS (the Java and ImageJ click benchmarks): a click on a labelled
    object gets that object's mask instead of the random weights' noise; a click on the
    background gets what the worker would give anyway; without the variable nothing changes."""
    import tifffile

    from samroi.bench_engine import label_points

    path = dev_data_dir / "dsb_fluo_d01_labels.tif"
    labels = tifffile.imread(path)
    monkeypatch.delenv("SAMROI_BENCHMARK_LABELS", raising=False)
    assert worker.benchmark_session_factory() is None
    monkeypatch.setenv("SAMROI_BENCHMARK_LABELS", str(path))
    shaped = worker_api.WorkerState(session_factory=worker.benchmark_session_factory(), cache=state.cache)
    plain = worker_api.WorkerState(cache=state.cache)
    for st in (shaped, plain):
        st.set_image(fluo, fluo, model="efficientsam-ti", checkpoint=str(checkpoint))

    def mask(st, x, y):
        out = st.segment([{"points": [[float(x), float(y)]], "labels": [1]}])
        return _fill(out["objects"][0]["masks"][0]["shapes"], *fluo.shape)

    for (x, y) in [p[0] for p in label_points(labels)[:3]]:
        obj = labels == labels[int(y), int(x)]
        got = mask(shaped, x, y)
        assert (got & obj).sum() / (got | obj).sum() >= 0.95
        assert not np.array_equal(got, mask(plain, x, y))  # the noise mask, which it replaced
    ys, xs = np.nonzero(labels == 0)
    assert np.array_equal(mask(shaped, xs[0], ys[0]), mask(plain, xs[0], ys[0]))
    shaped.close()
    plain.close()


def test_embeddings_are_cached_across_calls_and_images(state, fluo, checkpoint):
    owner, _, _ = _set(state, fluo, checkpoint)
    owner2 = None
    try:
        worker.segment(None, prompts=[{"points": [[50, 50]]}])
        again = worker.segment(None, prompts=[{"points": [[60, 70]]}, {"box": [1, 1, 30, 30]}])
        assert again["encodes"] == 0
        # The same pixels sent again (a new segment, as after reopening the image): no encoding.
        owner2, _, info = _set(state, fluo, checkpoint)
        assert info["model_loaded"] is False
        assert worker.segment(None, prompts=[{"points": [[5, 5]]}])["encodes"] == 0
        multi = worker.segment(None, prompts=[{"points": [[60, 70]]}], options={"all_masks": True})
        scores = [m["score"] for m in multi["objects"][0]["masks"]]
        assert len(scores) == 3 and scores == sorted(scores, reverse=True)
        single = worker.segment(None, prompts=[{"points": [[60, 70]]}], options={"multimask": False})
        assert len(single["objects"][0]["masks"]) == 1
    finally:
        worker.clear_image(None)
        _dispose(owner)
        if owner2 is not None:
            _dispose(owner2)


@pytest.mark.parametrize(
    "prompts, index, match",
    [
        ([{"points": [[10, 10]]}, {"points": [[256, 3]]}], 1, r"prompt 2: point \(256, 3\) is outside the image; x must be in 0..255"),
        ([{"box": [-1, 0, 20, 20]}], 0, "prompt 1: box .* reaches outside the image"),
        ([{"box": [20, 0, 10, 20]}], 0, "degenerate"),
        ([{"points": [[1, 1]]}, {}], 1, "prompt 2: it is empty"),
        ([{"points": [[1, 1], [2, 2]], "labels": [1]}], 0, "2 points need 2 labels"),
        ([{"points": [[1, 1]], "labels": [2]}], 0, "labels must be 1"),
        ([{"points": [[1, float("nan")]]}], 0, "finite"),
        ([{"points": [[1, 1]] * 5, "box": [0, 0, 9, 9]}], 0, "prompt 1:"),
    ],
)
def test_bad_prompts_name_the_prompt(state, fluo, checkpoint, prompts, index, match):
    owner, _, _ = _set(state, fluo, checkpoint)
    try:
        with pytest.raises(PromptError, match=match) as caught:
            worker.segment(None, prompts=prompts)
        assert caught.value.index == index
        info = worker_api.error_info(caught.value)
        assert info["kind"] == "prompt" and info["index"] == index
        task = RecordingTask()
        out = worker.segment(task, prompts=prompts)
        assert out["error"]["kind"] == "prompt" and out["error"]["index"] == index
        assert "Traceback" in out["traceback"]
        assert len(worker.segment(None, prompts=[{"points": [[3, 3]]}])["objects"]) == 1  # still usable
    finally:
        worker.clear_image(None)
        _dispose(owner)


def test_segment_without_image_and_bad_options(state, fluo, checkpoint):
    worker.clear_image(None)
    with pytest.raises(InputError, match="no image has been set"):
        worker.segment(None, prompts=[{"points": [[1, 1]]}])
    assert worker.segment(RecordingTask(), prompts=[])["error"]["kind"] == "no_image"
    with pytest.raises(InputError, match="unknown segment option"):
        worker.segment(None, prompts=[], options={"colour": 1})
    with pytest.raises(InputError, match="min_area"):
        worker.segment(None, prompts=[], options={"min_area": -3})


def test_unknown_model_missing_weights_and_missing_checkpoint_are_typed(state, fluo, checkpoint, tmp_path, monkeypatch):
    monkeypatch.setenv("SAMROI_HOME", str(tmp_path / "home"))
    cases = [
        ({"model": "sam-huge"}, "unknown_model", "samroi has no model called 'sam-huge'"),
        ({"model": "mobilesam", "checkpoint": None}, "missing_weights", "Install button"),
        ({"model": "efficientsam-ti", "checkpoint": str(tmp_path / "nö such.pt")}, "missing_weights", "does not exist"),
        ({"model": "efficientsam-ti", "checkpoint": str(checkpoint), "runtime": "gpu"}, "input", "unknown runtime"),
        ({"model": "efficientsam-ti", "checkpoint": str(checkpoint), "channel": 2}, "input", "channel 2 out of range"),
    ]
    before = _segments()
    for kwargs, kind, text in cases:
        owner, attached = _shared(fluo)
        try:
            task = RecordingTask()
            out = worker.set_image(task, image=attached, **kwargs)
            assert out["error"]["kind"] == kind, out
            assert text in out["error"]["message"], out
            assert attached.shm.buf is None  # the refused image's mapping is closed at once
        finally:
            _dispose(owner)
    assert _segments() - before == set()
    err = pytest.raises(WeightsError, worker.set_image, None, image=fluo, model="mobilesam").value
    assert isinstance(err, worker_api.MissingWeightsError) and err.checkpoint is None
    assert "samroi weights install mobilesam" in str(err) and "checkpoint file" in str(err)
    info = worker_api.error_info(err)
    assert info["kind"] == "missing_weights" and info["model"] == "mobilesam" and info["checkpoint"] is None
    assert info["problem"] == "The MobileSAM weights are not installed yet."
    assert info["next_step"].startswith("Install them with the Install button")
    json.dumps(info)


def test_cancelled_segment_answers_with_cancellation(state, fluo, checkpoint):
    owner, _, _ = _set(state, fluo[::-1].copy(), checkpoint)  # new pixels: needs an encoding
    try:
        task = RecordingTask()
        task.cancel_requested = True
        assert worker.segment(task, prompts=[{"points": [[5, 5]]}]) == {"cancelled": True}
        assert task.cancelled
        event = worker_api.TaskCancelEvent(task)
        assert event.is_set() and event.wait(0)
    finally:
        worker.clear_image(None)
        _dispose(owner)


def test_models_and_install_weights_from_a_local_file(state, checkpoint, tmp_path, monkeypatch):
    monkeypatch.setenv("SAMROI_HOME", str(tmp_path / "home ü"))
    listed = worker.models(None)
    assert [m["name"] for m in listed["models"]] == ["efficientsam-ti", "efficientsam-s", "mobilesam"]
    assert all(m["installed"] is False and m["identity"] == "missing" for m in listed["models"])
    assert listed["weights_dir"].startswith(str(tmp_path))
    # The fixture stands in for the official file (real weights cannot be downloaded here).
    with weights.registry_override("efficientsam-ti", sha1=weights.git_blob_sha1(checkpoint)):
        task = RecordingTask()
        out = worker_api.install_weights("efficientsam-ti", str(checkpoint), progress=lambda m, c, n: task.update(m, c, n), interval=0.01)
        assert out["identity"] == "ok" and Path(out["path"]).is_file()
        assert task.messages[0] == "Copying the EfficientSAM-Ti weights"
        assert task.messages[-1] == "The EfficientSAM-Ti weights are installed"
        assert task.updates[0]["maximum"] == checkpoint.stat().st_size
        row = worker.models(None)["models"][0]
        assert row["installed"] is True and row["identity"] == "ok" and row["checkpoint"] == out["path"]
    out = worker.install_weights(RecordingTask(), model="efficientsam-ti", source=str(tmp_path / "missing.pt"))
    assert out["error"]["kind"] == "input" and "does not exist" in out["error"]["message"]
    assert worker.install_weights(RecordingTask(), model="nope")["error"]["kind"] == "unknown_model"


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


def test_served_worker_answers_samroi_errors_as_structured_outputs():
    proc = _start_worker()
    try:
        responses = _run_task(proc, "seg", "import samroi.worker as _w; _w.segment(task, prompts=[{'points': [[1, 1]]}])")
        assert responses[-1]["responseType"] == "COMPLETION", responses
        error = responses[-1]["outputs"]["error"]
        assert error["kind"] == "no_image"
        assert error["type"] == "samroi.worker_api.NoImageError"
        responses = _run_task(proc, "models", "import samroi.worker as _w; _w.models(task)")
        assert len(responses[-1]["outputs"]["models"]) == 3
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)
