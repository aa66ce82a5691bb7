"""Binary masks and label images -> polygons on pixel edges, and back.

Geometry (see DESIGN.md, "Conventions")
--------------------------------------
Pixel (x, y) is the unit square [x, x+1) x [y, y+1); x is the column, y the row. Polygons run
along pixel edges, so every vertex is an integer point of that grid, exactly like the outlines
ImageJ's wand traces. A ring is an ``int32`` array of shape (n, 2) holding (x, y) vertices; it
is closed implicitly (the last vertex joins the first, which is not repeated) and holds corner
vertices only (consecutive edges always turn by 90 degrees, no collinear points).

Filling. A pixel belongs to a shape when its centre (x + 0.5, y + 0.5) is inside under the
even-odd rule over all rings of the shape: ImageJ's PolygonFiller (PolygonRoi, TRACED_ROI) and
ShapeRoi (composite ROIs, GeneralPath.WIND_EVEN_ODD) both fill this way. Filling the rings of
``mask_to_polygons(mask, all_components=True)`` gives back exactly ``mask``; that holds for
every possible mask, because the rings together contain every boundary edge of the mask
exactly once. `rasterize` is an independent implementation of that fill.

Orientation. Computed with the shoelace formula in (x, y) array coordinates, outer rings have
positive signed area and holes negative: the outer ring keeps the object on its right-hand side
as seen on screen (y pointing down), i.e. it runs clockwise on screen and counter-clockwise in a
y-up frame, as RFC 7946 (GeoJSON) asks for exteriors; holes run the other way. Because outer
rings and holes have opposite orientation and nest properly, the non-zero winding rule fills the
same pixels as the even-odd rule.

Connectivity. Objects are 8-connected: pixels touching only at a corner belong to the same
object, as in ImageJ's particle analyzer and its traced outlines. Consequently holes are
4-connected background regions that the object encloses; a background pixel that reaches the
outside only through a corner is a hole. Where two object pixels touch only diagonally, the
outline passes through their shared corner twice (the ring touches itself at that vertex, or a
hole touches the outer ring there). Rings therefore never cross, but may touch at vertices; the
even-odd fill is exact either way. Choosing 8-connectivity means a diagonally attached pixel is
part of the largest component and not dropped as a separate "component".

Shapes. A `Shape` is one connected component: its outer ring, its hole rings (each hole is a
separate ring; an island inside a hole is a separate Shape), and its pixel area.

Performance. Everything works on boundary edges, never per pixel in Python: boundary edges come
from array comparisons inside the object's bounding box, runs of collinear edges merge into
segments with array operations, segments are linked into rings by sorting their end and start
vertices, and only the final walk along the (corner) segments is a small Python loop. For a
1024x1024 mask with a few objects that takes a few milliseconds; `labels_to_shapes` traces all
objects of a label image in one such pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from .errors import InputError

__all__ = [
    "Shape",
    "mask_to_polygons",
    "labels_to_shapes",
    "rasterize",
    "simplify",
    "simplify_shapes",
    "polygon_iou",
    "ring_area",
]


@dataclass(frozen=True, eq=False)
class Shape:
    """One connected region: outer ring, hole rings, and the number of pixels it fills.

    ``outer`` and each hole are int32 (n, 2) arrays of (x, y) vertices in image pixel-edge
    coordinates (outer: positive shoelace area, holes: negative; see the module notes).
    ``area`` is the number of pixels the shape fills (outer minus holes); for traced shapes it
    is the exact pixel count of the component.
    """

    outer: np.ndarray
    holes: tuple[np.ndarray, ...] = field(default_factory=tuple)
    area: int = 0

    @property
    def rings(self) -> list[np.ndarray]:
        """The outer ring followed by the holes."""
        return [self.outer, *self.holes]

    @property
    def n_vertices(self) -> int:
        return int(sum(len(r) for r in self.rings))

    @property
    def bbox(self) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1) of the outer ring's vertices: the pixels x0..x1-1, y0..y1-1."""
        lo = self.outer.min(axis=0)
        hi = self.outer.max(axis=0)
        return int(lo[0]), int(lo[1]), int(hi[0]), int(hi[1])

    def translated(self, dx: int, dy: int) -> "Shape":
        d = np.array([dx, dy], dtype=np.int32)
        return Shape(self.outer + d, tuple(h + d for h in self.holes), self.area)


