"""Multi-head attention as one operator, so the ONNX graphs can use a fused kernel.

In torch it runs the official formulation (q @ k^T * scale, softmax, @ v), so the torch
runner stays the reference. On export it becomes the standard ONNX ``Attention`` operator
(opset 23) in its 3-D form, which samroi.runtime.graphs can swap for onnxruntime's fused
``com.microsoft.MultiHeadAttention`` (same inputs, same maths) when that measures faster.

Inputs are [B, N, C] with the heads contiguous inside C, as the official qkv projections
lay them out; the scale is (C / num_heads) ** -0.5.
"""

from __future__ import annotations

import torch


@torch.library.custom_op("samroi::multi_head_attention", mutates_args=())
def multi_head_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, num_heads: int) -> torch.Tensor:
    batch, n_q, channels = q.shape
    n_k = k.shape[1]
    head_dim = channels // num_heads
    qh = q.reshape(batch, n_q, num_heads, head_dim).transpose(1, 2)
    kh = k.reshape(batch, n_k, num_heads, head_dim).transpose(1, 2)
    vh = v.reshape(batch, n_k, num_heads, head_dim).transpose(1, 2)
    weights = torch.softmax((qh @ kh.transpose(-2, -1)) * head_dim**-0.5, dim=-1)
    return (weights @ vh).transpose(1, 2).reshape(batch, n_q, channels)


@multi_head_attention.register_fake
def _(q, k, v, num_heads):
    return torch.empty_like(q)


def onnx_translation():
    """The torch.onnx custom translation table entry for multi_head_attention (needs onnxscript)."""
    from onnxscript import opset23 as op

    def attention(q, k, v, num_heads: int):
        outputs = op.Attention(q, k, v, q_num_heads=num_heads, kv_num_heads=num_heads)
        return outputs[0] if isinstance(outputs, (tuple, list)) else outputs

    return {torch.ops.samroi.multi_head_attention.default: attention}


class ProjectedAttention(torch.nn.Module):
    """SAM's decoder attention: q/k/v projected to an internal width, heads, out projection.

    Used by both mask decoders (the parameter names match the official checkpoints).
    ``downsample`` divides the internal width (2 in the cross-attentions).
    """

    def __init__(self, dim: int, num_heads: int, downsample: int = 1) -> None:
        super().__init__()
        inner = dim // downsample
        self.num_heads = num_heads
        self.q_proj = torch.nn.Linear(dim, inner)
        self.k_proj = torch.nn.Linear(dim, inner)
        self.v_proj = torch.nn.Linear(dim, inner)
        self.out_proj = torch.nn.Linear(inner, dim)

    def forward(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        heads = multi_head_attention(self.q_proj(q), self.k_proj(k), self.v_proj(v), self.num_heads)
        return self.out_proj(heads)
