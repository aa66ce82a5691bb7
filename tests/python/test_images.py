"""Image reading, channel selection and normalisation on the real dev images."""

from __future__ import annotations

import time
import tracemalloc
import warnings

import numpy as np
import pytest
import tifffile
from PIL import Image

from samroi.engine.images import (
    DEFAULT_PERCENTILES,
    ImageSource,
    Normalization,
    Normalizer,
    open_image,
    read_image,
)
from samroi.errors import InputError

GRAY = "dsb_fluo_d04.tif"  # uint8 520x696
RGB = "dsb_he_d01.tif"  # uint8 256x320x3
PHASE = "usiigaci_phase_d01.tif"  # uint16 1022x1024
MOSAIC = "mosaic_dsb_fluo_4160x4176.tif"  # uint8, deflate-compressed

PERCENTILE, MINMAX, RANGE8 = (Normalization.parse(t) for t in ("percentile", "minmax", "range:0,255"))


def f64_formula(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """The documented mapping, written independently: float64, clip, cast to float32."""
    return np.clip((x.astype(np.float64) - lo) / (hi - lo), 0.0, 1.0).astype(np.float32)


def check_output(out: np.ndarray, shape: tuple[int, int]) -> None:
    assert out.dtype == np.float32
    assert out.shape == (*shape, 3)
    assert np.isfinite(out).all()
    assert out.min() >= 0.0 and out.max() <= 1.0


@pytest.fixture(scope="module")
def phase(dev_data_dir) -> np.ndarray:
    return read_image(dev_data_dir / PHASE)


# ---------------------------------------------------------------------------- reading real images


@pytest.mark.parametrize(
    "name, shape, dtype",
    [(GRAY, (520, 696), np.uint8), (RGB, (256, 320, 3), np.uint8), (PHASE, (1022, 1024), np.uint16)],
)
def test_read_real_images_memory_mapped(dev_data_dir, name, shape, dtype):
    image = read_image(dev_data_dir / name)
    assert image.shape == shape and image.dtype == dtype
    assert isinstance(image, np.memmap), "uncompressed TIFFs are memory-mapped"
    assert not image.flags.writeable
    np.testing.assert_array_equal(image, tifffile.imread(dev_data_dir / name))


@pytest.mark.parametrize("name", [GRAY, RGB, PHASE])
@pytest.mark.parametrize("text", ["percentile", "percentile:2,98", "minmax", "range:0,255"])
def test_normalise_real_image_crop(dev_data_dir, name, text):
    source = open_image(dev_data_dir / name)
    norm = Normalization.parse(text).fit(source)
    crop = source.crop(10, 210, 20, 260)
    assert np.shares_memory(crop, source.array)
    out = norm.apply(crop)
    check_output(out, (200, 240))
    if source.channels == 1:
        assert np.array_equal(out[..., 0], out[..., 1]) and np.array_equal(out[..., 0], out[..., 2])
    assert norm.describe().startswith(Normalization.parse(text)._label())


def test_uint8_range_is_exactly_x_over_255(dev_data_dir):
    for name in (GRAY, RGB):
        image = read_image(dev_data_dir / name)
        out = RANGE8.fit(image).apply(image)
        expected = image.astype(np.float32) / 255
        if image.ndim == 2:
            expected = np.repeat(expected[..., None], 3, axis=2)
        assert out.tobytes() == expected.tobytes(), name  # bit-equal
    everything = np.arange(256, dtype=np.uint8).reshape(16, 16)
    assert RANGE8.fit(everything).apply(everything)[..., 0].tobytes() == (everything.astype(np.float32) / 255).tobytes()


def test_uint16_minmax_is_exact(phase):
    norm = MINMAX.fit(phase)
    lo, hi = float(phase.min()), float(phase.max())
    assert (norm.lo, norm.hi) == ((lo,), (hi,))
    crop = phase[100:612, 300:812]
    out = norm.apply(crop)
    assert out[..., 1].tobytes() == ((crop.astype(np.float64) - lo) / (hi - lo)).astype(np.float32).tobytes()
    assert norm.describe() == f"minmax: {lo:g}..{hi:g}"


def test_percentile_limits_and_describe(phase):
    norm = PERCENTILE.fit(phase)  # 1M pixels: below the sample bound, so exact percentiles
    lo, hi = np.percentile(phase, DEFAULT_PERCENTILES)
    assert norm.lo == (lo,) and norm.hi == (hi,)
    assert norm.describe() == f"percentile 1\u201399.8: {lo:g}..{hi:g}"
    np.testing.assert_array_equal(norm.apply(phase)[..., 0], f64_formula(phase, lo, hi))


# ---------------------------------------------------------------------------- dtypes derived from real data


def variants(x: np.ndarray) -> dict[str, tuple[np.ndarray, float, float]]:
    """name -> (array, a, b) with array == a * x + b (a > 0) exactly or to float rounding."""
    xi = x.astype(np.int64)
    return {
        "float32": (x.astype(np.float32), 1.0, 0.0),
        "float64": (x.astype(np.float64) * 1e-4 + 0.25, 1e-4, 0.25),
        "int16": ((xi - 32768).astype(np.int16), 1.0, -32768.0),
        "int32": (xi.astype(np.int32) * 3 - 100000, 3.0, -100000.0),
        "uint32": ((xi * 7 + 5).astype(np.uint32), 7.0, 5.0),
    }


@pytest.mark.parametrize("kind", ["float32", "float64", "int16", "int32", "uint32"])
def test_dtype_variants(phase, kind):
    array, a, b = variants(phase)[kind]
    if kind == "int16":
        assert array.min() < 0 < array.max()
    crop = (slice(200, 456), slice(100, 420))
    reference = {}
    for norm in (MINMAX, PERCENTILE):
        fitted = norm.fit(array)
        out = fitted.apply(array[crop])
        check_output(out, (256, 320))
        # exact to the documented formula on this dtype
        assert out[..., 0].tobytes() == f64_formula(array[crop], fitted.lo[0], fitted.hi[0]).tobytes()
        # and the same picture as the uint16 original (the transform is affine, a > 0)
        base = norm.fit(phase)
        np.testing.assert_allclose(fitted.lo[0], a * base.lo[0] + b, rtol=1e-9)
        np.testing.assert_allclose(out, base.apply(phase[crop]), atol=2e-6)
        reference[norm.mode] = out
    lo, hi = a * float(phase.min()) + b, a * float(phase.max()) + b
    ranged = Normalization("range", lo, hi).fit(array).apply(array[crop])
    np.testing.assert_allclose(ranged, reference["minmax"], atol=2e-6)


def test_bool_is_uint8(phase):
    mask = phase > np.median(phase)
    source = ImageSource(mask)
    assert source.dtype == np.uint8 and np.shares_memory(source.array, mask)
    out = MINMAX.fit(mask).apply(mask[:50, :60])
    np.testing.assert_array_equal(out[..., 0], mask[:50, :60].astype(np.float32))


def test_nan_and_inf_are_ignored_and_map_to_zero(phase):
    array = phase.astype(np.float32)
    bad = [(5, 7, np.nan), (500, 600, np.inf), (700, 3, -np.inf), (1000, 1000, np.nan)]
    for y, x, v in bad:
        array[y, x] = v
    finite = array[np.isfinite(array)]
    norm = MINMAX.fit(array)
    assert (norm.lo[0], norm.hi[0]) == (float(finite.min()), float(finite.max()))
    pnorm = PERCENTILE.fit(array)
    np.testing.assert_allclose([pnorm.lo[0], pnorm.hi[0]], np.percentile(finite, DEFAULT_PERCENTILES))
    for fitted in (norm, pnorm, Normalization("range", 0, 70000).fit(array)):
        out = fitted.apply(array)
        check_output(out, array.shape)
        for y, x, _ in bad:
            assert (out[y, x] == 0).all()
    all_nan = np.full((20, 30), np.nan)
    check_output(MINMAX.fit(all_nan).apply(all_nan), (20, 30))


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
def test_constant_image_maps_to_zero(dtype):
    image = np.full((64, 80), 7, dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for norm in (PERCENTILE, MINMAX):
            fitted = norm.fit(image)
            assert fitted.lo == fitted.hi
            out = fitted.apply(image)
            check_output(out, image.shape)
            assert not out.any()
    assert (RANGE8.fit(image).apply(image) == np.float32(7 / 255)).all()


def test_sparse_image_percentile_falls_back_to_minmax():
    image = np.zeros((300, 300), np.uint16)
    image[10:12, 10:12] = 1000  # 4 bright pixels: the 99.8th percentile is still 0
    fitted = PERCENTILE.fit(image)
    assert (fitted.lo, fitted.hi) == ((0.0,), (1000.0,))


# ---------------------------------------------------------------------------- channels


def test_rgb_shared_and_per_channel_limits(dev_data_dir):
    rgb = read_image(dev_data_dir / RGB)
    shared = MINMAX.fit(rgb)
    assert len(set(zip(shared.lo, shared.hi))) == 1
    assert (shared.lo[0], shared.hi[0]) == (float(rgb.min()), float(rgb.max()))
    per = MINMAX.fit(rgb, channels=(0, 1, 2))
    for k in range(3):
        assert (per.lo[k], per.hi[k]) == (float(rgb[..., k].min()), float(rgb[..., k].max()))
        np.testing.assert_array_equal(per.apply(rgb)[..., k], f64_formula(rgb[..., k], per.lo[k], per.hi[k]))
    assert shared.key() != per.key()
    gray = MINMAX.fit(rgb, channels=1)
    out = gray.apply(rgb)
    np.testing.assert_array_equal(out[..., 0], f64_formula(rgb[..., 1], rgb[..., 1].min(), rgb[..., 1].max()))
    assert np.array_equal(out[..., 0], out[..., 2])


def multichannel(x: np.ndarray, n: int) -> np.ndarray:
    """The real image stacked (channels last) with transformed copies."""
    copies = [x, 65535 - x, x // 4, np.roll(x, 100, axis=1), x // 2 + 1000][:n]
    return np.stack(copies, axis=-1)


def test_three_channel_multichannel(phase):
    stack = multichannel(phase, 3)
    fitted = MINMAX.fit(stack, channels=(0, 1, 2))
    crop = stack[300:500, 200:600]
    out = fitted.apply(crop)
    check_output(out, (200, 400))
    for k in range(3):
        channel = stack[..., k]
        np.testing.assert_array_equal(out[..., k], f64_formula(crop[..., k], channel.min(), channel.max()))
    # the inverted copy comes out inverted
    np.testing.assert_allclose(out[..., 0] + out[..., 1], 1.0, atol=1e-6)


def test_five_channel_selection(phase):
    stack = multichannel(phase, 5)
    assert stack.shape == (*phase.shape, 5)
    with pytest.raises(InputError, match=r"5 channels.*channel=K.*rgb_channels"):
        ImageSource(stack)
    with pytest.raises(InputError, match=r"channel 7 out of range.*5 channels.*0\.\.4"):
        ImageSource(stack, channel=7)
    with pytest.raises(InputError, match=r"out of range"):
        MINMAX.fit(stack, channels=(0, 9))
    with pytest.raises(InputError, match="1 to 3"):
        ImageSource(stack, rgb_channels=(0, 1, 2, 3))
    with pytest.raises(InputError, match="not both"):
        ImageSource(stack, channel=1, rgb_channels=(0,))

    crop = stack[:128, 256:512]
    single = MINMAX.fit(ImageSource(stack, channel=3))
    out = single.apply(crop)
    ch3 = stack[..., 3]
    expected = f64_formula(crop[..., 3], ch3.min(), ch3.max())
    for k in range(3):
        np.testing.assert_array_equal(out[..., k], expected)

    pair = MINMAX.fit(stack, channels=(4, 0))  # ch4 -> R, ch0 -> G, B empty
    out = pair.apply(crop)
    np.testing.assert_array_equal(out[..., 0], f64_formula(crop[..., 4], stack[..., 4].min(), stack[..., 4].max()))
    np.testing.assert_array_equal(out[..., 1], f64_formula(crop[..., 0], phase.min(), phase.max()))
    assert not out[..., 2].any()
    assert "R=ch4" in pair.describe() and "G=ch0" in pair.describe()
    assert pair.key() == MINMAX.fit(stack, channels=(4, 0)).key()
    assert len({pair.key(), single.key(), MINMAX.fit(stack, channels=(0, 4)).key()}) == 3
    percent = PERCENTILE.fit(stack, channels=(1, 2, 3))
    check_output(percent.apply(crop), crop.shape[:2])


def test_two_channels_default_to_red_green(phase):
    stack = multichannel(phase, 2)
    fitted = MINMAX.fit(stack)
    assert fitted.channels == (0, 1) and not fitted.gray
    assert not fitted.apply(stack[:10, :10])[..., 2].any()


def test_image_source_validation():
    with pytest.raises(InputError, match="complex"):
        ImageSource(np.zeros((4, 4), np.complex64))
    with pytest.raises(InputError, match="unsupported"):
        ImageSource(np.zeros((4, 4), object))
    with pytest.raises(InputError, match="empty"):
        ImageSource(np.zeros((0, 4), np.uint8))
    with pytest.raises(InputError, match="1-D"):
        ImageSource(np.zeros(16, np.uint8))
    with pytest.raises(InputError, match="one channel"):
        ImageSource(np.zeros((4, 4), np.uint8), rgb_channels=(0,))
    with pytest.raises(InputError, match=r"valid: 0\)"):
        ImageSource(np.zeros((4, 4), np.uint8), channel=1)
    source = ImageSource(np.zeros((4, 5, 1), np.uint16))
    assert (source.height, source.width, source.channels, source.dtype, source.nbytes) == (4, 5, 1, np.uint16, 40)
    with pytest.raises(InputError, match="outside"):
        source.crop(0, 5, 0, 5)


# ---------------------------------------------------------------------------- no whole-image copies


def test_read_only_and_memmap_inputs(phase, tmp_path):
    frozen = np.array(phase)
    frozen.flags.writeable = False
    mapped = np.memmap(tmp_path / "phase.raw", dtype=np.uint16, mode="w+", shape=phase.shape)
    mapped[:] = phase
    mapped.flush()
    mapped = np.memmap(tmp_path / "phase.raw", dtype=np.uint16, mode="r", shape=phase.shape)
    keys = set()
    for array in (frozen, mapped):
        source = ImageSource(array)
        crop = source.crop(100, 400, 200, 700)
        assert np.shares_memory(crop, array)
        fitted = PERCENTILE.fit(source)
        out = fitted.apply(crop)
        check_output(out, (300, 500))
        keys.add((source.content_key(100, 400, 200, 700), fitted.key()))
    assert len(keys) == 1, "same pixels, same keys"


def test_content_key(phase):
    stack = multichannel(phase, 3)
    source = ImageSource(stack, rgb_channels=(0, 1, 2))
    key = source.content_key(0, 256, 0, 256)
    assert key == source.content_key(0, 256, 0, 256)
    assert key == ImageSource(np.ascontiguousarray(stack[:256, :256])).content_key(0, 256, 0, 256)
    assert key != source.content_key(0, 256, 1, 257)
    assert key != ImageSource(stack.astype(np.int32)).content_key(0, 256, 0, 256)
    # a non-row-contiguous view (one channel of channels-last) still hashes
    strided = ImageSource(stack[..., 1])
    assert strided.content_key(5, 50, 5, 50) == ImageSource(np.ascontiguousarray(stack[5:50, 5:50, 1])).content_key(
        0, 45, 0, 45
    )


def test_mosaic_read_once_fast_percentile_and_tile_sized_apply(dev_data_dir):
    start = time.perf_counter()
    mosaic = read_image(dev_data_dir / MOSAIC)  # deflate-compressed: one normal read
    read_s = time.perf_counter() - start
    assert mosaic.shape == (4160, 4176) and mosaic.dtype == np.uint8
    source = ImageSource(mosaic)

    start = time.perf_counter()
    fitted = PERCENTILE.fit(source)
    fit_s = time.perf_counter() - start
    print(f"\nmosaic: read {read_s:.3f} s, percentile fit {fit_s:.3f} s -> {fitted.describe()}")
    assert fitted.hi[0] > fitted.lo[0]
    exact = np.percentile(mosaic, DEFAULT_PERCENTILES)
    assert abs(fitted.lo[0] - exact[0]) <= 2 and abs(fitted.hi[0] - exact[1]) <= 0.03 * exact[1]

    crop = source.crop(1500, 1900, 2000, 2400)
    assert np.shares_memory(crop, mosaic)
    tracemalloc.start()
    try:
        out = fitted.apply(crop)
        key = source.content_key(1500, 1900, 2000, 2400)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    check_output(out, (400, 400))
    assert len(key) == 40
    print(f"apply on a 400x400 crop: peak {peak / 1e6:.1f} MB (output {out.nbytes / 1e6:.1f} MB, image {mosaic.nbytes / 1e6:.1f} MB)")
    assert peak < 1.8 * out.nbytes
    assert peak < mosaic.nbytes / 4


# ---------------------------------------------------------------------------- files: TIFF axes, Pillow formats, errors


def test_imagej_cyx_hyperstack_reads_channels_last(phase, tmp_path):
    stack = np.stack([phase, 65535 - phase, phase // 4])  # C, Y, X
    path = tmp_path / "cyx.tif"
    tifffile.imwrite(path, stack, imagej=True, metadata={"axes": "CYX"})
    image = read_image(path)
    assert image.shape == (*phase.shape, 3)
    np.testing.assert_array_equal(image, np.moveaxis(stack, 0, -1))
    assert not image.flags.owndata and not image.flags.c_contiguous, "a moved view, not a copy"
    fitted = MINMAX.fit(image, channels=(0, 1, 2))
    np.testing.assert_array_equal(fitted.apply(image[:64, :64])[..., 1], f64_formula(stack[1, :64, :64], stack[1].min(), stack[1].max()))


def test_zyx_stack_needs_a_plane(phase, tmp_path):
    stack = np.stack([phase, phase // 2, phase // 3])
    path = tmp_path / "zyx.tif"
    tifffile.imwrite(path, stack, imagej=True, metadata={"axes": "ZYX"})
    with pytest.raises(InputError, match=r"3 planes.*plane=K \(0\.\.2"):
        read_image(path)
    np.testing.assert_array_equal(read_image(path, plane=2), stack[2])
    with pytest.raises(InputError, match="out of range"):
        read_image(path, plane=3)


def test_hyperstack_plane_index_is_row_major(tmp_path):
    data = np.arange(2 * 3 * 2 * 8 * 9, dtype=np.uint16).reshape(2, 3, 2, 8, 9)  # T Z C Y X
    path = tmp_path / "tzcyx.tif"
    tifffile.imwrite(path, data, imagej=True, metadata={"axes": "TZCYX"})
    with pytest.raises(InputError, match="6 planes"):
        read_image(path)
    image = read_image(path, plane=4)  # t = 1, z = 1
    np.testing.assert_array_equal(image, np.moveaxis(data[1, 1], 0, -1))


def test_pillow_formats(dev_data_dir, tmp_path):
    rgb = np.asarray(read_image(dev_data_dir / RGB))
    Image.fromarray(rgb).save(tmp_path / "rgb.png")
    np.testing.assert_array_equal(read_image(tmp_path / "rgb.png"), rgb)
    rgba = np.dstack([rgb, np.full(rgb.shape[:2], 200, np.uint8)])
    Image.fromarray(rgba).save(tmp_path / "rgba.png")
    np.testing.assert_array_equal(read_image(tmp_path / "rgba.png"), rgb)
    phase16 = tifffile.imread(dev_data_dir / PHASE)
    Image.fromarray(phase16).save(tmp_path / "phase.png")
    back = read_image(tmp_path / "phase.png")
    assert back.dtype == np.uint16
    np.testing.assert_array_equal(back, phase16)
    Image.fromarray(rgb).save(tmp_path / "rgb.jpg", quality=95)
    assert read_image(tmp_path / "rgb.jpg").shape == rgb.shape


def test_read_errors(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_image(tmp_path / "missing.tif")
    (tmp_path / "junk.png").write_bytes(b"definitely not an image")
    with pytest.raises(InputError, match="cannot read"):
        read_image(tmp_path / "junk.png")
    (tmp_path / "broken.tif").write_bytes(b"II*\x00" + b"\xff" * 20)
    with pytest.raises(InputError, match="cannot read"):
        read_image(tmp_path / "broken.tif")
    tifffile.imwrite(tmp_path / "complex.tif", np.zeros((8, 8), np.complex64))
    with pytest.raises(InputError, match="complex"):
        read_image(tmp_path / "complex.tif")
    tifffile.imwrite(tmp_path / "bool.tif", np.eye(8, dtype=bool))
    image = read_image(tmp_path / "bool.tif")
    assert image.dtype == np.uint8 and image.sum() == 8
    with pytest.raises(InputError, match="non-negative"):
        read_image(tmp_path / "bool.tif", plane=-1)


# ---------------------------------------------------------------------------- parsing


def test_parse_forms():
    assert Normalization.parse("percentile") == Normalization("percentile", *DEFAULT_PERCENTILES)
    assert Normalization.parse(" Percentile:0.5, 99 ") == Normalization("percentile", 0.5, 99.0)
    assert Normalization.parse("minmax") == Normalization("minmax")
    assert Normalization.parse("range:-10,4095.5") == Normalization("range", -10.0, 4095.5)
    for norm in (PERCENTILE, MINMAX, RANGE8, Normalization("percentile", 0.5, 99.5)):
        assert Normalization.parse(norm.text) == norm


@pytest.mark.parametrize(
    "text",
    ["", "gamma", "range", "range:5", "range:5,5", "range:9,1", "range:a,b", "range:0,inf",
     "percentile:1", "percentile:50,40", "percentile:-1,99", "percentile:1,101", "minmax:0,1",
     "range:1,2,3"],
)
def test_parse_errors_list_the_valid_forms(text):
    with pytest.raises(InputError, match="valid forms|must|LO must|percentiles must"):
        Normalization.parse(text)


def test_normalizer_key_is_stable_and_short():
    fitted = Normalizer(lo=(5424.0,), hi=(65535.0,), method="percentile 1\u201399.8")
    assert fitted.key() == "gray:5424.0,65535.0"
    assert fitted.describe() == "percentile 1\u201399.8: 5424..65535"
    assert fitted.key() == Normalizer(lo=(5424.0,), hi=(65535.0,), method="minmax").key()