def ring_area(ring: np.ndarray) -> float:
    """Signed shoelace area of a ring in (x, y) coordinates (outer > 0, hole < 0)."""
    r = np.asarray(ring, dtype=np.float64)
    x, y = r[:, 0], r[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))


# ---------------------------------------------------------------------------------------------
# Tracing


def _runs(major: np.ndarray, minor: np.ndarray, key: np.ndarray):
    """Merge unit edges sorted by (major, minor) into runs of consecutive ``minor`` with the
    same ``major`` and ``key``. Returns (major, first minor, last minor + 1, key) per run."""
    n = minor.size
    if n == 0:
        return major, minor, minor, key
    start = np.empty(n, dtype=bool)
    start[0] = True
    np.not_equal(minor[1:], minor[:-1] + 1, out=start[1:])
    start[1:] |= major[1:] != major[:-1]
    start[1:] |= key[1:] != key[:-1]
    s = np.flatnonzero(start)
    e = np.empty_like(s)
    e[:-1] = s[1:]
    e[-1] = n
    return major[s], minor[s], minor[e - 1] + 1, key[s]


def _segments(major, minor, first, second):
    """Runs of boundary edges between the pixels ``first`` and ``second`` (edges sorted by
    (major, minor)). Returns (major, lo, hi, label, towards) per run, where ``towards`` is
    True when the object is the ``second`` pixel. An edge between two objects belongs to both.
    """
    if first.dtype == bool:  # binary mask: exactly one side is the object, and its label is 1
        m, lo, hi, towards = _runs(major, minor, second)
        return m, lo, hi, np.ones(m.size, dtype=np.int64), towards
    sel = second != 0
    m2, lo2, hi2, l2 = _runs(major[sel], minor[sel], second[sel])
    sel = first != 0
    m1, lo1, hi1, l1 = _runs(major[sel], minor[sel], first[sel])
    towards = np.zeros(m2.size + m1.size, dtype=bool)
    towards[: m2.size] = True
    return (
        np.concatenate([m2, m1]),
        np.concatenate([lo2, lo1]),
        np.concatenate([hi2, hi1]),
        np.concatenate([l2, l1]).astype(np.int64),
        towards,
    )


def _edges(pad: np.ndarray):
    """Boundary-edge runs between each row of a padded array and the next one."""
    stride = pad.shape[1]
    flat = pad.ravel()
    idx = np.flatnonzero(pad[:-1] != pad[1:])
    major, minor = np.divmod(idx, stride)
    return _segments(major, minor - 1, flat[idx], flat[idx + stride])


