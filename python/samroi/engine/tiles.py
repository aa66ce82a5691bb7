"""Which part of a large image the model looks at for a prompt.

SAM-family encoders see 1024x1024 pixels. samroi covers a large image with a grid of
overlapping tiles at native resolution and encodes only the tiles that prompts need. For a
prompt it picks the grid tile that contains the prompt and centres it best, so the object
is seen with as much context as possible around it; an object that still reaches a tile
side inside the image is segmented again in a window that contains it (see Session). A
prompt wider than a tile (a big box) is segmented on a downscaled view of its surroundings.

Images that fit in one tile are given to the model whole, exactly as the official
predictors take them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import InputError

DEFAULT_TILE = 1024
DEFAULT_OVERLAP = 256


@dataclass(frozen=True)
class Window:
    """A rectangle of the image shown to the model as one picture.

    ``step`` > 1 means the rectangle is shown downscaled by that integer factor (area
    average); the model then sees (height / step) x (width / step) pixels.
    """

    y0: int
    x0: int
    height: int
    width: int
    step: int = 1

    @property
    def y1(self) -> int:
        return self.y0 + self.height

    @property
    def x1(self) -> int:
        return self.x0 + self.width

    @property
    def model_size(self) -> tuple[int, int]:
        return self.height // self.step, self.width // self.step

    def contains(self, extent: tuple[float, float, float, float]) -> bool:
        """Whether the pixel extent (x0, y0, x1, y1), inclusive, lies inside."""
        ex0, ey0, ex1, ey1 = extent
        return self.x0 <= ex0 and ex1 < self.x1 and self.y0 <= ey0 and ey1 < self.y1

    def centre_distance(self, extent) -> float:
        ex0, ey0, ex1, ey1 = extent
        cx, cy = (ex0 + ex1 + 1) / 2, (ey0 + ey1 + 1) / 2
        return math.hypot(cx - (self.x0 + self.x1) / 2, cy - (self.y0 + self.y1) / 2)

    def inner_sides(self, image_height: int, image_width: int) -> dict[str, bool]:
        """Which sides lie inside the image (an object touching those may continue beyond)."""
        return {
            "top": self.y0 > 0,
            "left": self.x0 > 0,
            "bottom": self.y1 < image_height,
            "right": self.x1 < image_width,
        }


def _origins(size: int, tile: int, stride: int) -> list[int]:
    if size <= tile:
        return [0]
    starts = list(range(0, size - tile, stride))
    return starts + [size - tile]


class TileGrid:
    """Overlapping tiles of ``tile`` pixels (``overlap`` shared between neighbours)."""

    def __init__(self, height: int, width: int, tile: int = DEFAULT_TILE, overlap: int = DEFAULT_OVERLAP):
        if tile < 64:
            raise InputError(f"tile size must be at least 64 pixels, got {tile}")
        if not 0 <= overlap < tile:
            raise InputError(f"overlap must be in 0..{tile - 1} pixels, got {overlap}")
        self.height, self.width, self.tile, self.overlap = height, width, tile, overlap
        stride = tile - overlap
        th, tw = min(tile, height), min(tile, width)
        self.windows = [
            Window(y, x, th, tw)
            for y in _origins(height, tile, stride)
            for x in _origins(width, tile, stride)
        ]

    @property
    def single(self) -> bool:
        """The whole image is one tile."""
        return len(self.windows) == 1

    def tile_containing(self, extent: tuple[float, float, float, float]) -> Window | None:
        """The grid tile that contains ``extent`` with its centre nearest, or None."""
        inside = [w for w in self.windows if w.contains(extent)]
        return min(inside, key=lambda w: w.centre_distance(extent)) if inside else None

    def window_for(self, extent: tuple[float, float, float, float], margin: float = 0.25) -> Window:
        """The window to segment a prompt or object occupying ``extent`` (x0, y0, x1, y1).

        A grid tile when one contains it (the one whose centre is nearest); else a
        tile-sized window centred on it; else a downscaled view of the extent plus
        ``margin`` of its size on every side.
        """
        best = self.tile_containing(extent)
        if best is not None:
            return best
        ex0, ey0, ex1, ey1 = extent
        ew, eh = ex1 - ex0 + 1, ey1 - ey0 + 1
        th, tw = min(self.tile, self.height), min(self.tile, self.width)
        if ew <= tw and eh <= th:
            y0 = _clamp(round((ey0 + ey1 + 1) / 2 - th / 2), 0, self.height - th)
            x0 = _clamp(round((ex0 + ex1 + 1) / 2 - tw / 2), 0, self.width - tw)
            return Window(y0, x0, th, tw)
        pad_x, pad_y = math.ceil(ew * margin), math.ceil(eh * margin)
        x0 = max(0, math.floor(ex0) - pad_x)
        y0 = max(0, math.floor(ey0) - pad_y)
        x1 = min(self.width, math.ceil(ex1) + 1 + pad_x)
        y1 = min(self.height, math.ceil(ey1) + 1 + pad_y)
        step = math.ceil(max(y1 - y0, x1 - x0) / self.tile)
        # Keep whole blocks of step x step pixels: the view must still cover the extent.
        height = _whole_blocks(y0, y1, step, self.height)
        width = _whole_blocks(x0, x1, step, self.width)
        y0 = min(y0, self.height - height)
        x0 = min(x0, self.width - width)
        return Window(y0, x0, height, width, step)


def _clamp(v: int, lo: int, hi: int) -> int:
    return max(lo, min(hi, v))


def _whole_blocks(start: int, stop: int, step: int, limit: int) -> int:
    size = math.ceil((stop - start) / step) * step
    return min(size, (limit // step) * step)
