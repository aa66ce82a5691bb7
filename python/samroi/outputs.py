"""Writing results (ImageJ RoiSet, label TIFF, GeoJSON) and reading prompts for batch mode.

Results. An `OutputRoi` is one segmented object: a name, its shapes (samroi.polygons.Shape:
pixel-edge polygons with integer vertices, see that module) and optionally its position in a
stack. Names follow ``roi_name(prompt_number, model)``, e.g. "001-efficientsam-ti".

- `write_roiset`: ImageJ/Fiji RoiSet .zip (or a single .roi). A shape without holes is a
  TRACED polygon ROI (what ImageJ's wand makes); an object with holes or several parts is a
  COMPOSITE (ShapeRoi) ROI, one closed sub-path per ring, which ImageJ fills with the even-odd
  rule, i.e. exactly the object's pixels.
- `write_labels_tiff`: uint16 label image (0 background, objects 1..N), zlib-compressed.
- `write_geojson`: FeatureCollection for QuPath: one Feature per object, Polygon or
  MultiPolygon, properties {"objectType": "annotation", "name": ...}. Coordinates are the
  same pixel-edge integers (QuPath uses the same convention: pixel (x, y) covers
  [x, x+1) x [y, y+1)); rings are closed (first vertex repeated), exteriors counter-clockwise
  and holes clockwise in the numbers as written (RFC 7946).

Every writer writes to a temporary file beside the target and renames it into place, so an
error never leaves a half-written file (an existing file stays as it was).

Prompts for batch mode
----------------------
`read_prompts_roiset(path)` takes an ImageJ RoiSet .zip or a single .roi: every point of a
point ROI becomes a prompt (one object click; ``group_points=True`` makes a multi-point ROI
one prompt with several object clicks), every rectangle becomes a box prompt. ImageJ point
coordinates are used as they are (integer ImageJ point coordinates are pixel indices); an
ImageJ rectangle (x, y, w, h) is the box (x, y, x+w-1, y+h-1) (DESIGN.md, "Conventions").
Other ROI types are skipped with a warning.

`read_prompts_csv(path)` reads a CSV file (comma separated, UTF-8, lines starting with "#"
and blank lines ignored). The first row is a header naming the columns, in any order, case
insensitive:

    x, y          a click at pixel indices (column, row); fractions allowed
    label         optional: 1 = on the object (default), 0 = background
    x0, y0, x1, y1  a box: the extreme pixel indices it covers (inclusive)
    kind          optional: "point" or "box", checked against the filled columns
    prompt        optional: rows with the same value form one prompt (several clicks and at
                  most one box) named after it; without it every row is its own prompt
    c, z, t       optional: 1-based channel / slice / frame of a stack (ImageJ's numbering)

Each row fills either the point columns or the box columns. Example:

    prompt,x,y,label,x0,y0,x1,y1
    cell1,120,80,1,,,,
    cell1,130,95,0,,,,
    cell2,,,,200,150,260,210

Errors name the line: "prompts.csv line 3: x is not a number: 'abc'".
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import struct
import tempfile
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping

import numpy as np

from .errors import InputError
from .paths import usual_permissions
from .polygons import Shape, rasterize

__all__ = [
    "OutputRoi",
    "FilePrompt",
    "roi_name",
    "write_roiset",
    "write_labels_tiff",
    "write_geojson",
    "geojson_feature",
    "read_prompts_roiset",
    "read_prompts_csv",
]

MAX_LABELS = 65535

@dataclass
class OutputRoi:
    """One object to write.

    position: None (whole image), an int (1-based slice of a plain stack, ImageJ's
        Roi.setPosition(n)) or (c, z, t), 1-based hyperstack position, 0 = not set.
    classification: optional class name (QuPath classification in GeoJSON).
    properties: optional text key/values (ImageJ ROI properties, QuPath metadata).
    """

    name: str
    shapes: list[Shape]
    position: int | tuple[int, int, int] | None = None
    classification: str | None = None
    properties: dict[str, str] = field(default_factory=dict)


@dataclass
class FilePrompt:
    """A prompt read from a file: the attributes of samroi.predictor.Prompt plus where from.

    points (n, 2) float64 (x, y) pixel indices, labels (n,) int32 (1 object, 0 background),
    box (4,) float64 (x0, y0, x1, y1) inclusive pixel indices; either may be None.
    """

    points: np.ndarray | None = None
    labels: np.ndarray | None = None
    box: np.ndarray | None = None
    name: str = ""
    position: int | tuple[int, int, int] | None = None

    def as_prompt(self):
        """The same prompt as a samroi.predictor.Prompt."""
        from .predictor import Prompt

        return Prompt(self.points, self.labels, self.box)


# Output formats by file extension, for the commands that write results.
OUTPUT_KINDS = {".zip": "roiset", ".roi": "roiset", ".geojson": "geojson", ".json": "geojson",
                ".tif": "tiff", ".tiff": "tiff"}


def output_kind(path) -> str:
    """"roiset", "geojson" or "tiff" for an output file name; InputError for other extensions."""
    suffix = Path(path).suffix.lower()
    if suffix not in OUTPUT_KINDS:
        raise InputError(
            f"unknown output extension {suffix or '(none)'!r} in {path}; use one of "
            + ", ".join(sorted(OUTPUT_KINDS))
        )
    return OUTPUT_KINDS[suffix]


def roi_name(prompt_number: int, model: str) -> str:
    """ROI name for the n-th prompt (1-based) and a model: roi_name(1, "mobilesam") ->
    "001-mobilesam"."""
    return f"{int(prompt_number):03d}-{model}"


# ---------------------------------------------------------------------------------------------
# Atomic writing


def _atomic_write(path, write: Callable) -> Path:
    """Call write(binary file) on a temporary file beside ``path``, then rename it into place."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise InputError(f"cannot write {path}: folder {directory} does not exist")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        usual_permissions(tmp)  # mkstemp makes it private
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


