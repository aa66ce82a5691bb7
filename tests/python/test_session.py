"""samroi.engine.session.Session end to end on real images (ONNX runtime, random-weight fixture).

The fixture checkpoint has random weights, so masks are arbitrary blobs: results are compared
with samroi itself (an exactly equivalent input must give identical masks) and with the
official-style Predictor on the same window, never with the labels. The labels only place
prompts on real objects.

Encodes cost about a second each, so every test shares one runner, and images that several
tests need are encoded once in module-scoped fixtures; ``session.encodes`` is checked
wherever the number of encoder runs is part of the contract.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
import tifffile
from scipy import ndimage

from samroi.engine.cache import EmbeddingCache
from samroi.engine.images import Normalization, read_image
from samroi.engine.session import ObjectResult, SegmentOptions, Session
from samroi.engine.tiles import Window
from samroi.errors import PromptError
from samroi.polygons import rasterize
from samroi.predictor import Predictor, Prompt

MODEL = "efficientsam-ti"
CHECKPOINT = "efficient_sam_vitt_random.pt"
GRAY, GRAY_LABELS = "dsb_fluo_d01.tif", "dsb_fluo_d01_labels.tif"  # uint8 256x256
RGB = "dsb_he_d01.tif"  # uint8 256x320x3
PHASE, PHASE_LABELS = "usiigaci_phase_d01.tif", "usiigaci_phase_d01_labels.tif"  # uint16 1022x1024
PHASE2, PHASE3 = "usiigaci_phase_d02.tif", "usiigaci_phase_d03.tif"
MOSAIC, MOSAIC_LABELS = "mosaic_dsb_fluo_4160x4176.tif", "mosaic_dsb_fluo_4160x4176_labels.tif"


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def runner(tmp_path_factory, reference_dir):
    """One ONNX runner for the module, its graphs built in a private SAMROI_HOME."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SAMROI_HOME", str(tmp_path_factory.mktemp("samroi_home")))
        mp.setenv("SAMROI_WEIGHTS_URL", "http://127.0.0.1:9/")  # never the internet
        from samroi.runtime import load_runner

        yield load_runner(MODEL, "onnx", checkpoint=reference_dir / CHECKPOINT)


def label_prompts(labels: np.ndarray) -> list[Prompt]:
    """A box around the largest labelled object and a click on the centre of another one."""
    ids = np.arange(1, int(labels.max()) + 1)
    areas = ndimage.sum_labels(np.ones(labels.shape), labels, ids)
    order = ids[np.argsort(-areas, kind="stable")]
    boxes = ndimage.find_objects(labels)
    ys, xs = boxes[order[0] - 1]
    box = Prompt(box=np.array([xs.start, ys.start, xs.stop - 1, ys.stop - 1], np.float64))
    cy, cx = ndimage.center_of_mass(labels == order[1])
    click = Prompt(points=np.array([[round(cx), round(cy)]], np.float64), labels=np.array([1.0]))
    return [box, click]


def assert_same(a: list[ObjectResult], b: list[ObjectResult]) -> None:
    """Bit-identical results: masks, positions, scores and polygons."""
    assert len(a) == len(b)
    for oa, ob in zip(a, b):
        assert len(oa.masks) == len(ob.masks)
        for ma, mb in zip(oa.masks, ob.masks):
            assert (ma.y0, ma.x0, ma.window, ma.score) == (mb.y0, mb.x0, mb.window, mb.score)
            np.testing.assert_array_equal(ma.mask, mb.mask)
            assert len(ma.shapes) == len(mb.shapes)
            for sa, sb in zip(ma.shapes, mb.shapes):
                np.testing.assert_array_equal(sa.outer, sb.outer)


def assert_valid(results: list[ObjectResult], height: int, width: int) -> None:
    for obj in results:
        assert obj.masks
        for m in obj.masks:
            assert np.isfinite(m.score)
            assert m.mask.dtype == bool
            assert 0 <= m.y0 and m.y0 + m.mask.shape[0] <= height
            assert 0 <= m.x0 and m.x0 + m.mask.shape[1] <= width
            if m.shapes:  # the polygons fill back to the mask's largest component exactly
                filled = rasterize(m.shapes, m.mask.shape, origin=(m.x0, m.y0))
                assert not (filled & ~m.mask).any()
                assert filled.sum() == sum(s.area for s in m.shapes)


