"""The reference runtime: samroi's own PyTorch networks, eager mode."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..modelspec import ALL_MASKS, ModelSpec


class TorchRunner:
    def __init__(self, spec: ModelSpec, network, threads: int | None = None, identity: str = "torch"):
        import torch

        self.spec = spec
        self.identity = identity
        self.network = network
        self.threads = threads
        self._torch = torch

    @classmethod
    def for_checkpoint(cls, spec: ModelSpec, checkpoint: str | Path | None = None, threads: int | None = None):
        from .. import weights
        from ..checkpoint import load_state

        path = weights.find_checkpoint(spec.name, checkpoint)
        network = build_network(spec, load_state(path, spec))
        return cls(spec, network, threads=threads, identity=weights.checkpoint_sha1(path)[:16])

    def _threads(self):
        if self.threads:
            self._torch.set_num_threads(self.threads)

    def encode(self, x: np.ndarray) -> np.ndarray:
        self._threads()
        with self._torch.inference_mode():
            return self.network.image_encoder(self._torch.from_numpy(x)).numpy()

    def decode(self, embedding: np.ndarray, coords: np.ndarray, labels: np.ndarray, masks=ALL_MASKS):
        """As OnnxRunner.decode."""
        self._threads()
        t = self._torch
        chosen = None if tuple(masks) == ALL_MASKS else t.as_tensor(np.asarray(masks, np.int64).reshape(-1))
        with t.inference_mode():
            # np.array: cached embeddings are read-only, which torch.from_numpy warns about.
            lowres, iou = self.network.decode(
                t.from_numpy(np.array(embedding)), t.from_numpy(coords), t.from_numpy(labels), masks=chosen
            )
        return lowres.numpy(), iou.numpy()


def build_network(spec: ModelSpec, state: dict[str, np.ndarray]):
    """samroi's torch network for ``spec`` with the arrays of a checkpoint, loaded strictly."""
    import torch

    from ..models import build_model

    network = build_model(spec.name)
    network.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in state.items()}, strict=True)
    return network.eval()
