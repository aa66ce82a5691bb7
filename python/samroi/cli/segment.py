"""``samroi segment``: segment the objects that prompts point at, write one ROI per object.

    samroi segment IMAGE --out OUT.zip|.roi|.tif|.tiff|.geojson|.json
        [--model M] [--checkpoint FILE] [--runtime onnx|torch]
        [--normalize percentile|percentile:LO,HI|minmax|range:LO,HI]
        [--channel N | --rgb R,G,B] [--plane N]
        [--point X,Y[,LABEL]]... [--box X0,Y0,X1,Y1]... [--prompts FILE.csv|RoiSet.zip|.roi]
        [--group-points] [--single-mask] [--all-masks] [--all-components] [--min-area N]
        [--no-holes] [--simplify TOL] [--tile N] [--overlap N] [--cache-dir DIR]
        [--threads N] [--quiet]

Prompts, in this order, each one object (coordinates are pixel indices: x = column, y = row,
fractions allowed):

- all --point flags together form ONE object (LABEL 1 = on the object, the default; 0 = a
  background click), whether or not boxes are given too;
- every --box is one more object (corners = the extreme pixel indices it covers, inclusive);
- every prompt of --prompts FILE is one more object: a CSV file (samroi.outputs.read_prompts_csv)
  or an ImageJ RoiSet .zip / .roi of point and rectangle ROIs (each point its own object;
  with --group-points a multi-point ROI is one object).

Object k (1-based, in the order above) becomes the ROI "<kkk>-<model>" (outputs.roi_name),
carrying the stack position of its prompt from the file when it has one (samroi segments the
one plane chosen with --plane; positions are copied, not interpreted). The label TIFF holds
object k as label k (uint16), filled from the same polygons as the ROIs (so only the largest
part of a mask unless --all-components); where objects overlap the later one wins. --all-masks keeps
every mask the decoder proposes (3, or 1 with --single-mask), best first, named
"<kkk>-<model>-m1", "-m2", "-m3" (RoiSet and GeoJSON only). By default the best mask
(highest predicted IoU) of the 3 multimask outputs is kept; --single-mask uses the decoder's
single-mask output instead.

An object whose mask is empty is reported on stderr and left out of the outputs (exit code
still 0). Outputs are written atomically. Progress (more than one tile or more than 20
prompts) and a one-line summary go to stderr unless --quiet.

Exit codes: 0 ok; 2 command-line usage; 3 bad input (image, prompt, prompt file, option
value, output extension); 4 weights missing or invalid; 5 download of the weights failed.
"""

from __future__ import annotations

import importlib.util
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..outputs import OUTPUT_KINDS
from ..errors import InputError, PromptError, SamroiError
from ..modelspec import DEFAULT_MODEL, MODELS

PROGRESS_PROMPTS = 20  # show a progress bar above this many prompts (or for several tiles)
NORMALIZE_DEFAULT = "percentile"

