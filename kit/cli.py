"""``order-kit``: the kit's command line.

``order-kit synth`` synthesizes the reference app (what ``make synth`` runs);
``order-kit migrate-check OLD NEW`` proves an update between two templates safe for live data.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from kit.migration import check_migration, load_template
from kit.reference_app import build_reference_app


def _synth(args: argparse.Namespace) -> int:
    outdir = Path(args.outdir)
    assembly = build_reference_app(str(outdir)).synth()
    for stack in assembly.stacks:
        print(f"{stack.stack_name}: {outdir / stack.template_file}")
    return 0


def _migrate_check(args: argparse.Namespace) -> int:
    try:
        old, new = load_template(args.old), load_template(args.new)
    except ValueError as error:
        print(f"order-kit migrate-check: {error}", file=sys.stderr)
        return 2
    problems = check_migration(old, new)
    for problem in problems:
        print(problem)
    if problems:
        print(f"UNSAFE: {len(problems)} problem(s) moving {args.old} -> {args.new}")
        return 1
    print(f"safe: {args.old} -> {args.new} keeps every stateful resource and replaces nothing")
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
    migrate = commands.add_parser(
        "migrate-check",
        help="prove that updating a stack from template OLD to NEW loses no data",
    )
    migrate.add_argument("old", help="the deployed (current) template, JSON")
    migrate.add_argument("new", help="the template to deploy next, JSON")
    migrate.set_defaults(run=_migrate_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``order-kit`` console script."""
    args = build_parser().parse_args(argv)
    status: int = args.run(args)
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
