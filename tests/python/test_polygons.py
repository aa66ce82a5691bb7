"""Mask -> pixel-edge polygons -> even-odd fill must give back exactly the mask."""

from __future__ import annotations

import numpy as np
import pytest
import tifffile

from samroi.errors import InputError
from samroi.polygons import (
    Shape,
    labels_to_shapes,
    mask_to_polygons,
    polygon_iou,
    rasterize,
    ring_area,
    simplify,
    simplify_shapes,
)


def label_files(dev_data_dir):
    files = sorted(dev_data_dir.glob("*_labels.tif"))
    assert files, f"no *_labels.tif in {dev_data_dir}"
    return files


def label_bboxes(labels: np.ndarray) -> dict[int, tuple[int, int, int, int]]:
    """{label: (y0, y1, x0, x1)} (exclusive ends), computed without the code under test."""
    flat = labels.ravel()
    idx = np.flatnonzero(flat)
    values = flat[idx]
    order = np.argsort(values, kind="stable")
    values, idx = values[order], idx[order]
    ys, xs = np.divmod(idx, labels.shape[1])
    starts = np.concatenate([[0], np.flatnonzero(np.diff(values)) + 1])
    y0 = np.minimum.reduceat(ys, starts)
    y1 = np.maximum.reduceat(ys, starts) + 1
    x0 = np.minimum.reduceat(xs, starts)
    x1 = np.maximum.reduceat(xs, starts) + 1
    return {int(v): (int(a), int(b), int(c), int(d)) for v, a, b, c, d in zip(values[starts], y0, y1, x0, x1)}


def check_rings(shapes: list[Shape]) -> None:
    """Integer vertices, corners only, outer rings positive and holes negative."""
    for s in shapes:
        assert ring_area(s.outer) > 0
        for hole in s.holes:
            assert ring_area(hole) < 0
        for ring in s.rings:
            assert ring.dtype == np.int32 and ring.ndim == 2 and ring.shape[1] == 2
            assert len(ring) >= 4
            step_in = ring - np.roll(ring, 1, axis=0)
            step_out = np.roll(ring, -1, axis=0) - ring
            assert np.all((step_in == 0).sum(axis=1) == 1), "edges must be axis-parallel"
            turn = step_in[:, 0] * step_out[:, 1] - step_in[:, 1] * step_out[:, 0]
            assert np.all(turn != 0), "collinear vertex"


# --- every object of every dev label image -----------------------------------------------------


def test_every_dev_object_round_trips_exactly(dev_data_dir):
    """Each object's mask (in its bounding box) -> all components with holes -> fill: identical."""
    total = 0
    for path in label_files(dev_data_dir):
        labels = tifffile.imread(path)
        boxes = label_bboxes(labels)
        assert sorted(boxes) == list(range(1, len(boxes) + 1)), path.name
        for label, (y0, y1, x0, x1) in boxes.items():
            mask = labels[y0:y1, x0:x1] == label
            shapes = mask_to_polygons(mask, offset=(x0, y0), all_components=True)
            filled = rasterize(shapes, mask.shape, origin=(x0, y0))
            assert np.array_equal(filled, mask), f"{path.name} label {label}"
            assert sum(s.area for s in shapes) == np.count_nonzero(mask)
        total += len(boxes)
    assert total >= 5206 + 49  # the mosaic alone has 5206


def test_label_images_trace_in_one_pass(dev_data_dir):
    """labels_to_shapes on whole images: every label back pixel-exact, nothing else filled."""
    for path in label_files(dev_data_dir):
        labels = tifffile.imread(path)
        per_label = labels_to_shapes(labels)
        boxes = label_bboxes(labels)
        assert sorted(per_label) == sorted(boxes), path.name
        rebuilt = np.zeros_like(labels)
        for label, shapes in per_label.items():
            y0, y1, x0, x1 = boxes[label]
            filled = rasterize(shapes, (y1 - y0, x1 - x0), origin=(x0, y0))
            assert np.array_equal(filled, labels[y0:y1, x0:x1] == label), f"{path.name} label {label}"
            rebuilt[y0:y1, x0:x1][filled] = label
        assert np.array_equal(rebuilt, labels), path.name