def _rings(roi: OutputRoi) -> list[np.ndarray]:
    return [np.asarray(r) for s in roi.shapes for r in s.rings]


# ---------------------------------------------------------------------------------------------
# ImageJ


def _imagej_roi(roi: OutputRoi):
    import roifile

    rings = _rings(roi)
    if not rings:
        raise InputError(f"ROI {roi.name!r} has no shape")
    if len(rings) == 1:
        ij = roifile.ImagejRoi.frompoints(rings[0].astype(np.int32), name=roi.name)
        ij.roitype = roifile.ROI_TYPE.TRACED
        ij.options = roifile.ROI_OPTIONS.NONE
        if ij.subpixel_coordinates is not None:  # coordinates beyond ImageJ's int16 range
            ij.options |= roifile.ROI_OPTIONS.SUB_PIXEL_RESOLUTION
    else:
        # Composite (ShapeRoi): MOVETO x y, LINETO x y ..., CLOSE per ring, absolute coordinates.
        parts = []
        for ring in rings:
            r = np.asarray(ring, dtype=np.float32)
            ops = np.ones((len(r), 1), np.float32)
            ops[0, 0] = 0.0
            parts.append(np.hstack([ops, r]).ravel())
            parts.append(np.array([4.0], np.float32))
        ij = roifile.ImagejRoi()
        ij.roitype = roifile.ROI_TYPE.RECT
        ij.name = roi.name
        ij.multi_coordinates = np.concatenate(parts).astype(np.float32)
        ij.shape_roi_size = int(ij.multi_coordinates.size)
        allv = np.concatenate(rings)
        ij.left, ij.top = (int(v) for v in allv.min(axis=0))
        ij.right, ij.bottom = (int(v) for v in allv.max(axis=0))
    if roi.position is not None:
        if isinstance(roi.position, (int, np.integer)):
            ij.position = int(roi.position)
        else:
            c, z, t = (int(v) for v in roi.position)
            ij.c_position, ij.z_position, ij.t_position = c, z, t
    if roi.properties:
        ij.props = "\n".join(f"{k}: {v}" for k, v in roi.properties.items())
    return ij


def write_roiset(path, rois: Iterable[OutputRoi]) -> int:
    """Write ROIs as an ImageJ RoiSet .zip (or one ROI as a .roi file), atomically.

    Entry names are "<name>.roi" (a repeated name gets "-2", "-3", ...). ROIs without any
    shape are skipped. Returns the number of ROIs written.
    """
    path = Path(path)
    rois = [r for r in rois if _rings(r)]
    encoded = [(r.name, _imagej_roi(r).tobytes()) for r in rois]
    suffix = path.suffix.lower()
    if suffix == ".roi":
        if len(encoded) != 1:
            raise InputError(f"a .roi file holds exactly one ROI, got {len(encoded)}; use .zip")
        _atomic_write(path, lambda fh: fh.write(encoded[0][1]))
        return 1
    if suffix != ".zip":
        raise InputError(f"an ImageJ ROI set must end in .zip (or .roi for one ROI): {path}")

    def write(fh):
        used: set[str] = set()
        with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, data in encoded:
                base = (name or "roi").replace("/", "_").replace("\\", "_")
                entry, k = base, 1
                while entry.lower() in used:
                    k += 1
                    entry = f"{base}-{k}"
                used.add(entry.lower())
                zf.writestr(f"{entry}.roi", data)

    _atomic_write(path, write)
    return len(encoded)