def _trace(lab: np.ndarray):
    """Trace all rings of a 2-D label array (bool mask, or integer labels with 0 = background).

    Returns (ring_labels, bounds, verts, areas): ring r has label ring_labels[r], vertices
    verts[bounds[r]:bounds[r + 1]] (int64 (x, y), crop coordinates) and signed area areas[r].
    """
    h, w = lab.shape
    pad = np.zeros((h + 2, w + 2), dtype=lab.dtype)
    pad[1:-1, 1:-1] = lab

    # Horizontal unit edges on vertex row y (0..h) under pixel column x (0..w-1): compare each
    # padded row with the next (contiguous slices; the padding columns never differ), which
    # lists them row by row. The outline keeps the object on its right (on screen, y down):
    # object below -> the edge runs east.
    hy, x0, x1, hlab, east = _edges(pad)
    hxs = np.where(east, x0, x1)  # start and end x of each horizontal segment
    hxe = np.where(east, x1, x0)

    # Vertical unit edges on vertex column x (0..w) beside pixel row y (0..h-1): the same on
    # the transposed image, listed column by column. Object on the right -> north.
    vx, y0, y1, vlab, north = _edges(np.ascontiguousarray(pad.T))
    vys = np.where(north, y1, y0)
    vye = np.where(north, y0, y1)

    n_h = hy.size
    if n_h == 0:
        empty = np.empty(0, np.int64)
        return empty, np.zeros(1, np.int64), np.empty((0, 2), np.int64), empty

    # Link each segment to the one leaving its end vertex. Every corner vertex is the end of
    # exactly one horizontal and the start of one vertical segment (or the other way round);
    # a saddle vertex (two object pixels touching only diagonally) is the end of two and the
    # start of two. Sorting ends and starts by (label, vertex) therefore pairs them up; the
    # tie-break at saddles implements 8-connectivity: turn left, around the background pixel.
    # Coming in along (dx, dy) leave along (dy, -dx): east -> north, west -> south,
    # south -> east, north -> west.
    n_vert = (h + 1) * (w + 1)
    h_row = hlab * n_vert + hy * (w + 1)
    v_col = vlab * n_vert + vx
    south = ~north
    h_to_v = np.empty(n_h, dtype=np.int64)
    h_to_v[np.argsort((h_row + hxe) * 2 + ~east)] = np.argsort((v_col + vys * (w + 1)) * 2 + south)
    v_to_h = np.empty(vx.size, dtype=np.int64)
    v_to_h[np.argsort((v_col + vye * (w + 1)) * 2 + south)] = np.argsort((h_row + hxs) * 2 + east)
    nxt = v_to_h[h_to_v].tolist()  # horizontal segment -> next horizontal segment

    # Walk the cycles (one Python step per two corners).
    seen = bytearray(n_h)
    walk: list[int] = []
    starts: list[int] = []
    for s in range(n_h):
        if seen[s]:
            continue
        starts.append(len(walk))
        i = s
        while not seen[i]:
            seen[i] = 1
            walk.append(i)
            i = nxt[i]
    walk_a = np.asarray(walk, dtype=np.int64)
    starts_a = np.asarray(starts, dtype=np.int64)

    wy = hy[walk_a]
    ws = hxs[walk_a]
    we = hxe[walk_a]
    verts = np.empty((2 * n_h, 2), dtype=np.int64)
    verts[0::2, 0] = ws
    verts[1::2, 0] = we
    verts[0::2, 1] = wy
    verts[1::2, 1] = wy
    # Green: area = -sum over horizontal edges of y * dx.
    areas = -np.add.reduceat(wy * (we - ws), starts_a)
    bounds = np.append(2 * starts_a, 2 * n_h)
    return hlab[walk_a[starts_a]], bounds, verts, areas


def _inside(px: float, py: float, ring: np.ndarray) -> bool:
    """Even-odd test of a point (never on an edge here: half-integer vs integer grid)."""
    x0 = ring[:, 0]
    y0 = ring[:, 1]
    x1 = np.concatenate([x0[1:], x0[:1]])
    y1 = np.concatenate([y0[1:], y0[:1]])
    crosses = (y0 > py) != (y1 > py)
    if not crosses.any():
        return False
    x0, y0, x1, y1 = x0[crosses], y0[crosses], x1[crosses], y1[crosses]
    xc = x0 + (py - y0) * (x1 - x0) / (y1 - y0)
    return bool(np.count_nonzero(xc > px) & 1)


def _hole_probe(ring: np.ndarray) -> tuple[float, float]:
    """Centre of an object pixel next to the first edge of a ring (object on the right)."""
    (x0, y0), (x1, y1) = ring[0], ring[1]
    dx = np.sign(x1 - x0)
    dy = np.sign(y1 - y0)
    # Right-hand side on screen (y down) of direction (dx, dy) is (-dy, dx).
    return float(x0 + 0.5 * dx - 0.5 * dy), float(y0 + 0.5 * dy + 0.5 * dx)


