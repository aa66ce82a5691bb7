"""``samroi models``: the models samroi knows, their weights, and where samroi keeps files.

    samroi models [--json]
    samroi models --prune


One row per model: name, title, whether the official checkpoint is installed, whether its
identity verified ("ok", "mismatch", "unverified", "missing"), the checkpoint path, and the
ONNX graphs built from it (when built). Then the folders: SAMROI_HOME (or the per-user data
folder) with weights/, onnx/ and embeddings/. --json prints the same as one JSON object:

    {"home": ..., "home_from_env": bool, "paths": {"weights": ..., "onnx": ..., "embeddings": ...},
     "models": [{"name", "title", "installed", "identity", "checkpoint", "onnx", "onnx_builds"}]}

"onnx" is the folder for the official checkpoint (null until built); "onnx_builds" lists every
built folder of that model, including those for own checkpoints (--checkpoint FILE).

--prune deletes the ONNX graphs that this samroi will never use (built by another version, whose
networks differ, and builds a crash left unfinished), prints what it removed and exits.

Exit code 0 (a checkpoint that cannot be read shows as identity "error: ..." and does not fail);
1 when --prune could not remove a folder.
"""

from __future__ import annotations

import json
import os
import shutil
import sys

from .. import paths, weights
from ..errors import SamroiError
from ..modelspec import DEFAULT_MODEL, MODELS


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "models",
        help="list the models, their installed weights and samroi's folders",
        description=(
            "List the models samroi can run, whether their official weights are installed "
            "and verified, the ONNX graphs built from them, and the folders samroi uses "
            f"(moved all at once by the environment variable {paths.ENV_HOME})."
        ),
    )
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument(
        "--prune",
        action="store_true",
        help="delete ONNX graphs built by other samroi versions and unfinished builds (a samroi that "
        "needs them builds them again), then exit",
    )
    parser.set_defaults(func=run)


def _onnx_builds(name: str) -> list[str]:
    from ..runtime import graphs
    from ..runtime.onnx_runner import build_name

    folder = paths.onnx_dir()
    if not folder.is_dir():
        return []
    builds = []
    for entry in sorted(folder.iterdir()):
        built = build_name(entry)
        if built and built[0] == name and entry.is_dir() and graphs.is_complete(entry):
            builds.append(str(entry))
    return builds


def describe() -> dict:
    """Everything `samroi models` shows, as plain data."""
    from ..runtime import graphs
    from ..runtime.onnx_runner import onnx_folder

    rows = []
    for name, spec in MODELS.items():
        row = {"name": name, "title": spec.title, "default": name == DEFAULT_MODEL}
        try:
            st = weights.status(name)
            row.update(installed=st.installed, identity=st.identity, checkpoint=str(st.path))
            built = None
            if st.ok and st.sha1:
                folder = onnx_folder(spec, st.sha1)
                built = str(folder) if graphs.is_complete(folder) else None
            row["onnx"] = built
        except (SamroiError, OSError) as err:
            row.update(installed=True, identity=f"error: {err}",
                       checkpoint=str(weights.checkpoint_path(name)), onnx=None)
        row["onnx_builds"] = _onnx_builds(name)
        rows.append(row)
    return {
        "home": str(paths.home()),
        "home_from_env": bool(os.environ.get(paths.ENV_HOME)),
        "paths": {
            "weights": str(paths.weights_dir()),
            "onnx": str(paths.onnx_dir()),
            "embeddings": str(paths.embeddings_dir()),
        },
        "models": rows,
    }


def prune() -> int:
    from ..runtime.onnx_runner import stale_onnx_builds

    failed = 0
    freed = 0
    stale = stale_onnx_builds()
    for folder in stale:
        size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
        try:
            shutil.rmtree(folder)
        except OSError as err:
            failed += 1
            print(f"samroi: could not remove {folder}: {err}", file=sys.stderr)
            continue
        freed += size
        print(f"removed {folder} ({size / 1e6:.0f} MB)")
    removed = len(stale) - failed
    print(f"{removed} ONNX build(s) removed, {freed / 1e6:.0f} MB freed" if stale else "no stale ONNX builds")
    return 1 if failed else 0


def run(args) -> int:
    if args.prune:
        return prune()
    info = describe()
    if args.json:
        print(json.dumps(info, indent=1))
        return 0
    header = ("model", "title", "installed", "identity", "checkpoint", "onnx")
    table = [header]
    for row in info["models"]:
        table.append((
            row["name"] + (" *" if row["default"] else ""),
            row["title"],
            "yes" if row["installed"] else "no",
            row["identity"],
            row["checkpoint"],
            row["onnx"] or ("-" if not row["onnx_builds"] else f"- ({len(row['onnx_builds'])} other build(s))"),
        ))
    widths = [max(len(r[i]) for r in table) for i in range(len(header) - 1)]
    for r in table:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)) + "  " + "  ".join(r[len(widths):]))
    print("(* = default model; checkpoint = where the official weights are or will be installed)")
    print()
    source = f"from {paths.ENV_HOME}" if info["home_from_env"] else f"per-user data folder; set {paths.ENV_HOME} to move"
    print(f"samroi home ({source}): {info['home']}")
    print(f"  weights:    {info['paths']['weights']}")
    print(f"  onnx:       {info['paths']['onnx']}")
    print(f"  embeddings: {info['paths']['embeddings']}  (used with samroi segment --cache-dir)")
    return 0
