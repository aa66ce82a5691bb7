"""EfficientSAM (Ti and S) in plain PyTorch.

Written from the architecture fact sheet (shared/models/ARCHITECTURE.md, section 1); the
module tree mirrors the official checkpoint layout, so ``efficient_sam_vit{t,s}.pt``
(``torch.load(...)["model"]``) loads with ``strict=True``.

Network summary:

* image encoder: 16x16 patch conv -> + bicubic-resized absolute position embedding (14x14
  grid -> 64x64) -> 12 pre-norm ViT blocks with global attention (LayerNorm eps 1e-6, exact
  GELU) -> neck (1x1 conv, LN2d, 3x3 conv, LN2d) -> [B, 256, 64, 64].
* prompt encoder: random-Fourier PE of the (x + 0.5) / 1024 point coordinates plus a learned
  embedding per label (1 positive, 2 box top-left, 3 box bottom-right, -1 padding; 0 =
  negative adds nothing; the PE of padding points is kept).
* mask decoder: SAM-like two-way transformer with EfficientSAM's residual/PE convention,
  GroupNorm(1) in the upscaling, ``layers.<i>.0`` + ``fc`` MLPs; all 4 mask tokens are
  returned (0 = single-mask output, 1..3 = multimask outputs).

Everything in the forward paths is traceable for ``torch.onnx.export`` with a dynamic query
count Q: no ``.item()``, no data-dependent control flow, and the position-embedding resize is
two constant matrix products instead of an interpolation op.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from .layers import Upsample2x, group_norm_channels_last, mask_logits
from .attention import multi_head_attention
from .two_way import PreparedImage, TwoWayTransformer, decoder_outputs

IMAGE_SIZE = 1024
PATCH_SIZE = 16
GRID = IMAGE_SIZE // PATCH_SIZE  # 64: side of the image embedding
PRETRAIN_GRID = 14  # pos_embed grid side (224-px pretraining), plus one cls slot
EMBED_DIM = 256  # prompt / decoder / image-embedding width
NUM_POINTS = 6  # decoder_max_num_input_points
NUM_MASK_TOKENS = 4  # single-mask token + 3 multimask tokens


# --------------------------------------------------------------------------------------------
# helpers


def bicubic_matrix(in_size: int, out_size: int) -> np.ndarray:
    """[out_size, in_size] float64 matrix of PyTorch's 1-D bicubic resize.

    Matches ``F.interpolate(mode="bicubic", align_corners=False)`` without antialias: cubic
    convolution with A = -0.75, source coordinate (dst + 0.5) * in/out - 0.5 (not clamped),
    the four taps floor(src) - 1 .. floor(src) + 2 clamped to the border.
    """
    a = -0.75
    scale = in_size / out_size
    m = np.zeros((out_size, in_size), dtype=np.float64)
    for dst in range(out_size):
        src = scale * (dst + 0.5) - 0.5
        i0 = math.floor(src)
        t = src - i0
        # cubic convolution kernel: |x| <= 1 and 1 < |x| < 2 branches
        w = (
            ((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a,
            ((a + 2) * t - (a + 3)) * t * t + 1,
            ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1,
            ((a * (2 - t) - 5 * a) * (2 - t) + 8 * a) * (2 - t) - 4 * a,
        )
        for tap in range(4):
            idx = min(max(i0 - 1 + tap, 0), in_size - 1)
            m[dst, idx] += w[tap]
    return m


class LayerNorm2d(nn.Module):
    """Channel LayerNorm on NCHW (per-pixel statistics over C), as in the official neck."""

    def __init__(self, num_channels: int, eps: float = 1e-6) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.ones(num_channels))
        self.bias = nn.Parameter(torch.zeros(num_channels))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        u = x.mean(1, keepdim=True)
        s = (x - u).pow(2).mean(1, keepdim=True)
        x = (x - u) / torch.sqrt(s + self.eps)
        return self.weight[:, None, None] * x + self.bias[:, None, None]


class MLPBlock(nn.Module):
    """EfficientSAM MLP: ``layers.<i>`` = Sequential(Linear, GELU), then a plain ``fc``."""

    def __init__(self, input_dim: int, hidden_dim: int, output_dim: int, num_layers: int) -> None:
        super().__init__()
        dims_in = [input_dim] + [hidden_dim] * (num_layers - 1)
        self.layers = nn.ModuleList(
            nn.Sequential(nn.Linear(d, hidden_dim), nn.GELU()) for d in dims_in
        )
        self.fc = nn.Linear(hidden_dim, output_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            x = layer(x)
        return self.fc(x)


# --------------------------------------------------------------------------------------------
# image encoder


class PatchEmbed(nn.Module):
    def __init__(self, dim: int) -> None:
        super().__init__()
        self.proj = nn.Conv2d(3, dim, kernel_size=PATCH_SIZE, stride=PATCH_SIZE)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(x)


class EncoderAttention(nn.Module):
    def __init__(self, dim: int, num_heads: int) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # qkv is laid out [q; k; v] with the heads contiguous inside each: exactly the
        # [B, N, C] form of the fused attention operator (see samroi.models.attention).
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        return self.proj(multi_head_attention(q, k, v, self.num_heads))


class EncoderMlp(nn.Module):
    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.act(self.fc1(x)))


class EncoderBlock(nn.Module):
    def __init__(self, dim: int, num_heads: int, mlp_ratio: int = 4) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = EncoderAttention(dim, num_heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = EncoderMlp(dim, dim * mlp_ratio)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class ImageEncoder(nn.Module):
    """[B, 3, 1024, 1024] normalised image -> [B, 256, 64, 64] image embedding."""

    def __init__(self, dim: int, num_heads: int, depth: int = 12) -> None:
        super().__init__()
        self.dim = dim
        self.patch_embed = PatchEmbed(dim)
        self.pos_embed = nn.Parameter(torch.zeros(1, PRETRAIN_GRID * PRETRAIN_GRID + 1, dim))
        self.blocks = nn.ModuleList(EncoderBlock(dim, num_heads) for _ in range(depth))
        self.neck = nn.Sequential(
            nn.Conv2d(dim, EMBED_DIM, kernel_size=1, bias=False),
            LayerNorm2d(EMBED_DIM),
            nn.Conv2d(EMBED_DIM, EMBED_DIM, kernel_size=3, padding=1, bias=False),
            LayerNorm2d(EMBED_DIM),
        )
        # Constant bicubic resize 14 -> 64 (derived, not in the checkpoint).
        resize = torch.from_numpy(bicubic_matrix(PRETRAIN_GRID, GRID)).to(torch.float32)
        self.register_buffer("pos_resize", resize, persistent=False)

    def resized_pos_embed(self) -> torch.Tensor:
        """The 14x14 pos_embed grid (cls slot dropped) resized bicubically: [64, 64, C]."""
        grid = self.pos_embed[0, 1:].reshape(PRETRAIN_GRID, PRETRAIN_GRID, self.dim)
        grid = grid.permute(2, 0, 1)  # [C, 14, 14]
        out = self.pos_resize @ grid @ self.pos_resize.transpose(0, 1)  # [C, 64, 64]
        return out.permute(1, 2, 0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.patch_embed(x).permute(0, 2, 3, 1)  # [B, 64, 64, C]
        x = x + self.resized_pos_embed()
        b = x.shape[0]
        x = x.reshape(b, GRID * GRID, self.dim)
        for blk in self.blocks:
            x = blk(x)
        x = x.reshape(b, GRID, GRID, self.dim).permute(0, 3, 1, 2)
        return self.neck(x)


# --------------------------------------------------------------------------------------------
# prompt encoder


class PositionEmbeddingRandom(nn.Module):
    def __init__(self, num_pos_feats: int = EMBED_DIM // 2) -> None:
        super().__init__()
        # Persistent: it is in the checkpoint.
        self.register_buffer(
            "positional_encoding_gaussian_matrix", torch.randn(2, num_pos_feats)
        )

    def encode(self, coords: torch.Tensor) -> torch.Tensor:
        """coords [..., 2] in [0, 1] (x, y) -> [..., 256] = [sin, cos]."""
        coords = 2 * coords - 1
        coords = coords @ self.positional_encoding_gaussian_matrix
        coords = 2 * math.pi * coords
        return torch.cat([torch.sin(coords), torch.cos(coords)], dim=-1)


class PromptEncoder(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.pe_layer = PositionEmbeddingRandom()
        self.invalid_points = nn.Embedding(1, EMBED_DIM)
        self.point_embeddings = nn.Embedding(1, EMBED_DIM)
        self.bbox_top_left_embeddings = nn.Embedding(1, EMBED_DIM)
        self.bbox_bottom_right_embeddings = nn.Embedding(1, EMBED_DIM)
        # Cell centres of the 64x64 grid, (x, y) = ((j + 0.5) / 64, (i + 0.5) / 64).
        centres = (torch.arange(GRID, dtype=torch.float32) + 0.5) / GRID
        yy, xx = torch.meshgrid(centres, centres, indexing="ij")
        self.register_buffer("dense_grid", torch.stack([xx, yy], dim=-1), persistent=False)

    def dense_pe(self) -> torch.Tensor:
        """Positional encoding of the image grid: [1, 256, 64, 64]."""
        return self.pe_layer.encode(self.dense_grid).permute(2, 0, 1).unsqueeze(0)

    def forward(self, coords: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """coords [Q, P, 2] in 1024-frame pixels (before +0.5), labels [Q, P] -> [Q, P, 256]."""
        coords = (coords + 0.5) / IMAGE_SIZE
        emb = self.pe_layer.encode(coords)
        labels = labels.unsqueeze(-1)
        emb = emb + self.invalid_points.weight * (labels == -1).to(emb.dtype)
        emb = emb + self.point_embeddings.weight * (labels == 1).to(emb.dtype)
        emb = emb + self.bbox_top_left_embeddings.weight * (labels == 2).to(emb.dtype)
        emb = emb + self.bbox_bottom_right_embeddings.weight * (labels == 3).to(emb.dtype)
        return emb


# --------------------------------------------------------------------------------------------
# mask decoder


class MaskDecoder(nn.Module):
    def __init__(self, dim: int = EMBED_DIM) -> None:
        super().__init__()
        self.transformer = TwoWayTransformer(lambda: MLPBlock(dim, 2048, dim, num_layers=1), "efficientsam", dim=dim)
        self.iou_token = nn.Embedding(1, dim)
        self.mask_tokens = nn.Embedding(NUM_MASK_TOKENS, dim)
        self.final_output_upscaling_layers = nn.ModuleList(
            [
                nn.Sequential(
                    Upsample2x(dim, dim // 4),
                    nn.GroupNorm(1, dim // 4),
                    nn.GELU(),
                ),
                nn.Sequential(
                    Upsample2x(dim // 4, dim // 8),
                    nn.GELU(),
                ),
            ]
        )
        self.output_hypernetworks_mlps = nn.ModuleList(
            MLPBlock(dim, dim, dim // 8, num_layers=2) for _ in range(NUM_MASK_TOKENS)
        )
        self.iou_prediction_head = MLPBlock(dim, dim, NUM_MASK_TOKENS, num_layers=2)

    def forward(self, image: PreparedImage, image_pe: torch.Tensor, sparse: torch.Tensor, point_bias=None, masks=None):
        """image: the transformer's prepare() of the embedding, image_pe [1, 256, 64, 64],
        sparse [Q, P, 256], masks: None for all four, or the mask tokens [K] to compute
        (layers.mask_indices) -> (mask logits [Q, 4 or K, 256, 256], IoU [Q, 4])."""
        nq = sparse.shape[0]
        out_tokens = torch.cat([self.iou_token.weight, self.mask_tokens.weight], dim=0)
        out_tokens = out_tokens.unsqueeze(0).expand(nq, -1, -1)
        tokens = torch.cat([out_tokens, sparse], dim=1)  # [Q, 5 + P, 256]
        token_bias = None
        if point_bias is not None:  # the output tokens count once
            token_bias = torch.cat([torch.zeros_like(point_bias[:, :1]).expand(-1, out_tokens.shape[1]), point_bias], 1)
        queries, src = self.transformer(image, image_pe, tokens, token_bias)
        hyper_in, iou = decoder_outputs(
            self.transformer, tokens, queries, src, image_pe, self.iou_prediction_head, self.output_hypernetworks_mlps, masks
        )
        (first, norm, _), (second, _) = self.final_output_upscaling_layers  # ConvT GN GELU, ConvT GELU
        logits = mask_logits(
            src, GRID, first, lambda z, bias: group_norm_channels_last(norm, z, bias), second, hyper_in
        )
        return logits, iou


# --------------------------------------------------------------------------------------------
# the whole network


class EfficientSam(nn.Module):
    def __init__(self, encoder_dim: int, encoder_heads: int) -> None:
        super().__init__()
        self.image_encoder = ImageEncoder(encoder_dim, encoder_heads)
        self.prompt_encoder = PromptEncoder()
        self.mask_decoder = MaskDecoder()

    def prepare(self, embedding: torch.Tensor) -> PreparedImage:
        """The decoder's work on embedding [1, 256, 64, 64] (or tokens [1, 4096, 256]) that
        does not depend on the prompts."""
        return self.mask_decoder.transformer.prepare(embedding, self.prompt_encoder.dense_pe())

    def decode_prepared(
        self, image: PreparedImage, coords: torch.Tensor, labels: torch.Tensor, point_log_counts=None, masks=None
    ):
        """decode() of a prepared embedding (prepare()).

        point_log_counts [Q, P] (the ONNX decoder's form): each of the P points stands for
        exp(value) identical points, so the padding points (all alike) can be passed once
        with log(number of pads), and unused slots with a large negative value (see
        samroi.runtime.onnx_runner.merge_padding)."""
        sparse = self.prompt_encoder(coords, labels)
        return self.mask_decoder(image, self.prompt_encoder.dense_pe(), sparse, point_log_counts, masks)

    def decode(self, embedding: torch.Tensor, coords: torch.Tensor, labels: torch.Tensor, masks=None):
        """embedding [1, 256, 64, 64]; coords [Q, 6, 2] 1024-frame pixels (before +0.5);
        labels [Q, 6] float; masks None (all) or [K] int64 (layers.mask_indices)
        -> (low-res logits [Q, 4 or K, 256, 256], IoU [Q, 4])."""
        return self.decode_prepared(self.prepare(embedding), coords, labels, masks=masks)

    def forward(self, embedding: torch.Tensor, coords: torch.Tensor, labels: torch.Tensor):
        return self.decode(embedding, coords, labels)


def build(spec) -> EfficientSam:
    """A randomly initialised EfficientSAM for ``spec`` (encoder_dim / encoder_heads)."""
    return EfficientSam(spec.encoder_dim, spec.encoder_heads)