def _assemble(ring_labels, bounds, verts, areas, dx: int, dy: int) -> dict[int, list[Shape]]:
    """Group traced rings into Shapes per label (largest first)."""
    result: dict[int, list[Shape]] = {}
    n_rings = areas.size
    if n_rings == 0:
        return result
    out = verts + np.array([dx, dy], dtype=np.int64)
    if out.min() < -(2**31) or out.max() >= 2**31:
        raise InputError("polygon coordinates do not fit 32-bit integers; check the offset")
    out = out.astype(np.int32)
    if n_rings == 1 or ring_labels.min() == ring_labels.max():  # one label (a binary mask)
        order_l = list(range(n_rings))
        group_start, group_end = [0], [n_rings]
    else:
        order = np.argsort(ring_labels, kind="stable")
        cut = np.flatnonzero(np.diff(ring_labels[order])) + 1
        group_start = np.concatenate([[0], cut]).tolist()
        group_end = np.concatenate([cut, [n_rings]]).tolist()
        order_l = order.tolist()
    boxes = None
    bounds_l = bounds.tolist()
    areas_l = areas.tolist()
    labels_l = ring_labels.tolist()

    def ring(i: int) -> np.ndarray:
        return out[bounds_l[i] : bounds_l[i + 1]].copy()

    for g0, g1 in zip(group_start, group_end):
        label = int(labels_l[order_l[g0]])
        if g1 - g0 == 1:  # the common case: one ring, no hole
            i = order_l[g0]
            result[label] = [Shape(ring(i), (), int(areas_l[i]))]
            continue
        group = order_l[g0:g1]
        outers = [i for i in group if areas_l[i] > 0]
        holes = [i for i in group if areas_l[i] < 0]
        members: dict[int, list[int]] = {i: [] for i in outers}
        if len(outers) == 1:
            members[outers[0]] = holes
        elif holes:
            # A hole belongs to the smallest outer ring that encloses an object pixel next to
            # the hole (any other outer ring enclosing that pixel is an ancestor, and larger).
            if boxes is None:
                first = bounds[:-1]
                boxes = [f.reduceat(verts[:, k], first) for f in (np.minimum, np.maximum) for k in (0, 1)]
            lo_x, lo_y, hi_x, hi_y = boxes
            cand = np.array(sorted(outers, key=lambda i: areas_l[i]), dtype=np.int64)
            for j in holes:
                px, py = _hole_probe(verts[bounds_l[j] : bounds_l[j] + 2])
                ok = (lo_x[cand] < px) & (px < hi_x[cand]) & (lo_y[cand] < py) & (py < hi_y[cand])
                for i in cand[ok].tolist():
                    if _inside(px, py, verts[bounds_l[i] : bounds_l[i + 1]]):
                        members[i].append(j)
                        break
                else:  # pragma: no cover - invariant
                    raise AssertionError("hole without an enclosing outer ring")
        shapes = [
            Shape(ring(i), tuple(ring(j) for j in members[i]), int(areas_l[i] + sum(areas_l[j] for j in members[i])))
            for i in outers
        ]
        shapes.sort(key=lambda s: -s.area)
        result[label] = shapes
    return result


def _finish(shapes: list[Shape], all_components: bool, min_area: int, keep_holes: bool):
    shapes = [s for s in shapes if s.area >= min_area]
    if not all_components:
        shapes = shapes[:1]
    if not keep_holes:
        # Fill the holes; a component lying in another one's hole becomes part of it.
        kept = []
        areas = np.array([s.area for s in shapes])
        boxes = np.array([(*s.outer.min(axis=0), *s.outer.max(axis=0)) for s in shapes]).reshape(-1, 4)
        for k, s in enumerate(shapes):
            px, py = _hole_probe(s.outer)  # centre of one of its pixels
            # Only larger shapes whose box holds the probe can contain it (keeps this near linear).
            around = (areas > s.area) & (boxes[:, 0] <= px) & (px <= boxes[:, 2]) & (boxes[:, 1] <= py) & (py <= boxes[:, 3])
            if not any(_inside(px, py, shapes[j].outer) for j in np.flatnonzero(around) if j != k):
                kept.append(s)
        shapes = [Shape(s.outer, (), int(round(ring_area(s.outer)))) for s in kept]
        shapes.sort(key=lambda s: -s.area)
    return shapes


