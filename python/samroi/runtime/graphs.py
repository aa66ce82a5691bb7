"""Filling samroi's ONNX graph templates with a checkpoint's tensors, without torch.

The templates (samroi/runtime/graphs/*.onnx, see samroi.runtime.export) take the
checkpoint tensors as graph inputs named by their state_dict keys. ``build_onnx`` turns
those inputs into initializers holding the checkpoint's arrays and writes encoder.onnx,
prepare.onnx and decoder.onnx for one (model, checkpoint) pair, atomically: a folder is
either complete or ignored and rebuilt.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

from ..errors import WeightsError
from ..modelspec import ModelSpec
from ..paths import usual_permissions

TEMPLATES = Path(__file__).with_name("graphs")
COMPLETE = "complete.json"
# encoder: image -> embedding; prepare: the decoder's work on an embedding that every click
# on it shares (once per image); decoder: prompts -> masks.
PARTS = ("encoder", "prepare", "decoder")

# onnxruntime's fused MultiHeadAttention kernel (flash attention on CPUs) replaces the
# standard Attention operator in the encoder where it has no bias: the same maths, measured
# about twice as fast for EfficientSAM's 4096 tokens. MobileSAM's biased window attentions
# and the decoder keep the standard operator: for the decoder's shapes (a few tokens against
# 4096 image tokens) the fused kernel measured five times slower.
ATTENTION_KERNELS = ("mha", "standard")
DEFAULT_ATTENTION = "mha"


def template_path(spec: ModelSpec, part: str) -> Path:
    """The committed template for ``part`` (one of PARTS) of ``spec``; the decoder's parts
    are the same for all models of a family."""
    name = spec.name if part == "encoder" else spec.family
    return TEMPLATES / f"{name}-{part}.onnx"


# Raise when build_onnx changes what it writes for the same templates, so that graphs built
# before are rebuilt instead of reused (2: no fused kernel for attention with a bias).
BUILD_VERSION = 2


@functools.lru_cache(maxsize=None)
def templates_digest(spec: ModelSpec) -> str:
    """SHA-256 over ``spec``'s templates (hex) and BUILD_VERSION."""
    digest = hashlib.sha256(f"build {BUILD_VERSION}".encode())
    for part in PARTS:
        digest.update(template_path(spec, part).read_bytes())
    return digest.hexdigest()


def build_onnx(
    spec: ModelSpec,
    state: dict[str, np.ndarray],
    folder: Path,
    *,
    attention: str = DEFAULT_ATTENTION,
    source: str = "",
) -> dict[str, Path]:
    """Write ``folder``/<part>.onnx for each of PARTS of ``spec`` with the arrays of ``state``."""
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=folder.name + ".", suffix=".part", dir=folder.parent))
    try:
        for part in PARTS:
            model = onnx.load(template_path(spec, part))
            _fill(model, state, spec)
            if attention == "mha" and part == "encoder":
                _use_fused_attention(model)
            onnx.save(model, work / f"{part}.onnx")
        (work / COMPLETE).write_text(json.dumps({"model": spec.name, "attention": attention, "source": source}))
        usual_permissions(work)  # mkdtemp makes it private
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(work, folder)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return paths_in(folder)


def paths_in(folder: Path) -> dict[str, Path]:
    return {part: folder / f"{part}.onnx" for part in PARTS}


def is_complete(folder: Path) -> bool:
    return (folder / COMPLETE).is_file() and all(p.is_file() for p in paths_in(folder).values())


def _fill(model: onnx.ModelProto, state: dict[str, np.ndarray], spec: ModelSpec) -> None:
    graph = model.graph
    weights = [inp for inp in graph.input if inp.name in state]
    expected = [inp for inp in graph.input if "." in inp.name]  # state_dict keys are dotted
    missing = sorted({inp.name for inp in expected} - {inp.name for inp in weights})
    if missing:
        raise WeightsError(
            f"the checkpoint lacks {len(missing)} tensors the {spec.title} network needs "
            f"(for example {missing[0]}); use an official {spec.title} checkpoint"
        )
    for inp in weights:
        array = np.ascontiguousarray(state[inp.name], dtype=np.float32 if inp.type.tensor_type.elem_type == onnx.TensorProto.FLOAT else None)
        graph.initializer.append(numpy_helper.from_array(array, inp.name))
    names = {inp.name for inp in weights}
    kept = [inp for inp in graph.input if inp.name not in names]
    del graph.input[:]
    graph.input.extend(kept)


def _use_fused_attention(model: onnx.ModelProto) -> None:
    swapped = False
    for node in model.graph.node:
        # With a bias (MobileSAM's window attention, 49 or 196 tokens) the standard operator
        # measured faster: about 6% of MobileSAM's encoder.
        if node.op_type == "Attention" and node.domain in ("", "ai.onnx") and len(node.input) == 3:
            heads = next(a.i for a in node.attribute if a.name == "q_num_heads")
            node.op_type = "MultiHeadAttention"
            node.domain = "com.microsoft"
            del node.attribute[:]
            node.attribute.append(onnx.helper.make_attribute("num_heads", heads))
            del node.output[1:]
            swapped = True
    if swapped and not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(onnx.helper.make_opsetid("com.microsoft", 1))
