"""samroi bench's report: rounds folded into medians, ratios taken within a round."""

from __future__ import annotations

from samroi import bench


def _row(runtime: str, encode_s: float, decode_ms: float, rss: float) -> dict:
    return {
        "model": "mobilesam",
        "runtime": runtime,
        "weights": "random",
        "threads": 2,
        "encode_s": encode_s,
        "encode_runs_s": [encode_s, encode_s],
        "decode_ms": decode_ms,
        "decode_16_boxes_ms": 10 * decode_ms,
        "peak_rss_mb": rss,
    }


def test_rounds_give_medians_and_the_largest_peak_memory():
    rows = [_row("onnx", 1.0, 30.0, 900), _row("onnx", 1.4, 20.0, 1000), _row("onnx", 0.8, 25.0, 950)]
    folded = bench._median_row(rows)
    assert folded["encode_s"] == 1.0
    assert folded["decode_ms"] == 25.0
    assert folded["decode_16_boxes_ms"] == 250.0
    assert folded["peak_rss_mb"] == 1000
    assert len(folded["encode_runs_s"]) == 6
    assert [r["encode_s"] for r in folded["rounds"]] == [1.0, 1.4, 0.8]


def test_table_shows_the_median_ratio_and_each_rounds_ratio():
    onnx = bench._median_row([_row("onnx", 1.0, 30.0, 900), _row("onnx", 1.2, 30.0, 900)])
    torch = bench._median_row([_row("torch", 2.0, 60.0, 1500), _row("torch", 3.0, 60.0, 1500)])
    for row in (onnx, torch):
        row["encoder_gflop"] = 100.0
        row["encoder_gflops_achieved"] = 100.0 / row["encode_s"]
    onnx["encode_vs_torch_rounds"] = [0.5, 0.4]
    onnx["encode_vs_torch"] = 0.45
    report = {
        "machine": {"threads": 2, "processor": "x86_64"},
        "matmul_gflops": 200.0,
        "matmul_gflops_runs": [150.0, 200.0],
        "rounds": 2,
        "results": [onnx, torch],
    }
    table = bench.format_table(report)
    assert "medians over 2 round(s)" in table
    assert "200 GFLOP/s on 2 threads (the faster of 150 before and 200 after the models)" in table
    assert "| mobilesam | onnx | random | 1.10 | 0.45x (0.50, 0.40) |" in table
    assert "| mobilesam | torch | random | 2.50 |  |" in table


def test_engine_table_names_the_machine_and_why_a_scenario_failed(tmp_path):
    from pathlib import Path

    from samroi import bench_engine

    sample = Path(__file__).resolve().parents[2] / "data" / "sample"
    missing = tmp_path / "no such checkpoint.pt"
    report = bench_engine.run("efficientsam-ti", str(missing), sample, None, clicks=2, progress=lambda _: None)
    (click,) = report["results"]
    assert click["scenario"] == "click"
    assert "no such checkpoint.pt" in click["error"]
    table = bench_engine.format_table(report)
    assert f"GFLOP/s on {report['machine']['threads']} threads ({bench.cpu_name()})" in table
    assert "| click | failed: " in table
