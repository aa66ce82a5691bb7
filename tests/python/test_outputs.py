"""Writers (RoiSet, label TIFF, GeoJSON), prompt readers and ``samroi polygons``."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest
import roifile
import tifffile

from samroi import outputs
from samroi.cli import main
from samroi.errors import InputError
from samroi.outputs import (
    OutputRoi,
    read_prompts_csv,
    read_prompts_roiset,
    roi_name,
    write_geojson,
    write_labels_tiff,
    write_roiset,
)
from samroi.polygons import Shape, labels_to_shapes, mask_to_polygons, rasterize


def ring_fill(rings, shape) -> np.ndarray:
    """Even-odd fill of raw rings (as read back from a file) at pixel centres."""
    return rasterize(Shape(np.asarray(rings[0]), tuple(np.asarray(r) for r in rings[1:]), 0), shape)


@pytest.fixture()
def sample_rois():
    """A plain object, one with a hole, one in two parts."""
    mask = np.zeros((40, 50), bool)
    mask[2:9, 3:12] = True  # plain
    donut = np.zeros_like(mask)
    donut[15:30, 15:30] = True
    donut[19:24, 20:26] = False
    parts = np.zeros_like(mask)
    parts[2:5, 30:34] = True
    parts[10:14, 40:48] = True
    rois = [
        OutputRoi(roi_name(1, "efficientsam-ti"), mask_to_polygons(mask)),
        OutputRoi(roi_name(2, "efficientsam-ti"), mask_to_polygons(donut), position=(1, 3, 2)),
        OutputRoi(roi_name(3, "mobilesam"), mask_to_polygons(parts, all_components=True), position=7),
    ]
    return rois, [mask, donut, parts]


# --- ImageJ RoiSet -----------------------------------------------------------------------------


def test_roiset_round_trip(tmp_path, sample_rois):
    rois, masks = sample_rois
    path = tmp_path / "RoiSet.zip"
    assert write_roiset(path, rois) == 3
    with zipfile.ZipFile(path) as zf:
        assert zf.namelist() == ["001-efficientsam-ti.roi", "002-efficientsam-ti.roi", "003-mobilesam.roi"]
    back = roifile.roiread(path)
    assert [r.name for r in back] == ["001-efficientsam-ti", "002-efficientsam-ti", "003-mobilesam"]

    plain, donut, parts = back
    assert plain.roitype == roifile.ROI_TYPE.TRACED and not plain.composite
    assert np.array_equal(plain.coordinates(), rois[0].shapes[0].outer)
    assert plain.position == 0 and plain.c_position == plain.z_position == plain.t_position == 0

    for ij, roi, mask in ((donut, rois[1], masks[1]), (parts, rois[2], masks[2])):
        assert ij.composite and ij.roitype == roifile.ROI_TYPE.RECT
        got = ij.coordinates(multi=True)  # closed rings: first vertex repeated
        want = [r for s in roi.shapes for r in s.rings]
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert np.array_equal(g[:-1], w) and np.array_equal(g[-1], w[0])
        # what ImageJ's ShapeRoi (even-odd) fills is exactly the object
        assert np.array_equal(ring_fill(got, mask.shape), mask)
    assert (donut.c_position, donut.z_position, donut.t_position) == (1, 3, 2)
    assert parts.position == 7


def test_roiset_of_real_objects(tmp_path, dev_data_dir):
    labels = tifffile.imread(dev_data_dir / "dsb_fluo_d04_labels.tif")
    per_label = labels_to_shapes(labels)
    rois = [OutputRoi(roi_name(k, "efficientsam-s"), v) for k, v in sorted(per_label.items())]
    path = tmp_path / "real.zip"
    assert write_roiset(path, rois) == len(per_label)
    for ij, (label, shapes) in zip(roifile.roiread(path), sorted(per_label.items())):
        assert ij.name == f"{label:03d}-efficientsam-s"
        rings = ij.coordinates(multi=True)
        if ij.composite:
            rings = [r[:-1] for r in rings]
        else:
            assert len(shapes) == 1 and not shapes[0].holes
        assert np.array_equal(ring_fill(rings, labels.shape), labels == label)


def test_single_roi_file_and_names(tmp_path, sample_rois):
    rois, _ = sample_rois
    single = tmp_path / "one.roi"
    assert write_roiset(single, rois[:1]) == 1
    assert roifile.roiread(single).name == "001-efficientsam-ti"
    with pytest.raises(InputError):
        write_roiset(tmp_path / "two.roi", rois[:2])
    with pytest.raises(InputError):
        write_roiset(tmp_path / "rois.txt", rois)
    twice = [OutputRoi("same", rois[0].shapes), OutputRoi("same", rois[0].shapes), OutputRoi("empty", [])]
    assert write_roiset(tmp_path / "dupes.zip", twice) == 2
    with zipfile.ZipFile(tmp_path / "dupes.zip") as zf:
        assert zf.namelist() == ["same.roi", "same-2.roi"]


def test_roiset_write_is_atomic(tmp_path, sample_rois, monkeypatch):
    rois, _ = sample_rois
    path = tmp_path / "RoiSet.zip"
    write_roiset(path, rois[:1])
    before = path.read_bytes()

    real = zipfile.ZipFile.writestr
    calls = []

    def failing(self, name, data, *args, **kwargs):
        calls.append(name)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(self, name, data, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", failing)
    with pytest.raises(OSError):
        write_roiset(path, rois)
    assert path.read_bytes() == before  # the old file is untouched
    assert [p.name for p in tmp_path.iterdir()] == ["RoiSet.zip"]  # no temporary left


# --- label TIFF --------------------------------------------------------------------------------


# (the mosaic's labels are rebuilt from polygons in test_polygons; here the TIFF path)
@pytest.mark.parametrize("name", ["usiigaci_phase_d02_labels.tif", "dsb_fluo_d05_labels.tif"])
def test_labels_tiff_round_trip(tmp_path, dev_data_dir, name):
    labels = tifffile.imread(dev_data_dir / name)
    per_label = labels_to_shapes(labels)
    path = tmp_path / "labels.tif"
    written = write_labels_tiff(path, per_label, labels.shape)
    back = tifffile.imread(path)
    assert back.dtype == np.uint16
    assert np.array_equal(back, labels) and np.array_equal(written, labels)


def test_labels_tiff_sequence_and_limits(tmp_path, sample_rois):
    rois, masks = sample_rois
    labels = write_labels_tiff(tmp_path / "l.tif", rois, masks[0].shape)  # OutputRoi items
    for k, mask in enumerate(masks, start=1):
        assert np.array_equal(labels == k, mask)
    with pytest.raises(InputError, match="65535"):
        write_labels_tiff(tmp_path / "big.tif", [[]] * 65536, (4, 4))
    with pytest.raises(InputError):
        write_labels_tiff(tmp_path / "big.tif", {70000: rois[0].shapes}, (40, 50))
    assert not (tmp_path / "big.tif").exists()


# --- GeoJSON -----------------------------------------------------------------------------------


def test_geojson_structure(tmp_path, sample_rois):
    rois, masks = sample_rois
    rois[0].classification = "Nucleus"
    rois[0].properties = {"model": "efficientsam-ti"}
    path = tmp_path / "objects.geojson"
    assert write_geojson(path, rois + [OutputRoi("empty", [])]) == 3
    doc = json.loads(path.read_text())
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == 3
    types = [f["geometry"]["type"] for f in doc["features"]]
    assert types == ["Polygon", "Polygon", "MultiPolygon"]
    for feature, roi, mask in zip(doc["features"], rois, masks):
        assert feature["type"] == "Feature"
        props = feature["properties"]
        assert props["objectType"] == "annotation" and props["name"] == roi.name
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        assert len(polygons) == len(roi.shapes)
        filled = np.zeros(mask.shape, bool)
        for polygon, shape in zip(polygons, roi.shapes):
            assert len(polygon) == 1 + len(shape.holes)
            for ring, want in zip(polygon, shape.rings):
                assert ring[0] == ring[-1] and all(isinstance(v, int) for p in ring for v in p)
                assert np.array_equal(np.array(ring[:-1]), want)
            filled |= ring_fill([r[:-1] for r in polygon], mask.shape)
        assert np.array_equal(filled, mask)
    first, second, third = doc["features"]
    assert first["properties"]["classification"] == {"name": "Nucleus"}
    assert first["properties"]["metadata"] == {"model": "efficientsam-ti"}
    assert "plane" not in first["geometry"]
    assert second["geometry"]["plane"] == {"c": 0, "z": 2, "t": 1}
    assert third["geometry"]["plane"] == {"c": -1, "z": 6, "t": 0}


# --- prompts from ImageJ ROIs ------------------------------------------------------------------


def point_roi(points, name, **kwargs):
    roi = roifile.ImagejRoi.frompoints(np.asarray(points), name=name, **kwargs)
    roi.roitype = roifile.ROI_TYPE.POINT
    return roi


def rect_roi(x, y, w, h, name):
    roi = roifile.ImagejRoi()
    roi.roitype = roifile.ROI_TYPE.RECT
    roi.left, roi.top, roi.right, roi.bottom = x, y, x + w, y + h
    roi.name = name
    return roi


def test_prompts_from_roiset(tmp_path):
    path = tmp_path / "prompts.zip"
    polygon = roifile.ImagejRoi.frompoints(np.array([[0, 0], [5, 0], [5, 5]]), name="poly")
    polygon.roitype = roifile.ROI_TYPE.POLYGON
    rois = [
        point_roi([[12, 34]], "click"),
        rect_roi(10, 20, 30, 40, "box"),
        polygon,
        point_roi([[1, 2], [3, 4], [5, 6]], "multi", z=4),
        point_roi([[7.25, 8.5]], "subpixel"),
    ]
    roifile.roiwrite(path, rois)
    with pytest.warns(UserWarning, match="poly"):
        prompts = read_prompts_roiset(path)
    assert [p.name for p in prompts] == ["click", "box", "multi-1", "multi-2", "multi-3", "subpixel"]
    click, box, m1, m2, m3, sub = prompts
    assert click.points.tolist() == [[12.0, 34.0]] and click.labels.tolist() == [1] and click.box is None
    assert box.box.tolist() == [10.0, 20.0, 39.0, 59.0] and box.points is None  # (x, y, x+w-1, y+h-1)
    assert [p.points.tolist() for p in (m1, m2, m3)] == [[[1, 2]], [[3, 4]], [[5, 6]]]
    assert m1.position == (0, 5, 0)  # frompoints' z is 0-based, stored 1-based
    assert sub.points.tolist() == [[7.25, 8.5]]

    with pytest.warns(UserWarning):
        grouped = read_prompts_roiset(path, group_points=True)
    assert [p.name for p in grouped] == ["click", "box", "multi", "subpixel"]
    assert grouped[2].points.shape == (3, 2) and grouped[2].labels.tolist() == [1, 1, 1]
    # usable by the predictor as it is
    assert grouped[2].as_prompt().points.shape == (3, 2)


def test_prompts_from_single_roi_and_errors(tmp_path):
    single = tmp_path / "box.roi"
    rect_roi(0, 0, 1, 1, "tiny").tofile(single)
    (prompt,) = read_prompts_roiset(single)
    assert prompt.box.tolist() == [0, 0, 0, 0]

    with pytest.raises(InputError, match="not found"):
        read_prompts_roiset(tmp_path / "missing.zip")
    junk = tmp_path / "junk.roi"
    junk.write_bytes(b"this is not an ImageJ ROI at all, just some bytes" * 3)
    with pytest.raises(InputError, match="cannot read"):
        read_prompts_roiset(junk)
    only_polygons = tmp_path / "polys.zip"
    roifile.roiwrite(only_polygons, [roifile.ImagejRoi.frompoints(np.array([[0, 0], [4, 0], [4, 4]]), name="p")])
    with pytest.warns(UserWarning), pytest.raises(InputError, match="no point or rectangle"):
        read_prompts_roiset(only_polygons)


# --- prompts from CSV --------------------------------------------------------------------------


def write(tmp_path, text, name="prompts.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_prompts_csv(tmp_path):
    path = write(tmp_path, """# clicks and boxes