NO_PROMPT_HELP = (
    "no prompt given: say what to segment with --point X,Y[,LABEL] (all points form one "
    "object), --box X0,Y0,X1,Y1 (one object each) or --prompts FILE (.csv, or an ImageJ "
    "RoiSet .zip/.roi of point and rectangle ROIs)"
)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "segment",
        help="segment the objects given by points/boxes; write ROIs, a label TIFF or GeoJSON",
        description=(
            "Segment one object per prompt in a 2-D image (or one plane of a stack) and write "
            "one ROI per object: an ImageJ RoiSet (.zip, or .roi for one object), a uint16 "
            "label TIFF (.tif/.tiff, object k = label k, later objects overwrite earlier ones "
            "where they overlap) or QuPath GeoJSON (.geojson/.json). Prompts: all --point "
            "flags together are ONE object; each --box is one more; each prompt of --prompts "
            "FILE one more. Coordinates are pixel indices (x = column, y = row)."
        ),
        epilog=(
            "Without --checkpoint the official weights are used, downloaded on first use "
            "(see `samroi weights install --help` for offline installs). Exit codes: 0 ok, "
            "2 usage, 3 bad input, 4 weights missing/invalid, 5 download failed."
        ),
    )
    parser.add_argument("image", metavar="IMAGE", help="image file (TIFF, PNG, JPEG, ...)")
    parser.add_argument("--out", required=True, metavar="OUT",
                        help="output file; its extension picks the format: "
                        + ", ".join(sorted(OUTPUT_KINDS)))

    model = parser.add_argument_group("model")
    model.add_argument("--model", default=DEFAULT_MODEL, choices=list(MODELS), metavar="M",
                       help=f"one of: {', '.join(MODELS)} (default {DEFAULT_MODEL})")
    model.add_argument("--checkpoint", metavar="FILE",
                       help="use this checkpoint file instead of the official weights")
    model.add_argument("--runtime", default="onnx", choices=["onnx", "torch"],
                       help="onnx (default) or torch (needs PyTorch; the reference)")
    model.add_argument("--threads", type=int, metavar="N", help="CPU threads (default: all)")

    image = parser.add_argument_group("image")
    image.add_argument("--normalize", default=NORMALIZE_DEFAULT, metavar="HOW",
                       help="intensity scaling to [0,1]: percentile (1-99.8, default), "
                       "percentile:LO,HI, minmax, or range:LO,HI (e.g. range:0,255)")
    channels = image.add_mutually_exclusive_group()
    channels.add_argument("--channel", type=int, metavar="N",
                          help="use channel N (0-based) of a multichannel image, as gray")
    channels.add_argument("--rgb", metavar="R,G,B",
                          help="channels (0-based, 1 to 3) shown to the model as red, green, blue")
    image.add_argument("--plane", type=int, metavar="N",
                       help="plane N (0-based) of a stack (z/t planes in file order)")

    prompts = parser.add_argument_group("prompts (pixel indices; x = column, y = row)")
    prompts.add_argument("--point", action="append", default=[], metavar="X,Y[,LABEL]",
                         help="a click; LABEL 1 = object (default), 0 = background. All "
                         "--point flags together form ONE object")
    prompts.add_argument("--box", action="append", default=[], metavar="X0,Y0,X1,Y1",
                         help="a box (inclusive corner pixels); each --box is one object")
    prompts.add_argument("--prompts", metavar="FILE",
                         help="prompt file: .csv, or an ImageJ RoiSet .zip / .roi of point "
                         "and rectangle ROIs; one object per prompt")
    prompts.add_argument("--group-points", action="store_true",
                         help="RoiSet prompts: a multi-point ROI is one object (default: "
                         "each point is its own object)")

    masks = parser.add_argument_group("masks and polygons")
    masks.add_argument("--single-mask", action="store_true",
                       help="use the decoder's single-mask output instead of the best of 3")
    masks.add_argument("--all-masks", action="store_true",
                       help="keep every proposed mask, best first, as <name>-m1, -m2, -m3 "
                       "(RoiSet/GeoJSON only)")
    masks.add_argument("--all-components", action="store_true",
                       help="keep every connected part of a mask (default: the largest only)")
    masks.add_argument("--min-area", type=int, default=0, metavar="N",
                       help="drop parts smaller than N pixels (default 0)")
    masks.add_argument("--no-holes", action="store_true", help="fill holes in the objects")
    masks.add_argument("--simplify", type=float, default=0.0, metavar="TOL",
                       help="simplify outlines, max deviation TOL pixels (default 0: exact)")

    engine = parser.add_argument_group("large images and caching")
    engine.add_argument("--tile", type=int, default=None, metavar="N",
                        help="tile size in pixels for large images (default 1024)")
    engine.add_argument("--overlap", type=int, default=None, metavar="N",
                        help="overlap of neighbouring tiles in pixels (default 256, at most a quarter "
                        "of --tile)")
    engine.add_argument("--cache-dir", metavar="DIR",
                        help="keep image embeddings in DIR so later runs on the same image "
                        "skip the encoder (e.g. $SAMROI_HOME/embeddings; default: memory only)")

    parser.add_argument("--quiet", action="store_true",
                        help="no progress bar and no summary (warnings and errors still shown)")
    parser.set_defaults(func=run)


# ------------------------------------------------------------------------------ parsing


def _numbers(text: str, flag: str, counts: tuple[int, ...], form: str) -> list[float]:
    parts = [p.strip() for p in str(text).split(",")]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = None
    if values is None or len(values) not in counts or not all(np.isfinite(values)):
        raise InputError(f"{flag} {text!r}: expected {form} (numbers separated by commas)")
    return values


def parse_point(text: str) -> tuple[float, float, int]:
    values = _numbers(text, "--point", (2, 3), "X,Y or X,Y,LABEL")
    label = 1
    if len(values) == 3:
        if values[2] not in (0.0, 1.0):
            raise InputError(f"--point {text!r}: LABEL must be 1 (object) or 0 (background)")
        label = int(values[2])
    return values[0], values[1], label


def parse_box(text: str) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = _numbers(text, "--box", (4,), "X0,Y0,X1,Y1")
    return x0, y0, x1, y1


def parse_rgb(text: str | None) -> tuple[int, ...] | None:
    if text is None:
        return None
    parts = [p.strip() for p in text.split(",")]
    try:
        values = tuple(int(p) for p in parts)
    except ValueError:
        values = ()
    if not 1 <= len(values) <= 3:
        raise InputError(f"--rgb {text!r}: expected 1 to 3 channel indices, e.g. --rgb 2,1,0")
    return values


