"""The Powertools logger and metrics shared by the order functions.

Logger: JSON lines with the correlation id on every line (set per invocation by the entry
points). Metrics: CloudWatch Embedded Metric Format, namespace ``POWERTOOLS_METRICS_NAMESPACE``.
Nothing that identifies a person (addresses, names) is ever passed to either.
"""

from __future__ import annotations

import os
from decimal import Decimal

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric

#: Used only when the construct did not set POWERTOOLS_METRICS_NAMESPACE (e.g. a local run).
DEFAULT_METRICS_NAMESPACE = "ProductionOrderKit"
DEFAULT_SERVICE_NAME = "orders"

service_name = os.environ.get("POWERTOOLS_SERVICE_NAME") or DEFAULT_SERVICE_NAME
logger = Logger(service=service_name)
metrics_namespace = os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or DEFAULT_METRICS_NAMESPACE
#: Every metric has the ``service`` dimension; ``orderValue`` has ``service`` and ``currency``.
metrics = Metrics(namespace=metrics_namespace, service=service_name)


def count(name: str, value: int = 1) -> None:
    """Add ``value`` to the count metric ``name`` (published by `publish_metrics`)."""
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)


def publish_metrics() -> None:
    """Write the invocation's metrics as one EMF log line (nothing when none were added)."""
    if metrics.metric_set:
        metrics.flush_metrics()


def record_order_value(total: Decimal, currency: str) -> None:
    """Publish ``orderValue`` for one order with a ``currency`` dimension (one EMF line).

    A dimension of its own (rather than the invocation's metric set) keeps the value of orders
    in different currencies in different series: summing EUR and JPY would mean nothing.
    """
    with single_metric(
        name="orderValue",
        unit=MetricUnit.NoUnit,
        value=float(total),
        namespace=metrics_namespace,
    ) as metric:
        metric.add_dimension(name="service", value=service_name)
        metric.add_dimension(name="currency", value=currency)
