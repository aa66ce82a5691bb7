"""The two-way transformer of SAM-style mask decoders, shared by EfficientSAM and MobileSAM.

Tokens (output tokens + prompt embeddings) and image tokens attend to each other in ``depth``
blocks, then the tokens attend to the image once more. The two models differ only in the
MLP (passed in) and in the blocks' self-attention, which follows one of two official
conventions:

- "sam" (MobileSAM): the first block's self-attention output replaces the queries (no
  residual, no PE); later blocks add the query PE to q and k only, with a residual.
- "efficientsam": every block keeps the residual; from the second block on the query PE is
  added to the queries themselves (q, k and v alike).

Parameter names follow the official checkpoints (layers.<i>.self_attn, norm1..norm4, ...).
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import torch
from torch import nn

from .attention import ProjectedAttention
from .layers import mask_indices

CONVENTIONS = ("sam", "efficientsam")


class PreparedImage(NamedTuple):
    """What the decoder needs of one image, whatever the prompts (TwoWayTransformer.prepare):
    its tokens [1, N, C] and the first block's projections of them."""

    tokens: torch.Tensor
    keys: torch.Tensor  # [1, heads, d, N], keys of the tokens-to-image attention
    values: torch.Tensor  # [1, heads, N, d], its values
    queries: torch.Tensor  # [1, N, inner], queries of the image-to-tokens attention


class TwoWayBlock(nn.Module):
    def __init__(self, dim: int, heads: int, mlp: nn.Module, first: bool, convention: str) -> None:
        super().__init__()
        if convention not in CONVENTIONS:
            raise ValueError(f"convention must be one of {CONVENTIONS}, got {convention!r}")
        self.self_attn = ProjectedAttention(dim, heads)
        self.norm1 = nn.LayerNorm(dim)
        self.cross_attn_token_to_image = ProjectedAttention(dim, heads, downsample=2)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = mlp
        self.norm3 = nn.LayerNorm(dim)
        self.norm4 = nn.LayerNorm(dim)
        self.cross_attn_image_to_token = ProjectedAttention(dim, heads, downsample=2)
        self.first = first  # the official skip_first_layer_pe
        self.convention = convention

    def _self_attn(self, q, k, v, token_bias):
        if token_bias is None:
            return self.self_attn(q, k, v)
        return self.self_attn.with_key_bias(q, k, v, token_bias)

    def forward(self, queries, keys, query_pe, key_pe, folded: bool = False, token_bias=None, prepared=None):
        """``prepared`` (a PreparedImage, first block only) replaces the projections of the
        image side, which then is the bare image."""
        if self.convention == "sam":
            if self.first:
                queries = self._self_attn(queries, queries, queries, token_bias)
            else:
                q = queries + query_pe
                queries = queries + self._self_attn(q, q, queries, token_bias)
            queries = self.norm1(queries)
        else:
            if not self.first:
                queries = queries + query_pe
            queries = self.norm1(queries + self._self_attn(queries, queries, queries, token_bias))
        # Tokens attend to the image.
        q = queries + query_pe
        t2i = self.cross_attn_token_to_image
        if prepared is not None:
            attended = t2i.tokens_to_projected_image(q, prepared.keys, prepared.values)
        else:
            k = keys + key_pe
            attended = t2i.tokens_to_image(q, k, keys) if folded else t2i(q, k, keys)
        queries = self.norm2(queries + attended)
        queries = self.norm3(queries + self.mlp(queries))
        # The image attends to the tokens.
        q = queries + query_pe
        i2t = self.cross_attn_image_to_token
        if prepared is not None:
            attended = i2t.projected_image_to_tokens(prepared.queries, q, queries, token_bias)
        elif folded:
            attended = i2t.image_to_tokens(k, q, queries, token_bias)
        elif token_bias is None:
            attended = i2t(k, q, queries)
        else:
            raise ValueError("token weights need the folded cross-attentions")
        keys = self.norm4(keys + attended)
        return queries, keys


