"""samroi export: build the ONNX graphs of a checkpoint into the model cache."""

from __future__ import annotations

from ..modelspec import MODELS, get_spec
from ..runtime import graphs


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "export",
        help="write the ONNX graphs of a checkpoint (encoder, the decoder's per-image part, decoder) into the cache",
        description="Fill samroi's ONNX graphs with a checkpoint's weights (no torch needed) and "
        "store them in the model cache, where the onnx runtime finds them.",
    )
    p.add_argument("model", choices=list(MODELS), metavar="MODEL", help=", ".join(MODELS))
    p.add_argument("--checkpoint", help="a checkpoint file of your own (default: the installed official weights)")
    p.add_argument(
        "--attention",
        choices=graphs.ATTENTION_KERNELS,
        default=graphs.DEFAULT_ATTENTION,
        help="attention kernel: onnxruntime's fused MultiHeadAttention (default) or the standard ONNX Attention",
    )
    p.add_argument("--force", action="store_true", help="rebuild even if the cache has the graphs")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..runtime.onnx_runner import ensure_onnx

    folder = ensure_onnx(get_spec(args.model), args.checkpoint, attention=args.attention, force=args.force)
    for part, path in graphs.paths_in(folder).items():
        print(f"{part}: {path}")
    return 0
