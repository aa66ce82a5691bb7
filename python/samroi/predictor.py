"""One image in, masks out: the official predictors' behaviour on either runtime.

    predictor = Predictor(load_runner("efficientsam-ti"))
    predictor.set_image(rgb)                      # H x W x 3, values in [0, 1]
    result = predictor.predict(points=[[120, 80]], labels=[1])
    result.masks[result.best]                     # H x W bool

The image is fitted into the 1024x1024 encoder input the way the official code does it
(stretch for EfficientSAM, longest side + padding for MobileSAM). samroi.engine builds
tiling and caching on top of this class.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import preprocess
from .errors import PromptError
from .modelspec import BEST_MULTIMASK, MULTIMASK, SINGLE_MASK


@dataclass
class Prompt:
    """One object to segment: clicks (x, y) with labels 1 object / 0 background, and/or a box."""

    points: np.ndarray | None = None
    labels: np.ndarray | None = None
    box: np.ndarray | None = None


@dataclass
class Prediction:
    """Masks of one prompt in decoder order (not sorted), with their predicted IoU; only the
    best one when predicted with best_only."""

    lowres: np.ndarray  # [M, 256, 256] logits
    iou: np.ndarray  # [M]
    height: int
    width: int
    spec: object

    @property
    def best(self) -> int:
        """Index of the mask with the highest predicted IoU."""
        return int(np.argmax(self.iou))

    def logits(self) -> np.ndarray:
        """Full-size logits [M, H, W]."""
        return preprocess.full_logits(self.spec, self.lowres, self.height, self.width)

    @property
    def masks(self) -> np.ndarray:
        """Full-size binary masks [M, H, W]."""
        return preprocess.threshold(self.spec, self.logits())


class Predictor:
    def __init__(self, runner):
        self.runner = runner
        self.spec = runner.spec
        self.embedding: np.ndarray | None = None
        self.height = self.width = 0

    def set_image(self, rgb: np.ndarray) -> np.ndarray:
        """Encode an H x W x 3 image with values in [0, 1]; returns the embedding."""
        self.set_embedding(self.runner.encode(preprocess.model_input(self.spec, rgb)), rgb.shape[0], rgb.shape[1])
        return self.embedding

    def set_embedding(self, embedding: np.ndarray, height: int, width: int) -> None:
        """Use an embedding computed earlier for an image of the given size."""
        self.embedding = embedding
        self.height, self.width = int(height), int(width)

    def predict(self, points=None, labels=None, box=None, multimask: bool = True, best_only: bool = False) -> Prediction:
        return self.predict_batch([Prompt(points, labels, box)], multimask, best_only)[0]

    def predict_batch(self, prompts: list[Prompt], multimask: bool = True, best_only: bool = False) -> list[Prediction]:
        """Decode several objects; prompts with the same number of points share one decoder call.

        multimask: the three multimask outputs instead of the single-mask one. best_only: of
        the multimask outputs, only the one with the highest predicted IoU, which the decoder
        then computes alone (a click needs no more); the single-mask output is one anyway.
        """
        if self.embedding is None:
            raise RuntimeError("set_image() first")
        prepared = [
            preprocess.decoder_prompts(self.spec, self.height, self.width, p.points, p.labels, p.box)
            for p in prompts
        ]
        results: list[Prediction | None] = [None] * len(prompts)
        groups: dict[int, list[int]] = {}
        for index, (coords, _) in enumerate(prepared):
            groups.setdefault(len(coords), []).append(index)
        masks = SINGLE_MASK if not multimask else (BEST_MULTIMASK,) if best_only else MULTIMASK
        for members in groups.values():
            coords = np.stack([prepared[i][0] for i in members])
            labels = np.stack([prepared[i][1] for i in members])
            lowres, iou = self.runner.decode(self.embedding, coords, labels, masks)
            for row, index in enumerate(members):
                results[index] = Prediction(lowres[row], _scores(iou[row], masks), self.height, self.width, self.spec)
        return results


def _scores(iou: np.ndarray, masks: tuple[int, ...]) -> np.ndarray:
    """The predicted IoU of the masks a decoder call made for ``masks``, from all four."""
    if masks == (BEST_MULTIMASK,):
        return iou[list(MULTIMASK)].max(keepdims=True)
    return iou[list(masks)]


def check_prompt(spec, prompt: Prompt, height: int, width: int) -> None:
    """PromptError unless ``spec``'s model can take ``prompt`` on an image of this size."""
    check_prompt_inside(prompt, height, width)
    preprocess.decoder_prompts(spec, height, width, prompt.points, prompt.labels, prompt.box)


def check_prompt_inside(prompt: Prompt, height: int, width: int) -> None:
    """PromptError unless every point and box lies on the image (pixel indices)."""
    if prompt.points is not None:
        pts = np.asarray(prompt.points, np.float64).reshape(-1, 2)
        bad = (pts[:, 0] < 0) | (pts[:, 0] > width - 1) | (pts[:, 1] < 0) | (pts[:, 1] > height - 1)
        if bad.any():
            x, y = pts[np.argmax(bad)]
            raise PromptError(
                f"point ({x:g}, {y:g}) is outside the image; x must be in 0..{width - 1} and y in 0..{height - 1}"
            )
    if prompt.box is not None:
        x0, y0, x1, y1 = np.asarray(prompt.box, np.float64).reshape(4)
        if not (0 <= x0 <= width - 1 and 0 <= x1 <= width - 1 and 0 <= y0 <= height - 1 and 0 <= y1 <= height - 1):
            raise PromptError(
                f"box ({x0:g}, {y0:g}, {x1:g}, {y1:g}) reaches outside the image; corners must lie in "
                f"x 0..{width - 1}, y 0..{height - 1}"
            )
        if x1 <= x0 or y1 <= y0:
            raise PromptError(
                f"box ({x0:g}, {y0:g}, {x1:g}, {y1:g}) is degenerate; it needs x0 < x1 and y0 < y1 "
                f"(x in 0..{width - 1}, y in 0..{height - 1})"
            )
