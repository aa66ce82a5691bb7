"""Building blocks shared by the networks."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class Upsample2x(nn.ConvTranspose2d):
    """ConvTranspose2d(kernel 2, stride 2), computed as one matrix product and a pixel shuffle.

    With kernel = stride = 2 the output pixels do not overlap: out[co, 2i+a, 2j+b] =
    sum_ci x[ci, i, j] * w[ci, co, a, b] + bias[co]. Written this way the ONNX graph gets a
    MatMul (fast on CPUs) instead of a ConvTranspose. The parameters are those of
    nn.ConvTranspose2d, so official checkpoints load unchanged.
    """

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__(in_channels, out_channels, kernel_size=2, stride=2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, c_in, h, w = x.shape
        c_out = self.out_channels
        y = x.permute(0, 2, 3, 1) @ self.weight.reshape(c_in, c_out * 4)  # [N, H, W, Cout*2*2]
        y = y.reshape(n, h, w, c_out, 2, 2).permute(0, 3, 1, 4, 2, 5).reshape(n, c_out, 2 * h, 2 * w)
        return y + self.bias[None, :, None, None]


def mask_indices(iou: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    """Which mask each query computes: masks [K] (int64; see samroi.modelspec.BEST_MULTIMASK,
    which stands for the multimask output with the highest predicted IoU [Q, 4]) -> [Q, K].

    A click uses one mask, and the decoder's last attention, its mask head's products and the
    shuffle into 256 x 256 grow with the number of masks: a click asks for BEST_MULTIMASK alone.
    """
    best = torch.argmax(iou[:, 1:], dim=1, keepdim=True) + 1  # [Q, 1]; the first on ties, as numpy
    return torch.where(masks[None, :] < 0, best, masks[None, :])


def mask_logits(
    tokens: torch.Tensor,
    side: int,
    first: Upsample2x,
    norm,
    second: Upsample2x,
    hyper: torch.Tensor,
) -> torch.Tensor:
    """SAM's mask head: hyper . GELU(second(GELU(norm(first(image))))), as [Q, M, 4*side, 4*side].

    ``tokens`` are the decoder's image tokens [Q, side*side, C] (channels last) and ``hyper``
    the hypernetwork outputs [Q, M, C2] of the M masks wanted. The same sums as the official
    layers, but in a sub-pixel layout: each 2x2 transposed convolution multiplies by its
    weight permuted to (a, b, C_out), so the features stay [Q, pixels, sub-pixel..., C] and
    only the final M-channel logits are shuffled into place once. ``norm(y, bias)``
    normalises y + bias for a channels-last y [Q, pixels, 4, C1] and the first layer's
    bias [C1] (GroupNorm or a per-pixel LayerNorm, depending on the model).
    """
    q = tokens.shape[0]
    c1, c2, m = first.out_channels, second.out_channels, hyper.shape[1]
    w1 = first.weight.permute(0, 2, 3, 1).reshape(first.in_channels, 4 * c1)  # (a, b, C1)
    y = F.gelu(norm((tokens @ w1).reshape(q, side * side, 4, c1), first.bias))
    w2 = second.weight.permute(0, 2, 3, 1).reshape(c1, 4 * c2)  # (a2, b2, C2)
    # The bias repeated over (a2, b2) meets the product's rows of 4 * C2 values: onnxruntime's
    # fused bias + GELU runs about twice as fast on rows of 128 values as on rows of 32.
    y = F.gelu(y @ w2 + second.bias.repeat(4)).reshape(q, side * side * 16, c2)
    # Masks outermost: the shuffle below then moves pairs of adjacent values (b2), which
    # measured 1.3 ms faster per click than gathering single values across the M masks.
    logits = (hyper @ y.transpose(1, 2)).reshape(q, m, side, side, 2, 2, 2, 2)
    # (i, j, a, b, a2, b2) -> rows 4i + 2a + a2, columns 4j + 2b + b2
    return logits.permute(0, 1, 2, 4, 6, 3, 5, 7).reshape(q, m, 4 * side, 4 * side)


def group_norm_channels_last(norm: nn.GroupNorm, z: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """nn.GroupNorm with one group of y = z + bias for a channels-last z [Q, ..., C] (statistics
    over all but dim 0), without forming y.

    Five passes over the tensor instead of six: the statistics of y follow from each
    channel's mean of z and the mean square of z, and the normalisation, the affine map and
    the bias fold into one scale and shift per channel. The variance is E[y^2] - E[y]^2, as
    onnxruntime's LayerNorm kernel computes it. (onnxruntime's ReduceL2 would save the
    squaring pass, but its sum over a million values measured 1e-4 off in the logits.)
    """
    q, channels = z.shape[0], z.shape[-1]
    rows = z.reshape(q, -1, channels)
    # Each channel's mean as a product with a row of 1/n: onnxruntime's ReduceMean over the
    # middle axis measured 3.8 ms here, the product a fraction of that.
    channel_mean = torch.full((1, rows.shape[1]), 1.0 / rows.shape[1]) @ rows  # [Q, 1, C]
    z_mean_square = (rows * rows).mean(dim=(1, 2), keepdim=True)  # [Q, 1, 1]
    mean = channel_mean.mean(dim=-1, keepdim=True) + bias.mean()
    mean_square = z_mean_square + (bias * (2 * channel_mean + bias)).mean(dim=-1, keepdim=True)
    scale = norm.weight * torch.rsqrt(mean_square - mean * mean + norm.eps)
    shift = (bias - mean) * scale + norm.bias
    return (rows * scale + shift).reshape(z.shape)


def layer_norm_channels_last(norm, z: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """A per-pixel channel LayerNorm (SAM's LayerNorm2d) of z + bias on a channels-last tensor."""
    # The same statistics as LayerNorm2d (biased variance); one fused operator in ONNX.
    return F.layer_norm(z + bias, (z.shape[-1],), norm.weight, norm.bias, norm.eps)