def _point(x: float, y: float) -> Prompt:
    return Prompt(points=np.array([[x, y]]), labels=np.array([1.0]))


def new_session(runner, cache: EmbeddingCache | None = None, **kwargs) -> Session:
    return Session(runner=runner, cache=cache if cache is not None else EmbeddingCache(), **kwargs)


@pytest.fixture(scope="module")
def gray(runner, dev_data_dir, tmp_path_factory):
    """dsb_fluo_d01 (uint8, a read-only np.memmap from read_image), cached on disk."""
    folder = tmp_path_factory.mktemp("embeddings")
    image = read_image(dev_data_dir / GRAY)
    prompts = label_prompts(tifffile.imread(dev_data_dir / GRAY_LABELS))
    session = new_session(runner, EmbeddingCache(folder=folder))
    session.set_image(image)
    results = session.segment(prompts)
    return {"session": session, "image": image, "prompts": prompts, "results": results, "folder": folder}


@pytest.fixture(scope="module")
def phase(runner, dev_data_dir):
    """usiigaci_phase_d01 (uint16) with minmax: the reference for the exact dtype checks."""
    image = read_image(dev_data_dir / PHASE)
    prompts = label_prompts(tifffile.imread(dev_data_dir / PHASE_LABELS))
    session = new_session(runner)
    session.set_image(image, normalize="minmax")
    results = session.segment(prompts)
    assert session.encodes == 1
    return {"image": np.asarray(image), "prompts": prompts, "results": results, "session": session}


@pytest.fixture(scope="module")
def mosaic(dev_data_dir):
    return read_image(dev_data_dir / MOSAIC), tifffile.imread(dev_data_dir / MOSAIC_LABELS)


# ---------------------------------------------------------------------------- dtypes and layouts


def test_uint8_gray_memmap(gray):
    image, session = gray["image"], gray["session"]
    assert isinstance(image, np.memmap) and image.dtype == np.uint8 and not image.flags.writeable
    assert session.encodes == 1
    assert_valid(gray["results"], *image.shape)
    again = session.segment(gray["prompts"])  # same tile: no encoder run
    assert session.encodes == 1
    assert_same(again, gray["results"])


def test_rgb(runner, dev_data_dir):
    image = read_image(dev_data_dir / RGB)
    assert image.shape == (256, 320, 3) and image.dtype == np.uint8
    session = new_session(runner)
    session.set_image(image)
    results = session.segment([Prompt(box=np.array([40.0, 30, 120, 90])), _point(200.0, 150.0)])
    assert session.encodes == 1
    assert_valid(results, 256, 320)


def test_uint16(phase):
    assert phase["image"].dtype == np.uint16
    assert_valid(phase["results"], *phase["image"].shape)


def _affine_variants(u16: np.ndarray) -> dict[str, np.ndarray]:
    """Exact affine transforms of the uint16 image: minmax must map each to the same [0, 1] values."""
    f32 = (u16.astype(np.float32) * 4 - 1000).astype(np.float32)  # exact: |v| < 2**24
    f32.flags.writeable = False  # a read-only array
    return {
        "float32": f32,
        "float64": u16.astype(np.float64) * 0.5 + 123.25,  # exact in float64
        "int16": (u16.astype(np.int32) - 32768).astype(np.int16),  # includes negatives
        "int32": u16.astype(np.int32) * 2 - 100_000,
    }


@pytest.mark.parametrize("dtype", ["float32", "float64", "int16", "int32"])
def test_affine_transform_gives_identical_masks(runner, phase, dtype, tmp_path):
    """minmax normalisation makes an exact affine transform of an image invisible to the model."""
    variant = _affine_variants(phase["image"])[dtype]
    if dtype == "int16":
        assert variant.min() < 0
    if dtype == "int32":  # and an np.memmap (read-only, as a mapped file is opened)
        path = tmp_path / "int32.raw"
        written = np.memmap(path, np.int32, "w+", shape=variant.shape)
        written[:] = variant
        written.flush()
        del written
        variant = np.memmap(path, np.int32, "r", shape=variant.shape)
    assert variant.dtype == np.dtype(dtype)
    session = new_session(runner)
    session.set_image(variant, normalize="minmax")
    window = session.grid.windows[0]
    np.testing.assert_array_equal(session._window_rgb(window), phase["session"]._window_rgb(window))
    results = session.segment(phase["prompts"])
    assert session.encodes == 1  # a different image to the cache: encoded again, same result
    assert_same(results, phase["results"])