prompt,kind,x,y,label,x0,y0,x1,y1
cell1,point,120,80,1,,,,
cell1,point,130.5,95,0,,,,

cell2,box,,,,200,150,260,210
cell1,box,,,,100,60,150,110
""")
    cell1, cell2 = read_prompts_csv(path)
    assert cell1.name == "cell1" and cell1.points.tolist() == [[120, 80], [130.5, 95]]
    assert cell1.labels.tolist() == [1, 0] and cell1.box.tolist() == [100, 60, 150, 110]
    assert cell2.points is None and cell2.box.tolist() == [200, 150, 260, 210]

    simple = write(tmp_path, "X,Y\n1,2\n3,4\n", "simple.csv")
    a, b = read_prompts_csv(simple)
    assert (a.name, b.name) == ("001", "002")
    assert a.points.tolist() == [[1, 2]] and a.labels.tolist() == [1] and a.position is None

    stack = write(tmp_path, "x0,y0,x1,y1,z\n0,0,9,9,3\n", "stack.csv")
    assert read_prompts_csv(stack)[0].position == (0, 3, 0)


@pytest.mark.parametrize(
    "text, message",
    [
        ("1,2\n3,4\n", "line 1: unknown column"),
        ("x,y\n1,abc\n", "line 2: y is not a number: 'abc'"),
        ("# comment\nx,y,label\n1,2,1\n\n5,6,2\n", "line 5: label must be 1"),
        ("x,y\n1,2,3\n", "line 2: 3 values"),
        ("x,y,x0,y0,x1,y1\n1,2,0,0,5,5\n", "line 2: a row is either a point"),
        ("x,y,x0,y0,x1,y1\n,,,,,\n", "line 2: neither a point"),
        ("x0,y0,x1,y1\n5,5,4,9\n", "line 2: box corners"),
        ("kind,x,y\nbox,1,2\n", "line 2: kind is 'box'"),
        ("prompt,x0,y0,x1,y1\na,0,0,1,1\na,0,0,2,2\n", "line 3: prompt 'a' already has a box"),
        ("x,y\n", "no prompt rows"),
        ("x\n1\n", "line 1: the header needs"),
        ("x,y,z\n1,2,-1\n", "line 2: c, z and t"),
        ("x,y\ninf,2\n", "line 2: x must be finite"),
    ],
)
def test_prompts_csv_bad_rows(tmp_path, text, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(")):
        read_prompts_csv(write(tmp_path, text))


# --- samroi polygons ---------------------------------------------------------------------------


def test_cli_polygons_formats(tmp_path, dev_data_dir, capsys):
    src = dev_data_dir / "dsb_he_d02_labels.tif"
    labels = tifffile.imread(src)
    n = int(labels.max())

    assert main(["polygons", str(src), "--out", str(tmp_path / "rois.zip")]) == 0
    rois = roifile.roiread(tmp_path / "rois.zip")
    assert len(rois) == n == len(np.unique(labels)) - 1
    assert [r.name for r in rois] == [f"{k:03d}-label" for k in range(1, n + 1)]
    assert f"{n} ROIs" in capsys.readouterr().out

    assert main(["polygons", str(src), "--out", str(tmp_path / "rois.geojson")]) == 0
    assert len(json.loads((tmp_path / "rois.geojson").read_text())["features"]) == n

    assert main(["polygons", str(src), "--out", str(tmp_path / "back.tif")]) == 0
    assert np.array_equal(tifffile.imread(tmp_path / "back.tif"), labels)

    assert main(["polygons", str(src), "--out", str(tmp_path / "s.zip"), "--simplify", "1", "--min-area", "30"]) == 0
    areas = np.bincount(labels.ravel())[1:]
    assert len(roifile.roiread(tmp_path / "s.zip")) == int((areas >= 30).sum())


def test_cli_polygons_exit_codes(tmp_path, dev_data_dir, capsys):
    src = str(dev_data_dir / "dsb_fluo_d01_labels.tif")
    assert main(["polygons", src, "--out", str(tmp_path / "out.png")]) == 3
    assert "unknown output extension" in capsys.readouterr().err
    assert main(["polygons", str(tmp_path / "missing.tif"), "--out", str(tmp_path / "o.zip")]) == 3
    assert "not found" in capsys.readouterr().err

    garbage = tmp_path / "garbage.tif"
    garbage.write_bytes(b"not a tiff")
    assert main(["polygons", str(garbage), "--out", str(tmp_path / "o.zip")]) == 3
    assert "cannot read" in capsys.readouterr().err

    rgb = str(dev_data_dir / "dsb_he_d01.tif")  # H x W x 3
    assert main(["polygons", rgb, "--out", str(tmp_path / "o.zip")]) == 3
    assert "2-D" in capsys.readouterr().err

    floats = tmp_path / "float.tif"
    tifffile.imwrite(floats, np.zeros((8, 8), np.float32))
    assert main(["polygons", str(floats), "--out", str(tmp_path / "o.zip")]) == 3
    assert "integers" in capsys.readouterr().err

    volume = tmp_path / "volume.tif"
    tifffile.imwrite(volume, np.ones((3, 8, 8), np.uint16), photometric="minisblack")
    assert main(["polygons", str(volume), "--out", str(tmp_path / "o.zip")]) == 3

    assert main(["polygons", src, "--out", str(tmp_path / "o.zip"), "--min-area", "-1"]) == 3
    assert not (tmp_path / "o.zip").exists()


def test_written_files_get_the_usual_permissions(tmp_path):
    """Atomic writes go through a private temporary file; the result must not stay private."""
    import os
    import stat

    from samroi.polygons import mask_to_polygons

    shapes = mask_to_polygons(np.pad(np.ones((3, 3), bool), 1))
    mask = os.umask(0o022)
    try:
        path = tmp_path / "rois.zip"
        outputs.write_roiset(path, [outputs.OutputRoi("001-test", shapes)])
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
    finally:
        os.umask(mask)
