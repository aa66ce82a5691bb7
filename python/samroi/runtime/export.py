"""Tracing samroi's torch networks into ONNX graph templates (needs torch and onnxscript).

A template is an ONNX model whose checkpoint tensors are graph *inputs* named by their
state_dict keys instead of initializers. It holds the network's structure only (a few
hundred kB), is committed to the repository in samroi/runtime/graphs, and is filled with the
arrays of any checkpoint by samroi.runtime.graphs without torch. Regenerate the committed
templates with ``python scripts/make_onnx_graphs.py`` after changing a network.
"""

from __future__ import annotations

import numpy as np
import onnx
import torch

from ..modelspec import IMAGE_SIZE, ModelSpec
from ..models import build_model
from ..models.attention import onnx_translation
from ..models.two_way import PreparedImage
from .graphs import PARTS

# The decoder's inputs made by the prepare graph, once per image (PreparedImage's fields).
IMAGE_INPUTS = ("image", "image_keys", "image_values", "image_queries")

OPSET = 23  # the first opset with the standard Attention operator


class _Encoder(torch.nn.Module):
    def __init__(self, network):
        super().__init__()
        self.network = network

    def forward(self, image):
        # Channels last, the layout the decoder works in: the transpose happens once per
        # image here instead of at every click (OnnxRunner.encode gives callers the usual
        # [1, 256, 64, 64] as a view).
        return self.network.image_encoder(image).flatten(2).transpose(1, 2)


class _Prepare(torch.nn.Module):
    """The decoder's per-image part: its outputs are the decoder's image inputs."""

    def __init__(self, network):
        super().__init__()
        self.network = network

    def forward(self, image_tokens):
        return tuple(self.network.prepare(image_tokens))


class _Decoder(torch.nn.Module):
    def __init__(self, network):
        super().__init__()
        self.network = network

    def forward(self, tokens, keys, values, queries, coords, labels, masks):
        return self.network.decode_prepared(PreparedImage(tokens, keys, values, queries), coords, labels, masks=masks)


class _DecoderMergedPadding(_Decoder):
    """EfficientSAM's decoder taking its padding points merged (onnx_runner.merge_padding)."""

    def forward(self, tokens, keys, values, queries, coords, labels, masks, point_log_counts):
        image = PreparedImage(tokens, keys, values, queries)
        return self.network.decode_prepared(image, coords, labels, point_log_counts, masks)


def trace_templates(spec: ModelSpec) -> dict[str, onnx.ModelProto]:
    """{part: template} for ``spec`` (graphs.PARTS), traced from a randomly initialised network."""
    network = build_model(spec.name)
    weight_names = set(network.state_dict())
    encoder = _export(
        _Encoder(network),
        (torch.zeros(1, 3, IMAGE_SIZE, IMAGE_SIZE),),
        input_names=["image"],
        output_names=["image_tokens"],
        dynamic_shapes=None,
    )
    image_tokens = torch.zeros(1, 64 * 64, 256)
    prepare = _export(
        _Prepare(network),
        (image_tokens,),
        input_names=["image_tokens"],
        output_names=list(IMAGE_INPUTS),
        dynamic_shapes=None,
    )
    # The decoder's later cross-attentions in their folded form: about half the work per click.
    network.mask_decoder.transformer.folded = True
    queries = torch.export.Dim("queries", min=1, max=4096)
    points = torch.export.Dim("points", min=1, max=256)
    per_point = {0: queries, 1: points}
    # The mask tokens to compute (layers.mask_indices): 1 to 4 of them.
    per_mask = {0: torch.export.Dim("masks", min=1, max=4)}
    with torch.no_grad():
        image = tuple(network.prepare(image_tokens))
    example = (*image, torch.zeros(2, 3, 2), -torch.ones(2, 3), torch.tensor([-1, 2]))
    fixed = (None,) * len(image)
    if spec.fixed_points:  # padding merged: a variable number of points with weights
        decoder = _export(
            _DecoderMergedPadding(network),
            (*example, torch.zeros(2, 3)),
            input_names=[*IMAGE_INPUTS, "coords", "labels", "masks", "point_log_counts"],
            output_names=["lowres", "iou"],
            dynamic_shapes=(*fixed, per_point, per_point, per_mask, per_point),
        )
    else:
        decoder = _export(
            _Decoder(network),
            example,
            input_names=[*IMAGE_INPUTS, "coords", "labels", "masks"],
            output_names=["lowres", "iou"],
            dynamic_shapes=(*fixed, per_point, per_point, per_mask),
        )
    traced = {"encoder": encoder, "prepare": prepare, "decoder": decoder}
    return {part: _as_template(traced[part], weight_names) for part in PARTS}