def test_nan_and_inf_in_float_image(runner, phase):
    clean = _affine_variants(phase["image"])["float64"]
    dirty = clean.copy()
    rng = np.random.default_rng(0)
    ys, xs = rng.integers(0, dirty.shape[0], 300), rng.integers(0, dirty.shape[1], 300)
    dirty[ys[:100], xs[:100]] = np.nan
    dirty[ys[100:200], xs[100:200]] = np.inf
    dirty[ys[200:], xs[200:]] = -np.inf
    bad = ~np.isfinite(dirty)
    finite = clean[~bad]
    got = Normalization.parse("minmax").fit(dirty)  # non-finite values are ignored for the limits
    assert (got.lo, got.hi) == ((float(finite.min()),), (float(finite.max()),))
    got = Normalization.parse("percentile").fit(dirty)
    assert np.isfinite(got.lo[0]) and np.isfinite(got.hi[0]) and got.hi[0] > got.lo[0]
    session = new_session(runner)
    session.set_image(dirty, normalize="minmax")
    rgb = session._window_rgb(session.grid.windows[0])
    assert np.isfinite(rgb).all()
    assert (rgb[bad] == 0).all()
    np.testing.assert_array_equal(rgb[~bad], phase["session"]._window_rgb(session.grid.windows[0])[~bad])
    results = session.segment(phase["prompts"])
    assert session.encodes == 1
    assert_valid(results, *dirty.shape)


def test_constant_image(runner, phase):
    session = new_session(runner)
    session.set_image(np.full((300, 400), 1234, np.uint16))  # default percentile: hi == lo
    assert (session._window_rgb(session.grid.windows[0]) == 0).all()
    results = session.segment([Prompt(box=np.array([10.0, 10, 200, 150])), _point(399.0, 299.0)])
    assert session.encodes == 1
    assert_valid(results, 300, 400)


@pytest.fixture(scope="module")
def stacks(phase, dev_data_dir):
    """Real 3- and 5-channel stacks: channel k holds the uint16 image, others other real images."""
    a = phase["image"]
    b = np.asarray(read_image(dev_data_dir / PHASE2))
    c = np.asarray(read_image(dev_data_dir / PHASE3))
    three = np.stack([a, b, c], axis=-1)
    five = np.stack([np.zeros_like(a), b, c, 65535 - a, a], axis=-1)
    return three, five


@pytest.mark.parametrize("layout", ["3ch-channel", "5ch-channel"])
def test_multichannel_chosen_channel(runner, phase, stacks, layout):
    stack, channel = (stacks[0], 0) if layout == "3ch-channel" else (stacks[1], 4)
    session = new_session(runner)
    session.set_image(stack, channel=channel, normalize="minmax")
    results = session.segment(phase["prompts"])
    assert session.encodes == 1
    assert_same(results, phase["results"])  # the chosen channel alone, exactly like the 2-D image


def test_multichannel_rgb_mapping(runner, phase, stacks):
    """Channels (a, b, c) of a 3-channel stack = channels (4, 1, 2) of the 5-channel one."""
    three, five = stacks
    out = []
    for stack, rgb in ((three, (0, 1, 2)), (five, (4, 1, 2))):
        session = new_session(runner)
        session.set_image(stack, rgb_channels=rgb, normalize="minmax")
        picture = session._window_rgb(session.grid.windows[0])
        for k in range(3):  # each output channel has its own limits
            plane = stack[..., rgb[k]].astype(np.float64)
            expect = ((plane - plane.min()) / (plane.max() - plane.min())).astype(np.float32)
            np.testing.assert_array_equal(picture[..., k], expect)
        out.append(session.segment(phase["prompts"]))
        assert session.encodes == 1
        assert_valid(out[-1], *three.shape[:2])
    assert_same(out[0], out[1])
    with pytest.raises(ValueError, match="5 channels"):
        new_session(runner).set_image(five)  # more than 3 channels need a choice


# ---------------------------------------------------------------------------- options