class TwoWayTransformer(nn.Module):
    def __init__(self, make_mlp: Callable[[], nn.Module], convention: str, depth: int = 2, dim: int = 256, heads: int = 8):
        super().__init__()
        self.layers = nn.ModuleList(
            TwoWayBlock(dim, heads, make_mlp(), first=(i == 0), convention=convention) for i in range(depth)
        )
        self.final_attn_token_to_image = ProjectedAttention(dim, heads, downsample=2)
        self.norm_final_attn = nn.LayerNorm(dim)
        # The ONNX export sets this: cross-attentions in their folded form (ProjectedAttention).
        self.folded = False

    def prepare(self, image: torch.Tensor, image_pe: torch.Tensor) -> PreparedImage:
        """The part of the work that depends on the image only: once per image, not per click.

        image, image_pe [1, C, h, w] or already as tokens [1, h*w, C]."""
        tokens = _as_tokens(image)
        k = tokens + _as_tokens(image_pe)
        first = self.layers[0]
        t2i, i2t = first.cross_attn_token_to_image, first.cross_attn_image_to_token
        return PreparedImage(tokens, t2i.project_keys(k), t2i.project_values(tokens), i2t.project_queries(k))

    def forward(self, image: PreparedImage, image_pe: torch.Tensor, tokens: torch.Tensor, token_bias=None):
        """image: prepare()'s result for the image (one image for all prompts), image_pe its
        positional encoding; tokens [Q, T, C] -> (tokens [Q, T, C], image tokens [Q, h*w, C])
        after the blocks. The final attention is final(), for the tokens whose output is used.

        token_bias [Q, T]: log multiplicity of each token where it is attended to, so that one
        token can stand for several identical ones (padding points) and a token weighted
        -inf is ignored; identical tokens stay identical through every block, so this is the
        same computation with fewer tokens."""
        key_pe = _as_tokens(image_pe)
        keys = image.tokens  # [1, N, C]; the first block's output has the prompts' batch
        queries = tokens
        for index, layer in enumerate(self.layers):
            prepared = image if index == 0 else None
            queries, keys = layer(queries, keys, tokens, key_pe, self.folded, token_bias, prepared)
        return queries, keys

    def final(self, queries: torch.Tensor, query_pe: torch.Tensor, keys: torch.Tensor, image_pe: torch.Tensor):
        """The last attention of tokens to the image, for some tokens: queries [Q, K, C] from
        forward() and their PE query_pe (the initial tokens) -> [Q, K, C]. Each token attends
        on its own here, so any subset of the tokens gives the same rows as all of them."""
        k = keys + _as_tokens(image_pe)
        attn = self.final_attn_token_to_image
        q = queries + query_pe
        attended = attn.tokens_to_image(q, k, keys) if self.folded else attn(q, k, keys)
        return self.norm_final_attn(queries + attended)


def decoder_outputs(transformer: TwoWayTransformer, tokens, queries, keys, image_pe, iou_head, hyper_mlps, masks=None):
    """The mask decoder's outputs from the transformer's state: (hypernetwork outputs [Q, K, C2]
    of the masks asked for, predicted IoU [Q, M] of all M masks).

    tokens [Q, T, C]: the decoder's initial tokens, the IoU token then one per mask (then the
    prompts, whose outputs no head reads); queries, keys: transformer.forward()'s results.
    masks: None for all M masks, or the mask tokens [K] to compute (layers.mask_indices).

    The final attention passes over all 4096 image tokens once per row it computes, so it
    runs only for the rows a head reads: with ``masks``, first the IoU token, whose output
    decides which masks are wanted, then just those mask tokens.
    """
    count = len(hyper_mlps)
    if masks is None:
        out = transformer.final(queries[:, : 1 + count], tokens[:, : 1 + count], keys, image_pe)
        hyper = torch.stack([mlp(out[:, 1 + i]) for i, mlp in enumerate(hyper_mlps)], dim=1)
        return hyper, iou_head(out[:, 0])
    iou = iou_head(transformer.final(queries[:, :1], tokens[:, :1], keys, image_pe)[:, 0])
    index = mask_indices(iou, masks)  # [Q, K]
    rows = index[:, :, None].expand(-1, -1, tokens.shape[2])
    out = transformer.final(
        torch.gather(queries[:, 1 : 1 + count], 1, rows), torch.gather(tokens[:, 1 : 1 + count], 1, rows), keys, image_pe
    )  # [Q, K, C]
    # Each mask has its own hypernetwork: run all of them (a few small products) and keep each
    # row's own.
    every = torch.stack([mlp(out) for mlp in hyper_mlps], dim=2)  # [Q, K, M, C2]
    pick = index[:, :, None, None].expand(-1, -1, 1, every.shape[3])
    return torch.gather(every, 2, pick).squeeze(2), iou


def _as_tokens(image: torch.Tensor) -> torch.Tensor:
    """[B, C, h, w] -> [B, h*w, C]; tokens [B, N, C] pass unchanged."""
    return image if image.dim() == 3 else image.flatten(2).permute(0, 2, 1)
