"""``order-kit``: the kit's command line.

``order-kit synth`` synthesizes the reference app (what ``make synth`` runs);
``order-kit migrate-check OLD NEW`` proves an update between two templates safe for live data;
``order-kit replay-dlq`` runs the confirmation again for the stream batches in the DLQ;
``order-kit catalog load PRICES.csv --table NAME`` loads the price catalog.
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


def _audit(args: argparse.Namespace) -> int:
    # Imported here: the audit pulls in cdk-nag and cfn-lint, which `synth` does not need.
    from kit.audit.assembly import AssemblyError
    from kit.audit.checkov_scan import CheckovError
    from kit.audit.ledger import LedgerError
    from kit.audit.runner import AuditOptions, run_audit
    from kit.audit.summary import format_summary
    from kit.audit.synthesis import SynthesisError

    try:
        # The OSCAL reports are built with compliance-trestle, a dependency of the [audit] extra.
        from kit.audit.oscal_document import OscalError
        from kit.audit.report_formats import write_reports
    except ModuleNotFoundError as error:
        if error.name is None or error.name.split(".")[0] != "trestle":
            raise
        print(
            "order-kit audit: error: the OSCAL reports need compliance-trestle (Python 3.11+): "
            "pip install 'production-order-kit[audit]'",
            file=sys.stderr,
        )
        return 2
    try:
        options = AuditOptions(
            app=args.app,
            assembly=Path(args.assembly) if args.assembly else None,
            phase=args.phase,
            ledger=Path(args.ledger) if args.ledger else None,
            out=Path(args.out),
        )
        result = run_audit(options)
    except (ValueError, AssemblyError, CheckovError, LedgerError, SynthesisError) as error:
        print(f"order-kit audit: error: {error}", file=sys.stderr)
        return 2
    try:
        reports = write_reports(result, Path(args.out))
    except OscalError as error:
        print(f"order-kit audit: error: {error}", file=sys.stderr)
        return 2
    print(format_summary(result, reports))
    return 0 if result.passed else 1


def _replay_dlq(args: argparse.Namespace) -> int:
    import boto3

    from kit.dlq_replay import ReplayError, replay_dead_letters

    def clients(service: str) -> object:
        return boto3.client(service, region_name=args.region, endpoint_url=args.endpoint_url)

    try:
        outcomes = replay_dead_letters(
            clients,
            args.queue_url,
            args.function,
            max_messages=args.max_messages,
            dry_run=args.dry_run,
        )
    except ReplayError as error:
        print(f"order-kit replay-dlq: error: {error}", file=sys.stderr)
        return 2
    for outcome in outcomes:
        print(
            f"{outcome.status}: {outcome.message_id} ({outcome.records} records) {outcome.detail}"
        )
    unresolved = [o for o in outcomes if o.status in ("failed", "expired")]
    print(
        f"{len(outcomes)} message(s): "
        + ", ".join(
            f"{status} {sum(1 for o in outcomes if o.status == status)}"
            for status in ("replayed", "failed", "expired", "skipped", "dry-run")
        )
    )
    return 1 if unresolved else 0


def _confirm_pending(args: argparse.Namespace) -> int:
    import boto3

    from kit.pending_backfill import BackfillError, confirm_pending

    client = boto3.client("lambda", region_name=args.region, endpoint_url=args.endpoint_url)
    try:
        result = confirm_pending(client, args.function, args.min_age_minutes)
    except BackfillError as error:
        print(f"order-kit confirm-pending: error: {error}", file=sys.stderr)
        return 1
    print(
        f"confirmed {result['confirmed']}, already handled {result['alreadyHandled']}; "
        f"oldest order still PENDING: {result['oldestPendingOrderAgeSeconds']:.0f} s"
    )
    return 0


def _minutes(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 1440:
        raise argparse.ArgumentTypeError(f"a whole number of minutes from 0 to 1440, got {text!r}")
    return int(text)


def _add_client_arguments(parser: argparse.ArgumentParser, endpoint_help: str) -> None:
    """Add ``--region`` and ``--endpoint-url``, which the subcommand passes to its AWS clients
    (``args.region``, ``args.endpoint_url``; None leaves the SDK's own choice)."""
    parser.add_argument("--region", help="AWS region (default: the SDK's)")
    parser.add_argument("--endpoint-url", help=endpoint_help)


def _add_confirm_pending_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    confirm = commands.add_parser(
        "confirm-pending",
        help="one-off backfill: confirm the PENDING orders now (after adding the processor)",
        description="Invoke the pending-order sweep function once with a minimum age of "
        "--min-age-minutes (default 0): every PENDING order that old is confirmed now, as the "
        "schedule would once it reaches the configured age. Run it after the update that adds "
        "the stream processor (phase 5), for the orders written before. Exit 1 if it fails.",
    )
    confirm.add_argument(
        "--function", required=True, help="the PendingSweepFunctionName output (name or ARN)"
    )
    confirm.add_argument(
        "--min-age-minutes", type=_minutes, default=0, help="confirm orders at least this old"
    )
    _add_client_arguments(confirm, endpoint_help="an endpoint for the client (local cloud)")
    confirm.set_defaults(run=_confirm_pending)


def _add_replay_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    replay = commands.add_parser(
        "replay-dlq",
        help="confirm again the orders of stream batches the processor gave up on",
        description="Read the dead-letter queue's stream failure records, re-read the "
        "referenced records from the table's stream (kept 24 h) and invoke the processor "
        "function with them; a failure record is deleted once its batch is handled. Exit 1 "
        "if a batch still fails or the stream no longer has it.",
    )
    replay.add_argument("--queue-url", required=True, help="the DeadLetterQueueUrl output")
    replay.add_argument(
        "--function", required=True, help="the ProcessorFunctionName output (name or ARN)"
    )
    _add_client_arguments(replay, endpoint_help="an endpoint for every client (local cloud)")
    replay.add_argument(
        "--max-messages", type=_positive, default=100, help="messages to handle at most"
    )
    replay.add_argument(
        "--dry-run", action="store_true", help="read the batches, invoke and delete nothing"
    )
    replay.set_defaults(run=_replay_dlq)


def _catalog_load(args: argparse.Namespace) -> int:
    import boto3

    from kit.price_catalog import CatalogFileError, load_prices, parse_price_file

    try:
        prices = parse_price_file(Path(args.prices).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        print(f"order-kit catalog load: error: cannot read {args.prices}: {error}", file=sys.stderr)
        return 2
    except CatalogFileError as error:
        print(f"order-kit catalog load: error: {error}", file=sys.stderr)
        return 2
    client = boto3.client("dynamodb", region_name=args.region, endpoint_url=args.endpoint_url)
    count = load_prices(client, args.table, prices)
    print(f"loaded the prices of {count} sku(s) into {args.table}")
    return 0


def _add_catalog_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    catalog = commands.add_parser("catalog", help="operate the price catalog")
    actions = catalog.add_subparsers(dest="action", required=True)
    load = actions.add_parser(
        "load",
        help="load unit prices from a CSV file (sku,currency,unitPrice)",
        description="Check every row of the CSV (header sku,currency,unitPrice) and, only if "
        "all are valid, write each sku's prices into the catalog table (replacing that sku's "
        "prices). Exit 2 naming every invalid line.",
    )
    load.add_argument("prices", help="the CSV file")
    load.add_argument("--table", required=True, help="the price catalog table's name")
    _add_client_arguments(load, endpoint_help="a DynamoDB endpoint (local cloud)")
    load.set_defaults(run=_catalog_load)


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def _phase(value: str) -> int:
    from kit.phases import FIRST_PHASE, LAST_PHASE

    try:
        phase = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a phase number: {value!r}") from None
    if not FIRST_PHASE <= phase <= LAST_PHASE:
        raise argparse.ArgumentTypeError(f"phase must be {FIRST_PHASE}..{LAST_PHASE}")
    return phase


def _add_audit_parser(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    audit = commands.add_parser(
        "audit",
        help="audit an app with cdk-nag, checkov and cfn-lint",
        description="Synthesize the app with the five cdk-nag packs, scan its templates with "
        "checkov and cfn-lint, and reconcile the findings with the construct's own "
        "acknowledgments (reported as acknowledged by the kit) and an optional ledger of the "
        "app's own exceptions. Default: the reference app.",
    )
    source = audit.add_mutually_exclusive_group()
    source.add_argument(
        "--app",
        metavar="MODULE:FUNCTION",
        help="a function returning the aws_cdk.App to audit (not yet synthesized)",
    )
    source.add_argument(
        "--assembly", metavar="DIR", help="audit an already synthesized cloud assembly"
    )
    audit.add_argument(
        "--phase", type=_phase, help="migration phase of the reference app (0-5, default 5)"
    )
    audit.add_argument(
        "--ledger",
        metavar="FILE",
        help="acknowledgment ledger (default: the kit's for the reference app, none otherwise)",
    )
    audit.add_argument("--out", default="reports/audit", help="report directory")
    audit.set_defaults(run=_audit)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``order-kit`` (one sub-command per workflow)."""
    parser = argparse.ArgumentParser(
        prog="order-kit", description="production-order-kit: synthesize, audit and operate"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    synth = commands.add_parser("synth", help="synthesize the reference app")
    synth.add_argument("--outdir", default="cdk.out", help="cloud assembly directory")
    synth.set_defaults(run=_synth)
    _add_audit_parser(commands)
    migrate = commands.add_parser(
        "migrate-check",
        help="prove that updating a stack from template OLD to NEW loses no data",
    )
    migrate.add_argument("old", help="the deployed (current) template, JSON")
    migrate.add_argument("new", help="the template to deploy next, JSON")
    migrate.set_defaults(run=_migrate_check)
    _add_replay_parser(commands)
    _add_confirm_pending_parser(commands)
    _add_catalog_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``order-kit`` console script."""
    args = build_parser().parse_args(argv)
    status: int = args.run(args)
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