# ---------------------------------------------------------------------------------------------
# Label image


def _object_shapes(item) -> list[Shape]:
    if isinstance(item, Shape):
        return [item]
    if isinstance(item, OutputRoi):
        return list(item.shapes)
    return list(item)


def write_labels_tiff(path, shapes_per_object, image_shape: tuple[int, int]) -> np.ndarray:
    """Fill objects into a uint16 label image and write it as a zlib-compressed TIFF.

    shapes_per_object: a sequence (object i gets label i + 1) or a mapping {label: ...};
        each item is a Shape, a list of Shapes or an OutputRoi.
    image_shape: (height, width). Where objects overlap the later one wins.
    Returns the label image. InputError for more than 65535 objects or a label outside
    1..65535.
    """
    import tifffile

    if isinstance(shapes_per_object, Mapping):
        items = [(int(k), v) for k, v in shapes_per_object.items()]
    else:
        items = list(enumerate(shapes_per_object, start=1))
    if len(items) > MAX_LABELS:
        raise InputError(f"{len(items)} objects do not fit a uint16 label image (at most {MAX_LABELS})")
    if len(image_shape) != 2:
        raise InputError(f"image_shape must be (height, width), got {tuple(image_shape)}")
    h, w = (int(v) for v in image_shape)
    labels = np.zeros((h, w), dtype=np.uint16)
    for label, item in items:
        if not 1 <= label <= MAX_LABELS:
            raise InputError(f"label {label} is outside 1..{MAX_LABELS} (uint16)")
        for shape in _object_shapes(item):
            x0, y0, x1, y1 = shape.bbox
            x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
            if x0 >= x1 or y0 >= y1:
                continue
            mask = rasterize(shape, (y1 - y0, x1 - x0), origin=(x0, y0))
            labels[y0:y1, x0:x1][mask] = label
    buffer = io.BytesIO()
    tifffile.imwrite(buffer, labels, compression="zlib", photometric="minisblack")
    _atomic_write(path, lambda fh: fh.write(buffer.getbuffer()))
    return labels


# ---------------------------------------------------------------------------------------------
# GeoJSON (QuPath)


def _closed(ring) -> list[list[int]]:
    r = np.asarray(ring)
    coords = r.tolist()
    coords.append(coords[0])
    return coords


def _plane(position) -> dict | None:
    if position is None:
        return None
    if isinstance(position, (int, np.integer)):
        return {"c": -1, "z": max(int(position) - 1, 0), "t": 0}
    c, z, t = (int(v) for v in position)
    return {"c": c - 1 if c > 0 else -1, "z": max(z - 1, 0), "t": max(t - 1, 0)}


def geojson_feature(roi: OutputRoi) -> dict:
    """One QuPath annotation Feature (Polygon, or MultiPolygon for several parts)."""
    polygons = [[_closed(r) for r in s.rings] for s in roi.shapes]
    if len(polygons) == 1:
        geometry = {"type": "Polygon", "coordinates": polygons[0]}
    else:
        geometry = {"type": "MultiPolygon", "coordinates": polygons}
    plane = _plane(roi.position)
    if plane is not None:
        geometry["plane"] = plane  # QuPath's extension for z/t planes (0-based; c = -1: all)
    properties: dict = {"objectType": "annotation", "name": roi.name, "isLocked": False}
    if roi.classification:
        properties["classification"] = {"name": roi.classification}
    if roi.properties:
        properties["metadata"] = {str(k): str(v) for k, v in roi.properties.items()}
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def write_geojson(path, rois: Iterable[OutputRoi]) -> int:
    """Write ROIs as a GeoJSON FeatureCollection of QuPath annotations, atomically.

    ROIs without any shape are skipped. Returns the number of features written.
    """
    features = [geojson_feature(r) for r in rois if r.shapes]
    doc = {"type": "FeatureCollection", "features": features}
    data = json.dumps(doc, separators=(",", ":")).encode("utf-8")
    _atomic_write(path, lambda fh: fh.write(data))
    return len(features)


# ---------------------------------------------------------------------------------------------
# Prompts


def _roi_position(ij) -> int | tuple[int, int, int] | None:
    if ij.c_position or ij.z_position or ij.t_position:
        return (int(ij.c_position), int(ij.z_position), int(ij.t_position))
    if ij.position:
        return int(ij.position)
    return None


