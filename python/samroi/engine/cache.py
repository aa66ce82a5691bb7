"""Image embeddings kept for reuse: a memory-bounded LRU, optionally backed by files.

An embedding is 4 MiB (256 x 64 x 64 float32). Keys name the model, the checkpoint, the
normalisation and the pixels of the window, so reopening the same image (or the same tile
of it) finds its embedding again; with a disk folder that survives restarts.

Embeddings are [1, 256, 64, 64] arrays kept channels-last in memory and on disk, the layout
the encoder writes and the decoder reads: a contiguous [1, 256, 64, 64] copy would cost
every click a 4 MiB transposition on its way into the decoder (about 10 ms, measured).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from ..paths import usual_permissions

DEFAULT_MEMORY_BYTES = 1 << 30  # 1 GiB: about 250 tiles
EMBEDDING_SHAPE = (1, 256, 64, 64)
STORED_SHAPE = (1, 64, 64, 256)  # channels-last


class EmbeddingCache:
    def __init__(self, max_bytes: int = DEFAULT_MEMORY_BYTES, folder: str | Path | None = None):
        self.max_bytes = max_bytes
        self.folder = Path(folder) if folder else None
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: str) -> np.ndarray | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                self.hits += 1
                return found
        found = self._read(key)
        with self._lock:
            if found is None:
                self.misses += 1
            else:
                self.hits += 1
                self._remember(key, found)
        return found

    def put(self, key: str, embedding: np.ndarray) -> None:
        stored = _channels_last(embedding)  # no copy for the encoder's own output
        stored.flags.writeable = False
        with self._lock:
            self._remember(key, stored.transpose(0, 3, 1, 2))
        self._write(key, stored)

    def clear_memory(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)

    def _remember(self, key: str, embedding: np.ndarray) -> None:
        if key in self._items:
            self._bytes -= self._items.pop(key).nbytes
        self._items[key] = embedding
        self._bytes += embedding.nbytes
        while self._bytes > self.max_bytes and len(self._items) > 1:
            _, old = self._items.popitem(last=False)
            self._bytes -= old.nbytes

    def _path(self, key: str) -> Path:
        return self.folder / (hashlib.blake2b(key.encode(), digest_size=20).hexdigest() + ".npy")

    def _read(self, key: str) -> np.ndarray | None:
        if not self.folder:
            return None
        try:
            array = np.load(self._path(key), allow_pickle=False)
        except (OSError, ValueError, EOFError):
            return None  # absent, truncated or damaged: encode again
        if array.dtype != np.float32:
            return None
        array.flags.writeable = False  # shared by every user of the cache, like put()'s
        if array.shape == STORED_SHAPE:
            return array.transpose(0, 3, 1, 2)
        return array if array.shape == EMBEDDING_SHAPE else None  # written by samroi 0.1.0

    def _write(self, key: str, embedding: np.ndarray) -> None:
        if not self.folder:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                np.save(f, embedding, allow_pickle=False)
            usual_permissions(Path(tmp))
            os.replace(tmp, self._path(key))
        except OSError:
            Path(tmp).unlink(missing_ok=True)  # a full disk must not break segmentation


def _channels_last(embedding: np.ndarray) -> np.ndarray:
    """[1, C, h, w] -> C-contiguous float32 [1, h, w, C]; a view when the data is laid out so."""
    return np.ascontiguousarray(np.asarray(embedding).transpose(0, 2, 3, 1), dtype=np.float32)
