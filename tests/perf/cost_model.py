"""The cost of one million orders, from measured usage and pinned AWS list prices.

The usage comes from `bench_cost` (the real handlers, their real DynamoDB items and calls, log
lines and in-process durations); the prices and the few stated assumptions from
``prices.yaml``. This module only applies AWS's documented billing rules to them:

- DynamoDB item size ("Item sizes and formats", DynamoDB Developer Guide): attribute names
  plus values; a string is its UTF-8 length, a number about one byte per two significant
  digits plus one, a binary its length, a boolean or null one byte, a list or map 3 bytes plus
  one byte per element plus the elements.
- Capacity ("Read/write capacity mode", "Managing settings on DynamoDB provisioned capacity
  tables"): a write request unit per 1 KB written, a read request unit per 4 KB of a strongly
  consistent read, half of one for an eventually consistent read, twice as many for a
  transactional request; a Query adds up the sizes of the items it returns before rounding;
  an update is billed for the larger of the item before and after.
- Global secondary indexes ("Provisioned throughput considerations for global secondary
  indexes"): a table write that puts an item into an index costs one index write of the index
  entry's size; one that changes an index key costs two (delete and put); one that only changes
  projected attributes costs one; reads of an index are eventually consistent.
- Storage ("DynamoDB pricing"): each table item and each index entry has 100 bytes of overhead.
- X-Ray's default sampling rule: the first request each second and 5% of the rest.
- Lambda bills each invocation's duration rounded up to 1 ms, times the configured memory
  ("Lambda pricing"), and gives a function CPU in proportion to its memory: one vCPU at
  1,769 MB ("Configure Lambda function memory"), so CPU time measured on a full core is scaled
  up below that.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

PRICES_PATH = Path(__file__).with_name("prices.yaml")
KB = 1024
GB = 1024**3
#: Storage overhead DynamoDB adds to each table item and each index entry.
STORAGE_OVERHEAD_BYTES = 100
ARCHITECTURES = ("x86_64", "arm64")
#: Optional features the page prices on top of the base service.
OPTIONAL_FEATURES = ("waf", "backups", "archive")

_PRICE_KEYS = frozenset(
    {
        "api_gateway_rest_per_million_requests",
        "lambda_per_million_requests",
        "lambda_per_gb_second",
        "dynamodb_per_million_write_request_units",
        "dynamodb_per_million_read_request_units",
        "dynamodb_storage_per_gb_month",
        "dynamodb_pitr_per_gb_month",
        "cloudwatch_logs_ingestion_per_gb",
        "cloudwatch_logs_storage_per_gb_month",
        "kms_per_key_month",
        "kms_per_10k_requests",
        "xray_per_million_traces_recorded",
        "waf_per_web_acl_month",
        "waf_per_rule_month",
        "waf_per_million_requests",
        "backup_dynamodb_warm_per_gb_month",
        "s3_put_per_1k_requests",
        "s3_standard_per_gb_month",
    }
)
_ASSUMPTION_KEYS = frozenset(
    {
        "aws_call_round_trip_ms",
        "lambda_platform_log_bytes_per_invocation",
        "api_access_log_bytes_per_request",
        "days_per_month",
        "xray_reservoir_per_second",
        "xray_fixed_rate",
        "stream_records_per_processor_invocation",
    }
)


class PricesFileError(ValueError):
    """The prices file is missing a figure, or a figure is not a non-negative number."""


@dataclass(frozen=True)
class Prices:
    """Pinned list prices and the model's stated assumptions (see ``prices.yaml``)."""

    date: str
    region: str
    sources: Mapping[str, str]
    prices: Mapping[str, Any]
    assumptions: Mapping[str, float]