@dataclass
class Job:
    """One object to segment: its prompt, where it came from, and its stack position."""

    prompt: object  # samroi.predictor.Prompt
    source: str  # for messages: "--point", "--box 2", "prompts.csv: cell1"
    name: str = ""  # the prompt's name in the file ("" for command-line prompts)
    position: int | tuple[int, int, int] | None = None


def gather_prompts(args) -> list[Job]:
    """Command-line prompts (the points as one object, then each box), then the file's."""
    from .. import outputs
    from ..predictor import Prompt

    jobs: list[Job] = []
    if args.point:
        parsed = [parse_point(p) for p in args.point]
        points = np.array([(x, y) for x, y, _ in parsed], np.float64)
        labels = np.array([lab for _, _, lab in parsed], np.int32)
        jobs.append(Job(Prompt(points, labels, None), "the --point flags"))
    for text in args.box:
        jobs.append(Job(Prompt(None, None, np.array(parse_box(text), np.float64)), f"--box {text}"))
    if args.prompts:
        path = Path(args.prompts)
        suffix = path.suffix.lower()
        if suffix == ".csv":
            found = outputs.read_prompts_csv(path)
        elif suffix in (".zip", ".roi"):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                found = outputs.read_prompts_roiset(path, group_points=args.group_points)
            for w in caught:
                print(f"samroi: warning: {w.message}", file=sys.stderr)
        else:
            raise InputError(
                f"unknown prompt file type {suffix or '(none)'!r} in {path}; use a .csv file or "
                "an ImageJ RoiSet .zip / .roi"
            )
        for fp in found:
            jobs.append(Job(fp.as_prompt(), f"{path.name}: {fp.name}", fp.name, fp.position))
    return jobs


def check_prompts(spec, height: int, width: int, jobs: list[Job]) -> None:
    """The session's prompt checks, before any weights are loaded (fail fast)."""
    from ..predictor import check_prompt

    for number, job in enumerate(jobs, start=1):
        try:
            check_prompt(spec, job.prompt, height, width)
        except InputError as err:
            raise PromptError(f"prompt {number} ({job.source}): {err}") from None


# ------------------------------------------------------------------------------ running


def _progress_bar(quiet: bool):
    from tqdm import tqdm

    return tqdm(total=1, unit="tile", file=sys.stderr, disable=quiet, leave=False,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}]")


def _segment(session, prompts, options, quiet: bool):
    """session.segment with a progress bar on stderr for long runs."""
    from ..engine.session import DECODE_CHUNK

    many_tiles = not session.grid.single
    long_run = many_tiles or len(prompts) > PROGRESS_PROMPTS
    if not long_run or quiet:
        return session.segment(prompts, options)
    if many_tiles:
        bar = _progress_bar(False)

        def progress(done: int, total: int, text: str) -> None:
            bar.total = max(total, 1)
            bar.n = min(done, bar.total)
            bar.set_description_str(text.split(" ")[0] if text.startswith("tile") else text, refresh=False)
            bar.refresh()

        with bar:
            return session.segment(prompts, options, progress=progress)
    # One tile, many prompts: the embedding is computed once (then cached), so decoding in
    # chunks changes nothing but lets the bar move per chunk.
    from tqdm import tqdm

    results = []
    with tqdm(total=len(prompts), unit="object", file=sys.stderr, leave=False, desc="objects") as bar:
        for start in range(0, len(prompts), DECODE_CHUNK):
            chunk = prompts[start : start + DECODE_CHUNK]
            results.extend(session.segment(chunk, options))
            bar.update(len(chunk))
    return results


def _check_options(args, kind: str, out: Path) -> None:
    if args.min_area < 0:
        raise InputError("--min-area must be 0 or more")
    if args.simplify < 0:
        raise InputError("--simplify must be 0 or more")
    if args.threads is not None and args.threads < 1:
        raise InputError("--threads must be 1 or more")
    if args.plane is not None and args.plane < 0:
        raise InputError("--plane must be 0 or more (planes are numbered from 0)")
    if args.channel is not None and args.channel < 0:
        raise InputError("--channel must be 0 or more (channels are numbered from 0)")
    from ..engine.tiles import DEFAULT_OVERLAP, DEFAULT_TILE

    tile = DEFAULT_TILE if args.tile is None else args.tile
    overlap = DEFAULT_OVERLAP if args.overlap is None else args.overlap
    if args.tile is not None and args.overlap is None:
        overlap = min(overlap, tile // 4)  # keep the default proportion for small tiles
    if tile < 64:
        raise InputError(f"--tile must be at least 64 pixels, got {tile}")
    if not 0 <= overlap < tile:
        raise InputError(f"--overlap must be in 0..{tile - 1} pixels (below --tile), got {overlap}")
    args.tile, args.overlap = tile, overlap
    if kind == "tiff" and args.all_masks:
        raise InputError(
            "--all-masks writes several overlapping masks per object, which a label image "
            "cannot hold; write a RoiSet (.zip) or GeoJSON (.geojson) instead"
        )
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"cannot write {out}: folder {folder} does not exist")
    if args.runtime == "torch" and importlib.util.find_spec("torch") is None:
        raise SamroiError(
            "--runtime torch needs PyTorch, which is not installed: pip install 'samroi[torch]' "
            "(or use the default --runtime onnx)"
        )