def _export(module, args, input_names, output_names, dynamic_shapes):
    program = torch.onnx.export(
        module.eval(),
        args,
        dynamo=True,
        opset_version=OPSET,
        input_names=input_names,
        output_names=output_names,
        dynamic_shapes=dynamic_shapes,
        custom_translation_table=onnx_translation(),
        # No folding at export: every checkpoint tensor must stay a named graph input.
        # onnxruntime folds and fuses when it loads the filled graph.
        do_constant_folding=False,
        optimize=False,
        verbose=False,
    )
    return program.model_proto


def _as_template(model: onnx.ModelProto, weight_names: set[str]) -> onnx.ModelProto:
    """Turn every initializer that is a checkpoint tensor into a graph input of the same name."""
    graph = model.graph
    prefix = "network."
    renames = {}
    kept = []
    for init in graph.initializer:
        key = init.name[len(prefix) :] if init.name.startswith(prefix) else init.name
        if key in weight_names:
            renames[init.name] = key
            graph.input.append(
                onnx.helper.make_tensor_value_info(key, init.data_type, list(init.dims))
            )
        else:
            kept.append(init)  # constants of the network itself (interpolation matrices, indices)
    del graph.initializer[:]
    graph.initializer.extend(kept)
    for node in graph.node:
        for i, name in enumerate(node.input):
            if name in renames:
                node.input[i] = renames[name]
    _drop_zero_conv_bias(graph)
    for node in graph.node:  # exporter debugging aids (source lines, stack traces)
        node.doc_string = ""
        del node.metadata_props[:]
    model.producer_name = "samroi"
    onnx.checker.check_model(model)
    return model


def _constant(graph, name: str):
    """The value of ``name`` when an initializer or a Constant node holds it, else None."""
    for init in graph.initializer:
        if init.name == name:
            return onnx.numpy_helper.to_array(init)
    for node in graph.node:
        if node.output and node.output[0] == name:
            if node.op_type == "Constant":
                return onnx.numpy_helper.to_array(node.attribute[0].t)
            if node.op_type in ("Cast", "CastLike", "Identity"):  # a zero stays a zero
                return _constant(graph, node.input[0])
    return None


def _drop_zero_conv_bias(graph) -> None:
    """Remove the all-zero bias the exporter gives a bias-free Conv (Expand of a zero).

    onnxruntime fuses a Conv with the BatchNormalization after it only when the Conv's
    bias is absent or an initializer; the computed zero blocked that for every ConvBN.
    """
    producers = {out: node for node in graph.node for out in node.output}
    for node in graph.node:
        if node.op_type != "Conv" or len(node.input) < 3:
            continue
        source = producers.get(node.input[2])
        if source is None or source.op_type != "Expand":
            continue
        value = _constant(graph, source.input[0])
        if value is not None and not np.any(value):
            del node.input[2]
    used = {name for node in graph.node for name in node.input} | {o.name for o in graph.output}
    while True:  # drop what no longer feeds anything
        dead = [n for n in graph.node if not any(out in used for out in n.output)]
        if not dead:
            break
        for n in dead:
            graph.node.remove(n)
        used = {name for node in graph.node for name in node.input} | {o.name for o in graph.output}
