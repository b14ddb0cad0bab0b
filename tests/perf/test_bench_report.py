"""The benchmark runner's report: percentiles and the Performance page from a results document
(the benchmarks themselves are numbers, not tests; ``make bench`` runs them)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.perf import cost_model
from tests.perf.bench_e2e import percentiles
from tests.perf.run_benchmarks import machine, render_page


def sample_results() -> dict[str, Any]:
    latency = {"p50": 140.5, "p90": 220.0, "p99": 302.5, "max": 346.0}
    return {
        "machine": {
            "date": "2026-01-02 03:04 UTC",
            "commit": "abc1234",
            "cpu_count": 2,
            "cpu_model": "Test CPU",
            "ram_gib": 8.0,
            "python": "3.11.7",
            "os": "Linux 6",
        },
        "settings": {"import_runs": 9},
        "cold_import": {
            "orders.api": {"wall_median_ms": 331.2, "wall_min_ms": 226.7, "cpu_median_ms": 253.4}
        },
        "handler_request_us": {"POST /orders (10 items) -> 201": 938.4},
        "handler_steps_us": {"validate (schema + rules)": 69.4},
        "end_to_end": {
            "warm_up_s": 30.9,
            "sequential": {"requests": 50, "latency_ms": latency},
            "concurrent": {
                "requests": 500,
                "in_flight": 50,
                "wall_s": 32.7,
                "orders_per_s": 15.3,
                "latency_ms": {**latency, "p99": 5379.8},
            },
        },
        "audit": {"runs_s": [35.8, 35.7], "median_s": 35.8},
    }


def test_percentiles_of_a_known_distribution() -> None:
    samples = [float(n) for n in range(1, 101)]
    assert percentiles(samples) == {"p50": 50.5, "p90": 90.1, "p99": 99.01, "max": 100.0}


def test_percentiles_need_two_samples() -> None:
    with pytest.raises(Exception, match="at least two"):
        percentiles([1.0])


def test_page_names_the_machine_and_every_number() -> None:
    page = render_page(sample_results())

    assert "| CPUs | 2 x Test CPU |" in page
    assert "| RAM | 8.0 GiB |" in page
    assert "| Python | 3.11.7 (Linux 6) |" in page
    assert "2026-01-02 03:04 UTC (commit `abc1234`)" in page
    assert "| `orders.api` | 331.2 ms | 226.7 ms | 253.4 ms |" in page
    assert "| POST /orders (10 items) -> 201 | 938 us |" in page
    assert "| 50 in flight | 500 | 15.3 | 140.5 ms | 220.0 ms | 5379.8 ms | 346.0 ms |" in page
    assert "median **35.8 s** (runs: 35.8 s, 35.7 s)" in page


def test_machine_reports_where_the_numbers_come_from() -> None:
    info = machine()
    assert info["cpu_count"] and info["cpu_count"] >= 1
    assert info["python"].count(".") == 2
    assert info["date"].endswith("UTC")


def sample_cost() -> dict[str, Any]:
    usage = {
        "POST /orders": cost_model.RequestUsage("api", True, 0.0, 4.0, 0, 1, 0.62, 1333),
        "stream INSERT -> confirm": cost_model.RequestUsage(
            "processor", False, 0, 4, 0, 1, 0.4, 863
        ),
    }
    lifecycle = {"POST /orders": 1, "stream INSERT -> confirm": 1}
    prices = cost_model.load_prices()
    bills = {
        arch: cost_model.cost_per_million_orders(
            usage,
            lifecycle,
            prices=prices,
            architecture=arch,
            memory_mb={"api": 512, "processor": 512},
            stored_bytes_per_order=2714,
            order_json_bytes=1322,
            waf_rules=4,
            backup_retention_days=35,
        )
        for arch in cost_model.ARCHITECTURES
    }
    return {
        "prices": {"date": prices.date, "region": prices.region, "sources": prices.sources},
        "assumptions": dict(prices.assumptions),
        "measured": {
            "usage": {name: vars(u) for name, u in usage.items()},
            "order_item_bytes": 1257,
            "stored_bytes_per_order": 2714,
            "order_json_bytes": 1322,
            "idempotency_record_bytes": 274,
            "peak_memory_mb": 50.0,
        },
        "lifecycle": lifecycle,
        "memory_mb": {"api": 512, "processor": 512},
        "waf_rules": 4,
        "backup_retention_days": 35,
        "per_million_orders": bills,
        "lambda_duration_by_memory": {"128": {"x86_64": 1.5, "arm64": 1.2}},
    }


def test_cost_section_prices_both_architectures_and_each_feature() -> None:
    cost = sample_cost()
    page = render_page({**sample_results(), "cost": cost})
    bills = cost["per_million_orders"]

    assert "## Cost per million orders" in page
    assert "pinned on " + cost["prices"]["date"] in page
    duration = f"| Lambda duration | ${bills['x86_64']['Lambda duration']:,.2f} |"
    assert duration in page
    base_arm = cost_model.total(bills["arm64"])
    assert f"**${base_arm:,.2f}** |" in page
    for feature in cost_model.OPTIONAL_FEATURES:
        assert f"| + {feature} (" in page
    assert "| `POST /orders` | api | 0 | 4 | 0 | 1 | 0.62 ms | 1333 |" in page
    assert "Order item: 1257 bytes" in page
    assert "peaks at 50.0 MB resident" in page
    assert "| 128 MB | $1.50 | $1.20 |" in page
    # Without a cost run the page has no cost section.
    assert "Cost per million" not in render_page(sample_results())
