"""Benchmarks of the order handler: cold import time and warm validation + serialization.

Numbers, not assertions: run ``python tests/perf/bench_handler.py`` (from the repository root,
with the dev venv) and read them. Targets from the issue: cold import <= 250 ms per entry point
including boto3; validation + serialization of a 10-item order <= 200 us.

How it measures
---------------
Cold import: each module is imported in a fresh interpreter (``python -c``), timed around the
``import`` statement only (interpreter start-up excluded), after one untimed run so bytecode
caches exist, as they do for boto3 in the Lambda runtime. Wall-clock and CPU time (the latter
less disturbed by other processes on a shared machine), median and minimum of ``--runs``
interpreters; boto3, botocore and the Powertools logger alone as baselines. The entry points
import botocore, not boto3 (see ``orders/aws_clients.py``).

Warm path: one interpreter, everything imported and one request already served; ``timeit`` runs
each step ``--number`` times per repeat, and the best repeat per call is reported (the least
disturbed by other processes), in CPU time by default (``--timer wall`` for wall-clock).
Steps: parse the JSON body, validate (schema + business rules), build the stored item and
serialize it for DynamoDB, and serialize the API response.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import timeit
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HANDLER_DIR = REPO / "handler"
IMPORT_TARGETS = [
    "boto3",
    "botocore.session",
    "aws_lambda_powertools.logging",
    "orders.validation",
    "orders.api",
    "orders.processor",
]

_TIMED_IMPORT = (
    "import time; wall, cpu = time.perf_counter(), time.process_time(); import {module}; "
    "print((time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000)"
)


def cold_import_ms(modules: list[str], runs: int) -> dict[str, dict[str, list[float]]]:
    """Import each module in ``runs`` fresh interpreters; return each import's wall-clock and
    CPU milliseconds (CPU time is less disturbed by other processes on a shared machine).

    The modules take turns, run after run, so a burst of load elsewhere hits them alike.
    """
    env = {**os.environ, "PYTHONPATH": str(HANDLER_DIR), "PYTHONDONTWRITEBYTECODE": ""}
    commands = {m: [sys.executable, "-c", _TIMED_IMPORT.format(module=m)] for m in modules}
    for command in commands.values():
        subprocess.run(command, env=env, check=True, capture_output=True)  # warm .pyc caches
    timings: dict[str, dict[str, list[float]]] = {m: {"wall": [], "cpu": []} for m in modules}
    for _ in range(runs):
        for module, command in commands.items():
            result = subprocess.run(command, env=env, check=True, capture_output=True, text=True)
            wall, cpu = result.stdout.split()
            timings[module]["wall"].append(float(wall))
            timings[module]["cpu"].append(float(cpu))
    return timings


def ten_item_order() -> bytes:
    """A realistic 10-item order body, as a client would send it."""
    address = {
        "fullName": "Ada Lovelace",
        "line1": "12 St James's Square",
        "line2": "Flat 3",
        "city": "London",
        "postalCode": "SW1Y 4JH",
        "country": "GB",
    }
    items = [
        {
            "sku": f"SKU-{index:04d}",
            "name": f"Product number {index} \u2013 blue",
            "quantity": index + 1,
            "unitPrice": float(f"{index * 3 + 0.99:.2f}"),
        }
        for index in range(10)
    ]
    return json.dumps(
        {
            "customerId": "cust-000123",
            "currency": "GBP",
            "items": items,
            "shippingAddress": address,
            "billingAddress": address,
        }
    ).encode("utf-8")


def warm_path_us(number: int, repeat: int, timer: str) -> dict[str, float]:
    """Best-of-``repeat`` microseconds per call of each warm step (``timer``: wall or cpu)."""
    sys.path.insert(0, str(HANDLER_DIR))
    from orders.dynamodb_codec import serialize_item
    from orders.json_body import parse_json_body
    from orders.models import Order
    from orders.responses import to_json
    from orders.validation import OrderValidator

    body = ten_item_order()
    validator = OrderValidator()
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    document = parse_json_body(body)
    request = validator.validate(document)
    order = Order.create(request, "00000000-0000-4000-8000-000000000000", now, 90)

    def validate_and_serialize() -> str:
        created = Order.create(validator.validate(document), order.order_id, now, 90)
        serialize_item(created.to_item())
        return to_json(created.to_public_dict())

    def end_to_end() -> str:
        parsed = parse_json_body(body)
        created = Order.create(validator.validate(parsed), order.order_id, now, 90)
        serialize_item(created.to_item())
        return to_json(created.to_public_dict())

    steps = {
        "parse JSON body": lambda: parse_json_body(body),
        "validate (schema + rules)": lambda: validator.validate(document),
        "build order + DynamoDB item": lambda: serialize_item(
            Order.create(request, order.order_id, now, 90).to_item()
        ),
        "serialize API response": lambda: to_json(order.to_public_dict()),
        "validate + serialize (target)": validate_and_serialize,
        "end to end, with parsing": end_to_end,
    }
    end_to_end()
    return {
        name: min(
            timeit.repeat(
                step,
                number=number,
                repeat=repeat,
                timer=time.process_time if timer == "cpu" else time.perf_counter,
            )
        )
        / number
        * 1e6
        for name, step in steps.items()
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=9, help="fresh interpreters per module")
    parser.add_argument("--number", type=int, default=2000, help="calls per timing repeat")
    parser.add_argument("--repeat", type=int, default=7, help="timing repeats")
    parser.add_argument(
        "--timer", choices=["cpu", "wall"], default="cpu", help="warm-path clock (default: cpu)"
    )
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    options = parser.parse_args(argv)

    imports = cold_import_ms(IMPORT_TARGETS, options.runs)
    warm = warm_path_us(options.number, options.repeat, options.timer)
    if options.json:
        print(json.dumps({"cold_import_ms": imports, "warm_us": warm}, indent=2))
        return 0
    print(
        f"Python {sys.version.split()[0]} on {os.cpu_count()} CPUs; body {len(ten_item_order())} B"
    )
    print(f"\nCold import, fresh interpreter, {options.runs} runs (target <= 250 ms incl. boto3)")
    print(
        f"  {'module':<20} {'wall median':>12} {'wall min':>10} {'CPU median':>12} {'CPU min':>9}"
    )
    for module, timings in imports.items():
        wall, cpu = timings["wall"], timings["cpu"]
        print(
            f"  {module:<30} {statistics.median(wall):9.1f} ms {min(wall):7.1f} ms"
            f" {statistics.median(cpu):9.1f} ms {min(cpu):6.1f} ms"
        )
    print(
        f"\nWarm, 10-item order, {options.timer} time, best of {options.repeat} x {options.number}"
        " (target <= 200 us)"
    )
    for name, microseconds in warm.items():
        print(f"  {name:<33} {microseconds:8.1f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main())