def _check_number(where: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise PricesFileError(f"{where} must be a non-negative number, got {value!r}")
    return float(value)


def parse_prices(text: str, source: str = "<prices>") -> Prices:
    """Parse and check a prices document (every price and assumption present and numeric)."""
    raw = yaml.safe_load(text)
    if not isinstance(raw, dict) or raw.get("version") != 1:
        raise PricesFileError(f"{source}: expected a mapping with version: 1")
    for key in ("date", "region"):
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise PricesFileError(f"{source}: {key!r} must be a non-empty string")
    prices, assumptions = raw.get("prices") or {}, raw.get("assumptions") or {}
    for section, expected, found in (
        ("prices", _PRICE_KEYS, prices),
        ("assumptions", _ASSUMPTION_KEYS, assumptions),
    ):
        missing = sorted(expected - set(found))
        if missing:
            raise PricesFileError(f"{source}: {section} lacks {', '.join(missing)}")
    for key, value in prices.items():
        if key == "lambda_per_gb_second":
            if not isinstance(value, dict) or set(value) != set(ARCHITECTURES):
                raise PricesFileError(f"{source}: {key} needs a price for x86_64 and arm64")
            for architecture, price in value.items():
                _check_number(f"{source}: {key}.{architecture}", price)
        else:
            _check_number(f"{source}: prices.{key}", value)
    checked = {k: _check_number(f"{source}: assumptions.{k}", v) for k, v in assumptions.items()}
    return Prices(
        date=raw["date"],
        region=raw["region"],
        sources=dict(raw.get("sources") or {}),
        prices=dict(prices),
        assumptions=checked,
    )


def load_prices(path: Path = PRICES_PATH) -> Prices:
    """The pinned prices of ``prices.yaml``."""
    return parse_prices(path.read_text(), str(path))


# --- DynamoDB sizes and units -----------------------------------------------------------------


def number_size(text: str) -> int:
    """Bytes DynamoDB counts for a number: one per two significant digits, plus one (plus
    one more for a negative number)."""
    digits = Decimal(text).normalize().as_tuple().digits
    significant = len(digits) if any(digits) else 1
    return math.ceil(significant / 2) + 1 + (1 if text.strip().startswith("-") else 0)


def value_size(value: Mapping[str, Any]) -> int:
    """Bytes of one attribute value in DynamoDB's attribute-value form (``{"S": "x"}``)."""
    ((kind, content),) = value.items()
    if kind == "S":
        return len(content.encode())
    if kind == "N":
        return number_size(content)
    if kind == "B":
        return len(content)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode()) for s in content)
    if kind == "NS":
        return sum(number_size(n) for n in content)
    if kind == "BS":
        return sum(len(b) for b in content)
    if kind == "L":
        return 3 + sum(1 + value_size(element) for element in content)
    if kind == "M":
        return 3 + sum(
            1 + len(name.encode()) + value_size(element) for name, element in content.items()
        )
    raise ValueError(f"unknown DynamoDB attribute type {kind!r}")


def item_size(item: Mapping[str, Mapping[str, Any]]) -> int:
    """Bytes of an item: every attribute's name (UTF-8) and value."""
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def write_units(size: int, transactional: bool = False) -> int:
    """Write request units of writing ``size`` bytes: one per started 1 KB (at least one)."""
    return max(1, math.ceil(size / KB)) * (2 if transactional else 1)


def read_units(size: int, consistent: bool = True, transactional: bool = False) -> float:
    """Read request units of reading ``size`` bytes: one per started 4 KB (at least one) for a
    strongly consistent read, half for an eventually consistent one, twice for a transaction."""
    units = max(1, math.ceil(size / (4 * KB)))
    if transactional:
        return units * 2.0
    return units * (1.0 if consistent else 0.5)


def query_read_units(sizes: Iterable[int], consistent: bool = False) -> float:
    """Read request units of one Query page: the returned items' sizes are added up, then
    rounded up to 4 KB once (a query of an index is always eventually consistent)."""
    return read_units(sum(sizes), consistent=consistent)


