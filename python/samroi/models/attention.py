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


def _attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, num_heads: int, bias=None) -> torch.Tensor:
    batch, n_q, channels = q.shape
    n_k = k.shape[1]
    head_dim = channels // num_heads
    qh = q.reshape(batch, n_q, num_heads, head_dim).transpose(1, 2)
    kh = k.reshape(batch, n_k, num_heads, head_dim).transpose(1, 2)
    vh = v.reshape(batch, n_k, num_heads, head_dim).transpose(1, 2)
    scores = (qh @ kh.transpose(-2, -1)) * head_dim**-0.5
    weights = torch.softmax(scores if bias is None else scores + bias, dim=-1)
    return (weights @ vh).transpose(1, 2).reshape(batch, n_q, channels)


@torch.library.custom_op("samroi::multi_head_attention", mutates_args=())
def multi_head_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, num_heads: int) -> torch.Tensor:
    return _attention(q, k, v, num_heads)


@multi_head_attention.register_fake
def _(q, k, v, num_heads):
    return torch.empty_like(q)


@torch.library.custom_op("samroi::biased_multi_head_attention", mutates_args=())
def biased_multi_head_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, bias: torch.Tensor, num_heads: int
) -> torch.Tensor:
    """multi_head_attention with ``bias`` [1, heads, N_q, N_k] added to every window's scores
    (TinyViT's learned position bias); exported as Attention with an additive mask."""
    return _attention(q, k, v, num_heads, bias)


@biased_multi_head_attention.register_fake
def _(q, k, v, bias, num_heads):
    return torch.empty_like(q)


