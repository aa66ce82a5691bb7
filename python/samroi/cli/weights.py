"""``samroi weights``: install, list and verify the official checkpoints.

    samroi weights install MODEL [--from FILE] [--force] [--quiet]
    samroi weights list
    samroi weights verify [MODEL]
    samroi weights path MODEL

Exit codes: 0 ok; 3 a --from FILE that does not exist; 4 a file that is not the official
one (or not installed, for verify MODEL / path); 5 download failed.
"""

from __future__ import annotations

import argparse
import sys

from .. import weights
from ..modelspec import MODELS, get_spec


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "weights",
        help="install, list and verify the model checkpoints",
        description=(
            "Install, list and verify the official model checkpoints. They are kept in "
            "$SAMROI_HOME/weights (default: the per-user data folder). Set "
            f"{weights.ENV_URL} to download from a mirror that serves the same file names."
        ),
    )
    sub = parser.add_subparsers(dest="weights_command", metavar="ACTION")
    parser.set_defaults(func=lambda args: (parser.print_help(), 2)[1])

    install = sub.add_parser(
        "install",
        help="download (or copy --from FILE) and verify a model's official checkpoint",
        description=(
            "Download the official checkpoint of MODEL, verify its identity (git blob SHA-1) "
            "and install it. With --from FILE, install a local copy of the official file "
            "instead (for efficientsam-s: the efficient_sam_vits.pt.zip archive)."
        ),
    )
    install.add_argument("model", metavar="MODEL", choices=list(MODELS), help=_models_help())
    install.add_argument("--from", dest="source", metavar="FILE", help="local copy of the file")
    install.add_argument("--force", action="store_true",
                         help="download again even when a verified copy is installed")
    install.add_argument("--quiet", action="store_true", help="no progress bar")
    install.set_defaults(func=_install)

    lister = sub.add_parser("list", help="show which checkpoints are installed and verified")
    lister.set_defaults(func=_list)

    verify = sub.add_parser(
        "verify", help="hash installed checkpoints again and compare with the official identity"
    )
    verify.add_argument("model", metavar="MODEL", nargs="?", choices=list(MODELS),
                        help="one model (default: every installed one)")
    verify.set_defaults(func=_verify)

    where = sub.add_parser(
        "path",
        help="print where a model's checkpoint is installed",
        description="Print the checkpoint path; exit 4 when it is not installed and verified.",
    )
    where.add_argument("model", metavar="MODEL", choices=list(MODELS), help=_models_help())
    where.set_defaults(func=_path)


def _models_help() -> str:
    return "one of: " + ", ".join(MODELS)


def _install(args: argparse.Namespace) -> int:
    path = weights.install(
        args.model, source=args.source, progress=not args.quiet, force=args.force
    )
    print(f"installed {get_spec(args.model).title}: {path}")
    return 0


def _list(args: argparse.Namespace) -> int:
    rows = [("MODEL", "INSTALLED", "IDENTITY", "PATH")]
    for model in MODELS:
        st = weights.status(model)
        rows.append((model, "yes" if st.installed else "no", st.identity, str(st.path)))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)) + "  " + row[3])
    return 0


def _verify(args: argparse.Namespace) -> int:
    models = [args.model] if args.model else list(MODELS)
    bad = 0
    for model in models:
        st = weights.verify(model)
        if not st.installed:
            print(f"{model}: not installed ({st.path})")
            bad += bool(args.model)
        elif st.ok:
            print(f"{model}: ok, git blob SHA-1 {st.sha1} ({st.path})")
        elif st.identity == "mismatch":
            print(f"{model}: NOT the official file: git blob SHA-1 {st.sha1}, "
                  f"expected {st.expected} ({st.path}); reinstall with "
                  f"`samroi weights install {model}`")
            bad += 1
        else:
            print(f"{model}: cannot be verified ({st.path}); reinstall with "
                  f"`samroi weights install {model}`")
            bad += 1
    return 4 if bad else 0


def _path(args: argparse.Namespace) -> int:
    st = weights.status(args.model)
    print(st.path)
    if not st.installed:
        print(f"samroi: {args.model} is not installed", file=sys.stderr)
        return 4
    if not st.ok:
        print(f"samroi: {st.path} is not the verified official file ({st.identity})",
              file=sys.stderr)
        return 4
    return 0