def test_rings_are_corner_only_and_oriented(dev_data_dir):
    labels = tifffile.imread(dev_data_dir / "usiigaci_phase_d01_labels.tif")
    shapes = mask_to_polygons(labels > 0, all_components=True)
    assert any(s.holes for s in shapes)  # touching cells leave enclosed gaps
    check_rings(shapes)
    assert np.array_equal(rasterize(shapes, labels.shape), labels > 0)


# --- hand-made masks ---------------------------------------------------------------------------


def parse(picture: str) -> np.ndarray:
    rows = [r.strip() for r in picture.strip().splitlines()]
    return np.array([[c == "#" for c in r] for r in rows])


def exact(mask: np.ndarray) -> list[Shape]:
    shapes = mask_to_polygons(mask, all_components=True)
    assert np.array_equal(rasterize(shapes, mask.shape), mask)
    check_rings(shapes)
    return shapes


def test_one_pixel_object():
    mask = np.zeros((5, 6), bool)
    mask[2, 3] = True
    (shape,) = exact(mask)
    assert shape.area == 1 and shape.holes == ()
    assert shape.outer.tolist() == [[3, 2], [4, 2], [4, 3], [3, 3]]


def test_diagonal_pixels_are_one_object():
    """8-connectivity: pixels touching at a corner are one shape; its ring passes the shared
    corner twice and ImageJ's even-odd fill still gives exactly the two pixels."""
    mask = parse("""
        #..
        .#.
        ..#
    """)
    (shape,) = exact(mask)
    assert shape.area == 3 and shape.holes == ()
    vertices = [tuple(v) for v in shape.outer.tolist()]
    assert vertices.count((1, 1)) == 2 and vertices.count((2, 2)) == 2
    # The largest component is all of it, not a single pixel.
    assert mask_to_polygons(mask)[0].area == 3


def test_checkerboard():
    mask = (np.indices((6, 6)).sum(axis=0) % 2 == 0)
    shapes = exact(mask)
    assert len(shapes) == 1  # one 8-connected object
    # Background pixels with all four neighbours in the object are 4-connected holes.
    interior_background = [(x, y) for y in range(1, 5) for x in range(1, 5) if (x + y) % 2]
    assert len(shapes[0].holes) == len(interior_background)


def test_hole_touching_outside_at_a_corner():
    """The centre background pixel touches the outside only diagonally: it is a hole."""
    mask = parse("""
        .##
        #.#
        ###
    """)
    (shape,) = exact(mask)
    assert len(shape.holes) == 1 and shape.area == 7
    assert ring_area(shape.holes[0]) == -1


def test_hole_inside_hole_with_island():
    mask = np.zeros((13, 13), bool)
    mask[1:12, 1:12] = True  # outer square
    mask[3:10, 3:10] = False  # its hole
    mask[4:9, 4:9] = True  # island in the hole
    mask[5:8, 5:8] = False  # hole in the island
    mask[6, 6] = True  # island in that hole
    shapes = exact(mask)
    assert [s.area for s in shapes] == [121 - 49, 25 - 9, 1]
    assert [len(s.holes) for s in shapes] == [1, 1, 0]
    largest = mask_to_polygons(mask)
    assert len(largest) == 1 and largest[0].area == 72
    filled = rasterize(largest, mask.shape)
    assert np.count_nonzero(filled) == 72 and not filled[6, 6]
    # keep_holes=False fills the holes (islands then lie inside the filled outer ring).
    solid = mask_to_polygons(mask, keep_holes=False)
    assert solid[0].holes == () and solid[0].area == 121
    assert np.count_nonzero(rasterize(solid, mask.shape)) == 121
    # ... and the islands are then part of it, not separate shapes
    assert [s.area for s in mask_to_polygons(mask, all_components=True, keep_holes=False)] == [121]