def read_prompts_roiset(path, *, group_points: bool = False) -> list[FilePrompt]:
    """Point and rectangle ROIs of an ImageJ RoiSet .zip or .roi file as prompts, in order.

    Every point of a point ROI is one prompt (``group_points=True``: one prompt per point ROI,
    with all its points as object clicks); a multi-point ROI spread over slices gives each
    point its own slice position. Rectangles (x, y, w, h) become boxes (x, y, x+w-1, y+h-1).
    Prompt names: the ROI name, with "-k" (1-based) for the k-th point of a multi-point ROI.
    Other ROI types are skipped with a warning; InputError if nothing usable is found.
    """
    import roifile

    path = Path(path)
    if not path.is_file():
        raise InputError(f"prompt file not found: {path}")
    try:
        found = roifile.roiread(path)
    except (ValueError, OSError, zipfile.BadZipFile, struct.error) as err:
        raise InputError(f"cannot read {path} as an ImageJ ROI file or RoiSet: {err}") from None
    rois = found if isinstance(found, list) else [found]
    prompts: list[FilePrompt] = []
    skipped: list[str] = []
    for n, ij in enumerate(rois, start=1):
        name = ij.name or f"roi{n}"
        position = _roi_position(ij)
        if ij.roitype == roifile.ROI_TYPE.POINT:
            pts = np.asarray(ij.coordinates(), dtype=np.float64).reshape(-1, 2)
            if len(pts) == 0:
                skipped.append(name)
                continue
            if group_points:
                prompts.append(
                    FilePrompt(pts, np.ones(len(pts), np.int32), None, name, position)
                )
                continue
            per_point = None
            if ij.counter_positions is not None and len(ij.counter_positions) == len(pts):
                per_point = [int(p) for p in ij.counter_positions]
            for k, p in enumerate(pts):
                pos = position
                if per_point is not None and per_point[k] > 0 and position is None:
                    pos = per_point[k]
                prompts.append(
                    FilePrompt(
                        p.reshape(1, 2).copy(),
                        np.ones(1, np.int32),
                        None,
                        name if len(pts) == 1 else f"{name}-{k + 1}",
                        pos,
                    )
                )
        elif (
            ij.roitype == roifile.ROI_TYPE.RECT
            and not ij.composite
            and ij.subtype == roifile.ROI_SUBTYPE.UNDEFINED
        ):
            if ij.subpixelrect:
                x, y, w, h = float(ij.xd), float(ij.yd), float(ij.widthd), float(ij.heightd)
            else:
                x, y = float(ij.left), float(ij.top)
                w, h = float(ij.right - ij.left), float(ij.bottom - ij.top)
            if w <= 0 or h <= 0:
                skipped.append(name)
                continue
            box = np.array([x, y, x + w - 1, y + h - 1], dtype=np.float64)
            prompts.append(FilePrompt(None, None, box, name, position))
        else:
            skipped.append(name)
    if skipped:
        warnings.warn(
            f"{path.name}: skipped {len(skipped)} ROI(s) that are not points or rectangles: "
            + ", ".join(skipped[:10])
            + (" ..." if len(skipped) > 10 else ""),
            stacklevel=2,
        )
    if not prompts:
        raise InputError(f"{path} holds no point or rectangle ROI to use as a prompt")
    return prompts


_CSV_COLUMNS = ("prompt", "kind", "x", "y", "label", "x0", "y0", "x1", "y1", "c", "z", "t")


