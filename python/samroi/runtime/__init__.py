"""Runtimes that execute the networks: onnxruntime (the default) and torch (the reference).

A runner holds one model's weights and offers two calls on arrays made by
samroi.preprocess:

    encode(x [1, 3, 1024, 1024] float32) -> embedding [1, 256, 64, 64] float32
    decode(embedding, coords [Q, P, 2], labels [Q, P]) -> (lowres [Q, 4, 256, 256], iou [Q, 4])

Output 0 of the four is the single-mask output, 1..3 the multimask outputs. The onnxruntime
runner's embeddings are views of channels-last [1, 4096, 256] arrays, the layout its decoder
takes, so clicks do not transpose them; any [1, 256, 64, 64] array is accepted.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..modelspec import get_spec

RUNTIMES = ("onnx", "torch")
DEFAULT_RUNTIME = "onnx"


def load_runner(model: str, runtime: str = DEFAULT_RUNTIME, checkpoint: str | Path | None = None, threads: int | None = None):
    """A runner for ``model`` on ``runtime``, with the installed official weights or ``checkpoint``."""
    spec = get_spec(model)
    if runtime == "onnx":
        from .onnx_runner import OnnxRunner

        return OnnxRunner.for_checkpoint(spec, checkpoint, threads=threads)
    if runtime == "torch":
        from .torch_runner import TorchRunner

        return TorchRunner.for_checkpoint(spec, checkpoint, threads=threads)
    raise InputError(f"unknown runtime {runtime!r}; choose one of: {', '.join(RUNTIMES)}")
