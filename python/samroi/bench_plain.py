"""The click benchmark's plain baseline: EfficientSAM's decoder as the official ONNX export runs it.

The official EfficientSAM ONNX decoder takes the image embedding and the padded points and
returns the three multimask outputs upscaled (bilinear) to the image's size, computed in the
official formulation: projections over all 4096 image tokens in every attention, all tokens
through the last attention, ConvTranspose, GroupNorm and GELU on every mask. samroi's engine
computes the same masks with the image's share of the work done once per image (the prepare
graph), folded cross-attentions, one mask head and upscaling bounded to where the mask can be
(README, How it works). This module builds that plain graph from samroi's own modules and the
same checkpoint, so the benchmark can time the two side by side in one run: the machine's
speed drifts by tens of percent between runs here, and a fixed figure for the baseline would
not say which side moved.

Building the graph needs torch and onnxscript (samroi's development dependencies); it runs in
a child process, so the process that times clicks never loads torch, whose memory and idle
threads would weigh on the figures of both sides.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from . import preprocess
from .modelspec import ModelSpec


def plain_decoder_module(network, height: int, width: int):
    """A torch module: (embedding [1, 256, 64, 64], coords [Q, 6, 2], labels [Q, 6]) ->
    (multimask logits [Q, 3, height, width], their IoU [Q, 3], the low-res logits of all four
    masks [Q, 4, 256, 256]), in the official formulation."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    class PlainDecoder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.network = network

        def forward(self, embedding, coords, labels):
            prompt, decoder = self.network.prompt_encoder, self.network.mask_decoder
            transformer = decoder.transformer
            image_pe = prompt.dense_pe()
            sparse = prompt(coords, labels)
            q = sparse.shape[0]
            output_tokens = torch.cat([decoder.iou_token.weight, decoder.mask_tokens.weight], dim=0)
            tokens = torch.cat([output_tokens.unsqueeze(0).expand(q, -1, -1), sparse], dim=1)
            keys = embedding.flatten(2).permute(0, 2, 1).expand(q, -1, -1)
            key_pe = image_pe.flatten(2).permute(0, 2, 1)
            queries = tokens
            for layer in transformer.layers:  # unfolded: every projection over the image tokens
                queries, keys = layer(queries, keys, tokens, key_pe)
            count = len(decoder.output_hypernetworks_mlps)
            out = transformer.final(queries, tokens, keys, image_pe)  # every token
            hyper = torch.stack([mlp(out[:, 1 + i]) for i, mlp in enumerate(decoder.output_hypernetworks_mlps)], 1)
            iou = decoder.iou_prediction_head(out[:, 0])
            (first, norm, _), (second, _) = decoder.final_output_upscaling_layers
            src = keys.transpose(1, 2).reshape(q, -1, 64, 64)
            upscaled = F.gelu(norm(nn.ConvTranspose2d.forward(first, src)))
            upscaled = F.gelu(nn.ConvTranspose2d.forward(second, upscaled))
            b, c, h, w = upscaled.shape
            lowres = (hyper @ upscaled.reshape(b, c, h * w)).reshape(b, count, h, w)
            full = F.interpolate(lowres[:, 1:], (height, width), mode="bilinear", align_corners=False)
            return full, iou[:, 1:], lowres

    return PlainDecoder().eval()


def export_plain_decoder(spec: ModelSpec, checkpoint: str, height: int, width: int, path: Path) -> Path:
    """Write the plain decoder for images of height x width as an ONNX model at ``path``."""
    import torch

    from .checkpoint import load_state
    from .models.attention import onnx_translation
    from .runtime.export import OPSET
    from .runtime.torch_runner import build_network

    if spec.family != "efficientsam":
        raise ValueError(f"the plain baseline is EfficientSAM's decoder; {spec.name} is not one")
    module = plain_decoder_module(build_network(spec, load_state(checkpoint, spec)), height, width)
    example = (torch.zeros(1, 256, 64, 64), torch.zeros(1, spec.fixed_points, 2), -torch.ones(1, spec.fixed_points))
    with torch.no_grad():
        program = torch.onnx.export(
            module,
            example,
            dynamo=True,
            opset_version=OPSET,
            input_names=["embedding", "coords", "labels"],
            output_names=["masks", "iou", "lowres"],
            custom_translation_table=onnx_translation(),
            verbose=False,
        )
    program.save(str(path))
    return path


class PlainClick:
    """Prompt to polygon with the plain decoder: decode, the best of the three full-size masks
    by predicted IoU, threshold, polygons (largest part, as the engine's default)."""

    def __init__(self, spec: ModelSpec, checkpoint: str, height: int, width: int, threads: int | None = None):
        import onnxruntime as ort

        from .runtime.onnx_runner import session_options

        self.spec, self.height, self.width = spec, height, width
        self._folder = tempfile.TemporaryDirectory(prefix="samroi-plain-")
        path = Path(self._folder.name) / "plain.onnx"
        command = [sys.executable, "-m", "samroi.bench_plain", spec.name, checkpoint, str(height), str(width), str(path)]
        done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"building the plain decoder failed:\n{done.stderr[-2000:]}")
        self._session = ort.InferenceSession(str(path), session_options(threads), providers=["CPUExecutionProvider"])

    def masks(self, embedding: np.ndarray, points, labels, box=None) -> tuple[np.ndarray, np.ndarray]:
        """(full-size logits [3, H, W], IoU [3]) for one object's prompt; ``embedding`` a
        C-contiguous float32 [1, 256, 64, 64] (the engine's cached one is a transposed view)."""
        coords, point_labels = preprocess.decoder_prompts(self.spec, self.height, self.width, points, labels, box)
        feed = {"embedding": embedding, "coords": coords[None], "labels": point_labels[None]}
        logits, iou = self._session.run(["masks", "iou"], feed)
        return logits[0], iou[0]

    def polygons_of(self, logits: np.ndarray, iou: np.ndarray):
        """The polygons of the best of masks()'s masks."""
        from .polygons import mask_to_polygons

        return mask_to_polygons(preprocess.threshold(self.spec, logits[int(np.argmax(iou))]))


if __name__ == "__main__":  # export in a child process: model, checkpoint, height, width, path
    from .modelspec import get_spec

    name, checkpoint_path, h, w, out = sys.argv[1:]
    export_plain_decoder(get_spec(name), checkpoint_path, int(h), int(w), Path(out))