def onnx_translation():
    """The torch.onnx custom translation table entries for the attention operators (needs onnxscript)."""
    from onnxscript import opset23 as op

    def attention(q, k, v, num_heads: int):
        outputs = op.Attention(q, k, v, q_num_heads=num_heads, kv_num_heads=num_heads)
        return outputs[0] if isinstance(outputs, (tuple, list)) else outputs

    def biased_attention(q, k, v, bias, num_heads: int):
        outputs = op.Attention(q, k, v, bias, q_num_heads=num_heads, kv_num_heads=num_heads)
        return outputs[0] if isinstance(outputs, (tuple, list)) else outputs

    return {
        torch.ops.samroi.multi_head_attention.default: attention,
        torch.ops.samroi.biased_multi_head_attention.default: biased_attention,
    }


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

    def with_key_bias(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, key_bias: torch.Tensor) -> torch.Tensor:
        """forward(q, k, v) with key_bias [B, N_k] added to every query's scores (a log
        multiplicity: a key standing for m identical keys weighs log m more). For the few
        decoder tokens only; the maths is written out, as the fused operator has no such input."""
        qh, kh, vh = self._heads(self.q_proj(q)), self._heads(self.k_proj(k)), self._heads(self.v_proj(v))
        batch, heads, tokens, head_dim = qh.shape
        scores = (qh @ kh.transpose(-2, -1)) * head_dim**-0.5 + key_bias[:, None, None, :]
        out = torch.softmax(scores, dim=-1) @ vh
        return self.out_proj(out.transpose(1, 2).reshape(batch, tokens, heads * head_dim))

    # Folded forms for the decoder's cross-attentions, where one side has a few tokens (T, the
    # prompt and output tokens) and the other 4096 image tokens (N). Projecting the image side
    # costs N*C*inner multiply-adds per projection; folding the projection weights into the
    # few-token side instead costs N*C*heads*T, about 2.3x less for T = 7. Same maths, other
    # summation order (within float32 rounding of the official form). Image inputs may have
    # batch 1 while the tokens have batch Q (the image is shared by all prompts).

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        """[B, T, inner] -> [B, heads, T, head_dim]."""
        b, t, inner = x.shape
        return x.reshape(b, t, self.num_heads, inner // self.num_heads).transpose(1, 2)

    def _weight_heads(self, linear: torch.nn.Linear) -> torch.Tensor:
        """An input projection's weight [inner, C] as [heads, head_dim, C]."""
        inner, channels = linear.weight.shape
        return linear.weight.reshape(self.num_heads, inner // self.num_heads, channels)

    def tokens_to_image(self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """forward(q, k, v) for tokens q [B, T, C] attending to image tokens k, v [1|B, N, C]."""
        qh = self._heads(self.q_proj(q))  # [B, h, T, d]
        batch, heads, tokens, head_dim = qh.shape
        channels = k.shape[-1]
        # scores = q_h . (k W_k,h + b_k,h): the bias adds a constant per row, which softmax ignores.
        a = torch.einsum("bhtd,hdc->bhtc", qh, self._weight_heads(self.k_proj)) * head_dim**-0.5
        scores = a.reshape(batch, heads * tokens, channels) @ k.transpose(1, 2)
        p = torch.softmax(scores.reshape(batch, heads, tokens, -1), dim=-1)
        # p . (v W_v,h + b_v,h) = (p . v) W_v,h + b_v,h, as each row of p sums to 1.
        r = (p.reshape(batch, heads * tokens, -1) @ v).reshape(batch, heads, tokens, channels)
        bias = self.v_proj.bias.reshape(1, heads, 1, head_dim)
        o = torch.einsum("bhtc,hdc->bhtd", r, self._weight_heads(self.v_proj)) + bias
        return self.out_proj(o.transpose(1, 2).reshape(batch, tokens, heads * head_dim))

    def image_to_tokens(
        self, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, key_bias: torch.Tensor | None = None
    ) -> torch.Tensor:
        """forward(q, k, v) for image tokens q [1|B, N, C] attending to tokens k, v [B, T, C],
        with an optional key_bias [B, T] as in with_key_bias."""
        kh = self._heads(self.k_proj(k))  # [B, h, T, d]
        vh = self._heads(self.v_proj(v))
        batch, heads, tokens, head_dim = kh.shape
        channels = q.shape[-1]
        scale = head_dim**-0.5
        # scores = (q W_q,h + b_q,h) . k_h = q (W_q,h^T k_h) + b_q,h . k_h
        g = torch.einsum("bhtd,hdc->bhtc", kh, self._weight_heads(self.q_proj)) * scale
        offset = torch.einsum("bhtd,hd->bht", kh, self.q_proj.bias.reshape(heads, head_dim)) * scale
        if key_bias is not None:
            offset = offset + key_bias[:, None, :]
        scores = q @ g.reshape(batch, heads * tokens, channels).transpose(1, 2)
        scores = scores + offset.reshape(batch, 1, heads * tokens)
        return self._image_from_tokens(scores, vh)

    def _image_from_tokens(self, scores: torch.Tensor, vh: torch.Tensor) -> torch.Tensor:
        """Softmax over the tokens of scores [B, N, heads * T], then the heads' values vh
        [B, h, T, d] through the out projection -> [B, N, C]."""
        batch, heads, tokens, head_dim = vh.shape
        channels = self.out_proj.weight.shape[0]
        p = torch.softmax(scores.reshape(batch, -1, heads, tokens), dim=-1)
        # out_proj(p_h . v_h) = sum over heads of p_h . (v_h W_o,h^T), plus the out bias.
        # Each head's probabilities sum to 1, so adding bias / heads to every row of u adds the
        # out bias once: one pass over the N x C result fewer.
        w_out = self.out_proj.weight.reshape(channels, heads, head_dim)
        u = torch.einsum("bhtd,chd->bhtc", vh, w_out) + self.out_proj.bias / heads
        return p.reshape(batch, -1, heads * tokens) @ u.reshape(batch, heads * tokens, channels)

    # The first decoder block meets the bare image, so its image-side projections depend on
    # the image alone: computed once per image (project_*), they leave each click a few
    # small products instead of passes over the 4096 x 256 image tokens.

    def project_keys(self, k: torch.Tensor) -> torch.Tensor:
        """Image tokens k [1, N, C] as this attention's keys, per head and transposed: [1, h, d, N]."""
        return self._heads(self.k_proj(k)).transpose(2, 3)

    def project_values(self, v: torch.Tensor) -> torch.Tensor:
        """Image tokens v [1, N, C] as this attention's values, per head: [1, h, N, d]."""
        return self._heads(self.v_proj(v))

    def project_queries(self, q: torch.Tensor) -> torch.Tensor:
        """Image tokens q [1, N, C] as this attention's queries: [1, N, inner]."""
        return self.q_proj(q)

    def tokens_to_projected_image(self, q: torch.Tensor, keys: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
        """forward(q, k, v) for tokens q [B, T, C] and an image projected beforehand:
        keys = project_keys(k), values = project_values(v)."""
        qh = self._heads(self.q_proj(q))  # [B, h, T, d]
        batch, heads, tokens, head_dim = qh.shape
        p = torch.softmax((qh * head_dim**-0.5) @ keys, dim=-1)  # [B, h, T, N]
        return self.out_proj((p @ values).transpose(1, 2).reshape(batch, tokens, heads * head_dim))

    def projected_image_to_tokens(
        self, queries: torch.Tensor, k: torch.Tensor, v: torch.Tensor, key_bias: torch.Tensor | None = None
    ) -> torch.Tensor:
        """image_to_tokens for image queries projected beforehand (project_queries)."""
        kh = self._heads(self.k_proj(k))  # [B, h, T, d]
        vh = self._heads(self.v_proj(v))
        batch, heads, tokens, head_dim = kh.shape
        # All heads in one product with a block-diagonal [inner, heads * T] matrix: head h's
        # query dimensions meet head h's keys only.
        eye = torch.eye(heads, dtype=kh.dtype, device=kh.device)
        blocks = kh.transpose(2, 3)[:, :, :, None, :] * eye[None, :, None, :, None]  # [B, h, d, h, T]
        g = blocks.reshape(batch, heads * head_dim, heads * tokens) * head_dim**-0.5
        scores = queries @ g
        if key_bias is not None:
            scores = scores + key_bias.repeat(1, heads)[:, None, :]
        return self._image_from_tokens(scores, vh)
