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
        description="Measure every model on every runtime in a fresh process (medians after a warm-up). "
        "Models without installed weights are timed with random weights of the official layout.",
    )
    p.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS), metavar="MODEL")
    p.add_argument("--runtimes", nargs="+", default=list(RUNTIMES), choices=list(RUNTIMES), metavar="RUNTIME")
    p.add_argument("--runs", type=int, default=5, help="timed runs per measurement (default 5)")
    p.add_argument("--threads", type=int, default=None, help="CPU threads (default: all this process may use)")
    p.add_argument(
        "--checkpoint",
        action="append",
        default=[],
        metavar="MODEL=FILE",
        help="time MODEL with this checkpoint instead of the installed one (repeatable)",
    )
    p.add_argument("--json", type=Path, default=Path("samroi-bench.json"), help="where to write the full report")
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
    report = bench.run(args.models, args.runtimes, runs=args.runs, threads=args.threads, checkpoints=checkpoints,
                       progress=lambda m: print(m, file=sys.stderr))
    table = bench.format_table(report)
    print(table)
    report["table"] = table
    args.json.write_text(json.dumps(report, indent=2))
    print(f"\nfull report: {args.json}", file=sys.stderr)
    return 0 if all("error" not in r for r in report["results"]) else 1
