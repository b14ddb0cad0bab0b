"""The cost model: DynamoDB's documented size and unit rules, and that the bill follows the
measured usage and the pinned prices (no figure in it is fixed)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tests.perf.cost_model import (
    DynamoCall,
    IndexShape,
    PricesFileError,
    RequestUsage,
    billed_ms,
    call_units,
    cost_per_million_orders,
    item_size,
    load_prices,
    number_size,
    parse_prices,
    query_read_units,
    read_units,
    storage_bytes,
    total,
    value_size,
    write_units,
    xray_traces_recorded,
)

INDEX = IndexShape(key_attributes=("customerId", "createdAt"), table_key_attributes=("orderId",))


def order(padding: int = 0, status: str = "PENDING") -> dict:
    return {
        "orderId": {"S": "o-1"},
        "customerId": {"S": "c-1"},
        "createdAt": {"S": "2026-01-01T00:00:00Z"},
        "status": {"S": status},
        "note": {"S": "x" * padding},
    }


def test_item_size_follows_the_documented_rules() -> None:
    # Names count; a string is its UTF-8 length ("é" is two bytes).
    assert item_size({"ab": {"S": "é"}}) == 2 + 2
    # Numbers: one byte per two significant digits, plus one; leading/trailing zeros drop out.
    assert number_size("12345") == 4
    assert number_size("0.0012") == 2
    assert number_size("-7") == 3
    assert value_size({"BOOL": True}) == value_size({"NULL": True}) == 1
    # Map: 3 bytes + per element 1 byte + name + value; list likewise without names.
    assert value_size({"M": {"a": {"S": "xy"}}}) == 3 + 1 + 1 + 2
    assert value_size({"L": [{"S": "xy"}, {"N": "1"}]}) == 3 + (1 + 2) + (1 + 2)
    with pytest.raises(ValueError, match="unknown DynamoDB attribute type"):
        value_size({"X": "?"})


@pytest.mark.parametrize(
    ("size", "units"), [(0, 1), (1, 1), (1024, 1), (1025, 2), (2048, 2), (2049, 3)]
)
def test_write_units_round_up_at_each_kilobyte(size: int, units: int) -> None:
    assert write_units(size) == units
    assert write_units(size, transactional=True) == 2 * units


@pytest.mark.parametrize(("size", "units"), [(1, 1), (4096, 1), (4097, 2), (8193, 3)])
def test_read_units_round_up_at_four_kilobytes(size: int, units: int) -> None:
    assert read_units(size, consistent=True) == units
    assert read_units(size, consistent=False) == units / 2
    assert read_units(size, consistent=False, transactional=True) == 2 * units


def test_a_query_rounds_the_sum_of_its_items_once() -> None:
    # Ten 1 KB items: 10 KB -> 3 units of 4 KB, halved (an index read is eventual).
    assert query_read_units([1024] * 10) == 1.5
    # Not ten separate roundings (which would be 10 x 0.5).
    assert query_read_units([1024] * 10) < 10 * read_units(1024, consistent=False)


def test_index_writes_follow_the_gsi_rules() -> None:
    new = order()
    assert INDEX.write_units(None, new) == 1  # put into the index
    assert INDEX.write_units(new, None) == 1  # removed from it
    assert INDEX.write_units(None, {"orderId": {"S": "r"}}) == 0  # no index key: not indexed
    moved = {**new, "createdAt": {"S": "2026-02-01T00:00:00Z"}}
    assert INDEX.write_units(new, moved) == 2  # key change: delete + put
    assert INDEX.write_units(new, order(status="CONFIRMED")) == 1  # projected attribute
    assert INDEX.write_units(new, dict(new)) == 0
    keys_only = replace(INDEX, projected=())
    assert keys_only.write_units(new, order(status="CONFIRMED")) == 0


def test_a_put_is_billed_for_the_table_and_the_index_by_item_size() -> None:
    small, large = order(), order(padding=1500)
    assert call_units(DynamoCall("PutItem", after=small), INDEX) == (0.0, 2.0)
    assert call_units(DynamoCall("PutItem", after=large), INDEX) == (0.0, 4.0)
    # An update is billed for the larger of before and after.
    shrink = DynamoCall("UpdateItem", before=large, after=small)
    assert call_units(shrink, INDEX)[1] == 2 + 2
    read = DynamoCall("GetItem", returned=[large], consistent=True)
    assert call_units(read, INDEX) == (1.0, 0.0)
    with pytest.raises(ValueError, match="no billing rule"):
        call_units(DynamoCall("Scan"), INDEX)


def test_storage_counts_item_index_entry_and_overhead() -> None:
    item = order()
    assert storage_bytes(item, INDEX) == 2 * (item_size(item) + 100)
    assert storage_bytes({"orderId": {"S": "r"}}, INDEX) == item_size({"orderId": {"S": "r"}}) + 100


def test_billed_duration_scales_cpu_time_by_the_memory_share_and_rounds_up() -> None:
    # On one full core (1,769 MB and up): 1.2 ms of work + 2 calls x 6 ms -> 14 ms.
    assert billed_ms(1.2, 2, 6, memory_mb=1769) == 14
    assert billed_ms(1.2, 2, 6, memory_mb=3538) == 14
    # At half a vCPU the work takes twice as long: 2.4 + 12 -> 15 ms.
    assert billed_ms(1.2, 2, 6, memory_mb=1769 // 2) == 15
    assert billed_ms(0.01, 0, 6) == 1  # never below 1 ms


def test_batched_stream_records_share_invocations() -> None:
    one = _bill()
    prices = load_prices()
    batched = replace(
        prices, assumptions={**prices.assumptions, "stream_records_per_processor_invocation": 25}
    )
    bill = _bill(prices=batched)
    assert bill["Lambda requests"] < one["Lambda requests"]
    assert bill["Lambda duration"] < one["Lambda duration"]
    assert bill["DynamoDB writes"] == one["DynamoDB writes"]


def test_xray_default_rule_records_the_reservoir_then_five_percent() -> None:
    day = 86_400
    assert xray_traces_recorded(day / 2, 1, 1, 0.05) == pytest.approx(day / 2)
    assert xray_traces_recorded(11 * day, 1, 1, 0.05) == pytest.approx(day * 1.5)


def _usage(wru: float = 4.0, log_bytes: int = 1000) -> dict[str, RequestUsage]:
    return {
        "create": RequestUsage("api", True, 0.0, wru, 0, 1, 1.0, log_bytes),
        "confirm": RequestUsage("processor", False, 0.0, 4.0, 0, 1, 1.0, 800),
    }


def _bill(**overrides: object) -> dict[str, float]:
    options: dict = {
        "prices": load_prices(),
        "architecture": "arm64",
        "memory_mb": {"api": 512, "processor": 512},
        "stored_bytes_per_order": 2700,
        "order_json_bytes": 1300,
        "waf_rules": 4,
        "backup_retention_days": 35,
    }
    usage = overrides.pop("usage", _usage())
    options.update(overrides)
    return cost_per_million_orders(usage, {"create": 1, "confirm": 1}, **options)


def test_the_bill_follows_the_measured_usage() -> None:
    prices = load_prices().prices
    base = _bill()
    assert base["DynamoDB writes"] == pytest.approx(
        8 * prices["dynamodb_per_million_write_request_units"]
    )
    # A bigger item (one more write unit per create) costs more, and only in DynamoDB writes.
    bigger = _bill(usage=_usage(wru=5.0))
    assert bigger["DynamoDB writes"] > base["DynamoDB writes"]
    assert {k for k in base if base[k] != bigger[k]} == {"DynamoDB writes"}
    assert _bill(usage=_usage(log_bytes=5000))["CloudWatch Logs"] > base["CloudWatch Logs"]
    assert _bill(stored_bytes_per_order=5400)["Backups"] == pytest.approx(2 * base["Backups"])


def test_arm64_duration_is_cheaper_at_the_same_time_and_the_rest_is_equal() -> None:
    arm, x86 = _bill(), _bill(architecture="x86_64")
    assert arm["Lambda duration"] < x86["Lambda duration"]
    assert {k for k in arm if arm[k] != x86[k]} == {"Lambda duration"}
    with pytest.raises(ValueError, match="architecture"):
        _bill(architecture="sparc")


def test_totals_add_only_the_features_asked_for() -> None:
    bill = _bill()
    base = total(bill)
    assert total(bill, ["waf"]) == pytest.approx(base + bill["WAF"])
    assert total(bill, ["waf", "backups", "archive"]) == pytest.approx(
        base + bill["WAF"] + bill["Backups"] + bill["Archive"]
    )
    with pytest.raises(ValueError, match="unknown optional feature"):
        total(bill, ["cdn"])


def test_the_pinned_prices_name_date_region_and_sources() -> None:
    prices = load_prices()
    assert prices.region == "us-east-1"
    assert prices.date[:4].isdigit()
    assert "dynamodb" in prices.sources and "lambda" in prices.sources
    assert (
        prices.prices["lambda_per_gb_second"]["arm64"]
        < prices.prices["lambda_per_gb_second"]["x86_64"]
    )


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("  kms_per_10k_requests: 0.03\n", ""), "lacks kms_per_10k_requests"),
        (
            lambda t: t.replace("kms_per_10k_requests: 0.03", "kms_per_10k_requests: -1"),
            "non-negative",
        ),
        (lambda t: t.replace("    arm64: 0.0000133334\n", ""), "x86_64 and arm64"),
        (lambda t: t.replace("region: us-east-1", "region: ''"), "'region'"),
        (lambda t: t.replace("  days_per_month: 30\n", ""), "assumptions lacks days_per_month"),
    ],
)
def test_a_broken_prices_file_is_refused(edit, message: str) -> None:  # type: ignore[no-untyped-def]
    text = (Path(__file__).with_name("prices.yaml")).read_text()
    with pytest.raises(PricesFileError, match=message):
        parse_prices(edit(text))
