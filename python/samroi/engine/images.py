"""Reading microscopy images and turning crops of them into the models' [0, 1] RGB input.

Three pieces, used in this order by the engine:

- ``read_image(path, plane=None)`` reads TIFF (tifffile; memory-mapped when the pixel data
  are uncompressed and contiguous), PNG, JPEG and whatever else Pillow opens, and returns a
  2-D (H, W) array or a channels-last (H, W, C) array, as a view where it can.
- ``ImageSource(array, channel=None, rgb_channels=None)`` validates an array and the channel
  selection and hands out raw crops (views) and content hashes of crops (cache keys).
- ``Normalization`` (what the user asked for, e.g. ``Normalization.parse("percentile")``)
  is ``fit`` ONCE to the whole image and gives a ``Normalizer`` that holds the intensity
  limits; ``Normalizer.apply(crop)`` maps any crop to float32 H x W x 3 in [0, 1]. Because
  the limits come from the whole image, every tile of a large image is scaled alike.

Channel rules (the same in ``ImageSource`` and ``Normalization.fit``):

- 2-D image: gray, replicated to R, G, B.
- ``channel=k``: that channel alone, as gray.
- ``rgb_channels=(a, b, c)`` (1 to 3 indices): channel a -> R, b -> G, c -> B; missing
  outputs are zero. Each channel gets its OWN limits (fluorescence channels have unrelated
  intensity ranges).
- 3 channels and no selection: a colour (RGB) image, passed through with limits SHARED by
  the three channels so that hues are kept (for uint8 with ``range:0,255`` the output is
  exactly x / 255). Give ``rgb_channels=(0, 1, 2)`` to get per-channel limits instead.
- 2 channels and no selection: channel 0 -> R, 1 -> G, B zero, per-channel limits.
- more than 3 channels and no selection: an InputError that says how to choose.

Intensities are mapped as clip((x - lo) / (hi - lo), 0, 1), computed in float64 and cast
to float32 (so uint8 with ``range:0,255`` is bit-equal to ``x.astype(float32) / 255``).
NaN and +-Inf map to 0 and are ignored when limits are computed. If hi == lo (a constant
image) everything maps to 0.
"""

from __future__ import annotations

import hashlib
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence, Union

import numpy as np

from ..errors import InputError

__all__ = [
    "DEFAULT_PERCENTILES",
    "PERCENTILE_SAMPLE",
    "ImageSource",
    "Normalization",
    "Normalizer",
    "open_image",
    "read_image",
]

#: Default limits of ``percentile``: the 1st and 99.8th percentiles, the defaults of
#: CSBDeep/StarDist's ``normalize`` (and close to Cellpose's 1/99). The 1st percentile lifts
#: camera offset and background noise to 0; 99.8 keeps bright objects (nuclei that cover a
#: few % of a field) below saturation while a few hot pixels cannot set the top.
DEFAULT_PERCENTILES = (1.0, 99.8)

#: Percentiles are computed on at most about this many values (a regular strided grid of
#: the image, deterministic), which keeps ``fit`` well under a second on large images.
PERCENTILE_SAMPLE = 4_000_000

MAX_CHANNELS_FIRST = 8  # a leading unlabelled axis this small is taken as channels

_CHUNK_VALUES = 1 << 20  # row chunks of about this many values for exact min/max on floats
_APPLY_CHUNK = 1 << 18  # row chunks for the float64 temporaries of Normalizer.apply

_SUPPORTED_KINDS = "buif"  # bool, unsigned, signed, float

_TIFF_MAGIC = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")

_CHANNEL_AXES = "CS"  # tifffile: C = channel, S = sample (RGB components)
_UNKNOWN_AXES = "Q"  # tifffile: Q = unknown axis (e.g. tifffile's own files without axes)


# ---------------------------------------------------------------------------- reading