def test_objects_touching_the_border():
    mask = np.ones((4, 7), bool)
    (shape,) = exact(mask)
    assert shape.outer.tolist() == [[0, 0], [7, 0], [7, 4], [0, 4]]
    mask[1:3, 2:5] = False
    exact(mask)
    edge = np.zeros((5, 5), bool)
    edge[:, 0] = edge[0, :] = edge[4, 4] = True
    assert len(exact(edge)) == 2


def test_random_masks_are_exact():
    rng = np.random.default_rng(1234)
    for _ in range(400):
        h, w = rng.integers(1, 16, size=2)
        mask = rng.random((h, w)) < rng.uniform(0.1, 0.9)
        shapes = exact(mask)
        assert sum(s.area for s in shapes) == np.count_nonzero(mask)
        # each shape fills its own pixels only: no overlaps between components
        total = np.zeros(mask.shape, int)
        for s in shapes:
            total += rasterize(s, mask.shape)
        assert total.max(initial=0) <= 1


def test_random_label_images_are_exact():
    rng = np.random.default_rng(99)
    for _ in range(100):
        labels = rng.integers(0, 5, size=rng.integers(1, 14, size=2)).astype(np.uint16)
        per_label = labels_to_shapes(labels)
        for label in range(1, 5):
            assert np.array_equal(rasterize(per_label.get(label, []), labels.shape), labels == label)


def test_options():
    mask = np.zeros((10, 12), bool)
    mask[1:4, 1:4] = True  # 9 px
    mask[6:8, 8:11] = True  # 6 px
    mask[0, 11] = True  # 1 px
    assert [s.area for s in mask_to_polygons(mask)] == [9]
    assert [s.area for s in mask_to_polygons(mask, all_components=True)] == [9, 6, 1]
    assert [s.area for s in mask_to_polygons(mask, all_components=True, min_area=2)] == [9, 6]
    assert mask_to_polygons(np.zeros((3, 3), bool)) == []
    (shifted,) = mask_to_polygons(mask, offset=(100, 200))
    assert shifted.outer.min(axis=0).tolist() == [101, 201]
    assert shifted.bbox == (101, 201, 104, 204)
    # any non-zero value is foreground
    assert mask_to_polygons(mask.astype(np.float32) * 0.5)[0].area == 9
    with pytest.raises(InputError):
        mask_to_polygons(np.zeros((2, 3, 4)))
    with pytest.raises(InputError):
        labels_to_shapes(np.zeros((3, 3), np.float32))
    with pytest.raises(InputError):
        labels_to_shapes(-np.ones((3, 3), np.int16))
    # label values of any size
    huge = np.zeros((5, 6), np.uint64)
    huge[1:3, 1:3] = 2**63 + 5
    huge[3:5, 4:6] = 7
    per_label = labels_to_shapes(huge)
    assert sorted(per_label) == [7, 2**63 + 5]
    for label, shapes in per_label.items():
        assert np.array_equal(rasterize(shapes, huge.shape), huge == label)


# --- rasterize (the independent fill) -----------------------------------------------------------


def test_rasterize_rectangle_and_origin():
    rect = Shape(np.array([[2, 1], [5, 1], [5, 3], [2, 3]], np.int32), (), 6)
    filled = rasterize(rect, (5, 7))
    expected = np.zeros((5, 7), bool)
    expected[1:3, 2:5] = True
    assert np.array_equal(filled, expected)
    assert np.array_equal(rasterize(rect, (2, 3), origin=(2, 1)), np.ones((2, 3), bool))
    assert not rasterize(rect, (3, 3), origin=(10, 10)).any()


def test_rasterize_slanted_edges_by_pixel_centres():
    tri = Shape(np.array([[0, 0], [9, 0], [0, 8]], np.int32), (), 0)
    filled = rasterize(tri, (10, 10))
    yy, xx = np.mgrid[:10, :10] + 0.5  # no centre lies on the slanted edge 8x + 9y = 72
    assert np.array_equal(filled, 8 * xx + 9 * yy < 72)