def test_all_masks_sorted_by_score(gray):
    session = gray["session"]
    results = session.segment(gray["prompts"], SegmentOptions(all_masks=True))
    assert session.encodes == 1
    for obj, single in zip(results, gray["results"]):
        scores = [m.score for m in obj.masks]
        assert len(scores) == 3
        assert scores == sorted(scores, reverse=True)
        np.testing.assert_array_equal(obj.best.mask, single.best.mask)  # best first = the default
    single = session.segment(gray["prompts"], SegmentOptions(multimask=False))
    assert [len(o.masks) for o in single] == [1, 1]


def test_polygon_options(gray):
    """Random weights make ragged masks: thousands of parts, with holes. Good for the options."""
    session = gray["session"]
    prompt = gray["prompts"][0]
    [every] = session.segment([prompt], SegmentOptions(all_components=True))
    mask, origin = every.best.mask, (every.best.x0, every.best.y0)
    shapes = every.best.shapes
    areas = [s.area for s in shapes]
    assert len(shapes) >= 10 and shapes[0].holes, "the fixture mask should be ragged"
    # every part, holes kept: the polygons fill back to the mask exactly
    np.testing.assert_array_equal(rasterize(shapes, mask.shape, origin=origin), mask)
    assert areas == sorted(areas, reverse=True) and sum(areas) == mask.sum()

    [largest] = session.segment([prompt])  # the default: the largest part only
    np.testing.assert_array_equal(largest.best.mask, mask)  # options change polygons, not masks
    [part] = largest.best.shapes
    assert part.area == areas[0] and len(part.holes) == len(shapes[0].holes)
    part_px = rasterize([part], mask.shape, origin=origin)

    [big] = session.segment([prompt], SegmentOptions(all_components=True, min_area=areas[5]))
    assert [s.area for s in big.best.shapes] == [a for a in areas if a >= areas[5]]
    [none] = session.segment([prompt], SegmentOptions(min_area=areas[0] + 1))
    assert none.best.shapes == []

    [filled] = session.segment([prompt], SegmentOptions(keep_holes=False))
    [solid] = filled.best.shapes
    assert solid.holes == () and solid.area > part.area
    solid_px = rasterize([solid], mask.shape, origin=origin)
    np.testing.assert_array_equal(solid_px, ndimage.binary_fill_holes(part_px))
    assert solid.area == solid_px.sum()
    # (all_components with keep_holes=False is tested on a few parts only: see the report on
    # its quadratic cost with thousands of parts)
    [few] = session.segment([prompt], SegmentOptions(all_components=True, keep_holes=False, min_area=areas[5]))
    assert 1 <= len(few.best.shapes) <= 6 and all(s.holes == () for s in few.best.shapes)
    assert few.best.shapes[0].area == solid.area

    [simple] = session.segment([prompt], SegmentOptions(simplify=1.5))
    assert 0.5 < simple.best.simplified_iou < 1.0
    assert sum(s.n_vertices for s in simple.best.shapes) < part.n_vertices
    assert largest.best.simplified_iou == 1.0
    assert session.encodes == 1


# ---------------------------------------------------------------------------- bad prompts


def _snapshot(session: Session):
    return (
        session.source,
        session.normalizer,
        session.grid,
        dict(session._keys),
        len(session.cache),
        session.cache.hits,
        session.cache.misses,
        session.encodes,
    )


BAD_PROMPTS = {
    "point outside": (Prompt(points=np.array([[256.0, 10]]), labels=np.array([1.0])), ["outside", "0..255"]),
    "negative point": (Prompt(points=np.array([[5.0, -0.5]]), labels=np.array([1.0])), ["outside", "0..255"]),
    "box x1<=x0": (Prompt(box=np.array([50.0, 10, 50, 20])), ["x0 < x1"]),
    "box y1<y0": (Prompt(box=np.array([10.0, 30, 50, 20])), ["y0 < y1"]),
    "box outside": (Prompt(box=np.array([10.0, 10, 300, 20])), ["outside", "0..255"]),
    "too many points": (
        Prompt(points=np.arange(14.0).reshape(7, 2) + 20, labels=np.ones(7)),
        ["at most 6", "got 7"],
    ),
    "points and box": (
        Prompt(points=np.arange(10.0).reshape(5, 2) + 20, labels=np.ones(5), box=np.array([10.0, 10, 40, 40])),
        ["at most 6", "box counts as 2", "got 7"],
    ),
}


