"""The ``samroi`` command line.

Each sub-command lives in its own module exposing ``register(subparsers)``, which adds an
argparse sub-parser whose ``func(args) -> int`` runs it. Errors derived from SamroiError
print their message and exit with their class's code:

    0 success, 1 unexpected failure, 2 usage error, 3 bad input (image, prompt, file),
    4 weights missing or invalid, 5 download failed, 130 cancelled.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .. import __version__
from ..errors import SamroiError

# Modules of samroi.cli, one per sub-command group, in the order `samroi --help` lists them.
COMMAND_MODULES = ("segment", "polygons", "models", "weights", "export", "bench")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="samroi",
        description="Segment objects in microscopy images with SAM-family models on the CPU.",
    )
    parser.add_argument("--version", action="version", version=f"samroi {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"{__name__}.{name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except SamroiError as err:
        print(f"samroi: error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("samroi: cancelled", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
