"""The onnxruntime path reproduces the official models, and needs no torch.

The ONNX graphs are the committed templates filled with the random-initialised official
checkpoints of ../shared/reference; the golden outputs there are the official code's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import onnx
import pytest

from samroi.modelspec import get_spec
from samroi.predictor import Predictor
from samroi.runtime import graphs
from samroi.runtime.onnx_runner import OnnxRunner

from fidelity import (
    CHECKPOINTS,
    FIXTURE_IMAGES,
    TOL_EMBEDDING,
    TOL_IOU,
    TOL_LOWRES_DECODER,
    best_only_prompts,
    case_prompt,
    check_best_only,
    check_case_end_to_end,
    fixture_rgb,
    load_fixture,
    with_iou_recentred,
)

MODELS = ("efficientsam-ti", "mobilesam")


@pytest.fixture(scope="module", params=MODELS)
def runner(request, reference_dir, tmp_path_factory):
    os.environ["SAMROI_HOME"] = str(tmp_path_factory.mktemp("home"))
    spec = get_spec(request.param)
    return OnnxRunner.for_checkpoint(spec, reference_dir / CHECKPOINTS[spec.name], threads=2)


@pytest.mark.parametrize("image", FIXTURE_IMAGES)
def test_end_to_end_matches_official(runner, reference_dir, image):
    """Own preprocessing, encoder, decoder and upscaling against the official outputs."""
    ref = load_fixture(reference_dir, runner.spec, image)
    predictor = Predictor(runner)
    embedding = predictor.set_image(fixture_rgb(runner.spec, ref))
    assert np.abs(embedding[0] - ref["embedding"]).max() <= TOL_EMBEDDING
    for case in range(5):
        check_case_end_to_end(predictor, ref, case)


def test_decoder_on_official_embedding(runner, reference_dir):
    """The decoder alone, fed the stored embedding: every case and the batched boxes."""
    spec = runner.spec
    ref = load_fixture(reference_dir, spec, "dsb_fluo_d01")
    predictor = Predictor(runner)
    predictor.set_embedding(ref["embedding"][None], *ref["image"].shape[:2])
    for case in range(5):
        result = predictor.predict(**case_prompt(ref, case), multimask=case != 4)
        assert np.abs(result.lowres - ref[f"case{case}_lowres"]).max() <= TOL_LOWRES_DECODER
        assert np.abs(result.iou - ref[f"case{case}_iou"]).max() <= TOL_IOU
    from samroi.predictor import Prompt

    batch = predictor.predict_batch([Prompt(box=box) for box in ref["batch_boxes"]])
    assert np.abs(np.stack([r.lowres for r in batch]) - ref["batch_lowres"]).max() <= TOL_LOWRES_DECODER
    assert np.abs(np.stack([r.iou for r in batch]) - ref["batch_iou"]).max() <= TOL_IOU


def test_a_click_computes_only_its_best_mask(runner, reference_dir, tmp_path):
    from samroi.checkpoint import load_state

    spec = runner.spec
    ref = load_fixture(reference_dir, spec, "dsb_fluo_d01")
    prompts = best_only_prompts(ref)
    predictor = Predictor(runner)
    predictor.set_embedding(ref["embedding"][None], *ref["image"].shape[:2])
    scores = np.stack([p.iou for p in predictor.predict_batch(prompts)])
    state = with_iou_recentred(load_state(reference_dir / CHECKPOINTS[spec.name], spec), scores)
    graphs.build_onnx(spec, state, tmp_path / "graphs")
    varied = Predictor(OnnxRunner(spec, graphs.paths_in(tmp_path / "graphs"), threads=2))
    varied.set_embedding(ref["embedding"][None], *ref["image"].shape[:2])
    check_best_only(varied, prompts)


def test_each_image_gets_its_own_masks_when_clicks_alternate(runner, reference_dir):
    """The decoder's per-image work is kept between clicks; switching images back and forth,
    or changing a writable embedding in place, still gives each image its official masks."""
    spec = runner.spec
    refs = [load_fixture(reference_dir, spec, image) for image in FIXTURE_IMAGES[:2]]

    def check(embedding, ref):
        predictor = Predictor(runner)
        predictor.set_embedding(embedding, *ref["image"].shape[:2])
        result = predictor.predict(**case_prompt(ref, 0))
        assert np.abs(result.lowres - ref["case0_lowres"]).max() <= TOL_LOWRES_DECODER
        assert np.abs(result.iou - ref["case0_iou"]).max() <= TOL_IOU

    fixed = []
    for ref in refs:
        embedding = ref["embedding"][None].copy()
        embedding.flags.writeable = False  # as the embedding cache hands them out
        fixed.append(embedding)
    for index in (0, 1, 0, 1):
        check(fixed[index], refs[index])
    writable = refs[0]["embedding"][None].copy()
    check(writable, refs[0])
    writable[...] = refs[1]["embedding"][None]
    check(writable, refs[1])


def test_mixed_prompts_in_one_call_match_each_alone(runner, reference_dir):
    """Objects with different numbers of points share a decoder call (EfficientSAM's padding
    points are then merged per object, with empty slots where an object has fewer points);
    each gets what it gets alone."""
    from samroi.predictor import Prompt

    ref = load_fixture(reference_dir, runner.spec, "dsb_fluo_d01")
    predictor = Predictor(runner)
    predictor.set_embedding(ref["embedding"][None], *ref["image"].shape[:2])
    prompts = [
        Prompt(points=np.array([[120.0, 80.0]]), labels=np.array([1])),
        Prompt(points=np.array([[120.0, 80.0], [140.0, 90.0], [60.0, 200.0]]), labels=np.array([1, 1, 0])),
        Prompt(box=np.array([30.0, 40.0, 160.0, 150.0])),
        Prompt(points=np.array([[100.0, 100.0]]), labels=np.array([1]), box=np.array([30.0, 40.0, 160.0, 150.0])),
    ]
    together = predictor.predict_batch(prompts)
    for prompt, joint in zip(prompts, together):
        alone = predictor.predict_batch([prompt])[0]
        assert np.abs(joint.lowres - alone.lowres).max() <= TOL_LOWRES_DECODER
        assert np.abs(joint.iou - alone.iou).max() <= TOL_IOU


def test_merged_padding_keeps_points_and_weights_the_pads():
    from samroi.runtime.onnx_runner import EMPTY_SLOT, merge_padding

    coords = np.array([[[5, 6], [-1, -1], [7, 8], [-1, -1], [-1, -1], [-1, -1]], [[1, 2]] * 6], np.float32)
    labels = np.array([[1, -1, 0, -1, -1, -1], [1] * 6], np.float32)
    c, lab, w = merge_padding(coords, labels)
    assert c.shape == (2, 6, 2)  # the second object has six real points
    np.testing.assert_array_equal(c[0, :3], [[5, 6], [7, 8], [-1, -1]])
    np.testing.assert_array_equal(lab[0, :3], [1, 0, -1])
    np.testing.assert_allclose(w[0], [0, 0, np.log(4), EMPTY_SLOT, EMPTY_SLOT, EMPTY_SLOT], rtol=1e-6)
    np.testing.assert_array_equal(w[1], np.zeros(6))


def test_fused_and_standard_attention_agree(reference_dir, tmp_path):
    """The fused MultiHeadAttention graph computes the same as the standard Attention one."""
    spec = get_spec("efficientsam-ti")
    from samroi.checkpoint import load_state

    state = load_state(reference_dir / CHECKPOINTS[spec.name], spec)
    fused = graphs.build_onnx(spec, state, tmp_path / "mha", attention="mha")
    plain = graphs.build_onnx(spec, state, tmp_path / "std", attention="standard")
    import onnx

    ops = lambda p: {n.op_type for n in onnx.load(p).graph.node}  # noqa: E731
    assert "MultiHeadAttention" in ops(fused["encoder"]) and "Attention" not in ops(fused["encoder"])
    assert "Attention" in ops(plain["encoder"])
    ref = load_fixture(reference_dir, spec, "dsb_fluo_d01")
    from samroi import preprocess

    x = preprocess.model_input(spec, fixture_rgb(spec, ref))
    a = OnnxRunner(spec, fused, threads=2).encode(x)
    b = OnnxRunner(spec, plain, threads=2).encode(x)
    assert np.abs(a - b).max() <= TOL_EMBEDDING


def test_onnx_folder_is_complete_or_absent(reference_dir, tmp_path):
    """A build that fails half-way leaves nothing that looks ready."""
    spec = get_spec("efficientsam-ti")
    from samroi.checkpoint import load_state
    from samroi.errors import WeightsError

    state = load_state(reference_dir / CHECKPOINTS[spec.name], spec)
    del state["mask_decoder.iou_token.weight"]
    with pytest.raises(WeightsError, match="mask_decoder.iou_token.weight"):
        graphs.build_onnx(spec, state, tmp_path / "broken")
    assert not graphs.is_complete(tmp_path / "broken")
    assert list(tmp_path.iterdir()) == []


def test_runs_without_torch(reference_dir, tmp_path):
    """In a Python where torch cannot be imported, the ONNX path builds its graphs and runs."""
    script = textwrap.dedent(
        f"""
        import sys, importlib.abc
        class NoTorch(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name == "torch" or name.startswith("torch."):
                    raise ImportError("torch is hidden in this test")
        sys.meta_path.insert(0, NoTorch())
        import numpy as np
        from samroi.modelspec import get_spec
        from samroi.predictor import Predictor
        from samroi.runtime import load_runner
        for name, ckpt, fixture in [
            ("efficientsam-ti", "efficient_sam_vitt_random.pt", "efficientsam_ti_dsb_fluo_d01.npz"),
            ("mobilesam", "mobile_sam_random.pt", "mobilesam_dsb_fluo_d01.npz"),
        ]:
            ref = np.load({str(reference_dir)!r} + "/" + fixture)
            runner = load_runner(name, "onnx", checkpoint={str(reference_dir)!r} + "/" + ckpt, threads=2)
            p = Predictor(runner)
            p.set_embedding(ref["embedding"][None], 256, 256)
            r = p.predict(ref["case0_points"], ref["case0_labels"])
            assert np.abs(r.lowres - ref["case0_lowres"]).max() <= 5e-5
        assert "torch" not in sys.modules
        print("ok without torch")
        """
    )
    env = dict(os.environ, SAMROI_HOME=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "ok without torch" in out.stdout


def test_changed_templates_get_new_graphs(reference_dir, tmp_path, monkeypatch):
    """Graphs built by an older samroi (other templates) are not reused for the new networks."""
    import shutil

    from samroi.runtime import onnx_runner

    spec = get_spec("efficientsam-ti")
    templates = tmp_path / "templates"
    shutil.copytree(graphs.TEMPLATES, templates)
    monkeypatch.setattr(graphs, "TEMPLATES", templates)
    monkeypatch.setenv("SAMROI_HOME", str(tmp_path / "home"))
    graphs.templates_digest.cache_clear()
    checkpoint = reference_dir / CHECKPOINTS[spec.name]
    try:
        old = onnx_runner.ensure_onnx(spec, checkpoint)
        decoder = onnx.load(graphs.template_path(spec, "decoder"))
        decoder.doc_string = "a changed network"
        onnx.save(decoder, graphs.template_path(spec, "decoder"))
        graphs.templates_digest.cache_clear()
        new = onnx_runner.ensure_onnx(spec, checkpoint)
    finally:
        graphs.templates_digest.cache_clear()
    assert new != old and graphs.is_complete(new)
    assert onnx.load(new / "decoder.onnx").doc_string == "a changed network"
