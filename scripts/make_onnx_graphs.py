"""Regenerate the ONNX graph templates committed in python/samroi/runtime/graphs.

Run after changing a network in python/samroi/models (needs torch and onnxscript):

    python scripts/make_onnx_graphs.py [MODEL ...]

tests/python/test_onnx.py checks that the committed templates equal a fresh trace.
"""

from __future__ import annotations

import sys

import onnx

from samroi.modelspec import MODELS
from samroi.runtime import graphs
from samroi.runtime.export import trace_templates


def main(names: list[str]) -> None:
    graphs.TEMPLATES.mkdir(parents=True, exist_ok=True)
    for name in names or list(MODELS):
        spec = MODELS[name]
        for part, model in trace_templates(spec).items():
            path = graphs.template_path(spec, part)
            onnx.save(model, path)
            print(f"{path}: {path.stat().st_size / 1e3:.0f} kB, {len(model.graph.node)} nodes")


if __name__ == "__main__":
    main(sys.argv[1:])