def _as_2d(array, what: str) -> np.ndarray:
    a = np.asarray(array)
    if a.ndim != 2:
        raise InputError(f"{what} must be 2-D (height, width), got shape {a.shape}")
    return a


def mask_to_polygons(
    mask,
    *,
    offset: tuple[int, int] = (0, 0),
    all_components: bool = False,
    min_area: int = 0,
    keep_holes: bool = True,
) -> list[Shape]:
    """Polygons of the foreground (non-zero pixels) of a 2-D mask, largest first.

    offset: (dx, dy) added to every vertex, e.g. the position of a crop in the full image.
    all_components: every 8-connected component, not just the largest.
    min_area: drop components with fewer pixels (applied before choosing the largest).
    keep_holes: False fills the holes: Shapes without hole rings whose ``area`` counts the
        filled pixels; components inside another one's holes are then part of it and not
        returned separately. The largest component is still the one with most mask pixels.
    Returns [] for an empty mask.
    """
    m = _as_2d(mask, "mask")
    if m.dtype != bool:
        m = m != 0
    rows = np.flatnonzero(m.any(axis=1))
    if rows.size == 0:
        return []
    cols = np.flatnonzero(m.any(axis=0))
    y0, y1, x0, x1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    crop = m[y0:y1, x0:x1]
    if not all_components:
        # Tracing is the costly part, and a rough mask can have thousands of specks:
        # keep only the largest 8-connected component before tracing it.
        crop, (dy, dx) = _largest_component(crop)
        if crop is None or crop.sum() < min_area:
            return []
        y0, x0 = y0 + dy, x0 + dx
    traced = _assemble(*_trace(crop), int(x0) + int(offset[0]), int(y0) + int(offset[1]))
    return _finish(traced.get(1, []), all_components, min_area, keep_holes)


_EIGHT_CONNECTED = np.ones((3, 3), bool)


def _largest_component(mask: np.ndarray):
    """The largest 8-connected component of ``mask`` cropped to its bounding box, and the crop's (dy, dx)."""
    from scipy import ndimage

    labels, count = ndimage.label(mask, structure=_EIGHT_CONNECTED)
    if count == 0:
        return None, (0, 0)
    if count == 1:
        return mask, (0, 0)
    # Counting the foreground's labels only: a noisy mask covers a fraction of its box,
    # and bincount's cast to intp costs as much as the count.
    sizes = np.bincount(labels[mask], minlength=count + 1)
    biggest = int(np.argmax(sizes))
    component = labels == biggest
    rows = np.flatnonzero(component.any(axis=1))
    cols = np.flatnonzero(component.any(axis=0))
    return component[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1], (int(rows[0]), int(cols[0]))


def labels_to_shapes(
    labels,
    *,
    offset: tuple[int, int] = (0, 0),
    all_components: bool = True,
    min_area: int = 0,
    keep_holes: bool = True,
) -> dict[int, list[Shape]]:
    """Shapes of every object of an integer label image, traced in one vectorised pass.

    Returns {label: [Shape, ...]} (components of one label largest first; all of them by
    default, so that filling them gives back exactly ``labels == label``). Labels whose
    components are all below ``min_area`` are left out. Label 0 is background.
    """
    lab = _as_2d(labels, "label image")
    if lab.dtype == bool:
        lab = lab.astype(np.uint8)
    if lab.dtype.kind not in "iu":
        raise InputError(f"a label image must have an integer type, got {lab.dtype}")
    if lab.dtype.kind == "i" and lab.size and lab.min() < 0:
        raise InputError("a label image must not contain negative labels")
    relabel = None
    if lab.size and int(lab.max()) >= 2**62 // (2 * (lab.shape[0] + 1) * (lab.shape[1] + 1)):
        # Label values too large for the (label, vertex) sort keys: trace 1..n instead.
        relabel, lab = np.unique(lab, return_inverse=True)
        lab = lab.reshape(labels.shape).astype(np.int64)
        if relabel[0] != 0:
            relabel = np.concatenate([np.zeros(1, relabel.dtype), relabel])
            lab += 1
    traced = _assemble(*_trace(lab), int(offset[0]), int(offset[1]))
    if relabel is not None:
        traced = {int(relabel[k]): v for k, v in traced.items()}
    out = {}
    for label, shapes in traced.items():
        kept = _finish(shapes, all_components, min_area, keep_holes)
        if kept:
            out[label] = kept
    return out