def read_image(path: Union[str, os.PathLike], plane: int | None = None) -> np.ndarray:
    """Read an image file as a 2-D (H, W) or channels-last 3-D (H, W, C) array.

    TIFF is read with tifffile; when the pixel data of the first series are uncompressed
    and contiguous the result is a read-only ``np.memmap`` (or a view of one), so a large
    image is not loaded into memory. Other TIFFs are read normally. PNG, JPEG and other
    formats go through Pillow (palette and CMYK images become RGB, 1-bit images uint8 0/1,
    an alpha channel is dropped, as it is for RGBA TIFFs).

    Axes are taken from tifffile's series axes where they are known (ImageJ hyperstacks,
    OME-TIFF, tifffile's own files): C and S are channels and are moved last (a view, no
    copy), Y and X are the image; any other axis of size > 1 (Z, T, ...) makes a stack of
    planes. Singleton axes are dropped. An unlabelled leading axis (tifffile's Q, or no
    metadata at all) of size <= ``MAX_CHANNELS_FIRST`` (8) on a 3-D image is taken as
    channels, a larger one as planes; a plain multi-page TIFF (tifffile's I axis) is a stack
    of planes.

    ``plane`` picks one plane of a stack: it indexes the planes in file order, row-major
    over the non-YX, non-channel axes (for axes TZCYX, plane = t * Z + z). A stack read
    without ``plane`` raises an InputError that gives the number of planes. ``plane=0`` is
    accepted for a single-plane image.

    Raises InputError for a missing or unreadable file, a 1-D image, complex or other
    non-numeric pixel types. Boolean images are returned as uint8 (0/1, a view).
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"image file not found: {path}")
    if path.is_dir():
        raise InputError(f"{path} is a folder, not an image file")
    if plane is not None and (isinstance(plane, bool) or not isinstance(plane, (int, np.integer)) or plane < 0):
        raise InputError(f"plane must be a non-negative integer, got {plane!r}")
    try:
        with open(path, "rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc

    if magic in _TIFF_MAGIC:
        try:
            array, axes, drop_alpha = _read_tiff(path)
        except InputError:
            raise
        except Exception as tiff_error:  # noqa: BLE001 - try Pillow before giving up
            try:
                array, axes, drop_alpha = _read_pillow(path)
            except InputError:
                raise InputError(f"cannot read TIFF file {path}: {tiff_error}") from tiff_error
    else:
        array, axes, drop_alpha = _read_pillow(path)

    image = _arrange(array, axes, plane, path)
    if drop_alpha and image.ndim == 3 and image.shape[2] in (2, 4):
        image = image[..., 0] if image.shape[2] == 2 else image[..., :3]
    return _check_array(image, what=str(path))


def open_image(
    path: Union[str, os.PathLike],
    *,
    plane: int | None = None,
    channel: int | None = None,
    rgb_channels: Sequence[int] | None = None,
) -> "ImageSource":
    """``ImageSource(read_image(path, plane), channel=..., rgb_channels=...)``."""
    return ImageSource(read_image(path, plane), channel=channel, rgb_channels=rgb_channels)


def _read_tiff(path: Path) -> tuple[np.ndarray, str, bool]:
    import tifffile

    with tifffile.TiffFile(path) as tif:
        if not tif.series:
            raise InputError(f"cannot read {path}: the TIFF holds no image data (truncated or corrupt?)")
        series = tif.series[0]
        axes = series.axes
        shape = tuple(series.shape)
        page = series.keyframe
        # Drop an alpha sample (ExtraSamples 1 = associated, 2 = unassociated alpha).
        drop_alpha = "S" in axes and any(int(e) in (1, 2) for e in getattr(page, "extrasamples", ()) or ())
        mappable = series.dataoffset is not None
        if not mappable:
            array = series.asarray()
    if mappable:
        try:
            array = tifffile.memmap(path, series=0, mode="r")
        except (ValueError, OSError):
            array = tifffile.imread(path, series=0)
    if array.shape != shape and array.size == math.prod(shape):
        array = array.reshape(shape)
    if len(axes) != array.ndim:
        axes = ""
    return array, axes, drop_alpha


def _read_pillow(path: Path) -> tuple[np.ndarray, str, bool]:
    from PIL import Image, UnidentifiedImageError

    try:
        img = Image.open(path)
    except (UnidentifiedImageError, OSError) as exc:
        raise InputError(
            f"cannot read {path}: not a TIFF and not an image format Pillow knows ({exc}). "
            "Save it as TIFF, PNG or JPEG."
        ) from exc
    with img:
        frames = getattr(img, "n_frames", 1)
        if frames > 1:
            raise InputError(
                f"{path} has {frames} frames; samroi reads one 2-D image. Save the frame you "
                "want as a single image (or as a TIFF stack and choose it with plane=K)."
            )
        mode = img.mode
        drop_alpha = False
        if mode == "P":
            img = img.convert("RGBA" if "transparency" in img.info else "RGB")
            drop_alpha = img.mode == "RGBA"
        elif mode == "PA":
            img = img.convert("RGBA")
            drop_alpha = True
        elif mode in ("RGBA", "LA", "RGBa", "La"):
            drop_alpha = True
        elif mode in ("CMYK", "YCbCr", "LAB", "HSV"):
            img = img.convert("RGB")
        try:
            array = np.asarray(img)
        except Exception as exc:  # noqa: BLE001
            raise InputError(f"cannot decode the pixels of {path} (mode {mode}): {exc}") from exc
    if array.dtype == object or array.ndim == 0:
        raise InputError(f"cannot decode the pixels of {path} (mode {mode})")
    axes = "YX" if array.ndim == 2 else "YXS" if array.ndim == 3 else ""
    return array, axes, drop_alpha


def _arrange(array: np.ndarray, axes: str, plane: int | None, path: Path) -> np.ndarray:
    """Squeeze, pick the plane and move channels last; only views, never a copy."""
    if array.dtype.kind == "c":
        raise InputError(f"{path} has complex pixels ({array.dtype}); samroi needs real intensities")
    if not axes:  # nothing known: squeeze and guess
        array = np.squeeze(array)
        if array.ndim == 3:
            if array.shape[2] <= 4 and array.shape[0] > 4:
                axes = "YXS"
            elif array.shape[0] <= MAX_CHANNELS_FIRST:
                axes = "CYX"
            else:
                axes = "QYX"
        else:
            axes = "Q" * (array.ndim - 2) + "YX" if array.ndim >= 2 else "X" * array.ndim
    # Drop singleton axes, but keep Y and X so a 1-pixel-high image stays 2-D.
    keep = [i for i, (n, a) in enumerate(zip(array.shape, axes)) if n != 1 or a in "YX"]
    index = tuple(slice(None) if i in keep else 0 for i in range(array.ndim))
    array = array[index]
    axes = "".join(axes[i] for i in keep)

    if "Y" not in axes or "X" not in axes:
        if array.ndim < 2:
            raise InputError(f"{path} is a 1-D array (shape {array.shape}), not an image")
        # Unlabelled axes: the last two are the image.
        axes = axes[:-2].replace("Y", "Q").replace("X", "Q") + "YX"

    channel_axes = [i for i, a in enumerate(axes) if a in _CHANNEL_AXES]
    other = [i for i, a in enumerate(axes) if a not in "YX" and a not in _CHANNEL_AXES]
    if not channel_axes and len(other) == 1 and axes[other[0]] in _UNKNOWN_AXES and array.ndim == 3:
        if array.shape[other[0]] <= MAX_CHANNELS_FIRST:
            axes = axes.replace(axes[other[0]], "C")
            channel_axes, other = other, []
    if len(channel_axes) > 1:
        raise InputError(
            f"{path} has two channel axes (axes {axes}, shape {array.shape}); "
            "save the channels along one axis"
        )

    if other:
        plane_shape = tuple(array.shape[i] for i in other)
        n_planes = math.prod(plane_shape)
        plane_axes = "".join(axes[i] for i in other)
        if plane is None:
            raise InputError(
                f"{path} has {n_planes} planes (axes {axes}, shape {array.shape}); samroi "
                f"segments one 2-D plane. Choose one with plane=K (0..{n_planes - 1}; planes "
                f"are numbered row-major over the {plane_axes} axes)."
            )
        if plane >= n_planes:
            raise InputError(f"plane {plane} out of range: {path} has {n_planes} planes (0..{n_planes - 1})")
        position = np.unravel_index(int(plane), plane_shape)
        index = [slice(None)] * array.ndim
        for axis, k in zip(other, position):
            index[axis] = int(k)
        array = array[tuple(index)]
        axes = "".join(a for i, a in enumerate(axes) if i not in other)
    elif plane not in (None, 0):
        raise InputError(f"plane {plane} out of range: {path} has one plane (use 0 or leave it out)")

    order = [axes.index("Y"), axes.index("X")] + [i for i, a in enumerate(axes) if a in _CHANNEL_AXES]
    if order != list(range(array.ndim)):
        array = np.transpose(array, order)  # a view
    return array


# ---------------------------------------------------------------------------- validation


def _check_array(array: np.ndarray, what: str = "the image") -> np.ndarray:
    """Validate a 2-D / channels-last 3-D numeric array; bool becomes a uint8 view."""
    if not isinstance(array, np.ndarray):
        array = np.asarray(array)
    kind = array.dtype.kind
    if kind == "c":
        raise InputError(f"{what} has complex pixels ({array.dtype}); samroi needs real intensities")
    if kind not in _SUPPORTED_KINDS or array.dtype.fields is not None:
        raise InputError(
            f"{what} has unsupported pixel type {array.dtype}; use an integer, float or bool image"
        )
    if array.ndim < 2:
        raise InputError(f"{what} is {array.ndim}-D (shape {array.shape}); samroi needs a 2-D image")
    if array.ndim > 3:
        raise InputError(
            f"{what} has shape {array.shape}; expected (H, W) or channels-last (H, W, C)"
        )
    if array.size == 0:
        raise InputError(f"{what} is empty (shape {array.shape})")
    if kind == "b":
        array = array.view(np.uint8)
    return array


def _parse_selection(channels) -> tuple[int | None, tuple[int, ...] | None]:
    """``fit``'s ``channels`` argument -> (channel, rgb_channels)."""
    if channels is None:
        return None, None
    if isinstance(channels, (int, np.integer)) and not isinstance(channels, bool):
        return int(channels), None
    try:
        return None, tuple(int(c) for c in channels)
    except TypeError:
        raise InputError(f"channels must be an index or up to three indices, got {channels!r}") from None


