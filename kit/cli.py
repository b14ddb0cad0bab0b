"""``order-kit``: the kit's command line.

``order-kit synth`` synthesizes the reference app (what ``make synth`` runs).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from kit.reference_app import build_reference_app


def _synth(args: argparse.Namespace) -> int:
    outdir = Path(args.outdir)
    assembly = build_reference_app(str(outdir)).synth()
    for stack in assembly.stacks:
        print(f"{stack.stack_name}: {outdir / stack.template_file}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``order-kit`` (one sub-command per workflow)."""
    parser = argparse.ArgumentParser(
        prog="order-kit", description="production-order-kit: synthesize and audit"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    synth = commands.add_parser("synth", help="synthesize the reference app")
    synth.add_argument("--outdir", default="cdk.out", help="cloud assembly directory")
    synth.set_defaults(run=_synth)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``order-kit`` console script."""
    args = build_parser().parse_args(argv)
    status: int = args.run(args)
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
