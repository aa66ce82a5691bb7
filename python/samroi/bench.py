"""``samroi bench``: how fast each model runs here, next to what the hardware can do.

Every (model, runtime) pair is measured in a fresh subprocess, so its peak memory is its
own and one runtime's threads do not disturb another's. Latencies are medians after a
warm-up. A model's runtimes are measured in rounds, one after the other and in alternating
order, and each figure is the median over the rounds: a machine whose speed drifts (shared
cloud CPUs do, by 30% within minutes) then slows both sides of a comparison alike, and the
onnx/torch ratio is the median of the ratios measured in the same round. The encoder's
achieved GFLOP/s is its multiply-add count (read from the ONNX graph) over its median time,
shown next to a measured fp32 matrix product: the ceiling.

Speed does not depend on the weights' values, so a model without an installed checkpoint
is measured with random weights of the official layout (marked "random" in the table).
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from . import preprocess
from .modelspec import get_spec


def median_time(fn, runs: int, warmup: int = 1) -> tuple[float, list[float]]:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def cpu_name() -> str:
    """The processor's model (on Linux from /proc/cpuinfo; under a hypervisor the name can be
    generic, so the family and model numbers come with it), else what platform reports."""
    fields = {}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, sep, value = line.partition(":")
            if sep:
                fields.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    if "model name" not in fields:
        return platform.processor() or platform.machine()
    return f"{fields['model name']}, family {fields.get('cpu family', '?')} model {fields.get('model', '?')}"


def machine(threads: int) -> dict:
    return {
        "platform": platform.platform(),
        "processor": cpu_name(),
        "cpus": os.cpu_count(),
        "threads": threads,
        "python": platform.python_version(),
    }


def matmul_gflops(size: int = 2048, runs: int = 7, threads: int | None = None) -> float:
    """fp32 matrix-product GFLOP/s through onnxruntime's MLAS kernels (the encoder's own GEMM)."""
    import onnxruntime as ort
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("MatMul", ["a", "b"], ["c"])],
        "matmul",
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, [size, size]) for n in "ab"],
        [helper.make_tensor_value_info("c", TensorProto.FLOAT, [size, size])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    from .runtime.onnx_runner import session_options

    session = ort.InferenceSession(model.SerializeToString(), session_options(threads), providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    feeds = {n: rng.standard_normal((size, size), dtype=np.float32) for n in "ab"}
    seconds, _ = median_time(lambda: session.run(None, feeds), runs, warmup=2)
    return 2 * size**3 / seconds / 1e9


def encoder_gflop(model_path) -> float:
    """Multiply-adds x 2 of the matrix-like operators of an encoder graph, in GFLOP."""
    import onnx

    model = onnx.shape_inference.infer_shapes(onnx.load(str(model_path)), data_prop=True)
    shapes = {}
    for value in list(model.graph.value_info) + list(model.graph.input) + list(model.graph.output):
        dims = [d.dim_value for d in value.type.tensor_type.shape.dim]
        shapes[value.name] = dims
    for init in model.graph.initializer:
        shapes[init.name] = list(init.dims)
    total = 0.0
    for node in model.graph.node:
        out = shapes.get(node.output[0])
        if node.op_type in ("MatMul", "Gemm"):
            a, b = shapes.get(node.input[0]), shapes.get(node.input[1])
            if a and b and out:
                k = a[-1] if node.op_type == "MatMul" or not _attr(node, "transA") else a[-2]
                total += 2.0 * float(np.prod(out)) * k
        elif node.op_type in ("Conv", "ConvTranspose"):
            w = shapes.get(node.input[1])
            if w and out:
                per_output = float(np.prod(w[1:])) if node.op_type == "Conv" else w[0] * float(np.prod(w[2:])) / max(out[1], 1) * w[1]
                total += 2.0 * float(np.prod(out)) * per_output
        elif node.op_type in ("Attention", "MultiHeadAttention"):
            q, k = shapes.get(node.input[0]), shapes.get(node.input[1])
            if q and k:  # QK^T and AV: 2 * (2 * B * Nq * Nk * C)
                total += 4.0 * q[0] * q[-2] * k[-2] * q[-1]
    return total / 1e9


def _attr(node, name):
    return next((a.i for a in node.attribute if a.name == name), 0)


def random_state(spec) -> dict[str, np.ndarray]:
    """Random arrays in the official checkpoint layout of ``spec`` (for timing only)."""
    from .checkpoint import load_layout

    rng = np.random.default_rng(0)
    state = {}
    for key, (shape, dtype) in load_layout(spec.name).items():
        if np.dtype(dtype).kind == "f":
            if len(shape) == 1 and key.endswith((".weight", "running_var")):
                array = np.ones(shape, np.float32)  # norm scales and variances
            else:
                array = rng.standard_normal(shape).astype(np.float32) * 0.02
        else:
            array = np.zeros(shape, dtype=dtype)
        state[key] = array
    return state


def measure_one(model: str, runtime: str, checkpoint: str | None, runs: int, threads: int) -> dict:
    """Runs in the child process: encode and decode latency, peak memory, GFLOP/s."""
    from .runtime import graphs
    from .runtime.onnx_runner import OnnxRunner

    spec = get_spec(model)
    weights_kind = "checkpoint"
    if checkpoint is None:
        from . import weights

        installed = weights.installed_path(model)
        checkpoint = str(installed) if installed else None
    if checkpoint:
        from .checkpoint import load_state

        state = load_state(checkpoint, spec)
    else:
        state, weights_kind = random_state(spec), "random"

    if runtime == "onnx":
        scratch = tempfile.TemporaryDirectory(prefix="samroi-bench-")  # removed when the process ends
        folder = graphs.build_onnx(spec, state, Path(scratch.name) / "onnx")
        runner = OnnxRunner(spec, folder, threads=threads)
    else:
        from .runtime.torch_runner import TorchRunner, build_network

        runner = TorchRunner(spec, build_network(spec, state), threads=threads)

    rng = np.random.default_rng(1)
    image = preprocess.model_input(spec, rng.random((1024, 1024, 3)))
    encode_s, encode_all = median_time(lambda: runner.encode(image), runs)
    embedding = runner.encode(image)
    coords, labels = preprocess.decoder_prompts(spec, 1024, 1024, np.array([[500.0, 400.0]]), np.array([1.0]), None)
    decode_s, _ = median_time(lambda: runner.decode(embedding, coords[None], labels[None]), max(10, runs * 4))
    boxes = [preprocess.decoder_prompts(spec, 1024, 1024, None, None, np.array([x, 100, x + 60, 170])) for x in range(0, 960, 60)]
    batch_coords = np.stack([b[0] for b in boxes])
    batch_labels = np.stack([b[1] for b in boxes])
    batch_s, _ = median_time(lambda: runner.decode(embedding, batch_coords, batch_labels), max(5, runs))
    return {
        "model": model,
        "runtime": runtime,
        "weights": weights_kind,
        "threads": threads,
        "encode_s": encode_s,
        "encode_runs_s": encode_all,
        "decode_ms": decode_s * 1e3,
        "decode_16_boxes_ms": batch_s * 1e3,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run(
    models, runtimes, runs: int = 5, threads: int | None = None, checkpoints: dict | None = None,
    rounds: int = 3, progress=print,
) -> dict:
    """Measure every pair in a subprocess, ``rounds`` times; returns the full report (also
    printed as a table)."""
    from .runtime.onnx_runner import default_threads

    threads = threads or default_threads()
    checkpoints = checkpoints or {}
    progress(f"fp32 matrix product (2048x2048, {threads} threads) ...")
    ceiling = matmul_gflops(threads=threads)
    report = {
        "machine": machine(threads),
        "matmul_gflops": ceiling,
        "rounds": rounds,
        "results": [],
    }
    for model in models:
        measured: dict[str, list[dict]] = {runtime: [] for runtime in runtimes}
        errors: dict[str, str] = {}
        for round_index in range(rounds):
            order = list(runtimes) if round_index % 2 == 0 else list(reversed(runtimes))
            for runtime in order:
                if runtime in errors:
                    continue
                progress(f"{model} on {runtime}, round {round_index + 1}/{rounds} ...")
                row = _measure_in_child(model, runtime, runs, threads, checkpoints.get(model))
                if "error" in row:
                    errors[runtime] = row["error"]
                else:
                    measured[runtime].append(row)
        gflop = None
        rows = {}
        for runtime in runtimes:
            if runtime in errors:
                report["results"].append({"model": model, "runtime": runtime, "error": errors[runtime]})
                continue
            row = rows[runtime] = _median_row(measured[runtime])
            gflop = gflop or _encoder_gflop_for(model)
            row["encoder_gflop"] = gflop
            row["encoder_gflops_achieved"] = gflop / row["encode_s"]
            report["results"].append(row)
        if "onnx" in rows and "torch" in rows:
            ratios = [o["encode_s"] / t["encode_s"] for o, t in zip(measured["onnx"], measured["torch"])]
            rows["onnx"]["encode_vs_torch"] = statistics.median(ratios)
            rows["onnx"]["encode_vs_torch_rounds"] = ratios
    # The machine's speed drifts within minutes here: measured again at the end, the ceiling is
    # the faster of the two.
    progress("fp32 matrix product again ...")
    report["matmul_gflops_runs"] = [ceiling, matmul_gflops(threads=threads)]
    report["matmul_gflops"] = max(report["matmul_gflops_runs"])
    return report


def _measure_in_child(model: str, runtime: str, runs: int, threads: int, checkpoint: str | None) -> dict:
    args = [sys.executable, "-m", "samroi.bench", model, runtime, str(runs), str(threads), checkpoint or ""]
    child = subprocess.run(args, capture_output=True, text=True)
    if child.returncode != 0:
        tail = (child.stderr.strip().splitlines() or ["no output"])[-1]
        return {"model": model, "runtime": runtime, "error": tail}
    return json.loads(child.stdout.strip().splitlines()[-1])


def _median_row(rows: list[dict]) -> dict:
    """One row for a (model, runtime) from its rounds: medians of the times, the largest
    peak memory, and every round's own figures."""
    row = dict(rows[0])
    for key in ("encode_s", "decode_ms", "decode_16_boxes_ms"):
        row[key] = statistics.median(r[key] for r in rows)
    row["peak_rss_mb"] = max(r["peak_rss_mb"] for r in rows)
    row["encode_runs_s"] = [t for r in rows for t in r["encode_runs_s"]]
    row["rounds"] = [{k: r[k] for k in ("encode_s", "decode_ms", "decode_16_boxes_ms", "peak_rss_mb")} for r in rows]
    return row