# ---------------------------------------------------------------------------------------------
# Filling


def _as_shapes(shapes) -> list[Shape]:
    if isinstance(shapes, Shape):
        return [shapes]
    return list(shapes)


def _fill_shape(out: np.ndarray, shape: Shape, ox: int, oy: int) -> None:
    """OR the even-odd fill of one shape into ``out`` (whose pixel (0, 0) is image (ox, oy))."""
    h, w = out.shape
    rings = shape.rings
    v0 = np.concatenate(rings).astype(np.int64)
    v1 = np.concatenate([np.concatenate((r[1:], r[:1])) for r in rings]).astype(np.int64)
    lo = v0.min(axis=0)
    hi = v0.max(axis=0)
    # Window of rows/columns of `out` the shape can touch.
    r0, r1 = max(int(lo[1]) - oy, 0), min(int(hi[1]) - oy, h)
    c0, c1 = max(int(lo[0]) - ox, 0), min(int(hi[0]) - ox, w)
    if r0 >= r1 or c0 >= c1:
        return
    width = c1 - c0 + 1
    keep = v0[:, 1] != v1[:, 1]
    a, b = v0[keep], v1[keep]
    if np.array_equal(a[:, 0], b[:, 0]):
        # Axis-parallel outline (every traced shape): a vertical edge at X spanning rows
        # ya..yb-1 toggles, on each of those rows, every pixel x >= X (centre x + 0.5 > X).
        # Mark the toggle at its first and one-past-last row, then accumulate (XOR) down the
        # rows and across the columns.
        col = np.clip(a[:, 0] - ox, c0, c1) - c0
        ya = np.clip(np.minimum(a[:, 1], b[:, 1]) - oy, r0, r1) - r0
        yb = np.clip(np.maximum(a[:, 1], b[:, 1]) - oy, r0, r1) - r0
        marks = np.bincount(
            np.concatenate((ya * width + col, yb * width + col)), minlength=(r1 - r0 + 1) * width
        )
        toggles = (marks & 1).astype(np.uint8).reshape(r1 - r0 + 1, width)
        np.bitwise_xor.accumulate(toggles, axis=0, out=toggles)
        np.bitwise_xor.accumulate(toggles, axis=1, out=toggles)
        out[r0:r1, c0:c1] |= toggles[:-1, :-1].view(bool)
        return
    # General edges: the crossing of each edge with each pixel-centre row it spans.
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    ylo = np.minimum(a[:, 1], b[:, 1]) - oy
    yhi = np.maximum(a[:, 1], b[:, 1]) - oy
    # Rows whose centre r + 0.5 lies in [ylo, yhi): r in [ceil(ylo - .5), ceil(yhi - .5) - 1].
    first = np.maximum(np.ceil(ylo - 0.5).astype(np.int64), r0)
    last = np.minimum(np.ceil(yhi - 0.5).astype(np.int64) - 1, r1 - 1)
    count = np.maximum(last - first + 1, 0)
    total = int(count.sum())
    if total == 0:
        return
    edge = np.repeat(np.arange(count.size), count)
    base = np.cumsum(count) - count
    row = first[edge] + (np.arange(total) - base[edge])
    yc = row + 0.5 + oy
    a, b = a[edge], b[edge]
    xc = a[:, 0] + (yc - a[:, 1]) * (b[:, 0] - a[:, 0]) / (b[:, 1] - a[:, 1])
    # Pixel x is right of the crossing when x + 0.5 > xc: first such x = floor(xc - 0.5) + 1.
    col = np.clip(np.floor(xc - 0.5 - ox).astype(np.int64) + 1, c0, c1) - c0
    toggles = np.bincount((row - r0) * width + col, minlength=(r1 - r0) * width)
    parity = np.bitwise_xor.accumulate((toggles & 1).astype(np.uint8).reshape(r1 - r0, width), axis=1)
    out[r0:r1, c0:c1] |= parity[:, :-1].view(bool)


