"""Plain-PyTorch implementations of the SAM-family networks samroi runs.

Each network is a torch.nn.Module whose state_dict has exactly the keys and shapes of the
official checkpoint, so official files load with strict=True. All of them expose:

    image_encoder(x)            x: [B, 3, 1024, 1024] float32, already normalised the way the
                                official predictor does it (see samroi.preprocess)
                                -> image embedding [B, 256, 64, 64]
    decode(embedding, coords, labels)
                                embedding [1, 256, 64, 64]; coords [Q, P, 2] float32 in the
                                1024x1024 input frame (pixel indices, before the +0.5 centre
                                shift, which the network applies); labels [Q, P] float32
                                (1 positive, 0 negative, 2/3 box corners, -1 padding)
                                -> (low-res logits [Q, 4, 256, 256], IoU predictions [Q, 4]);
                                output 0 is the single-mask output, 1..3 the multimask outputs.

Padding the prompt points (to 6 for EfficientSAM, one padding point without a box for
MobileSAM) happens before decode, in samroi.preprocess, so that the same arrays feed the
ONNX graphs exported from these modules.
"""

from __future__ import annotations

import importlib

from ..modelspec import get_spec


def build_model(name: str):
    """A randomly initialised network for the model ``name``, in eval mode."""
    spec = get_spec(name)
    module = importlib.import_module(f"{__name__}.{spec.family}")
    model = module.build(spec)
    return model.eval()