# ---------------------------------------------------------------------------- image source


class ImageSource:
    """A 2-D or channels-last image with a channel selection, for tiling and caching.

    ``array`` is kept as given (a memmap stays a memmap, a read-only array stays
    read-only); bool is viewed as uint8 and an (H, W, 1) array as (H, W). Supported pixel
    types: bool, (u)int8/16/32/64, float16/32/64. See the module docstring for the meaning
    of ``channel`` and ``rgb_channels``.
    """

    def __init__(
        self,
        array: np.ndarray,
        channel: int | None = None,
        rgb_channels: Sequence[int] | None = None,
    ):
        array = _check_array(array)
        if array.ndim == 3 and array.shape[2] == 1:
            array = array[..., 0]
        n = 1 if array.ndim == 2 else array.shape[2]
        if channel is not None and rgb_channels is not None:
            raise InputError("give either channel (one channel as gray) or rgb_channels, not both")
        if channel is not None:
            channel = self._check_index(channel, n)
        if rgb_channels is not None:
            rgb_channels = tuple(rgb_channels)
            if not 1 <= len(rgb_channels) <= 3:
                raise InputError(
                    f"rgb_channels takes 1 to 3 channel indices (for R, G, B), got {len(rgb_channels)}"
                )
            if n == 1:
                raise InputError("rgb_channels needs a multichannel image; this image has one channel")
            rgb_channels = tuple(self._check_index(c, n) for c in rgb_channels)
        elif channel is None and n > 3:
            raise InputError(
                f"the image has {n} channels; choose one with channel=K (shown as gray) or up to "
                f"three with rgb_channels=(R, G, B), K in 0..{n - 1}"
            )
        self._array = array
        self._n = n
        self.channel = channel
        self.rgb_channels = rgb_channels

    @staticmethod
    def _check_index(index, n: int) -> int:
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise InputError(f"a channel index must be an integer, got {index!r}")
        if not 0 <= index < n:
            valid = "0" if n == 1 else f"0..{n - 1}"
            raise InputError(
                f"channel {index} out of range: the image has {n} channel{'s' if n > 1 else ''} (valid: {valid})"
            )
        return int(index)

    # --- shape and type

    @property
    def array(self) -> np.ndarray:
        return self._array

    @property
    def height(self) -> int:
        return int(self._array.shape[0])

    @property
    def width(self) -> int:
        return int(self._array.shape[1])

    @property
    def channels(self) -> int:
        """Number of channels of the array (1 for a 2-D image)."""
        return self._n

    @property
    def dtype(self) -> np.dtype:
        return self._array.dtype

    @property
    def nbytes(self) -> int:
        return int(self._array.nbytes)

    @property
    def mapping(self) -> tuple[tuple[int, ...] | None, bool, bool]:
        """(channels, gray, shared): which channels feed the output and how.

        channels is None for a 2-D image; gray means one channel replicated to R, G, B;
        shared means one set of limits for all channels (a colour image).
        """
        if self._n == 1:
            return None, True, False
        if self.channel is not None:
            return (self.channel,), True, False
        if self.rgb_channels is not None:
            return self.rgb_channels, False, False
        if self._n == 3:
            return (0, 1, 2), False, True
        return tuple(range(self._n)), False, False  # 2 channels -> R, G

    # --- crops

    def _check_region(self, y0: int, y1: int, x0: int, x1: int) -> None:
        if not (0 <= y0 < y1 <= self.height and 0 <= x0 < x1 <= self.width):
            raise InputError(
                f"region rows {y0}:{y1}, columns {x0}:{x1} is empty or outside the "
                f"{self.height} x {self.width} image"
            )

    def crop(self, y0: int, y1: int, x0: int, x1: int) -> np.ndarray:
        """The raw pixels [y0:y1, x0:x1] (all channels), a view of the array."""
        self._check_region(y0, y1, x0, x1)
        return self._array[y0:y1, x0:x1]

    def content_key(self, y0: int, y1: int, x0: int, x1: int) -> str:
        """blake2b hex digest of the crop's pixels, shape and dtype (an embedding cache key).

        Row by row when rows are contiguous, so only a crop of a non-row-contiguous array
        is copied (once, crop-sized).
        """
        crop = self.crop(y0, y1, x0, x1)
        h = hashlib.blake2b(digest_size=20)
        h.update(f"{crop.shape}|{crop.dtype.str}|".encode())
        if crop.flags.c_contiguous:
            h.update(memoryview(crop).cast("B"))
        elif crop[0].flags.c_contiguous:
            for row in crop:
                h.update(memoryview(row).cast("B"))
        else:
            h.update(memoryview(np.ascontiguousarray(crop)).cast("B"))
        return h.hexdigest()

    def fit(self, normalization: "Normalization") -> "Normalizer":
        """``normalization.fit(self)``."""
        return normalization.fit(self)

    def __repr__(self) -> str:
        sel = f", channel={self.channel}" if self.channel is not None else ""
        sel += f", rgb_channels={self.rgb_channels}" if self.rgb_channels is not None else ""
        return f"ImageSource({self.height}x{self.width}x{self._n} {self.dtype}{sel})"


