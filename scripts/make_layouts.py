#!/usr/bin/env python3
"""Write python/samroi/data/layouts/<model>.json: every state_dict key -> [shape, dtype].

These files let samroi check a checkpoint strictly (like load_state_dict(strict=True))
without torch. They are generated from the random-initialised reference checkpoints in
../shared/reference, which have the official layout (the official code loads them
strictly):

    efficientsam-ti  <- efficient_sam_vitt_random.pt ({"model": state_dict})
    mobilesam        <- mobile_sam_random.pt         (bare state_dict)
    efficientsam-s   <- the Ti layout with 192->384, 576->1152, 768->1536 in every shape
                        (ARCHITECTURE.md 1.7)
Tensor and parameter counts are checked against the documented totals (Ti 278 /
10,223,204, S 278 / 26,413,028, MobileSAM 439 / 10,130,092; buffers not counted).

Usage: python scripts/make_layouts.py [--reference DIR]
Only samroi.checkpoint is used to read the files (no torch).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "python"))

from samroi.checkpoint import read_state_dict  # noqa: E402
from samroi.modelspec import MODELS  # noqa: E402

OUT = REPO / "python" / "samroi" / "data" / "layouts"
SOURCES = {
    "efficientsam-ti": "efficient_sam_vitt_random.pt",
    "mobilesam": "mobile_sam_random.pt",
}
TI_TO_S = {192: 384, 576: 1152, 768: 1536}
# Buffers (state_dict entries that are not parameters): the prompt encoder's Fourier matrix
# and the BatchNorm statistics.
BUFFER_SUFFIXES = (
    "positional_encoding_gaussian_matrix",
    "running_mean",
    "running_var",
    "num_batches_tracked",
)
# Documented totals (shared/models/README.md, ARCHITECTURE.md): tensors, parameters.
EXPECTED = {
    "efficientsam-ti": (278, 10_223_204),
    "efficientsam-s": (278, 26_413_028),
    "mobilesam": (439, 10_130_092),
}


def numel(shape) -> int:
    n = 1
    for d in shape:
        n *= d
    return n


def write(model: str, layout: dict, source: str) -> None:
    tensors = len(layout)
    total = sum(numel(shape) for shape, _ in layout.values())
    params = sum(numel(s) for k, (s, _) in layout.items() if not k.endswith(BUFFER_SUFFIXES))
    want_tensors, want_params = EXPECTED[model]
    if tensors != want_tensors or params != want_params:
        raise SystemExit(
            f"{model}: {tensors} tensors, {params} parameters; expected "
            f"{want_tensors}, {want_params}"
        )
    lines = [
        "{",
        f'  "model": {json.dumps(model)},',
        f'  "source": {json.dumps(source)},',
        f'  "tensors": {tensors},',
        f'  "parameters": {params},',
        f'  "elements": {total},',
        '  "layout": {',
    ]
    items = [
        f"    {json.dumps(key)}: [{json.dumps(list(shape))}, {json.dumps(dtype)}]"
        for key, (shape, dtype) in layout.items()
    ]
    lines.append(",\n".join(items))
    lines += ["  }", "}", ""]
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{model}.json"
    path.write_text("\n".join(lines), encoding="utf-8")
    json.loads(path.read_text(encoding="utf-8"))  # well-formed
    print(f"{path.relative_to(REPO)}: {tensors} tensors, {params} parameters, {total} elements")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=REPO.parent / "shared" / "reference")
    args = parser.parse_args()
    layouts = {}
    for model, name in SOURCES.items():
        state = read_state_dict(args.reference / name, MODELS[model], data=False)
        layouts[model] = {k: (tuple(v.shape), v.dtype.name) for k, v in state.items()}
        write(model, layouts[model], f"reference/{name} (official layout, random weights)")
    s_layout = {
        k: (tuple(TI_TO_S.get(d, d) for d in shape), dtype)
        for k, (shape, dtype) in layouts["efficientsam-ti"].items()
    }
    write(
        "efficientsam-s",
        s_layout,
        "efficientsam-ti with 192->384, 576->1152, 768->1536 (ARCHITECTURE.md 1.7)",
    )


if __name__ == "__main__":
    main()