@dataclass(frozen=True)
class IndexShape:
    """A global secondary index: its key attributes, the table's key, and its projection
    (``None``: ALL attributes; otherwise the projected non-key attribute names)."""

    key_attributes: tuple[str, ...]
    table_key_attributes: tuple[str, ...]
    projected: tuple[str, ...] | None = None

    def entry(self, item: Mapping[str, Any] | None) -> dict[str, Any] | None:
        """The index entry of ``item``, or None when the item lacks an index key attribute."""
        if not item or any(name not in item for name in self.key_attributes):
            return None
        if self.projected is None:
            return dict(item)
        keep = {*self.key_attributes, *self.table_key_attributes, *self.projected}
        return {name: value for name, value in item.items() if name in keep}

    def write_units(self, before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> int:
        """Index write units of a table write that turns ``before`` into ``after``."""
        old, new = self.entry(before), self.entry(after)
        if old is None and new is None:
            return 0
        if old is None:
            return write_units(item_size(new or {}))
        if new is None:
            return write_units(item_size(old))
        if any(old[name] != new[name] for name in self.key_attributes):
            return write_units(item_size(old)) + write_units(item_size(new))
        if old == new:
            return 0
        return write_units(max(item_size(old), item_size(new)))


@dataclass(frozen=True)
class DynamoCall:
    """One DynamoDB call as `bench_cost` recorded it: the operation, the table items before
    and after a write, the items a read returned, and whether it read strongly consistently."""

    operation: str
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    returned: Sequence[Mapping[str, Any]] = ()
    consistent: bool = False
    transactional: bool = False


def call_units(call: DynamoCall, index: IndexShape) -> tuple[float, float]:
    """(read request units, write request units) of one call, index writes included."""
    if call.operation in ("PutItem", "UpdateItem", "DeleteItem"):
        # Billed for the larger of the item before and after the write.
        size = max(item_size(call.before or {}), item_size(call.after or {}))
        table = write_units(size, call.transactional)
        return 0.0, float(table + index.write_units(call.before, call.after))
    if call.operation == "GetItem":
        size = item_size(call.returned[0]) if call.returned else 0
        return read_units(size, call.consistent, call.transactional), 0.0
    if call.operation == "Query":
        sizes = [item_size(item) for item in call.returned]
        return query_read_units(sizes, call.consistent), 0.0
    raise ValueError(f"no billing rule for DynamoDB {call.operation}")


def storage_bytes(item: Mapping[str, Any], index: IndexShape) -> int:
    """Bytes billed for storing ``item``: the item and its index entry, each plus overhead."""
    entry = index.entry(item)
    stored = item_size(item) + STORAGE_OVERHEAD_BYTES
    if entry is not None:
        stored += item_size(entry) + STORAGE_OVERHEAD_BYTES
    return stored


# --- Lambda and X-Ray ---------------------------------------------------------------------------


#: Memory at which a Lambda function has the equivalent of one full vCPU.
ONE_VCPU_MB = 1769


def cpu_scale(memory_mb: int) -> float:
    """How much longer CPU-bound work takes in a function of ``memory_mb`` than on one full
    core (the CPU share grows with memory up to one vCPU at `ONE_VCPU_MB`)."""
    return max(1.0, ONE_VCPU_MB / memory_mb)


def billed_ms(
    handler_ms: float, aws_calls: float, round_trip_ms: float, memory_mb: int = ONE_VCPU_MB
) -> int:
    """Billed duration of one invocation: the handler's own time on one core, scaled to the
    function's CPU share, plus the network wait of its AWS calls, rounded up to 1 ms."""
    return max(1, math.ceil(handler_ms * cpu_scale(memory_mb) + aws_calls * round_trip_ms))


def xray_traces_recorded(
    requests: float, days: float, reservoir_per_second: float, fixed_rate: float
) -> float:
    """Traces X-Ray's default rule records of ``requests`` spread evenly over ``days``: each
    second the first ``reservoir_per_second`` requests, then ``fixed_rate`` of the rest."""
    seconds = days * 86_400
    rate = requests / seconds
    per_second = min(rate, reservoir_per_second) + fixed_rate * max(
        0.0, rate - reservoir_per_second
    )
    return per_second * seconds


# --- The bill -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestUsage:
    """Measured usage of one kind of request (or stream record)."""

    function: str
    api_request: bool
    rru: float
    wru: float
    kms_calls: int
    aws_calls: int
    handler_ms: float
    log_bytes: int


def _per_order(
    usage: Mapping[str, RequestUsage], lifecycle: Mapping[str, float], records_per_invocation: float
) -> dict:
    """Per order: API requests, invocations (stream records share an invocation, a batch),
    request units, KMS calls and log bytes."""
    if records_per_invocation < 1:
        raise ValueError("stream_records_per_processor_invocation must be at least 1")
    totals = {"api": 0.0, "invocations": 0.0, "rru": 0.0, "wru": 0.0, "kms": 0.0, "logs": 0.0}
    totals["processor_invocations"] = 0.0
    for name, count in lifecycle.items():
        u = usage[name]
        invocations = count if u.api_request else count / records_per_invocation
        totals["api"] += count if u.api_request else 0
        totals["invocations"] += invocations
        totals["processor_invocations"] += 0 if u.api_request else invocations
        totals["rru"] += count * u.rru
        totals["wru"] += count * u.wru
        totals["kms"] += count * u.kms_calls
        totals["logs"] += count * u.log_bytes
    return totals


def cost_per_million_orders(
    usage: Mapping[str, RequestUsage],
    lifecycle: Mapping[str, float],
    *,
    prices: Prices,
    architecture: str,
    memory_mb: Mapping[str, int],
    stored_bytes_per_order: int,
    order_json_bytes: int,
    waf_rules: int,
    backup_retention_days: int,
    log_retention_months: float = 1.0,
) -> dict[str, float]:
    """USD per component for one million orders in a month, each order making the requests of
    ``lifecycle`` (request name -> how many per order).

    Storage lines are what one month of holding the million orders costs. Components of the
    optional features are named ``WAF``, ``Backups`` and ``Archive``.
    """
    if architecture not in ARCHITECTURES:
        raise ValueError(f"architecture must be one of {', '.join(ARCHITECTURES)}")
    p, a = prices.prices, prices.assumptions
    orders = 1_000_000
    batch = a["stream_records_per_processor_invocation"]
    t = _per_order(usage, lifecycle, batch)
    invocations = orders * t["invocations"]
    api_requests = orders * t["api"]
    gb_seconds = 0.0
    for name, count in lifecycle.items():
        u = usage[name]
        # A stream invocation handles `batch` records and is rounded up once.
        per = 1.0 if u.api_request else batch
        memory = memory_mb[u.function]
        ms = billed_ms(per * u.handler_ms, per * u.aws_calls, a["aws_call_round_trip_ms"], memory)
        gb_seconds += orders * count / per * ms / 1000 * memory / 1024
    log_bytes = orders * (
        t["logs"]
        + t["invocations"] * a["lambda_platform_log_bytes_per_invocation"]
        + t["api"] * a["api_access_log_bytes_per_request"]
    )
    stored_gb = orders * stored_bytes_per_order / GB
    # One default rule for the account: API requests and stream invocations share its reservoir.
    traces = xray_traces_recorded(
        api_requests + orders * t["processor_invocations"],
        a["days_per_month"],
        a["xray_reservoir_per_second"],
        a["xray_fixed_rate"],
    )
    archive_gb = orders * order_json_bytes / GB
    return {
        "API Gateway requests": api_requests / 1e6 * p["api_gateway_rest_per_million_requests"],
        "Lambda requests": invocations / 1e6 * p["lambda_per_million_requests"],
        "Lambda duration": gb_seconds * p["lambda_per_gb_second"][architecture],
        "DynamoDB writes": orders * t["wru"] / 1e6 * p["dynamodb_per_million_write_request_units"],
        "DynamoDB reads": orders * t["rru"] / 1e6 * p["dynamodb_per_million_read_request_units"],
        "DynamoDB storage and PITR (month)": stored_gb
        * (p["dynamodb_storage_per_gb_month"] + p["dynamodb_pitr_per_gb_month"]),
        "CloudWatch Logs": log_bytes
        / GB
        * (
            p["cloudwatch_logs_ingestion_per_gb"]
            + log_retention_months * p["cloudwatch_logs_storage_per_gb_month"]
        ),
        "KMS requests": orders * t["kms"] / 10_000 * p["kms_per_10k_requests"],
        "X-Ray traces": traces / 1e6 * p["xray_per_million_traces_recorded"],
        "WAF": api_requests / 1e6 * p["waf_per_million_requests"]
        + p["waf_per_web_acl_month"]
        + waf_rules * p["waf_per_rule_month"],
        "Backups": stored_gb * backup_retention_days * p["backup_dynamodb_warm_per_gb_month"],
        # The default archive (archive_storage_class=None): each order put once, kept in S3
        # Standard (a Glacier class would add a transition request and ~40 KB per object).
        "Archive": orders / 1000 * p["s3_put_per_1k_requests"]
        + archive_gb * p["s3_standard_per_gb_month"],
    }


#: Components of each optional feature (the rest is the base service).
FEATURE_COMPONENTS = {"waf": "WAF", "backups": "Backups", "archive": "Archive"}


def total(costs: Mapping[str, float], features: Iterable[str] = ()) -> float:
    """The base service's components plus those of ``features`` (see `OPTIONAL_FEATURES`)."""
    wanted = set(features)
    unknown = wanted - set(OPTIONAL_FEATURES)
    if unknown:
        raise ValueError(f"unknown optional feature(s): {', '.join(sorted(unknown))}")
    optional = set(FEATURE_COMPONENTS.values())
    chosen = {FEATURE_COMPONENTS[f] for f in wanted}
    return sum(v for k, v in costs.items() if k not in optional or k in chosen)
