"""The tile grid and the choice of window for a prompt (pure geometry)."""

from __future__ import annotations

import numpy as np
import pytest

from samroi.engine.tiles import TileGrid, Window


def test_grid_covers_the_mosaic_with_full_overlapping_tiles():
    grid = TileGrid(4160, 4176)
    ys = sorted({w.y0 for w in grid.windows})
    assert ys == [0, 768, 1536, 2304, 3072, 3136]
    assert all((w.height, w.width) == (1024, 1024) for w in grid.windows)
    covered = np.zeros((4160, 4176), bool)
    for w in grid.windows:
        covered[w.y0 : w.y1, w.x0 : w.x1] = True
    assert covered.all()
    # Neighbours share at least the overlap, so every object up to 256 px fits one tile.
    assert all(b - a <= 1024 - 256 for a, b in zip(ys, ys[1:]))


def test_small_image_is_one_tile_of_its_own_size():
    grid = TileGrid(520, 696)
    assert grid.single and grid.windows == [Window(0, 0, 520, 696)]
    assert grid.window_for((10, 10, 600, 500)) == Window(0, 0, 520, 696)


def test_prompt_goes_to_the_tile_that_centres_it():
    grid = TileGrid(4160, 4176)
    # A nucleus at x ~ 1000: tiles starting at 0 and 768 both contain it; 768..1791 centres it better.
    window = grid.window_for((990, 100, 1010, 120))
    assert (window.x0, window.y0) == (768, 0)
    assert window.contains((990, 100, 1010, 120))


def test_extent_between_grid_tiles_gets_a_centred_window():
    grid = TileGrid(4160, 4176)
    extent = (700, 700, 1500, 1000)  # 801 px wide: no grid tile holds it
    window = grid.window_for(extent)
    assert window.step == 1 and (window.height, window.width) == (1024, 1024)
    assert window.contains(extent)
    assert window not in grid.windows


def test_box_larger_than_a_tile_is_seen_downscaled():
    grid = TileGrid(4160, 4176)
    extent = (100, 200, 3100, 2200)
    window = grid.window_for(extent)
    assert window.step == 4  # (3001 px + margins) / 1024 rounded up
    assert window.contains(extent)
    assert window.height % window.step == 0 and window.width % window.step == 0
    assert max(window.model_size) <= 1024
    assert window.y1 <= 4160 and window.x1 <= 4176


def test_inner_sides():
    assert Window(0, 768, 1024, 1024).inner_sides(4160, 4176) == {
        "top": False, "left": True, "bottom": True, "right": True
    }


@pytest.mark.parametrize("tile,overlap", [(32, 0), (1024, 1024), (1024, -1)])
def test_bad_grid_parameters_are_refused(tile, overlap):
    with pytest.raises(ValueError):
        TileGrid(100, 100, tile, overlap)