def run(args) -> int:
    from .. import outputs
    from ..engine.cache import EmbeddingCache
    from ..engine.images import ImageSource, Normalization, read_image
    from ..engine.session import SegmentOptions, Session
    from ..modelspec import get_spec

    started = time.perf_counter()
    out = Path(args.out)
    kind = outputs.output_kind(out)
    _check_options(args, kind, out)
    try:
        normalization = Normalization.parse(args.normalize)
    except InputError as err:
        raise InputError(f"--normalize: {err}") from None
    rgb = parse_rgb(args.rgb)
    jobs = gather_prompts(args)
    if not jobs:
        raise InputError(NO_PROMPT_HELP)
    candidates = 1 if args.single_mask or not args.all_masks else 3
    if out.suffix.lower() == ".roi" and len(jobs) * candidates > 1:
        raise InputError(
            f"a .roi file holds one ROI, but this run makes up to {len(jobs) * candidates}; "
            "write a RoiSet .zip instead"
        )
    if len({job.position for job in jobs if job.position is not None}) > 1:
        print(
            "samroi: warning: the prompts name different stack positions; samroi segment works "
            "on one plane (--plane) and only copies the positions to the ROIs",
            file=sys.stderr,
        )

    image = read_image(args.image, args.plane)
    try:
        ImageSource(image, channel=args.channel, rgb_channels=rgb)
    except InputError as err:
        raise InputError(f"{args.image}: {err} (command line: --channel K or --rgb R,G,B)") from None
    height, width = int(image.shape[0]), int(image.shape[1])
    spec = get_spec(args.model)
    check_prompts(spec, height, width, jobs)

    cache = EmbeddingCache(folder=args.cache_dir) if args.cache_dir else None
    session = Session(args.model, args.runtime, args.checkpoint, threads=args.threads,
                      tile=args.tile, overlap=args.overlap, cache=cache)
    session.set_image(image, channel=args.channel, rgb_channels=rgb, normalize=normalization)
    options = SegmentOptions(
        multimask=not args.single_mask,
        all_masks=args.all_masks,
        all_components=args.all_components,
        min_area=args.min_area,
        keep_holes=not args.no_holes,
        simplify=args.simplify,
        keep_masks=False,  # the outputs are made from the polygons
    )
    results = _segment(session, [job.prompt for job in jobs], options, args.quiet)

    rois: list[outputs.OutputRoi] = []
    per_label: dict[int, list] = {}
    empty: list[int] = []
    for number, (job, result) in enumerate(zip(jobs, results), start=1):
        masks = [m for m in result.masks if m.shapes]
        if not masks:
            empty.append(number)
            print(f"samroi: warning: prompt {number} ({job.source}): the mask is empty; "
                  "no ROI written for it", file=sys.stderr)
            continue
        base = outputs.roi_name(number, spec.name)
        for rank, mask in enumerate(result.masks, start=1):
            if not mask.shapes or (rank > 1 and not args.all_masks):
                continue
            props = {"model": spec.name, "score": f"{mask.score:.6g}"}
            if job.name:
                props["prompt"] = job.name
            name = f"{base}-m{rank}" if args.all_masks else base
            rois.append(outputs.OutputRoi(name, list(mask.shapes), job.position, properties=props))
        per_label[number] = list(masks[0].shapes)

    written = len(rois)
    if not rois:
        print(f"samroi: warning: all {len(jobs)} masks are empty; nothing was segmented",
              file=sys.stderr)
    if kind == "tiff":
        outputs.write_labels_tiff(out, per_label, (height, width))
        written = len(per_label)
    elif kind == "roiset":
        if rois or out.suffix.lower() == ".zip":
            written = outputs.write_roiset(out, rois)
        else:
            print(f"samroi: warning: {out} not written (no ROI to put in it)", file=sys.stderr)
    else:
        written = outputs.write_geojson(out, rois)

    if not args.quiet:
        objects = len(jobs) - len(empty)
        what = ("label" if kind == "tiff" else "ROI") + ("s" if written != 1 else "")
        print(
            f"samroi segment: {objects} of {len(jobs)} object{'s' if len(jobs) != 1 else ''} "
            f"segmented, {len(empty)} empty; {written} {what} -> {out} "
            f"({spec.name}, {session.encodes} tile{'s' if session.encodes != 1 else ''} encoded, "
            f"{time.perf_counter() - started:.1f} s)",
            file=sys.stderr,
        )
    return 0
