"""samroi bench: latency, memory and achieved GFLOP/s of every model on this machine."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..errors import InputError
from ..modelspec import MODELS
from ..runtime import RUNTIMES


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "bench",
        help="measure encode/decode latency, memory and GFLOP/s of the models here",
        description="Measure every model on every runtime in a fresh process (medians after a warm-up), "
        "in rounds that alternate the runtimes' order. "
        "Models without installed weights are timed with random weights of the official layout.",
    )
    p.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS), metavar="MODEL")
    p.add_argument("--runtimes", nargs="+", default=list(RUNTIMES), choices=list(RUNTIMES), metavar="RUNTIME")
    p.add_argument("--runs", type=int, default=5, help="timed runs per measurement (default 5)")
    p.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="measure each model's runtimes this many times, alternating their order; figures are "
        "medians over the rounds (default 3)",
    )
    p.add_argument("--threads", type=int, default=None, help="CPU threads (default: all this process may use)")
    p.add_argument(
        "--checkpoint",
        action="append",
        default=[],
        metavar="MODEL=FILE",
        help="time MODEL with this checkpoint instead of the installed one (repeatable)",
    )
    p.add_argument("--json", type=Path, default=Path("samroi-bench.json"), help="where to write the full report")
    p.add_argument(
        "--engine",
        action="store_true",
        help="also measure the segmentation engine: click latency, a large batch, a 16384x16384 image "
        "(each next to the naive downscale-the-whole-image approach)",
    )
    p.add_argument("--engine-model", default="efficientsam-ti", choices=list(MODELS), help="model for --engine")
    p.add_argument(
        "--data",
        type=Path,
        default=None,
        help="folder with mosaic_dsb_fluo_4160x4176.tif and its labels for the --engine batch and "
        "large-image scenarios (skipped without it)",
    )
    p.add_argument("--clicks", type=int, default=50, help="clicks for the --engine latency scenario")
    p.add_argument("--skip-models", action="store_true", help="only the --engine scenarios")
    p.set_defaults(func=run)


def run(args) -> int:
    from .. import bench

    checkpoints = {}
    for item in args.checkpoint:
        model, sep, path = item.partition("=")
        if not sep or model not in MODELS:
            raise InputError(f"--checkpoint takes MODEL=FILE with MODEL one of {', '.join(MODELS)}; got {item!r}")
        checkpoints[model] = path
    if args.runs < 1:
        raise InputError("--runs must be at least 1")
    if args.rounds < 1:
        raise InputError("--rounds must be at least 1")

    def say(message):
        print(message, file=sys.stderr)

    report: dict = {"results": []}
    tables = []
    if not args.skip_models:
        report = bench.run(args.models, args.runtimes, runs=args.runs, threads=args.threads,
                           checkpoints=checkpoints, rounds=args.rounds, progress=say)
        tables.append(bench.format_table(report))
    if args.engine:
        from .. import bench_engine

        sample = Path(__file__).resolve().parents[3] / "data" / "sample"
        if not (sample / "nuclei.tif").is_file():
            raise InputError(f"the bundled sample image is missing ({sample}); --engine needs a source checkout")
        engine = bench_engine.run(args.engine_model, checkpoints.get(args.engine_model), sample, args.data,
                                  clicks=args.clicks, progress=say)
        report["engine"] = engine
        tables.append(bench_engine.format_table(engine))
    table = "\n\n".join(tables)
    print(table)
    report["table"] = table
    args.json.write_text(json.dumps(report, indent=2))
    say(f"\nfull report: {args.json}")
    failed = [r for r in report["results"] + report.get("engine", {}).get("results", []) if "error" in r]
    return 1 if failed else 0
