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

from fidelity import CHECKPOINTS, TOL_EMBEDDING, check_case_end_to_end, fixture_rgb, load_fixture  # noqa: E402


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
