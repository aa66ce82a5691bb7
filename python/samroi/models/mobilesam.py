"""MobileSAM ("vit_t") in plain PyTorch: a TinyViT-5M image encoder with SAM's prompt
encoder and mask decoder.

Written from the architecture fact sheet (shared/models/ARCHITECTURE.md, sections 2 and 3);
the module tree reproduces the official checkpoint layout, so the official ``mobile_sam.pt``
(a bare state_dict of 439 tensors) loads with ``strict=True``. Inference only: there is no
dropout, drop-path or training-mode code.

Interface (see samroi.models):
    model.image_encoder(x)        x [B, 3, 1024, 1024], normalised on the 0..255 scale and
                                  zero-padded bottom/right -> embedding [B, 256, 64, 64]
    model.decode(emb, coords, labels)
                                  emb [1, 256, 64, 64]; coords [Q, P, 2] in the 1024 frame
                                  (before the +0.5 centre shift); labels [Q, P] float
                                  -> low-res logits [Q, 4, 256, 256], IoU [Q, 4]

Prompt convention (official SamPredictor / PromptEncoder): per query the clicks come first,
then the two box corners with labels 2 (top-left) and 3 (bottom-right); without a box one
padding point (0, 0) with label -1 is appended. Padding is the caller's job. Only the
"no mask input" dense prompt is supported (no_mask_embed); mask_downscaling exists so that
the checkpoint loads, but is not used.

The forward code has no data-dependent Python control flow and no ``.item()``, so it traces
to ONNX with dynamic Q and P.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from .attention import biased_multi_head_attention
from .layers import Upsample2x, layer_norm_channels_last, mask_logits
from .two_way import PreparedImage, TwoWayTransformer, decoder_outputs

IMAGE_SIZE = 1024
EMBED_SIDE = 64  # embedding grid side
EMBED_DIM = 256  # prompt/decoder width
NUM_MASK_TOKENS = 4  # 1 single-mask + 3 multimask outputs

# TinyViT-5M as used by MobileSAM
TINYVIT_DIMS = (64, 128, 160, 320)
TINYVIT_DEPTHS = (2, 2, 6, 2)
TINYVIT_HEADS = (2, 4, 5, 10)
TINYVIT_WINDOWS = (7, 7, 14, 7)
MLP_RATIO = 4
MBCONV_EXPAND = 4


# ----------------------------------------------------------------------------------------
# Shared small pieces


class LayerNorm2d(nn.Module):
    """Channel LayerNorm on NCHW (per-pixel mean/variance over C), eps 1e-6."""

    def __init__(self, channels: int, eps: float = 1e-6) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mean = x.mean(dim=1, keepdim=True)
        centred = x - mean
        var = centred.pow(2).mean(dim=1, keepdim=True)
        x = centred / torch.sqrt(var + self.eps)
        return self.weight[:, None, None] * x + self.bias[:, None, None]


class ConvBN(nn.Module):
    """Conv2d without bias followed by BatchNorm2d (eps 1e-5); keys ``c`` and ``bn``."""

    def __init__(
        self, cin: int, cout: int, kernel: int = 1, stride: int = 1, groups: int = 1
    ) -> None:
        super().__init__()
        self.c = nn.Conv2d(
            cin, cout, kernel, stride=stride, padding=kernel // 2, groups=groups, bias=False
        )
        self.bn = nn.BatchNorm2d(cout, eps=1e-5)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.bn(self.c(x))


# ----------------------------------------------------------------------------------------
# TinyViT image encoder


class Stem(nn.Module):
    """Two stride-2 3x3 ConvBN with a GELU between: 3 x 1024^2 -> 64 x 256^2."""

    def __init__(self, cin: int, dim: int) -> None:
        super().__init__()
        self.seq = nn.Sequential(
            ConvBN(cin, dim // 2, 3, stride=2), nn.GELU(), ConvBN(dim // 2, dim, 3, stride=2)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.seq(x)


class MBConv(nn.Module):
    """Inverted residual: 1x1 expand, depthwise 3x3, 1x1 project, + input, then GELU."""

    def __init__(self, dim: int, expand: int) -> None:
        super().__init__()
        hidden = dim * expand
        self.conv1 = ConvBN(dim, hidden, 1)
        self.act1 = nn.GELU()
        self.conv2 = ConvBN(hidden, hidden, 3, groups=hidden)
        self.act2 = nn.GELU()
        self.conv3 = ConvBN(hidden, dim, 1)
        self.act3 = nn.GELU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.act1(self.conv1(x))
        y = self.act2(self.conv2(y))
        y = self.conv3(y)
        return self.act3(y + x)


class PatchMerging(nn.Module):
    """1x1 ConvBN, GELU, depthwise 3x3 ConvBN (stride 2; stride 1 when out_dim is 320), GELU,
    1x1 ConvBN. Input NCHW, output NCHW."""

    def __init__(self, dim: int, out_dim: int) -> None:
        super().__init__()
        stride = 1 if out_dim in (320, 448, 576) else 2
        self.conv1 = ConvBN(dim, out_dim, 1)
        self.act = nn.GELU()
        self.conv2 = ConvBN(out_dim, out_dim, 3, stride=stride, groups=out_dim)
        self.conv3 = ConvBN(out_dim, out_dim, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.act(self.conv1(x))
        x = self.act(self.conv2(x))
        return self.conv3(x)


def _relative_offset_index(window: int) -> torch.Tensor:
    """[N, N] (N = window^2) index of the |dy|, |dx| offset between two window positions.

    Offsets are numbered in order of first appearance when both positions run over the
    window in row-major order; the first position (0, 0) already meets every offset, in
    row-major order, so the index is |dy| * window + |dx|.
    """
    r = torch.arange(window)
    rows = r.repeat_interleave(window)  # y of each position, row-major
    cols = r.repeat(window)  # x of each position
    dy = (rows[:, None] - rows[None, :]).abs()
    dx = (cols[:, None] - cols[None, :]).abs()
    return dy * window + dx


class WindowAttention(nn.Module):
    """Pre-LN multi-head self-attention inside one window with a learned bias per
    (|dy|, |dx|) offset and head. Input/output [B, N, C], N = window^2."""

    def __init__(self, dim: int, heads: int, window: int) -> None:
        super().__init__()
        self.heads = heads
        self.head_dim = dim // heads
        self.norm = nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.attention_biases = nn.Parameter(torch.zeros(heads, window * window))
        self.register_buffer(
            "attention_bias_idxs", _relative_offset_index(window), persistent=False
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.norm(x)
        # The qkv projection's outputs are laid out per head as [q (hd), k (hd), v (hd)]. Its
        # weight rows regrouped into three projections give q, k and v directly as [B, N,
        # heads * hd], the attention operator's layout (onnxruntime folds the regrouping once;
        # splitting the projected tensor instead copied it at every call).
        dim = self.heads * self.head_dim
        weight = self.qkv.weight.view(self.heads, 3, self.head_dim, dim)
        bias = self.qkv.bias.view(self.heads, 3, self.head_dim)
        q, k, v = (F.linear(x, weight[:, i].reshape(dim, dim), bias[:, i].reshape(dim)) for i in range(3))
        # gathered from the parameter at every call: no cache that could go stale
        position_bias = self.attention_biases[:, self.attention_bias_idxs]  # [heads, N, N]
        out = biased_multi_head_attention(q, k, v, position_bias[None], self.heads)
        return self.proj(out)


class TokenMlp(nn.Module):
    """Pre-LN MLP: LN, fc1, GELU, fc2."""

    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)
        self.act = nn.GELU()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.act(self.fc1(self.norm(x))))


class TinyViTBlock(nn.Module):
    """x + WindowAttn(x) (zero-padded bottom/right to a multiple of the window, padding
    tokens take part as keys), then depthwise 3x3 ConvBN without residual, then x + MLP(x).
    Input/output NHWC [B, H, W, C] with fixed H = W = ``size``."""

    def __init__(self, dim: int, heads: int, window: int, size: int) -> None:
        super().__init__()
        self.dim = dim
        self.window = window
        self.size = size
        self.pad = (window - size % window) % window
        self.attn = WindowAttention(dim, heads, window)
        self.mlp = TokenMlp(dim, dim * MLP_RATIO)
        self.local_conv = ConvBN(dim, dim, 3, groups=dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, s, w, c = x.shape[0], self.size, self.window, self.dim
        padded = s + self.pad
        nw = padded // w
        y = F.pad(x, (0, 0, 0, self.pad, 0, self.pad)) if self.pad else x
        y = y.view(b, nw, w, nw, w, c).transpose(2, 3).reshape(b * nw * nw, w * w, c)
        y = self.attn(y)
        y = y.view(b, nw, nw, w, w, c).transpose(2, 3).reshape(b, padded, padded, c)
        if self.pad:
            y = y[:, :s, :s, :]
        x = x + y
        x = self.local_conv(x.permute(0, 3, 1, 2)).permute(0, 2, 3, 1)
        return x + self.mlp(x)


class ConvStage(nn.Module):
    """Stage 0: MBConv blocks then PatchMerging (NCHW in and out)."""

    def __init__(self, dim: int, depth: int, out_dim: int) -> None:
        super().__init__()
        self.blocks = nn.ModuleList(MBConv(dim, MBCONV_EXPAND) for _ in range(depth))
        self.downsample = PatchMerging(dim, out_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for block in self.blocks:
            x = block(x)
        return self.downsample(x)


class AttnStage(nn.Module):
    """Stages 1-3: TinyViT blocks (NHWC), then optionally PatchMerging. NCHW in and out."""

    def __init__(
        self, dim: int, depth: int, heads: int, window: int, size: int, out_dim: int | None
    ) -> None:
        super().__init__()
        self.blocks = nn.ModuleList(
            TinyViTBlock(dim, heads, window, size) for _ in range(depth)
        )
        self.downsample = PatchMerging(dim, out_dim) if out_dim is not None else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.permute(0, 2, 3, 1)
        for block in self.blocks:
            x = block(x)
        x = x.permute(0, 3, 1, 2)
        if self.downsample is not None:
            x = self.downsample(x)
        return x


class TinyViTEncoder(nn.Module):
    """TinyViT-5M trunk + SAM neck: [B, 3, 1024, 1024] -> [B, 256, 64, 64]."""

    def __init__(self) -> None:
        super().__init__()
        dims, depths = TINYVIT_DIMS, TINYVIT_DEPTHS
        self.patch_embed = Stem(3, dims[0])
        sizes = (256, 128, 64, 64)  # input side of each stage (merge 160->320 keeps 64)
        stages: list[nn.Module] = [ConvStage(dims[0], depths[0], dims[1])]
        for i in range(1, 4):
            stages.append(
                AttnStage(
                    dims[i],
                    depths[i],
                    TINYVIT_HEADS[i],
                    TINYVIT_WINDOWS[i],
                    sizes[i],
                    dims[i + 1] if i < 3 else None,
                )
            )
        self.layers = nn.ModuleList(stages)
        # ImageNet classifier of the TinyViT backbone: in the checkpoint, never used here
        self.norm_head = nn.LayerNorm(dims[-1])
        self.head = nn.Linear(dims[-1], 1000)
        self.neck = nn.Sequential(
            nn.Conv2d(dims[-1], EMBED_DIM, 1, bias=False),
            LayerNorm2d(EMBED_DIM),
            nn.Conv2d(EMBED_DIM, EMBED_DIM, 3, padding=1, bias=False),
            LayerNorm2d(EMBED_DIM),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.patch_embed(x)
        for layer in self.layers:
            x = layer(x)
        return self.neck(x)


# ----------------------------------------------------------------------------------------
# SAM prompt encoder


class RandomFourierPE(nn.Module):
    """PE(u) = [sin(2 pi (2u-1) G), cos(2 pi (2u-1) G)] for u in the unit square, x first."""

    def __init__(self, num_feats: int = EMBED_DIM // 2) -> None:
        super().__init__()
        self.register_buffer("positional_encoding_gaussian_matrix", torch.randn(2, num_feats))

    def encode(self, unit: torch.Tensor) -> torch.Tensor:
        unit = 2 * unit - 1
        unit = unit @ self.positional_encoding_gaussian_matrix
        unit = 2 * math.pi * unit
        return torch.cat([torch.sin(unit), torch.cos(unit)], dim=-1)

    def grid(self, side: int = EMBED_SIDE) -> torch.Tensor:
        """Dense PE at the cell centres of a side x side grid: [1, 256, side, side]."""
        g = self.positional_encoding_gaussian_matrix
        centres = (torch.arange(side, dtype=g.dtype, device=g.device) + 0.5) / side
        xy = torch.stack(
            [centres[None, :].expand(side, side), centres[:, None].expand(side, side)], dim=-1
        )
        return self.encode(xy).permute(2, 0, 1)[None]


class PromptEncoder(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.pe_layer = RandomFourierPE()
        # 0 negative, 1 positive, 2 box top-left, 3 box bottom-right
        self.point_embeddings = nn.ModuleList(nn.Embedding(1, EMBED_DIM) for _ in range(4))
        self.not_a_point_embed = nn.Embedding(1, EMBED_DIM)
        # mask prompt path (unused: no mask input is supported); present for the checkpoint
        self.mask_downscaling = nn.Sequential(
            nn.Conv2d(1, 4, 2, stride=2),
            LayerNorm2d(4),
            nn.GELU(),
            nn.Conv2d(4, 16, 2, stride=2),
            LayerNorm2d(16),
            nn.GELU(),
            nn.Conv2d(16, EMBED_DIM, 1),
        )
        self.no_mask_embed = nn.Embedding(1, EMBED_DIM)

    def embed_points(self, coords: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """coords [Q, P, 2] (1024-frame pixels, before +0.5), labels [Q, P] -> [Q, P, 256].

        Label -1 (padding): PE replaced by not_a_point_embed; labels 0..3: PE + the
        matching point embedding. Written with masks so that it exports without indexing.
        """
        unit = (coords + 0.5) / IMAGE_SIZE
        pe = self.pe_layer.encode(unit)
        labels = labels[..., None]
        out = torch.where(labels == -1, self.not_a_point_embed.weight, pe)
        for i, emb in enumerate(self.point_embeddings):
            out = out + torch.where(labels == i, emb.weight, torch.zeros_like(emb.weight))
        return out

    def dense_no_mask(self) -> torch.Tensor:
        return self.no_mask_embed.weight.reshape(1, EMBED_DIM, 1, 1).expand(
            1, EMBED_DIM, EMBED_SIDE, EMBED_SIDE
        )


# ----------------------------------------------------------------------------------------
# SAM mask decoder


class ReluMlpBlock(nn.Module):
    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.lin1 = nn.Linear(dim, hidden)
        self.lin2 = nn.Linear(hidden, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.lin2(torch.relu(self.lin1(x)))


class ReluMlp(nn.Module):
    """Linear layers ``layers.0..n-1`` with ReLU between them (none after the last)."""

    def __init__(self, dim_in: int, hidden: int, dim_out: int, num_layers: int = 3) -> None:
        super().__init__()
        dims = [dim_in] + [hidden] * (num_layers - 1) + [dim_out]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < last:
                x = torch.relu(x)
        return x


class MaskDecoder(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        d = EMBED_DIM
        self.transformer = TwoWayTransformer(lambda: ReluMlpBlock(d, 2048), "sam", dim=d)
        self.iou_token = nn.Embedding(1, d)
        self.mask_tokens = nn.Embedding(NUM_MASK_TOKENS, d)
        self.output_upscaling = nn.Sequential(
            Upsample2x(d, d // 4),
            LayerNorm2d(d // 4),
            nn.GELU(),
            Upsample2x(d // 4, d // 8),
            nn.GELU(),
        )
        self.output_hypernetworks_mlps = nn.ModuleList(
            ReluMlp(d, d, d // 8) for _ in range(NUM_MASK_TOKENS)
        )
        self.iou_prediction_head = ReluMlp(d, d, NUM_MASK_TOKENS)

    def prepare(self, embedding, image_pe, dense) -> PreparedImage:
        """embedding [1, 256, 64, 64] or tokens [1, 4096, 256] with the dense prompt
        [1, 256, 64, 64], prepared for the transformer."""
        if embedding.dim() == 3:  # image tokens [1, 4096, 256] (the ONNX decoder's input)
            dense = dense.flatten(2).permute(0, 2, 1)
        return self.transformer.prepare(embedding + dense, image_pe)

    def forward(self, image: PreparedImage, image_pe, sparse, masks=None):
        """image: prepare()'s result, image_pe [1, 256, 64, 64], sparse [Q, P, 256], masks:
        None for all four, or the mask tokens [K] to compute (layers.mask_indices)
        -> (logits [Q, 4 or K, 256, 256], iou [Q, 4])."""
        q = sparse.shape[0]
        out_tokens = torch.cat([self.iou_token.weight, self.mask_tokens.weight], dim=0)
        tokens = torch.cat([out_tokens[None].expand(q, -1, -1), sparse], dim=1)
        queries, keys = self.transformer(image, image_pe, tokens)
        hyper, iou = decoder_outputs(
            self.transformer, tokens, queries, keys, image_pe, self.iou_prediction_head, self.output_hypernetworks_mlps, masks
        )
        first, norm, _, second, _ = self.output_upscaling  # ConvT, LN2d, GELU, ConvT, GELU
        logits = mask_logits(
            keys, EMBED_SIDE, first, lambda z, bias: layer_norm_channels_last(norm, z, bias), second, hyper
        )
        return logits, iou


# ----------------------------------------------------------------------------------------
# Whole model


class MobileSAM(nn.Module):
    """State_dict layout of the official ``mobile_sam.pt`` (bare state_dict, 439 tensors)."""

    def __init__(self) -> None:
        super().__init__()
        self.image_encoder = TinyViTEncoder()
        self.prompt_encoder = PromptEncoder()
        self.mask_decoder = MaskDecoder()

    def prepare(self, embedding) -> PreparedImage:
        """The decoder's work on embedding [1, 256, 64, 64] (or tokens [1, 4096, 256]) that
        does not depend on the prompts."""
        dense = self.prompt_encoder.dense_no_mask()
        return self.mask_decoder.prepare(embedding, self.prompt_encoder.pe_layer.grid(), dense)

    def decode_prepared(self, image: PreparedImage, coords, labels, masks=None):
        """decode() of a prepared embedding (prepare())."""
        sparse = self.prompt_encoder.embed_points(coords, labels)
        return self.mask_decoder(image, self.prompt_encoder.pe_layer.grid(), sparse, masks)

    def decode(self, embedding, coords, labels, masks=None):
        """embedding [1, 256, 64, 64]; coords [Q, P, 2] float32 in the 1024 frame (before
        +0.5), labels [Q, P] float32; masks None (all) or [K] int64 (layers.mask_indices)
        -> (low-res logits [Q, 4 or K, 256, 256], IoU [Q, 4]).
        Output 0 is the single-mask output, 1..3 the multimask outputs."""
        return self.decode_prepared(self.prepare(embedding), coords, labels, masks)

    def forward(self, embedding, coords, labels):
        return self.decode(embedding, coords, labels)


def build(spec=None) -> MobileSAM:
    """A randomly initialised MobileSAM (vit_t); load the official state_dict strictly."""
    if spec is not None and getattr(spec, "family", "mobilesam") != "mobilesam":
        raise ValueError(f"mobilesam.build got a spec of family {spec.family!r}")
    return MobileSAM()
