"""Run every benchmark and write the results: ``build/bench/results.json`` and
``docs/performance.md`` (``make bench``).

Benchmarks (numbers, not pass/fail):

1. handler cold import, fresh interpreter per run (bench_handler.py);
2. handler warm path: validation + serialization steps (bench_handler.py) and the whole
   ``lambda_handler`` per request with DynamoDB in memory (bench_handler_request.py);
3. end to end on the embedded local cloud: orders/s and latency p50/p99 through the execute-api
   URL (bench_e2e.py; LocalStack started and the reference app deployed for the run, or the
   endpoint named by ``LOCALSTACK_ENDPOINT``);
4. ``order-kit audit`` wall time (bench_audit.py);
5. the cost of one million orders: usage measured per request (bench_cost.py) priced with the
   pinned list prices of ``prices.yaml`` (cost_model.py).

Every run records the machine: CPU count and model, RAM, Python version, OS, date and commit.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(REPO), str(REPO / "tests" / "perf")]

import bench_audit  # noqa: E402
import bench_cost  # noqa: E402
import bench_e2e  # noqa: E402
import bench_handler  # noqa: E402
import bench_handler_request  # noqa: E402
import cost_model  # noqa: E402

RESULTS_PATH = REPO / "build" / "bench" / "results.json"
PAGE_PATH = REPO / "docs" / "performance.md"


def _proc_value(path: str, key: str) -> str | None:
    try:
        lines = Path(path).read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        name, _, value = line.partition(":")
        if name.strip() == key:
            return value.strip()
    return None


def machine() -> dict[str, Any]:
    """Where the numbers come from."""
    memory_kb = _proc_value("/proc/meminfo", "MemTotal")
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
    ).stdout.strip()
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit or None,
        "cpu_count": os.cpu_count(),
        "cpu_model": _proc_value("/proc/cpuinfo", "model name") or platform.processor() or None,
        "ram_gib": round(int(memory_kb.split()[0]) / 1024**2, 1) if memory_kb else None,
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
    }


def cold_imports(runs: int) -> dict[str, dict[str, float]]:
    """Median and minimum wall/CPU milliseconds of each import (bench_handler)."""
    results = {}
    measured = bench_handler.cold_import_ms(list(bench_handler.IMPORT_TARGETS), runs)
    for module, timings in measured.items():
        results[module] = {
            "wall_median_ms": round(statistics.median(timings["wall"]), 1),
            "wall_min_ms": round(min(timings["wall"]), 1),
            "cpu_median_ms": round(statistics.median(timings["cpu"]), 1),
        }
    return results


def end_to_end(sequential: int, creates: int, in_flight: int) -> dict[str, Any]:
    """Start (or reuse) the local cloud, deploy the reference app, and measure."""
    from localcloud.fixtures import acquire_endpoint, release_endpoint
    from tests.e2e.deployment import shared_deployment

    endpoint = acquire_endpoint()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-cdk-") as assembly:
            deployed = shared_deployment(endpoint, Path(assembly)).result
        assert deployed.api_url, "the reference stack has no REST API"
        return bench_e2e.measure(
            endpoint,
            deployed.api_url,
            deployed.outputs["ApiFunctionName"],
            sequential,
            creates,
            in_flight,
        )
    finally:
        release_endpoint()


#: One order's requests in the priced lifecycle (request name -> how many per order): the
#: client creates it, reads it, and lists the customer's orders once; the stream carries the
#: order's INSERT (the processor confirms it) and the confirmation's MODIFY (ignored).
LIFECYCLE = {
    "POST /orders": 1,
    "GET /orders/{orderId}": 1,
    f"GET /customers/{{customerId}}/orders ({bench_cost.LIST_ORDERS} orders)": 1,
    "stream INSERT -> confirm": 1,
    "stream MODIFY (ignored)": 1,
}


#: Memory sizes (MB) the page prices the functions' duration at.
MEMORY_SIZES = (128, 256, 512, 1024, 1769)


def waf_rule_count() -> int:
    """Rules of the web ACL the construct creates with ``enable_waf`` (priced per rule)."""
    from dataclasses import replace

    from aws_cdk import App, Environment, Stack

    from kit import ProductionOrderService
    from kit.reference_app import REFERENCE_PROPS

    app = App()
    stack = Stack(app, "Waf", env=Environment(region="us-east-1"))
    ProductionOrderService(stack, "Service", replace(REFERENCE_PROPS, enable_waf=True))
    template = app.synth().get_stack_by_name("Waf").template
    (acl,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::WAFv2::WebACL"]
    return len(acl["Properties"]["Rules"])


def cost(prices: cost_model.Prices | None = None) -> dict[str, Any]:
    """Measure one order's usage and price a million orders on both architectures."""
    from kit.reference_app import REFERENCE_PROPS

    prices = prices or cost_model.load_prices()
    measured = bench_cost.measure()
    memory = {"api": REFERENCE_PROPS.memory_size, "processor": REFERENCE_PROPS.memory_size}
    waf_rules = waf_rule_count()

    def bill(architecture: str, memory_mb: dict[str, int]) -> dict[str, float]:
        costs = cost_model.cost_per_million_orders(
            measured.usage,
            LIFECYCLE,
            prices=prices,
            architecture=architecture,
            memory_mb=memory_mb,
            stored_bytes_per_order=measured.stored_bytes_per_order,
            order_json_bytes=measured.order_json_bytes,
            waf_rules=waf_rules,
            backup_retention_days=REFERENCE_PROPS.backup_retention_days,
        )
        return {name: round(usd, 4) for name, usd in costs.items()}

    per_architecture = {arch: bill(arch, memory) for arch in cost_model.ARCHITECTURES}
    # Right-sizing: the Lambda duration line at other memory sizes (CPU share follows memory).
    by_memory = {
        str(mb): {
            arch: bill(arch, dict.fromkeys(memory, mb))["Lambda duration"]
            for arch in cost_model.ARCHITECTURES
        }
        for mb in MEMORY_SIZES
    }
    return {
        "prices": {"date": prices.date, "region": prices.region, "sources": dict(prices.sources)},
        "assumptions": dict(prices.assumptions),
        "measured": measured.as_dict(),
        "lifecycle": LIFECYCLE,
        "memory_mb": memory,
        "waf_rules": waf_rules,
        "backup_retention_days": REFERENCE_PROPS.backup_retention_days,
        "per_million_orders": per_architecture,
        "lambda_duration_by_memory": by_memory,
    }


