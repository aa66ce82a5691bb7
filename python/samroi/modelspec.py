"""What samroi knows about each model, without importing torch.

A ModelSpec holds the facts every layer needs: how the official code prepares the image
and the prompts, how it turns low-resolution logits into a full-size mask, and how its
checkpoint is laid out. The network itself is in samroi.models (torch) or in the ONNX
graphs of samroi.runtime (onnxruntime).
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import InputError

# Which of the decoder's four mask tokens a call turns into masks: token indices (0 is the
# single-mask output, 1..3 the multimask outputs, in every model here), or BEST_MULTIMASK
# for the multimask output with the highest predicted IoU, chosen inside the decoder.
ALL_MASKS = (0, 1, 2, 3)
MULTIMASK = (1, 2, 3)
SINGLE_MASK = (0,)
BEST_MULTIMASK = -1


@dataclass(frozen=True)
class ModelSpec:
    name: str  # our name, used on the command line and in ROI names
    title: str  # for people
    family: str  # "efficientsam" or "mobilesam": which network code and pre/post-processing
    # How the official predictor fits an image into the 1024x1024 encoder input:
    # "stretch" = bilinear resize of both axes to 1024 (EfficientSAM), "longest-side" =
    # Pillow resize so the longest side is 1024, then zero-pad bottom/right (MobileSAM).
    resize: str
    # EfficientSAM always feeds exactly 6 prompt points to the decoder (padded with label -1);
    # MobileSAM takes any number (None).
    fixed_points: int | None
    # Official binarisation: EfficientSAM keeps logits >= 0, MobileSAM logits > 0.
    threshold_inclusive: bool
    # The checkpoint file as upstream names it, and whether the state_dict sits under "model".
    checkpoint_name: str
    checkpoint_key: str | None
    encoder_dim: int  # embedding width of the image encoder (not the 256-d output)
    encoder_heads: int


MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            name="efficientsam-ti",
            title="EfficientSAM-Ti",
            family="efficientsam",
            resize="stretch",
            fixed_points=6,
            threshold_inclusive=True,
            checkpoint_name="efficient_sam_vitt.pt",
            checkpoint_key="model",
            encoder_dim=192,
            encoder_heads=3,
        ),
        ModelSpec(
            name="efficientsam-s",
            title="EfficientSAM-S",
            family="efficientsam",
            resize="stretch",
            fixed_points=6,
            threshold_inclusive=True,
            checkpoint_name="efficient_sam_vits.pt",
            checkpoint_key="model",
            encoder_dim=384,
            encoder_heads=6,
        ),
        ModelSpec(
            name="mobilesam",
            title="MobileSAM",
            family="mobilesam",
            resize="longest-side",
            fixed_points=None,
            threshold_inclusive=False,
            checkpoint_name="mobile_sam.pt",
            checkpoint_key=None,
            encoder_dim=320,
            encoder_heads=10,
        ),
    )
}

DEFAULT_MODEL = "efficientsam-ti"
IMAGE_SIZE = 1024  # encoder input side
EMBEDDING_SHAPE = (256, 64, 64)
LOWRES_SIZE = 256  # decoder mask side


def get_spec(name: str) -> ModelSpec:
    """The spec for a model name; an InputError listing the valid names otherwise."""
    try:
        return MODELS[name]
    except KeyError:
        raise InputError(
            f"unknown model {name!r}; choose one of: {', '.join(MODELS)}"
        ) from None