# ---------------------------------------------------------------------------- normalisation

_FORMS = '"percentile", "percentile:LO,HI" (0 <= LO < HI <= 100), "minmax" or "range:LO,HI" (LO < HI)'


@dataclass(frozen=True)
class Normalization:
    """How intensities become [0, 1]: what the user asked for, before seeing the image.

    - ``percentile`` (low, high = percentiles, default 1 and 99.8, see DEFAULT_PERCENTILES):
      limits at those percentiles of the finite values, computed on a deterministic strided
      subsample of at most about 4M values (PERCENTILE_SAMPLE) for large images. If the two
      percentiles coincide (e.g. a sparse image mostly at 0) the exact min/max is used.
    - ``minmax``: exact minimum and maximum of the finite values.
    - ``range`` (low, high = intensities): fixed limits, e.g. ``range:0,255``.
    """

    mode: str = "percentile"
    low: float | None = None
    high: float | None = None

    def __post_init__(self):
        if self.mode not in ("percentile", "minmax", "range"):
            raise InputError(f"unknown normalisation {self.mode!r}; valid forms: {_FORMS}")
        if self.mode == "percentile" and self.low is None and self.high is None:
            object.__setattr__(self, "low", DEFAULT_PERCENTILES[0])
            object.__setattr__(self, "high", DEFAULT_PERCENTILES[1])
        if self.mode == "minmax":
            if self.low is not None or self.high is not None:
                raise InputError("minmax takes no limits; valid forms: " + _FORMS)
            return
        if self.low is None or self.high is None:
            raise InputError(f"{self.mode} needs two limits; valid forms: {_FORMS}")
        low, high = float(self.low), float(self.high)
        if not (math.isfinite(low) and math.isfinite(high)):
            raise InputError(f"{self.mode} limits must be finite numbers, got {low}, {high}")
        if low >= high:
            raise InputError(f"{self.mode}: LO must be below HI, got {low:g} >= {high:g}")
        if self.mode == "percentile" and not (0.0 <= low and high <= 100.0):
            raise InputError(f"percentiles must lie in 0..100, got {low:g}, {high:g}")
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)

    @classmethod
    def parse(cls, text: str) -> "Normalization":
        """Parse the command-line forms: percentile, percentile:LO,HI, minmax, range:LO,HI."""
        if not isinstance(text, str):
            raise InputError(f"normalisation must be text, got {text!r}; valid forms: {_FORMS}")
        mode, sep, rest = text.strip().partition(":")
        mode = mode.strip().lower()
        if mode not in ("percentile", "minmax", "range"):
            raise InputError(f"unknown normalisation {text!r}; valid forms: {_FORMS}")
        if not sep:
            if mode == "range":
                raise InputError(f"range needs limits, e.g. range:0,255; valid forms: {_FORMS}")
            return cls(mode)
        if mode == "minmax":
            raise InputError(f"minmax takes no limits (got {text!r}); valid forms: {_FORMS}")
        parts = [p.strip() for p in rest.split(",")]
        try:
            if len(parts) != 2:
                raise ValueError
            low, high = float(parts[0]), float(parts[1])
        except ValueError:
            raise InputError(f"cannot read {text!r}: expected two numbers LO,HI; valid forms: {_FORMS}") from None
        return cls(mode, low, high)

    @property
    def text(self) -> str:
        """The command-line form (``parse(n.text) == n``)."""
        if self.mode == "minmax":
            return "minmax"
        return f"{self.mode}:{self.low:g},{self.high:g}"

    def _label(self) -> str:
        if self.mode == "minmax":
            return "minmax"
        return f"{self.mode} {self.low:g}\u2013{self.high:g}"

    def fit(self, image, *, channels=None) -> "Normalizer":
        """Compute the limits once for the whole image; return the Normalizer for its crops.

        ``image`` is an ImageSource or an array (2-D or channels-last). ``channels`` is None
        (use the source's selection, or the default rules), an int (that channel as gray)
        or 1 to 3 ints (mapped to R, G, B). Only the channels that reach the output are
        measured. Arrays are read without a whole-image copy: percentile reads a strided
        sample, minmax reads row chunks.
        """
        if isinstance(image, ImageSource):
            source = image
            if channels is not None:
                channel, rgb = _parse_selection(channels)
                source = ImageSource(image.array, channel=channel, rgb_channels=rgb)
        else:
            channel, rgb = _parse_selection(channels)
            source = ImageSource(image, channel=channel, rgb_channels=rgb)
        chans, gray, shared = source.mapping
        array = source.array
        planes = [array] if chans is None else [array[..., c] for c in chans]

        if self.mode == "range":
            limits = [(self.low, self.high)] * len(planes)
        elif shared:
            limits = [self._limits(planes)] * len(planes)
        else:
            limits = [self._limits([p]) for p in planes]
        return Normalizer(
            lo=tuple(float(lo) for lo, _ in limits),
            hi=tuple(float(hi) for _, hi in limits),
            channels=chans,
            gray=gray,
            method=self._label(),
        )

    def _limits(self, planes: list[np.ndarray]) -> tuple[float, float]:
        if self.mode == "percentile":
            budget = max(1, PERCENTILE_SAMPLE // len(planes))
            samples = [_finite(_grid_sample(p, budget)).ravel() for p in planes]
            sample = samples[0] if len(samples) == 1 else np.concatenate(samples)
            if sample.size == 0:
                return 0.0, 0.0
            lo, hi = np.percentile(sample, [self.low, self.high])
            lo, hi = float(lo), float(hi)
            if hi > lo:
                return lo, hi
        return _minmax(planes)


def _grid_sample(plane: np.ndarray, budget: int) -> np.ndarray:
    """A view of at most ``budget`` values of a 2-D plane on a regular strided grid."""
    h, w = plane.shape
    if h * w <= budget:
        return plane
    ratio = h * w / budget
    sx = max(1, int(round(math.sqrt(ratio))))
    sx = min(sx, w)
    sy = max(1, math.ceil(ratio / sx))
    while math.ceil(h / sy) * math.ceil(w / sx) > budget:
        sy += 1
    # Offset by half a step so the grid does not sit on the first row/column (edges).
    return plane[sy // 2 :: sy, sx // 2 :: sx]


def _finite(values: np.ndarray) -> np.ndarray:
    if values.dtype.kind == "f":
        return values[np.isfinite(values)]
    return values


def _minmax(planes: list[np.ndarray]) -> tuple[float, float]:
    """Exact min and max of the finite values, in row chunks (no whole-image float copy)."""
    lo, hi = math.inf, -math.inf
    for plane in planes:
        if plane.dtype.kind != "f":
            lo = min(lo, float(plane.min()))
            hi = max(hi, float(plane.max()))
            continue
        rows = max(1, _CHUNK_VALUES // max(1, plane.shape[1]))
        for y in range(0, plane.shape[0], rows):
            chunk = plane[y : y + rows]
            ok = np.isfinite(chunk)
            if ok.all():
                lo = min(lo, float(chunk.min()))
                hi = max(hi, float(chunk.max()))
            elif ok.any():
                lo = min(lo, float(chunk.min(where=ok, initial=np.inf)))
                hi = max(hi, float(chunk.max(where=ok, initial=-np.inf)))
    if lo > hi:  # no finite value at all
        return 0.0, 0.0
    return lo, hi


@dataclass(frozen=True)
class Normalizer:
    """Fitted limits: maps crops of one image to float32 H x W x 3 in [0, 1].

    ``lo``/``hi`` hold one limit pair per entry of ``channels`` (one pair for a 2-D image);
    ``channels`` is None for a 2-D image, else the source channel of each output; ``gray``
    means a single channel replicated to R, G, B, otherwise channels[k] -> output k and the
    missing outputs are zero. ``method`` is only for messages.
    """

    lo: tuple[float, ...]
    hi: tuple[float, ...]
    channels: tuple[int, ...] | None = None
    gray: bool = True
    method: str = ""

    def __post_init__(self):
        n = 1 if self.channels is None else len(self.channels)
        if len(self.lo) != n or len(self.hi) != n:
            raise ValueError(f"need {n} limit pairs, got {len(self.lo)} and {len(self.hi)}")
        if self.gray and n != 1:
            raise ValueError("gray output takes exactly one channel")
        if n > 3:
            raise ValueError("at most three channels map to R, G, B")

    def apply(self, tile: np.ndarray) -> np.ndarray:
        """clip((tile - lo) / (hi - lo), 0, 1) as float32 (h, w, 3); NaN/Inf -> 0.

        ``tile`` is a crop of the raw image (2-D, or channels-last 3-D with all channels).
        Computed per output channel in float64 and cast to float32; besides the output only
        float64 temporaries of a few rows (about 256K values) are allocated.
        Works on read-only and memory-mapped arrays (they are only read).
        """
        tile = np.asarray(tile)
        if tile.dtype.kind == "b":
            tile = tile.view(np.uint8)
        if self.channels is None:
            if tile.ndim == 3 and tile.shape[2] == 1:
                tile = tile[..., 0]
            if tile.ndim != 2:
                raise ValueError(f"this normaliser is for a 2-D image, got a tile of shape {tile.shape}")
            planes = [tile]
        else:
            if tile.ndim != 3 or tile.shape[2] <= max(self.channels):
                raise ValueError(
                    f"this normaliser reads channels {self.channels} of a channels-last tile, "
                    f"got shape {tile.shape}"
                )
            planes = [tile[..., c] for c in self.channels]
        h, w = planes[0].shape
        if self.gray:
            out = np.empty((h, w, 3), np.float32)
            self._scale(planes[0], self.lo[0], self.hi[0], out[..., 0])
            out[..., 1] = out[..., 0]
            out[..., 2] = out[..., 0]
            return out
        out = np.zeros((h, w, 3), np.float32)
        for k, plane in enumerate(planes):
            self._scale(plane, self.lo[k], self.hi[k], out[..., k])
        return out

    @staticmethod
    def _scale(plane: np.ndarray, lo: float, hi: float, out: np.ndarray) -> None:
        if not hi > lo:
            out[...] = 0.0
            return
        span = hi - lo
        rows = max(1, _APPLY_CHUNK // max(1, plane.shape[1]))
        for y in range(0, plane.shape[0], rows):
            v = plane[y : y + rows].astype(np.float64)
            bad = ~np.isfinite(v) if plane.dtype.kind == "f" else None
            v -= lo
            v /= span
            np.clip(v, 0.0, 1.0, out=v)
            if bad is not None and bad.any():
                v[bad] = 0.0
            out[y : y + rows] = v  # float64 -> float32, round to nearest

    def key(self) -> str:
        """A short stable text of the limits and channel mapping (part of cache keys)."""
        if self.channels is None:
            mapping = "gray"
        elif self.gray:
            mapping = f"c{self.channels[0]}"
        else:
            mapping = "rgb" + ",".join(str(c) for c in self.channels)
        limits = ";".join(f"{lo!r},{hi!r}" for lo, hi in zip(self.lo, self.hi))
        return f"{mapping}:{limits}"

    def describe(self) -> str:
        """E.g. "percentile 1–99.8: 5424..65535" (one range per channel when they differ)."""
        pairs = list(zip(self.lo, self.hi))
        if len(set(pairs)) == 1:
            text = f"{pairs[0][0]:g}..{pairs[0][1]:g}"
            if len(pairs) > 1:
                text += " (all channels)"
        else:
            names = "RGB"
            text = ", ".join(
                f"{names[k]}=ch{c} {lo:g}..{hi:g}" for k, (c, (lo, hi)) in enumerate(zip(self.channels, pairs))
            )
        if self.channels is not None and self.gray:
            text = f"ch{self.channels[0]} {text}"
        return f"{self.method}: {text}" if self.method else text