def _encoder_gflop_for(model: str) -> float:
    from .runtime import graphs

    spec = get_spec(model)
    with tempfile.TemporaryDirectory(prefix="samroi-bench-") as scratch:
        folder = graphs.build_onnx(spec, random_state(spec), Path(scratch) / "onnx", attention="standard")
        return encoder_gflop(folder["encoder"])


def format_table(report: dict) -> str:
    runs = report.get("matmul_gflops_runs")
    measured = f" (the faster of {runs[0]:.0f} before and {runs[1]:.0f} after the models)" if runs else ""
    lines = [
        f"fp32 matrix product: {report['matmul_gflops']:.0f} GFLOP/s on {report['machine']['threads']} threads{measured} "
        f"({report['machine']['processor']}); medians over {report.get('rounds', 1)} round(s), runtimes alternating",
        "",
        "| model | runtime | weights | encode (s) | vs torch (each round) | encoder GFLOP/s (of ceiling) | decode 1 point (ms) | decode 16 boxes (ms) | peak RSS (MB) |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in report["results"]:
        if "error" in r:
            lines.append(f"| {r['model']} | {r['runtime']} | failed: {r['error']} |||||||")
            continue
        ratio = ""
        if "encode_vs_torch" in r:
            each = ", ".join(f"{x:.2f}" for x in r["encode_vs_torch_rounds"])
            ratio = f"{r['encode_vs_torch']:.2f}x" + (f" ({each})" if len(r["encode_vs_torch_rounds"]) > 1 else "")
        share = r["encoder_gflops_achieved"] / report["matmul_gflops"]
        lines.append(
            f"| {r['model']} | {r['runtime']} | {r['weights']} | {r['encode_s']:.2f} | {ratio} | "
            f"{r['encoder_gflops_achieved']:.0f} ({share:.0%}) | {r['decode_ms']:.1f} | {r['decode_16_boxes_ms']:.1f} | {r['peak_rss_mb']:.0f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":  # one measurement, run by run() in a child process
    model, runtime, runs, threads, checkpoint = sys.argv[1:6]
    print(json.dumps(measure_one(model, runtime, checkpoint or None, int(runs), int(threads))))