def test_bad_prompts(gray, runner):
    good = gray["prompts"]
    # A fresh session sharing the cache: the error must come before any tile is looked up.
    session = new_session(runner, gray["session"].cache)
    session.set_image(gray["image"])
    before = _snapshot(session)
    for case, (bad, words) in BAD_PROMPTS.items():
        with pytest.raises(PromptError) as info:
            session.segment([good[0], good[1], bad])
        assert isinstance(info.value, ValueError)
        message = str(info.value)
        assert message.startswith("prompt 3: "), (case, message)
        for word in words:
            assert word in message, (case, message)
        assert _snapshot(session) == before, case
    results = session.segment(good)  # the next valid prompts work (from the shared cache)
    assert session.encodes == 0
    assert_same(results, gray["results"])


# ---------------------------------------------------------------------------- disk cache


def test_disk_cache_reopens_without_encoding(runner, gray):
    files = sorted(gray["folder"].glob("*.npy"))
    assert len(files) == 1
    session = new_session(runner, EmbeddingCache(folder=gray["folder"]))
    session.set_image(np.array(gray["image"]))  # a plain in-memory copy: same pixels, same key
    results = session.segment(gray["prompts"])
    assert session.encodes == 0
    assert_same(results, gray["results"])


def _damage(kind: str, good: bytes) -> bytes:
    if kind == "truncated":
        return good[: len(good) // 2]
    if kind == "garbage":
        return b"not a numpy file " * 64
    if kind == "empty":
        return b""
    buffer = io.BytesIO()  # a well-formed .npy of the wrong shape
    np.save(buffer, np.zeros((3, 4), np.float32))
    return buffer.getvalue()


@pytest.mark.parametrize(
    "kind",
    [
        "truncated",
        "garbage",
        "empty",
        "wrong-shape",
    ],
)
def test_damaged_cache_file_is_ignored(tmp_path, kind):
    embedding = np.random.default_rng(1).random((1, 256, 64, 64), np.float32)
    EmbeddingCache(folder=tmp_path).put("key", embedding)
    [path] = tmp_path.glob("*.npy")
    path.write_bytes(_damage(kind, path.read_bytes()))
    assert EmbeddingCache(folder=tmp_path).get("key") is None


def test_damaged_cache_file_is_reencoded(runner, gray, tmp_path):
    folder = tmp_path / "embeddings"
    folder.mkdir()
    [source] = gray["folder"].glob("*.npy")
    good = source.read_bytes()
    (folder / source.name).write_bytes(good[: len(good) // 3])  # e.g. a copy cut short
    session = new_session(runner, EmbeddingCache(folder=folder))
    session.set_image(gray["image"])
    results = session.segment(gray["prompts"])
    assert session.encodes == 1
    assert_same(results, gray["results"])
    assert (folder / source.name).read_bytes() == good  # rewritten whole


def test_cached_embeddings_reach_the_decoder_without_a_copy(tmp_path):
    """The decoder reads image tokens channels-last. The encoder's output (a channels-last
    array seen as [1, 256, 64, 64]) stays so in memory and on disk; a copy of 4 MiB per click
    would cost about 10 ms of every prompt."""
    from samroi.runtime.onnx_runner import _image_tokens

    tokens = np.random.default_rng(2).random((1, 4096, 256), np.float32)
    embedding = tokens.transpose(0, 2, 1).reshape(1, 256, 64, 64)  # as OnnxRunner.encode returns it
    EmbeddingCache(folder=tmp_path).put("key", embedding)
    in_memory = EmbeddingCache()
    in_memory.put("key", embedding)
    for cache in (EmbeddingCache(folder=tmp_path), in_memory):  # read back from the file; kept
        found = cache.get("key")
        np.testing.assert_array_equal(found, embedding)
        assert np.shares_memory(_image_tokens(found), found)
    # an NCHW array (e.g. from the torch runner) is stored once in the decoder's layout
    nchw = np.ascontiguousarray(embedding)
    cache = EmbeddingCache()
    cache.put("nchw", nchw)
    assert np.shares_memory(_image_tokens(cache.get("nchw")), cache.get("nchw"))
    np.testing.assert_array_equal(cache.get("nchw"), embedding)


def test_embedding_files_of_the_first_release_still_load(tmp_path):
    embedding = np.random.default_rng(3).random((1, 256, 64, 64), np.float32)
    cache = EmbeddingCache(folder=tmp_path)
    cache.put("key", embedding)
    [path] = tmp_path.glob("*.npy")
    np.save(path, embedding)  # samroi 0.1.0 wrote contiguous [1, 256, 64, 64]
    np.testing.assert_array_equal(EmbeddingCache(folder=tmp_path).get("key"), embedding)


# ---------------------------------------------------------------------------- tiles of a large image


def _centring_tile(windows: list[Window], extent) -> Window:
    """Written independently of TileGrid: the tile holding the extent with its centre nearest."""
    x0, y0, x1, y1 = extent
    inside = [
        w for w in windows if w.x0 <= x0 and x1 < w.x0 + w.width and w.y0 <= y0 and y1 < w.y0 + w.height
    ]
    cx, cy = (x0 + x1 + 1) / 2, (y0 + y1 + 1) / 2
    return min(inside, key=lambda w: (cx - w.x0 - w.width / 2) ** 2 + (cy - w.y0 - w.height / 2) ** 2)


def test_mosaic_tiles_lazy_encoding_and_straddling_object(runner, mosaic):
    image, labels = mosaic
    height, width = image.shape
    session = new_session(runner)
    session.set_image(image)
    assert session.encodes == 0  # set_image encodes nothing
    windows = session.grid.windows
    assert all(w.height == w.width == 1024 and w.step == 1 for w in windows)

    # A nucleus straddling x = 1024, the right side of the first tile column.
    boxes = ndimage.find_objects(labels)
    straddling = [
        (ys, xs)
        for ys, xs in (b for b in boxes if b is not None)
        if xs.start < 1020 and xs.stop > 1028 and 100 < ys.start and ys.stop < 700
    ]
    ys, xs = straddling[0]
    box = np.array([xs.start, ys.start, xs.stop - 1, ys.stop - 1], np.float64)
    [obj] = session.segment([Prompt(box=box)])
    assert session.encodes == 1  # one prompt, one tile
    expected = _centring_tile(windows, tuple(box))
    assert expected == Window(0, 768, 1024, 1024)
    if not obj.rerun:
        assert obj.best.window == expected
    assert obj.best.window in windows

    # The official-style predictor on the normalised crop of that window gives the same mask.
    win = obj.best.window
    crop = image[win.y0 : win.y1, win.x0 : win.x1]
    predictor = Predictor(runner)
    embedding = predictor.set_image(session.normalizer.apply(crop))
    np.testing.assert_array_equal(embedding, session.embedding(win))  # from the cache
    assert session.encodes == 1
    official = predictor.predict(box=box - (win.x0, win.y0, win.x0, win.y0))
    want = official.masks[official.best]
    got = obj.best.full_mask(height, width)
    np.testing.assert_array_equal(got[win.y0 : win.y1, win.x0 : win.x1], want)
    assert got.sum() == want.sum()  # nothing outside the window
    assert obj.best.score == pytest.approx(float(official.iou[official.best]), abs=1e-6)

    # A second prompt in the same tile: nothing more encoded.
    [second] = session.segment([_point(xs.start + 40.0, ys.start + 30.0)])
    assert session.encodes == 1 and second.best.window == expected

    # Prompts spread over k = 3 new tiles (and the known one) in one call: k encodes.
    batch = [
        _point(3000.0, 3000.0),
        _point(3010.0, 2990.0),
        _point(200.0, 3500.0),
        _point(float(width - 1), float(height - 1)),  # the last pixel
        _point(1000.0, 400.0),
    ]
    new_tiles = {_centring_tile(windows, (p.points[0, 0], p.points[0, 1]) * 2) for p in batch} - {expected}
    assert len(new_tiles) == 3
    results = session.segment(batch)
    assert session.encodes == 1 + 3
    for obj in results:
        assert obj.best.window in windows
    assert_valid(results, height, width)

    # Bad prompts on the large image name the full image's ranges and change nothing.
    before = _snapshot(session)
    outside = r"prompt 2: point \(4176, 5\) is outside the image; x must be in 0\.\.4175 and y in 0\.\.4159"
    with pytest.raises(PromptError, match=outside):
        session.segment([_point(5.0, 5.0), _point(4176.0, 5.0)])
    with pytest.raises(PromptError, match=r"prompt 1: box .* corners must lie in x 0\.\.4175, y 0\.\.4159"):
        session.segment([Prompt(box=np.array([4000.0, 4000, 4176, 4159]))])
    assert _snapshot(session) == before


class BlobRunner:
    """A stand-in runner (no network): the mask is a disk beside the first click.

    The disk of radius ``radius`` pixels is centred ``offset`` pixels right of the click, so
    an object can reach a tile side while its click is well inside: the case the re-run on
    another grid tile is for. Valid for 1024 x 1024 step-1 windows (model pixel = image pixel).
    """

    def __init__(self, spec, offset: float, radius: float):
        self.spec, self.offset, self.radius = spec, offset, radius
        self.identity = f"blob-{offset}-{radius}"

    def encode(self, x):
        return np.zeros((1, 256, 64, 64), np.float32)

    def decode(self, embedding, coords, labels, masks=(0, 1, 2, 3)):
        q = coords.shape[0]
        grid = (np.arange(256) + 0.5) * 4  # low-res cell centres in the 1024 input
        lowres = np.empty((q, len(masks), 256, 256), np.float32)
        for i in range(q):
            x, y = coords[i, 0] + 0.5
            d = np.hypot(grid[None, :] - (x + self.offset), grid[:, None] - y)
            lowres[i] = (self.radius - d) / 4
        return lowres, np.tile(np.array([0.5, 0.9, 0.8, 0.7], np.float32), (q, 1))


def test_reruns_use_grid_tiles_only(runner, mosaic):
    image, _ = mosaic
    height, width = image.shape
    session = Session(runner=BlobRunner(runner.spec, offset=120, radius=60), cache=EmbeddingCache())
    session.set_image(image)
    windows = session.grid.windows
    asked: list[Window] = []
    embedding = session.embedding
    session.embedding = lambda w: asked.append(w) or embedding(w)

    # The click at x = 850 is centred best by the first tile column (0..1023); its object
    # (x 910..1030) reaches that tile's right side, so it is decoded again in the next
    # column (768..1791), which holds all of it.
    [obj] = session.segment([_point(850.0, 400.0)])
    assert obj.rerun and obj.best.window == Window(0, 768, 1024, 1024)
    assert asked == [Window(0, 0, 1024, 1024), Window(0, 768, 1024, 1024)]
    mask = obj.best.full_mask(height, width)
    cols = np.flatnonzero(mask.any(axis=0))
    assert cols[0] > 900 and cols[-1] > 1024  # whole, not cut at the first tile's side

    # Many clicks near tile sides, in one call: every window is a grid tile, each encoded once.
    asked.clear()
    before = session.encodes
    xs, ys = (700, 850, 1600, 2400, 3100, 4100), (50, 800, 1000, 3200, 4150)
    clicks = [_point(float(x), float(y)) for x in xs for y in ys]
    results = session.segment(clicks)
    assert any(o.rerun for o in results)
    assert set(asked) <= set(windows)
    assert all(o.best.window in windows for o in results)
    assert session.encodes - before == len(set(asked) - {Window(0, 0, 1024, 1024), Window(0, 768, 1024, 1024)})
    assert_valid(results, height, width)

    # An object wider than the tiles' overlap (x 650..1050) keeps its first result.
    wide = Session(runner=BlobRunner(runner.spec, offset=0, radius=200), cache=EmbeddingCache())
    wide.set_image(image)
    [obj] = wide.segment([_point(850.0, 400.0)])
    assert not obj.rerun and obj.best.window == Window(0, 0, 1024, 1024)


def test_box_larger_than_a_tile_uses_a_downscaled_view(runner, mosaic):
    image, _ = mosaic
    height, width = image.shape
    session = new_session(runner)
    session.set_image(image)
    box = np.array([2600.0, 2500, 4175, 4100])  # 1576 x 1601 pixels, reaching the image corner
    [obj] = session.segment([Prompt(box=box)])
    assert session.encodes == 1
    best = obj.best
    window = best.window
    assert window.step >= 2 and window not in session.grid.windows
    assert window.x0 <= box[0] and box[2] < window.x1 <= width
    assert window.y0 <= box[1] and box[3] < window.y1 <= height
    assert_valid([obj], height, width)
    assert best.mask.any()
    # Full resolution: the mask is cut in the image's own pixels, not in step x step blocks.
    assert best.mask.shape[0] > window.model_size[0] or best.mask.shape[1] > window.model_size[1]
    step = window.step
    h, w = (s // step * step for s in best.mask.shape)
    blocks = best.mask[:h, :w].reshape(h // step, step, w // step, step).sum(axis=(1, 3))
    assert ((blocks > 0) & (blocks < step * step)).any()