def rasterize(shapes, shape: tuple[int, int], *, origin: tuple[int, int] = (0, 0)) -> np.ndarray:
    """Fill shapes into a boolean array of ``shape`` (height, width), as ImageJ fills them.

    Each Shape is filled with the even-odd rule at pixel centres over all its rings; several
    shapes are OR-ed. ``origin`` (x, y) is the image position of output pixel (0, 0), so a crop
    can be filled without allocating the full image. Independent of the tracing code.
    """
    out = np.zeros(tuple(int(s) for s in shape), dtype=bool)
    for s in _as_shapes(shapes):
        _fill_shape(out, s, int(origin[0]), int(origin[1]))
    return out


def polygon_iou(shapes_before, shapes_after, shape: tuple[int, int]) -> float:
    """Intersection over union of the pixels two sets of shapes fill (1.0 if both are empty)."""
    a = rasterize(shapes_before, shape)
    b = rasterize(shapes_after, shape)
    union = np.count_nonzero(a | b)
    if union == 0:
        return 1.0
    return np.count_nonzero(a & b) / union


# ---------------------------------------------------------------------------------------------
# Simplification


def _point_segment_distance(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    ab = b - a
    denom = float(ab @ ab)
    if denom == 0.0:
        return np.hypot(*(p - a).T)
    t = np.clip(((p - a) @ ab) / denom, 0.0, 1.0)
    return np.hypot(*(p - (a + t[:, None] * ab)).T)


def _douglas_peucker_closed(ring: np.ndarray, tolerance: float) -> np.ndarray:
    n = len(ring)
    pts = ring.astype(np.float64)
    ext = np.vstack([pts, pts[:1]])
    # Anchors: vertex 0 and the vertex farthest from it; simplify both chains between them.
    far = int(np.argmax(((pts - pts[0]) ** 2).sum(axis=1)))
    keep = np.zeros(n + 1, dtype=bool)
    keep[[0, far, n]] = True
    stack = [(0, far), (far, n)]
    while stack:
        i, j = stack.pop()
        if j - i < 2:
            continue
        d = _point_segment_distance(ext[i + 1 : j], ext[i], ext[j])
        k = int(np.argmax(d))
        if d[k] > tolerance:
            m = i + 1 + k
            keep[m] = True
            stack.append((i, m))
            stack.append((m, j))
    idx = np.flatnonzero(keep[:n])
    if idx.size < 3:
        # Keep a triangle: add the vertex farthest from the anchor chord.
        d = _point_segment_distance(pts, pts[0], pts[far])
        d[idx] = -1.0
        idx = np.sort(np.append(idx, int(np.argmax(d))))
    return ring[idx]


def _crossings(rings: Sequence[np.ndarray]) -> bool:
    """True when two edges of the rings cross properly (touching at a vertex is allowed)."""
    a = np.concatenate([np.asarray(r, dtype=np.float64) for r in rings])
    b = np.concatenate([np.roll(np.asarray(r, dtype=np.float64), -1, axis=0) for r in rings])
    n = len(a)
    lo = np.minimum(a, b)
    hi = np.maximum(a, b)

    def orient(p, q, r):
        return np.sign((q[..., 0] - p[..., 0]) * (r[..., 1] - p[..., 1]) - (q[..., 1] - p[..., 1]) * (r[..., 0] - p[..., 0]))

    chunk = max(1, 4_000_000 // max(n, 1))
    for s in range(0, n, chunk):
        overlap = (lo[s : s + chunk, None, 0] <= hi[None, :, 0]) & (lo[None, :, 0] <= hi[s : s + chunk, None, 0])
        overlap &= (lo[s : s + chunk, None, 1] <= hi[None, :, 1]) & (lo[None, :, 1] <= hi[s : s + chunk, None, 1])
        if not overlap.any():
            continue
        i, j = np.nonzero(overlap)
        p, q = a[s + i], b[s + i]
        r, t = a[j], b[j]
        o1, o2 = orient(p, q, r), orient(p, q, t)
        o3, o4 = orient(r, t, p), orient(r, t, q)
        if np.any((o1 * o2 < 0) & (o3 * o4 < 0)):
            return True
    return False


def _interior_probe(ring: np.ndarray) -> tuple[float, float]:
    """A point just left of (on screen) the middle of the ring's first edge: inside a hole."""
    a = np.asarray(ring[0], dtype=np.float64)
    b = np.asarray(ring[1], dtype=np.float64)
    d = (b - a) / np.hypot(*(b - a))
    m = 0.5 * (a + b) + 1e-3 * np.array([d[1], -d[0]])
    return float(m[0]), float(m[1])


def _valid(original: Sequence[np.ndarray], simplified: Sequence[np.ndarray]) -> bool:
    """Rings keep >= 3 vertices, orientation and non-zero area; no two edges cross; every hole
    stays inside the outer ring (rings[0]) and outside the other holes."""
    for before, after in zip(original, simplified):
        if len(after) < 3:
            return False
        a0, a1 = ring_area(before), ring_area(after)
        if a1 == 0.0 or (a0 > 0) != (a1 > 0):
            return False
    if _crossings(simplified):
        return False
    outer, holes = simplified[0], simplified[1:]
    for k, hole in enumerate(holes):
        px, py = _interior_probe(hole)
        if not _inside(px, py, outer):
            return False
        if any(_inside(px, py, other) for m, other in enumerate(holes) if m != k):
            return False
    return True


def _simplify_rings(rings: Sequence[np.ndarray], tolerance: float) -> list[np.ndarray]:
    rings = [np.asarray(r) for r in rings]
    tol = float(tolerance)
    while tol >= 0.1:  # below that nothing on an integer grid can be removed
        out = [r.copy() if len(r) <= 4 else _douglas_peucker_closed(r, tol) for r in rings]
        if _valid(rings, out):
            return out
        tol /= 2.0
    return [r.copy() for r in rings]


def simplify(ring, tolerance: float) -> np.ndarray:
    """Douglas-Peucker simplification of one closed ring, keeping it a valid ring.

    Keeps a subset of the vertices (integer coordinates stay integer) so that no removed
    vertex is farther than ``tolerance`` pixels from the simplified outline. The result has at
    least 3 vertices, the same orientation, non-zero area and no self-crossing; if the given
    tolerance would break that, it is halved until it does not (at worst the ring is returned
    unchanged). Rings of 4 or fewer vertices are returned unchanged. Note that simplification
    changes the filled pixels: measure with `polygon_iou`.
    """
    return _simplify_rings([ring], tolerance)[0]


def simplify_shapes(shapes, tolerance: float) -> list[Shape]:
    """Simplify every ring of every shape (rings of a shape are checked together so that holes
    never cross their outer ring); ``area`` is recomputed as the pixels the result fills."""
    out = []
    for s in _as_shapes(shapes):
        rings = _simplify_rings(s.rings, tolerance)
        simplified = Shape(rings[0].astype(np.int32), tuple(r.astype(np.int32) for r in rings[1:]), 0)
        x0, y0, x1, y1 = simplified.bbox
        area = int(np.count_nonzero(rasterize(simplified, (y1 - y0, x1 - x0), origin=(x0, y0))))
        out.append(Shape(simplified.outer, simplified.holes, area))
    return out
