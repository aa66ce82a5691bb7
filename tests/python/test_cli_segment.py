"""`samroi segment`, `samroi models` and scripts/run-sample.sh, end to end (ONNX runtime).

The random-weight fixture checkpoints of ../shared/reference make the official models'
golden masks reproducible: the CLI's outputs (label TIFF, RoiSet) must fill exactly those
masks, within the fixture README's tolerance. Every call shares one SAMROI_HOME (ONNX graphs
built once) and one --cache-dir, so each (model, image) pair is encoded only once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import roifile
import tifffile
from PIL import Image

from samroi.cli import main
from samroi.polygons import Shape, rasterize

REPO = Path(__file__).resolve().parents[2]
CHECKPOINTS = {"efficientsam-ti": "efficient_sam_vitt_random.pt", "mobilesam": "mobile_sam_random.pt"}
FIXTURE_PREFIX = {"efficientsam-ti": "efficientsam_ti", "mobilesam": "mobilesam"}
LOGIT_TOL = 1e-4  # reference README: logits_full end to end
CLOSED_PORT = "http://127.0.0.1:9/"  # nothing listens there: downloads fail at once, offline


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("samroi_home")


@pytest.fixture(autouse=True)
def _env(monkeypatch, home):
    monkeypatch.setenv("SAMROI_HOME", str(home))
    monkeypatch.setenv("SAMROI_WEIGHTS_URL", CLOSED_PORT)  # never the internet


def run_cli(capsys, *args) -> tuple[int, str]:
    code = main([str(a) for a in args])
    return code, capsys.readouterr().err


def segment(capsys, reference_dir, home, image, model, *args) -> tuple[int, str]:
    """samroi segment with the fixture checkpoint and the shared embedding cache."""
    return run_cli(
        capsys, "segment", image, "--model", model,
        "--checkpoint", reference_dir / CHECKPOINTS[model],
        "--cache-dir", home / "embeddings", *args,
    )


def golden(reference_dir, model, image, case):
    """(npz, masks best first by predicted IoU, logits_full in the same order or None)."""
    z = np.load(reference_dir / f"{FIXTURE_PREFIX[model]}_{image}.npz")
    shape = z[f"case{case}_masks_shape"]
    masks = np.unpackbits(z[f"case{case}_masks"], count=int(np.prod(shape))).reshape(shape).astype(bool)
    order = np.argsort(-z[f"case{case}_iou"], kind="stable")
    key = f"case{case}_logits_full"
    logits = z[key][order] if key in z.files else None
    return z, masks[order], logits


def num(v) -> str:
    return repr(float(v))


def box_arg(z, case) -> str:
    return ",".join(num(v) for v in z[f"case{case}_box"])


def point_args(z, case) -> list[str]:
    out = []
    for (x, y), label in zip(z[f"case{case}_points"], z[f"case{case}_labels"]):
        out += ["--point", f"{num(x)},{num(y)},{int(label)}"]
    return out


def assert_mask_matches(got, want, logits, what=""):
    assert got.shape == want.shape
    differ = got != want
    if logits is not None:
        bad = np.abs(logits[differ]) > LOGIT_TOL
        assert not bad.any(), f"{what}: {int(bad.sum())} pixels differ where |logit| > {LOGIT_TOL}"
    iou = (got & want).sum() / max((got | want).sum(), 1)
    assert iou >= 0.999, f"{what}: IoU {iou:.5f} with the golden mask ({int(differ.sum())} px differ)"


def roi_mask(ij, shape) -> np.ndarray:
    """What ImageJ fills for a traced or composite ROI (even-odd over all its rings)."""
    rings = ij.coordinates(multi=True) if ij.composite else [ij.coordinates()]
    rings = [np.asarray(r[:-1] if ij.composite else r, np.int32) for r in rings]
    return rasterize(Shape(rings[0], tuple(rings[1:])), shape)


# ------------------------------------------------------------------------------ golden masks


@pytest.mark.parametrize(
    "model, image, normalize",
    [
        ("efficientsam-ti", "dsb_fluo_d01", "range:0,255"),
        ("mobilesam", "dsb_fluo_d01", "range:0,255"),
        ("efficientsam-ti", "usiigaci_phase_d01", "minmax"),
        ("mobilesam", "usiigaci_phase_d01", "minmax"),
    ],
)
def test_box_best_mask_label_tiff_equals_golden(capsys, tmp_path, reference_dir, dev_data_dir, home,
                                                model, image, normalize):
    z, masks, logits = golden(reference_dir, model, image, 2)
    out = tmp_path / "labels.tif"
    code, err = segment(capsys, reference_dir, home, dev_data_dir / f"{image}.tif", model,
                        "--normalize", normalize, "--box", box_arg(z, 2), "--all-components",
                        "--out", out)
    assert code == 0, err
    labels = tifffile.imread(out)
    assert labels.dtype == np.uint16 and set(np.unique(labels)) <= {0, 1}
    assert_mask_matches(labels == 1, masks[0], None if logits is None else logits[0], f"{model} {image}")


def test_single_mask_equals_golden(capsys, tmp_path, reference_dir, dev_data_dir, home):
    z, masks, logits = golden(reference_dir, "efficientsam-ti", "dsb_fluo_d01", 4)
    out = tmp_path / "single.tif"
    code, err = segment(capsys, reference_dir, home, dev_data_dir / "dsb_fluo_d01.tif", "efficientsam-ti",
                        "--normalize", "range:0,255", *point_args(z, 4), "--single-mask",
                        "--all-components", "--out", out)
    assert code == 0, err
    assert_mask_matches(tifffile.imread(out) == 1, masks[0], logits[0], "single mask")


def test_roiset_points_box_and_csv(capsys, tmp_path, reference_dir, dev_data_dir, home):
    """--point flags = one object, --box = one, a CSV prompt (box + click) = one; ROIs fill the masks."""
    z, _, _ = golden(reference_dir, "efficientsam-ti", "dsb_fluo_d01", 0)
    (bx, by), = z["case3_points"]
    csv = tmp_path / "case3.csv"
    csv.write_text(
        "prompt,x,y,label,x0,y0,x1,y1\n"
        f"B,{num(bx)},{num(by)},1,,,,\n"
        "B,,,," + box_arg(z, 3) + "\n"
    )
    out = tmp_path / "rois.zip"
    code, err = segment(capsys, reference_dir, home, dev_data_dir / "dsb_fluo_d01.tif", "efficientsam-ti",
                        "--normalize", "range:0,255", *point_args(z, 1), "--box", box_arg(z, 2),
                        "--prompts", csv, "--all-components", "--out", out)
    assert code == 0, err
    assert "3 of 3 objects" in err and "0 empty" in err  # the summary line (not --quiet)
    rois = roifile.roiread(out)
    assert [r.name for r in rois] == ["001-efficientsam-ti", "002-efficientsam-ti", "003-efficientsam-ti"]
    assert "prompt: B" in (rois[2].props or "")
    for ij, case in zip(rois, (1, 2, 3)):
        _, masks, logits = golden(reference_dir, "efficientsam-ti", "dsb_fluo_d01", case)
        assert_mask_matches(roi_mask(ij, masks[0].shape), masks[0], logits[0], f"ROI {ij.name}")


def test_all_masks_roiset_and_geojson(capsys, tmp_path, reference_dir, dev_data_dir, home):
    z, masks, logits = golden(reference_dir, "efficientsam-ti", "dsb_fluo_d01", 2)
    common = ("--normalize", "range:0,255", "--box", box_arg(z, 2), "--all-masks", "--all-components", "--quiet")
    image = dev_data_dir / "dsb_fluo_d01.tif"
    code, err = segment(capsys, reference_dir, home, image, "efficientsam-ti", *common, "--out", tmp_path / "all.zip")
    assert code == 0, err
    assert err == ""  # --quiet
    rois = roifile.roiread(tmp_path / "all.zip")
    assert [r.name for r in rois] == [f"001-efficientsam-ti-m{k}" for k in (1, 2, 3)]
    for ij, mask, logit in zip(rois, masks, logits):
        assert_mask_matches(roi_mask(ij, mask.shape), mask, logit, ij.name)

    code, err = segment(capsys, reference_dir, home, image, "efficientsam-ti", *common,
                        "--out", tmp_path / "all.geojson")
    assert code == 0, err
    doc = json.loads((tmp_path / "all.geojson").read_text())
    assert [f["properties"]["name"] for f in doc["features"]] == [r.name for r in rois]

    code, err = segment(capsys, reference_dir, home, image, "efficientsam-ti", *common, "--out", tmp_path / "x.tif")
    assert code == 3 and "--all-masks" in err


def test_prompts_from_roiset(capsys, tmp_path, reference_dir, dev_data_dir, home):
    z, _, _ = golden(reference_dir, "efficientsam-ti", "dsb_fluo_d01", 0)
    (x, y), = z["case0_points"].astype(int)
    x0, y0, x1, y1 = z["case2_box"].astype(int)

    def point_roi(points, name):
        roi = roifile.ImagejRoi.frompoints(np.asarray(points), name=name)
        roi.roitype = roifile.ROI_TYPE.POINT
        return roi

    rect = roifile.ImagejRoi()
    rect.roitype = roifile.ROI_TYPE.RECT
    rect.left, rect.top, rect.right, rect.bottom = x0, y0, x1 + 1, y1 + 1  # ImageJ (x, y, w, h)
    rect.name, rect.position = "box", 3
    prompts = tmp_path / "prompts.zip"
    roifile.roiwrite(prompts, [point_roi([[x, y]], "a"), point_roi([[x, y], [184, 191]], "b"), rect])

    image = dev_data_dir / "dsb_fluo_d01.tif"
    args = ("--normalize", "range:0,255", "--prompts", prompts, "--all-components", "--quiet")
    code, err = segment(capsys, reference_dir, home, image, "efficientsam-ti", *args, "--out", tmp_path / "o.zip")
    assert code == 0, err
    rois = roifile.roiread(tmp_path / "o.zip")
    assert [r.name for r in rois] == [f"00{k}-efficientsam-ti" for k in (1, 2, 3, 4)]  # b: one object per point
    assert rois[3].position == 3 and rois[0].position == 0  # positions come from the prompt file
    for ij, case in ((rois[0], 0), (rois[3], 2)):
        _, masks, logits = golden(reference_dir, "efficientsam-ti", "dsb_fluo_d01", case)
        assert_mask_matches(roi_mask(ij, masks[0].shape), masks[0], logits[0], ij.name)

    code, err = segment(capsys, reference_dir, home, image, "efficientsam-ti", *args, "--group-points",
                        "--out", tmp_path / "g.zip")
    assert code == 0, err
    assert len(roifile.roiread(tmp_path / "g.zip")) == 3


def test_all_masks_empty_is_a_warning(capsys, tmp_path, reference_dir, dev_data_dir, home):
    out = tmp_path / "none.zip"
    code, err = segment(capsys, reference_dir, home, dev_data_dir / "dsb_fluo_d01.tif", "efficientsam-ti",
                        "--normalize", "range:0,255", "--box", "176,144,221,200", "--point", "10,10",
                        "--min-area", 10**9, "--out", out)
    assert code == 0, err
    assert "prompt 1 (the --point flags): the mask is empty" in err
    assert "prompt 2 (--box 176,144,221,200): the mask is empty" in err
    assert "all 2 masks are empty" in err
    assert roifile.roiread(out) == []


# ------------------------------------------------------------------------------ errors


@pytest.fixture
def fluo(dev_data_dir) -> Path:
    return dev_data_dir / "dsb_fluo_d01.tif"


def test_point_outside_the_image(capsys, tmp_path, reference_dir, fluo):
    code, err = run_cli(capsys, "segment", fluo, "--checkpoint", reference_dir / CHECKPOINTS["efficientsam-ti"],
                        "--point", "300,10", "--out", tmp_path / "o.zip")
    assert code == 3
    assert "(300, 10)" in err and "0..255" in err
    code, err = run_cli(capsys, "segment", fluo, "--box", "10,10,5,20", "--out", tmp_path / "o.zip")
    assert code == 3 and "degenerate" in err


@pytest.mark.parametrize(
    "args, words",
    [
        ((), ("no prompt", "--point", "--box", "--prompts")),
        (("--box", "1,2,3,4", "--normalize", "range:5"), ("--normalize", "range")),
        (("--box", "1,2,3,4", "--normalize", "zscore"), ("--normalize", "zscore")),
        (("--point", "1;2"), ("--point", "X,Y")),
        (("--point", "1,2,7"), ("LABEL",)),
        (("--box", "1,2,3"), ("--box", "X0,Y0,X1,Y1")),
        (("--box", "1,2,3,4", "--prompts", "p.txt"), ("prompt file",)),
        (("--box", "1,2,3,4", "--tile", "10"), ("--tile",)),
        (("--box", "1,2,3,4", "--channel", "2"), ("channel 2",)),
    ],
)
def test_bad_input_exits_3(capsys, tmp_path, fluo, args, words):
    code, err = run_cli(capsys, "segment", fluo, *args, "--out", tmp_path / "o.zip")
    assert code == 3, err
    for word in words:
        assert word in err


def test_bad_files_exit_3(capsys, tmp_path, fluo):
    code, err = run_cli(capsys, "segment", tmp_path / "missing.tif", "--box", "1,2,3,4", "--out", tmp_path / "o.zip")
    assert code == 3 and "not found" in err
    code, err = run_cli(capsys, "segment", fluo, "--box", "1,2,3,4", "--out", tmp_path / "o.png")
    assert code == 3 and "extension" in err
    code, err = run_cli(capsys, "segment", fluo, "--box", "1,2,3,4", "--out", tmp_path / "no" / "o.zip")
    assert code == 3 and "does not exist" in err
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1,abc\n")
    code, err = run_cli(capsys, "segment", fluo, "--prompts", bad, "--out", tmp_path / "o.zip")
    assert code == 3 and "bad.csv line 2" in err
    code, err = run_cli(capsys, "segment", fluo, "--box", "1,2,3,4", "--box", "5,6,7,8", "--out", tmp_path / "o.roi")
    assert code == 3 and ".zip" in err


def test_missing_weights(capsys, tmp_path, monkeypatch, reference_dir, fluo):
    monkeypatch.setenv("SAMROI_HOME", str(tmp_path / "empty_home"))
    code, err = run_cli(capsys, "segment", fluo, "--box", "176,144,221,200", "--out", tmp_path / "o.zip")
    assert code == 5, err
    assert "127.0.0.1:9" in err and "--checkpoint" in err
    code, err = run_cli(capsys, "segment", fluo, "--box", "176,144,221,200", "--checkpoint", tmp_path / "nope.pt",
                        "--out", tmp_path / "o.zip")
    assert code == 4 and "nope.pt" in err
    assert not (tmp_path / "o.zip").exists()


@pytest.mark.parametrize(
    "args",
    [
        ("--box", "1,2,3,4"),  # no --out
        ("--box", "1,2,3,4", "--out", "o.zip", "--model", "sam-huge"),
        ("--box", "1,2,3,4", "--out", "o.zip", "--channel", "0", "--rgb", "0,1"),
        ("--box", "1,2,3,4", "--out", "o.zip", "--min-area", "many"),
        ("--box", "1,2,3,4", "--out", "o.zip", "--no-such-option"),
    ],
)
def test_usage_errors_exit_2(capsys, fluo, args):
    with pytest.raises(SystemExit) as exc:
        main(["segment", str(fluo), *args])
    assert exc.value.code == 2


def test_models_lists_paths(capsys, home):
    assert main(["models"]) == 0
    text = capsys.readouterr().out
    for name in ("efficientsam-ti", "efficientsam-s", "mobilesam"):
        assert name in text
    for sub in ("weights", "onnx", "embeddings"):
        assert str(home / sub) in text
    assert main(["models", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["home"] == str(home) and info["home_from_env"] is True
    assert info["paths"]["weights"] == str(home / "weights")
    assert [m["name"] for m in info["models"]] == ["efficientsam-ti", "efficientsam-s", "mobilesam"]
    assert all(m["installed"] is False and m["identity"] == "missing" for m in info["models"])


def test_models_prune_removes_only_graphs_this_samroi_cannot_use(capsys, monkeypatch, tmp_path):
    import time

    from samroi.modelspec import get_spec
    from samroi.runtime.onnx_runner import onnx_folder

    monkeypatch.setenv("SAMROI_HOME", str(tmp_path))
    onnx = tmp_path / "onnx"
    current = onnx_folder(get_spec("efficientsam-ti"), "cda705a71a62d354" + "0" * 24)
    assert not current.name.endswith("-00c0ffee")  # the digest of templates no samroi has
    stale = [onnx / "efficientsam-ti-cda705a71a62d354-00c0ffee", onnx / "mobilesam-f94274b5b745fd58-00c0ffee-mha"]
    cut_off = onnx / "efficientsam-ti-cda705a71a62d354-00c0ffee.k2j4.part"
    running = onnx / "mobilesam-f94274b5b745fd58-00c0ffee.x9q1.part"  # another process building now
    mine = onnx / "my notes"
    for folder in (current, *stale, cut_off, running, mine):
        folder.mkdir(parents=True)
        (folder / "encoder.onnx").write_bytes(b"x" * 1000)
    hours_ago = time.time() - 2 * 3600
    os.utime(cut_off, (hours_ago, hours_ago))

    assert main(["models", "--prune"]) == 0
    out = capsys.readouterr().out
    assert "3 ONNX build(s) removed" in out
    assert sorted(p.name for p in onnx.iterdir()) == sorted([current.name, running.name, mine.name])
    assert main(["models", "--prune"]) == 0
    assert "no stale ONNX builds" in capsys.readouterr().out


# ------------------------------------------------------------------------------ run-sample.sh


def _script_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("SAMROI_CHECKPOINT", "SAMROI_WEIGHTS_URL")}
    # samroi importable from this repository, so the script does not pip-install anything.
    env["PYTHONPATH"] = str(REPO / "python") + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHON"] = sys.executable
    env.update({k: str(v) for k, v in extra.items()})
    return env


def test_run_sample_with_local_checkpoint(tmp_path, reference_dir, home):
    env = _script_env(SAMROI_HOME=home, SAMROI_CHECKPOINT=reference_dir / CHECKPOINTS["efficientsam-ti"],
                      SAMROI_WEIGHTS_URL=CLOSED_PORT)
    done = subprocess.run(["bash", str(REPO / "scripts" / "run-sample.sh")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    rois = roifile.roiread(tmp_path / "out" / "sample_rois.zip")
    assert [r.name for r in rois] == [f"{k:03d}-efficientsam-ti" for k in range(1, 11)]
    overlay = Image.open(tmp_path / "out" / "sample_overlay.png")
    assert overlay.size == (696, 520)  # the sample image with the outlines drawn in


def test_run_sample_offline_without_checkpoint(tmp_path):
    env = _script_env(SAMROI_HOME=tmp_path / "home", SAMROI_WEIGHTS_URL=CLOSED_PORT)
    done = subprocess.run(["bash", str(REPO / "scripts" / "run-sample.sh")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 5, done.stderr
    assert "--checkpoint" in done.stderr  # samroi's own message
    assert "SAMROI_CHECKPOINT=FILE bash scripts/run-sample.sh" in done.stderr
    assert not (tmp_path / "out" / "sample_rois.zip").exists()
