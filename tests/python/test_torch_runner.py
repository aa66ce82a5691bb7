"""The torch runtime through samroi's own pre/post-processing, and the ONNX templates' freshness."""

from __future__ import annotations

import numpy as np
import onnx
import pytest

pytest.importorskip("torch")

from samroi.modelspec import get_spec  # noqa: E402
from samroi.predictor import Predictor  # noqa: E402
from samroi.runtime import graphs  # noqa: E402
from samroi.runtime.torch_runner import TorchRunner  # noqa: E402

from fidelity import (  # noqa: E402
    CHECKPOINTS,
    TOL_EMBEDDING,
    best_only_prompts,
    check_best_only,
    check_case_end_to_end,
    fixture_rgb,
    load_fixture,
    with_iou_recentred,
)


@pytest.mark.parametrize("model", ["efficientsam-ti", "mobilesam"])
def test_torch_predictor_end_to_end(model, reference_dir):
    """16-bit phase contrast (1022x1024): EfficientSAM stretches it, MobileSAM pads it."""
    spec = get_spec(model)
    runner = TorchRunner.for_checkpoint(spec, reference_dir / CHECKPOINTS[model], threads=2)
    ref = load_fixture(reference_dir, spec, "usiigaci_phase_d01")
    predictor = Predictor(runner)
    embedding = predictor.set_image(fixture_rgb(spec, ref))
    assert np.abs(embedding[0] - ref["embedding"]).max() <= TOL_EMBEDDING
    for case in range(5):
        check_case_end_to_end(predictor, ref, case)


@pytest.mark.parametrize("model", ["efficientsam-ti", "mobilesam"])
def test_torch_click_computes_only_its_best_mask(model, reference_dir):
    from samroi.checkpoint import load_state
    from samroi.runtime.torch_runner import build_network

    spec = get_spec(model)
    ref = load_fixture(reference_dir, spec, "dsb_fluo_d01")
    prompts = best_only_prompts(ref)
    state = load_state(reference_dir / CHECKPOINTS[model], spec)
    predictor = Predictor(TorchRunner(spec, build_network(spec, state), threads=2))
    predictor.set_embedding(ref["embedding"][None], *ref["image"].shape[:2])
    scores = np.stack([p.iou for p in predictor.predict_batch(prompts)])
    varied = Predictor(TorchRunner(spec, build_network(spec, with_iou_recentred(state, scores)), threads=2))
    varied.set_embedding(ref["embedding"][None], *ref["image"].shape[:2])
    check_best_only(varied, prompts)


@pytest.mark.parametrize("model", ["efficientsam-ti", "efficientsam-s", "mobilesam"])
def test_committed_templates_match_the_networks(model):
    """python/samroi/runtime/graphs holds what scripts/make_onnx_graphs.py makes today."""
    from samroi.runtime.export import trace_templates

    spec = get_spec(model)
    for part, fresh in trace_templates(spec).items():
        committed = onnx.load(graphs.template_path(spec, part))
        signature = lambda m: (  # noqa: E731
            [(n.op_type, n.domain) for n in m.graph.node],
            [i.name for i in m.graph.input],
        )
        assert signature(fresh) == signature(committed), (
            f"{graphs.template_path(spec, part)} is stale: run python scripts/make_onnx_graphs.py {model}"
        )