def _usd(value: float) -> str:
    return f"${value:,.2f}" if value >= 0.01 or value == 0 else f"${value:.4f}"


def render_cost(c: dict[str, Any]) -> list[str]:
    """The "Cost per million orders" section of the page."""
    costs = c["per_million_orders"]
    measured, a = c["measured"], c["assumptions"]
    lines = [
        "## Cost per million orders",
        "",
        f"AWS list prices of {c['prices']['region']} pinned on {c['prices']['date']} in "
        "`tests/perf/prices.yaml` (on-demand, no free tier; sources: "
        + "; ".join(c["prices"]["sources"].values())
        + "), times the usage measured below (`tests/perf/bench_cost.py`, priced by "
        "`tests/perf/cost_model.py` with DynamoDB's documented 1 KB / 4 KB unit rounding).",
        "",
        "One order = " + ", ".join(f"{n} x `{name}`" for name, n in c["lifecycle"].items()) + ".",
        "",
        "| component | x86_64 | arm64 |",
        "| --- | ---: | ---: |",
    ]
    optional = set(cost_model.FEATURE_COMPONENTS.values())
    for name in costs["arm64"]:
        if name not in optional:
            lines.append(
                f"| {name} | {_usd(costs['x86_64'][name])} | {_usd(costs['arm64'][name])} |"
            )
    base = {arch: cost_model.total(costs[arch]) for arch in cost_model.ARCHITECTURES}
    lines.append(
        f"| **total, base service** | **{_usd(base['x86_64'])}** | **{_usd(base['arm64'])}** |"
    )
    lines += [
        "",
        "With the optional features (the web ACL's and rules' monthly charges included once; "
        f"{c['waf_rules']} WAF rules; backups: daily, {c['backup_retention_days']} kept, each a "
        "full copy of the table; archive: each order's JSON put to S3 and kept in S3 Standard, "
        "the default `archive_storage_class`):",
        "",
        "| features | x86_64 | arm64 |",
        "| --- | ---: | ---: |",
    ]
    for feature, component in cost_model.FEATURE_COMPONENTS.items():
        lines.append(
            f"| + {feature} ({_usd(costs['arm64'][component])}) "
            f"| {_usd(cost_model.total(costs['x86_64'], [feature]))} "
            f"| {_usd(cost_model.total(costs['arm64'], [feature]))} |"
        )
    every = list(cost_model.OPTIONAL_FEATURES)
    lines.append(
        f"| + all three | {_usd(cost_model.total(costs['x86_64'], every))} "
        f"| {_usd(cost_model.total(costs['arm64'], every))} |"
    )
    lines += [
        "",
        "Measured per request (the real handlers against a moto table shaped like the "
        "construct's; durations in-process with the AWS answers replayed from memory, on the "
        "machine above, the same figure used for both architectures):",
        "",
        "| request | function | read units | write units | KMS calls | AWS calls"
        " | handler time | log bytes |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, u in measured["usage"].items():
        lines.append(
            f"| `{name}` | {u['function']} | {u['rru']:g} | {u['wru']:g} | {u['kms_calls']}"
            f" | {u['aws_calls']} | {u['handler_ms']:.2f} ms | {u['log_bytes']} |"
        )
    lines += [
        "",
        f"Order item: {measured['order_item_bytes']} bytes (stored with its index entry and "
        f"overhead: {measured['stored_bytes_per_order']} bytes); idempotency record: "
        f"{measured['idempotency_record_bytes']} bytes; order JSON: "
        f"{measured['order_json_bytes']} bytes. Memory: {c['memory_mb']['api']} MB per function "
        "(the reference props); a fresh interpreter serving creates and reads through the api "
        f"handler peaks at {measured['peak_memory_mb']} MB resident.",
        "",
        "Lambda gives a function CPU in proportion to its memory (one vCPU at "
        f"{cost_model.ONE_VCPU_MB} MB), so the handler time above, measured on one full core, "
        "is scaled up below that; the network wait is not. The functions' duration at other "
        "memory sizes:",
        "",
        "| memory | x86_64 | arm64 |",
        "| ---: | ---: | ---: |",
    ]
    for mb, by_arch in c["lambda_duration_by_memory"].items():
        lines.append(f"| {mb} MB | {_usd(by_arch['x86_64'])} | {_usd(by_arch['arm64'])} |")
    lines += [
        "",
        "Stated, not measured (`assumptions` in `prices.yaml`): "
        f"{a['aws_call_round_trip_ms']:g} ms network wait per AWS call added to the handler "
        f"time; {a['lambda_platform_log_bytes_per_invocation']:g} bytes of Lambda platform log "
        f"lines per invocation; {a['api_access_log_bytes_per_request']:g} bytes of access log "
        f"per API request; orders spread over {a['days_per_month']:g} days (X-Ray's default "
        f"rule records {a['xray_reservoir_per_second']:g}/s plus "
        f"{a['xray_fixed_rate']:.0%} of the rest); "
        f"{a['stream_records_per_processor_invocation']:g} stream record(s) per processor "
        "invocation. Lambda reads the table's stream free of charge. KMS calls DynamoDB, SQS and "
        "CloudWatch Logs make with their cached data keys, and the functions' one Decrypt of "
        "their environment per cold start, do not grow with orders; they and the fixed monthly "
        "charges (the KMS key, alarms, the dashboard, the pending-order sweep's schedule) are not "
        "in the table.",
        "",
    ]
    return lines


def render_page(results: dict[str, Any]) -> str:
    """The Performance page (Markdown) for ``results``."""
    m = results["machine"]
    lines = [
        "# Performance",
        "",
        "Generated by `make bench` (`tests/perf/run_benchmarks.py`) from its own run; the raw",
        "numbers are in `build/bench/results.json`. They are measurements on the machine below,",
        "not targets: compare runs on the same machine, not with AWS.",
        "",
        "## Machine",
        "",
        "| | |",
        "| --- | --- |",
        f"| Date | {m['date']} (commit `{m['commit']}`) |",
        f"| CPUs | {m['cpu_count']} x {m['cpu_model']} |",
        f"| RAM | {m['ram_gib']} GiB |",
        f"| Python | {m['python']} ({m['os']}) |",
        "",
        "## Handler cold import",
        "",
        "Each module imported in a fresh interpreter (start-up excluded), bytecode cached, "
        f"{results['settings']['import_runs']} runs. The functions import botocore, not boto3.",
        "",
        "| module | wall median | wall min | CPU median |",
        "| --- | ---: | ---: | ---: |",
    ]
    for module, t in results["cold_import"].items():
        lines.append(
            f"| `{module}` | {t['wall_median_ms']} ms | {t['wall_min_ms']} ms"
            f" | {t['cpu_median_ms']} ms |"
        )
    lines += [
        "",
        "## Handler warm path",
        "",
        "Whole `lambda_handler` per request, DynamoDB answered in memory (routing, validation,",
        "item codec, response, JSON log lines, EMF metrics), best of repeats:",
        "",
        "| request | per request |",
        "| --- | ---: |",
    ]
    for name, us in results["handler_request_us"].items():
        lines.append(f"| {name} | {us:.0f} us |")
    lines += [
        "",
        "Steps of a 10-item order (CPU time, best of repeats):",
        "",
        "| step | per call |",
        "| --- | ---: |",
    ]
    for name, us in results["handler_steps_us"].items():
        lines.append(f"| {name} | {us:.1f} us |")
    e2e = results["end_to_end"]
    seq, conc = e2e["sequential"], e2e["concurrent"]
    lines += [
        "",
        "## End to end on the embedded local cloud",
        "",
        "SigV4-signed `POST /orders` through LocalStack's execute-api URL to the deployed function",
        "and table, after warming the execution environments "
        f"({conc['in_flight']} at once took {e2e['warm_up_s']} s). LocalStack, the Lambda "
        "runtimes and the client share the machine's CPUs.",
        "",
        "| load | requests | orders/s | p50 | p90 | p99 | max |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| sequential | {seq['requests']} | - | {seq['latency_ms']['p50']} ms"
        f" | {seq['latency_ms']['p90']} ms | {seq['latency_ms']['p99']} ms"
        f" | {seq['latency_ms']['max']} ms |",
        f"| {conc['in_flight']} in flight | {conc['requests']} | {conc['orders_per_s']}"
        f" | {conc['latency_ms']['p50']} ms | {conc['latency_ms']['p90']} ms"
        f" | {conc['latency_ms']['p99']} ms | {conc['latency_ms']['max']} ms |",
        "",
        "## Audit",
        "",
        "`order-kit audit` of the reference app (synthesis with five cdk-nag packs, checkov, "
        "cfn-lint, ledger, reports), fresh process per run: "
        f"median **{results['audit']['median_s']} s** (runs: "
        + ", ".join(f"{s} s" for s in results["audit"]["runs_s"])
        + ").",
        "",
    ]
    if "cost" in results:
        lines += render_cost(results["cost"])
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks, write results.json and the docs page, print the page."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--import-runs", type=int, default=9, help="interpreters per import")
    parser.add_argument("--sequential", type=int, default=50, help="sequential e2e requests")
    parser.add_argument("--creates", type=int, default=500, help="concurrent e2e creates")
    parser.add_argument("--in-flight", type=int, default=50, help="e2e requests in flight")
    parser.add_argument("--audit-runs", type=int, default=2, help="order-kit audit runs")
    parser.add_argument("--results", type=Path, default=RESULTS_PATH, help="JSON output")
    parser.add_argument("--page", type=Path, default=PAGE_PATH, help="Markdown output")
    options = parser.parse_args(argv)
    for name in ("import_runs", "sequential", "creates", "in_flight", "audit_runs"):
        if getattr(options, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")

    results: dict[str, Any] = {
        "machine": machine(),
        "settings": {
            "import_runs": options.import_runs,
            "sequential": options.sequential,
            "creates": options.creates,
            "in_flight": options.in_flight,
            "audit_runs": options.audit_runs,
        },
    }
    print("bench: handler cold import ...", flush=True)
    results["cold_import"] = cold_imports(options.import_runs)
    print("bench: handler warm path ...", flush=True)
    results["handler_steps_us"] = {
        name: round(us, 1) for name, us in bench_handler.warm_path_us(2000, 7, "cpu").items()
    }
    results["handler_request_us"] = {
        name: round(us, 1) for name, us in bench_handler_request.measure().items()
    }
    print("bench: end to end on the local cloud ...", flush=True)
    results["end_to_end"] = end_to_end(options.sequential, options.creates, options.in_flight)
    print("bench: order-kit audit ...", flush=True)
    results["audit"] = bench_audit.measure(options.audit_runs)
    print("bench: cost per million orders ...", flush=True)
    results["cost"] = cost()

    options.results.parent.mkdir(parents=True, exist_ok=True)
    options.results.write_text(json.dumps(results, indent=2) + "\n")
    page = render_page(results)
    options.page.parent.mkdir(parents=True, exist_ok=True)
    options.page.write_text(page)
    print(page)
    print(f"bench: wrote {options.results} and {options.page}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
