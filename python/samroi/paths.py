"""Where samroi keeps its files.

One root folder holds everything samroi writes: checkpoints, ONNX graphs built from them,
and the optional on-disk embedding cache. By default it is the platform's per-user data
folder; the environment variable SAMROI_HOME moves all of it (for shared installs, CI, or a
user whose home folder is small).
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_HOME = "SAMROI_HOME"


def home() -> Path:
    """The root folder (not created here)."""
    override = os.environ.get(ENV_HOME)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("samroi", appauthor=False))


def weights_dir() -> Path:
    """Installed checkpoints, one file per model, named as upstream names them."""
    return home() / "weights"


def onnx_dir() -> Path:
    """ONNX graphs, one folder per (model, checkpoint identity)."""
    return home() / "onnx"


def embeddings_dir() -> Path:
    """The optional on-disk cache of image embeddings."""
    return home() / "embeddings"


def usual_permissions(path: Path) -> None:
    """Give a file or folder made private by mkstemp/mkdtemp the permissions the user's umask
    allows, before it is renamed into place: outputs, and a SAMROI_HOME shared by a lab,
    must be readable by others where the user wants that."""
    mask = os.umask(0)  # the only portable way to read the umask is to set it
    os.umask(mask)
    os.chmod(path, (0o777 if Path(path).is_dir() else 0o666) & ~mask)