def imagej_inside(px: float, py: float, rings) -> bool:
    """Brute-force oracle: ImageJ's PolygonFiller counts the edge crossings of the pixel-centre
    row that lie strictly left of the centre (edges span [ymin, ymax)); odd = inside."""
    count = 0
    for ring in rings:
        for (x0, y0), (x1, y1) in zip(ring.tolist(), np.roll(ring, -1, axis=0).tolist()):
            if min(y0, y1) <= py < max(y0, y1):
                count += x0 + (py - y0) * (x1 - x0) / (y1 - y0) < px
    return bool(count % 2)


def test_rasterize_matches_brute_force_for_any_polygon():
    rng = np.random.default_rng(7)
    for _ in range(60):
        h, w = rng.integers(2, 12, size=2)
        mask = rng.random((h, w)) < 0.5
        shapes = simplify_shapes(mask_to_polygons(mask, all_components=True), rng.uniform(0.5, 3))
        expected = np.zeros((h, w), bool)
        for s in shapes:
            expected |= np.array([[imagej_inside(x + 0.5, y + 0.5, s.rings) for x in range(w)] for y in range(h)])
        assert np.array_equal(rasterize(shapes, (h, w)), expected)


def test_rasterize_window_equals_crop():
    rng = np.random.default_rng(8)
    for _ in range(200):
        h, w = rng.integers(1, 15, size=2)
        mask = rng.random((h, w)) < 0.5
        shapes = mask_to_polygons(mask, all_components=True)
        ox, oy = rng.integers(-4, 12, size=2)
        ch, cw = rng.integers(1, 12, size=2)
        big = np.zeros((h + 40, w + 40), bool)
        big[20 : 20 + h, 20 : 20 + w] = mask
        expected = big[20 + oy : 20 + oy + ch, 20 + ox : 20 + ox + cw]
        assert np.array_equal(rasterize(shapes, (ch, cw), origin=(ox, oy)), expected)


# --- simplification -----------------------------------------------------------------------------


def test_simplify_reduces_vertices_with_high_iou(dev_data_dir):
    labels = tifffile.imread(dev_data_dir / "usiigaci_phase_d01_labels.tif")
    areas = np.bincount(labels.ravel())
    areas[0] = 0
    label = int(np.argmax(areas))
    shapes = mask_to_polygons(labels == label)
    simplified = simplify_shapes(shapes, 1.0)
    before, after = shapes[0].n_vertices, simplified[0].n_vertices
    assert after < before / 2
    iou = polygon_iou(shapes, simplified, labels.shape)
    assert 0.95 < iou < 1.0
    for s in simplified:
        assert ring_area(s.outer) > 0 and all(ring_area(h) < 0 for h in s.holes)
        assert s.outer.dtype == np.int32
    assert simplified[0].area == np.count_nonzero(rasterize(simplified, labels.shape))
    assert polygon_iou(shapes, shapes, labels.shape) == 1.0


def test_simplify_keeps_rings_valid():
    yy, xx = np.mgrid[:80, :80]
    mask = (xx - 40) ** 2 + (yy - 40) ** 2 < 30**2
    mask[36:44, 36:44] = False
    (shape,) = mask_to_polygons(mask)
    ring = shape.outer
    for tol in (0.5, 2.0, 10.0, 1e9):
        out = simplify(ring, tol)
        assert 3 <= len(out) <= len(ring)
        assert ring_area(out) > 0
        assert set(map(tuple, out.tolist())) <= set(map(tuple, ring.tolist()))
    square = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], np.int32)
    assert np.array_equal(simplify(square, 5.0), square)
    # A huge tolerance must not push the hole outside the outer ring.
    (coarse,) = simplify_shapes([shape], 1e9)
    assert len(coarse.outer) >= 3 and len(coarse.holes) == 1
    assert not rasterize(coarse, mask.shape)[40, 40]