def read_prompts_csv(path) -> list[FilePrompt]:
    """Prompts from a CSV file (format in the module notes), in order of first appearance."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"prompt file not found: {path}")
    where = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read {path}: {err}") from None

    lines = [(i, line) for i, line in enumerate(text.splitlines(), start=1)]
    content = [(i, line) for i, line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not content:
        raise InputError(f"{where}: no header and no prompts (expected a header such as x,y,label)")
    rows = list(csv.reader([line for _, line in content]))
    numbers = [i for i, _ in content]

    header_line = numbers[0]
    header = [h.strip().lower() for h in rows[0]]
    unknown = [h for h in header if h not in _CSV_COLUMNS]
    if unknown:
        raise InputError(
            f"{where} line {header_line}: unknown column(s) {', '.join(map(repr, unknown))}; the "
            f"first row must be a header with columns from: {', '.join(_CSV_COLUMNS)}"
        )
    if len(set(header)) != len(header):
        raise InputError(f"{where} line {header_line}: a column is named twice in the header")
    has_point = {"x", "y"} <= set(header)
    has_box = {"x0", "y0", "x1", "y1"} <= set(header)
    if not (has_point or has_box):
        raise InputError(
            f"{where} line {header_line}: the header needs columns x,y (points) and/or "
            "x0,y0,x1,y1 (boxes)"
        )
    for partial, full in ((("x", "y"), has_point), (("x0", "y0", "x1", "y1"), has_box)):
        if not full and any(c in header for c in partial):
            raise InputError(f"{where} line {header_line}: columns {','.join(partial)} must come together")
    col = {name: k for k, name in enumerate(header)}

    groups: dict[str, dict] = {}
    order: list[str] = []
    for line_no, row in zip(numbers[1:], rows[1:]):
        where_line = f"{where} line {line_no}"
        if len(row) > len(header):
            raise InputError(f"{where_line}: {len(row)} values but the header has {len(header)} columns")
        row = row + [""] * (len(header) - len(row))

        def cell(name: str) -> str:
            return row[col[name]].strip() if name in col else ""

        def number(name: str) -> float:
            value = cell(name)
            try:
                v = float(value)
            except ValueError:
                raise InputError(f"{where_line}: {name} is not a number: {value!r}") from None
            if not math.isfinite(v):
                raise InputError(f"{where_line}: {name} must be finite, got {value!r}")
            return v

        def integer(name: str, default: int) -> int:
            value = cell(name)
            if value == "":
                return default
            try:
                return int(value)
            except ValueError:
                raise InputError(f"{where_line}: {name} must be a whole number, got {value!r}") from None

        point_cells = [cell(c) for c in ("x", "y")]
        box_cells = [cell(c) for c in ("x0", "y0", "x1", "y1")]
        is_point = any(point_cells)
        is_box = any(box_cells)
        if is_point and is_box:
            raise InputError(f"{where_line}: a row is either a point (x,y) or a box (x0,y0,x1,y1), not both")
        if not (is_point or is_box):
            raise InputError(f"{where_line}: neither a point (x,y) nor a box (x0,y0,x1,y1) is given")
        kind = cell("kind").lower()
        if kind and kind not in ("point", "box"):
            raise InputError(f"{where_line}: kind must be 'point' or 'box', got {kind!r}")
        if kind and kind != ("point" if is_point else "box"):
            raise InputError(f"{where_line}: kind is {kind!r} but the row fills the {'point' if is_point else 'box'} columns")
        if cell("label") and not is_point:
            raise InputError(f"{where_line}: label belongs to a point, but the row is a box")

        position = None
        if any(c in col for c in ("c", "z", "t")):
            czt = tuple(integer(c, 0) for c in ("c", "z", "t"))
            if min(czt) < 0:
                raise InputError(f"{where_line}: c, z and t are 1-based positions (0 or empty = not set)")
            position = czt if any(czt) else None

        key = cell("prompt") if "prompt" in col else ""
        if key == "":
            key = f"\0row{line_no}"
        group = groups.get(key)
        if group is None:
            name = key if not key.startswith("\0") else f"{len(order) + 1:03d}"
            group = groups[key] = {"name": name, "points": [], "labels": [], "box": None,
                                   "position": position, "line": line_no}
            order.append(key)
        elif group["position"] != position:
            raise InputError(
                f"{where_line}: prompt {group['name']!r} has a different c,z,t than on line {group['line']}"
            )

        if is_point:
            x, y = number("x"), number("y")
            label = integer("label", 1)
            if label not in (0, 1):
                raise InputError(f"{where_line}: label must be 1 (object) or 0 (background), got {label}")
            group["points"].append((x, y))
            group["labels"].append(label)
        else:
            x0, y0, x1, y1 = (number(c) for c in ("x0", "y0", "x1", "y1"))
            if x1 < x0 or y1 < y0:
                raise InputError(
                    f"{where_line}: box corners must satisfy x0 <= x1 and y0 <= y1 (inclusive pixel "
                    f"indices), got ({x0:g}, {y0:g}, {x1:g}, {y1:g})"
                )
            if group["box"] is not None:
                raise InputError(f"{where_line}: prompt {group['name']!r} already has a box; one box per prompt")
            group["box"] = (x0, y0, x1, y1)

    if not order:
        raise InputError(f"{where}: the header is there but no prompt rows follow")
    prompts = []
    for key in order:
        g = groups[key]
        points = np.array(g["points"], np.float64).reshape(-1, 2) if g["points"] else None
        labels = np.array(g["labels"], np.int32) if g["points"] else None
        box = np.array(g["box"], np.float64) if g["box"] is not None else None
        prompts.append(FilePrompt(points, labels, box, g["name"], g["position"]))
    return prompts
