"""``samroi polygons``: label image -> one ROI per label.

    samroi polygons LABELS.tif --out OUT.zip|.roi|.geojson|.json|.tif|.tiff
                    [--min-area N] [--simplify TOL]

Each label (1..N, 0 = background) becomes one ROI named "<label>-label" (zero-padded); a label
with holes or several separate parts becomes one composite ROI (GeoJSON: MultiPolygon). The
polygons trace pixel edges, so by default they fill back to exactly the input labels (.tif
output: the same label image). --min-area drops parts of fewer pixels; --simplify applies
Douglas-Peucker with that tolerance in pixels (outlines then no longer fill back exactly).

Exit codes: 0 ok; 3 unreadable, non-integer or not 2-D input, an unknown output extension or
a bad option value.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..outputs import OUTPUT_KINDS
from ..errors import InputError



def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "polygons",
        help="turn a label image into ROIs (ImageJ RoiSet, GeoJSON or label TIFF)",
        description=(
            "Trace every label of a 2-D integer label TIFF (0 = background) as pixel-edge "
            "polygons and write one ROI per label: an ImageJ RoiSet (.zip, or .roi for a single "
            "label), QuPath GeoJSON (.geojson/.json) or a uint16 label TIFF (.tif/.tiff). "
            "Exact by default: the ROIs fill back to the input pixels."
        ),
    )
    parser.add_argument("labels", metavar="LABELS.tif", help="2-D integer label image (TIFF)")
    parser.add_argument("--out", required=True, metavar="OUT",
                        help="output file; its extension picks the format: "
                        + ", ".join(sorted(OUTPUT_KINDS)))
    parser.add_argument("--min-area", type=int, default=0, metavar="N",
                        help="drop parts (connected pieces) smaller than N pixels (default 0)")
    parser.add_argument("--simplify", type=float, default=0.0, metavar="TOL",
                        help="simplify outlines, max deviation TOL pixels (default 0: exact)")
    parser.set_defaults(func=run)


def read_labels(path: Path) -> np.ndarray:
    """A 2-D integer label image from a TIFF; InputError with the reason otherwise."""
    import tifffile

    if not path.is_file():
        raise InputError(f"label image not found: {path}")
    try:
        labels = tifffile.imread(path)
    except Exception as err:  # tifffile raises several kinds for a file that is not a TIFF
        raise InputError(f"cannot read {path} as a TIFF image: {err}") from None
    labels = np.asarray(labels)
    if labels.ndim > 2:
        labels = labels.squeeze()  # tolerate singleton axes, e.g. (1, H, W)
    if labels.ndim != 2:
        raise InputError(
            f"{path} has shape {labels.shape}; samroi polygons needs a 2-D label image "
            "(for a stack, save one plane per file)"
        )
    if labels.dtype == bool:
        labels = labels.astype(np.uint8)
    if labels.dtype.kind not in "iu":
        raise InputError(f"{path} has pixel type {labels.dtype}; a label image must hold integers")
    if labels.dtype.kind == "i" and labels.size and labels.min() < 0:
        raise InputError(f"{path} contains negative values; labels must be 0 (background) or positive")
    return labels


def run(args) -> int:
    from .. import outputs, polygons

    out = Path(args.out)
    kind = outputs.output_kind(out)
    if args.min_area < 0:
        raise InputError("--min-area must be 0 or more")
    if args.simplify < 0:
        raise InputError("--simplify must be 0 or more")
    labels = read_labels(Path(args.labels))

    per_label = polygons.labels_to_shapes(labels, min_area=args.min_area)
    if args.simplify > 0:
        per_label = {k: polygons.simplify_shapes(v, args.simplify) for k, v in per_label.items()}
    width = max(3, len(str(max(per_label, default=0))))

    if kind == "tiff":
        outputs.write_labels_tiff(out, per_label, labels.shape)
        count = len(per_label)
    else:
        rois = [outputs.OutputRoi(f"{k:0{width}d}-label", shapes) for k, shapes in sorted(per_label.items())]
        if kind == "roiset":
            count = outputs.write_roiset(out, rois)
        else:
            count = outputs.write_geojson(out, rois)
    print(f"{count} ROI{'s' if count != 1 else ''} from {args.labels} -> {out}")
    return 0
