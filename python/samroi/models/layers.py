"""Building blocks shared by the networks."""

from __future__ import annotations

import torch
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
