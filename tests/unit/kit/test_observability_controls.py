"""Given the construct, every failure mode has an alarm that notifies the encrypted topic, and
the dashboard shows the service's key metrics."""

from __future__ import annotations

import json

from aws_cdk.assertions import Match, Template

from kit import metrics

from .conftest import logical_id, only, resources

EXPECTED_ALARMS = {
    "ApiFunctionErrors",
    "ApiFunctionThrottles",
    "ApiFunctionDuration",
    "ProcessorFunctionErrors",
    "ProcessorFunctionThrottles",
    "ProcessorFunctionDuration",
    "Api5xx",
    "Api4xx",
    "ApiLatency",
    "TableThrottles",
    "DeadLetters",
    "StreamIteratorAge",
    "DependencyAccessDenied",
    "OldestPendingOrder",
    "PendingSweepErrors",
}


def test_every_expected_alarm_exists(template: Template) -> None:
    names = {
        r["Properties"]["AlarmName"].removeprefix("orders-prod-")
        for r in resources(template, "AWS::CloudWatch::Alarm").values()
    }
    assert names == EXPECTED_ALARMS


def test_every_alarm_notifies_the_topic(template: Template) -> None:
    topic = {"Ref": logical_id(template, "AWS::SNS::Topic")}
    for resource in resources(template, "AWS::CloudWatch::Alarm").values():
        assert resource["Properties"]["AlarmActions"] == [topic]
        assert resource["Properties"]["OKActions"] == [topic]


def test_alarm_metrics(template: Template) -> None:
    alarms = {
        r["Properties"]["AlarmName"].removeprefix("orders-prod-"): r["Properties"]
        for r in resources(template, "AWS::CloudWatch::Alarm").values()
    }
    assert alarms["DeadLetters"]["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert alarms["StreamIteratorAge"]["MetricName"] == "IteratorAge"
    assert alarms["Api5xx"]["MetricName"] == "5XXError"
    assert alarms["Api4xx"]["MetricName"] == "4XXError"
    assert alarms["ApiLatency"]["ExtendedStatistic"] == "p99"
    assert alarms["ApiLatency"]["Threshold"] == 2000
    assert alarms["ApiFunctionErrors"]["MetricName"] == "Errors"
    assert alarms["DependencyAccessDenied"]["MetricName"] == metrics.DEPENDENCY_ACCESS_DENIED
    assert alarms["DependencyAccessDenied"]["Namespace"] == metrics.NAMESPACE
    # 80 % of the 10 s api timeout
    assert alarms["ApiFunctionDuration"]["Threshold"] == 8000
    metric_names = {
        m.get("MetricStat", {}).get("Metric", {}).get("MetricName")
        for m in alarms["TableThrottles"]["Metrics"]
    }
    assert {"ReadThrottleEvents", "WriteThrottleEvents"} <= metric_names


def test_topic_encrypted_tls_only_with_email(template: Template) -> None:
    topic = only(template, "AWS::SNS::Topic")["Properties"]
    assert topic["KmsMasterKeyId"] == {"Fn::GetAtt": [logical_id(template, "AWS::KMS::Key"), "Arn"]}
    template.has_resource_properties(
        "AWS::SNS::TopicPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        )
                    ]
                )
            }
        },
    )
    subscription = only(template, "AWS::SNS::Subscription")["Properties"]
    assert subscription["Protocol"] == "email"
    assert subscription["Endpoint"] == "oncall@example.com"


def test_topic_policy_lets_cloudwatch_publish_for_the_service_alarms_only(
    template: Template,
) -> None:
    # enforce_ssl replaces SNS's default policy: without this Allow no alarm is delivered.
    (policy,) = resources(template, "AWS::SNS::TopicPolicy").values()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    (publish,) = [s for s in statements if s.get("Sid") == "CloudWatchAlarmsPublish"]
    assert publish["Effect"] == "Allow"
    assert publish["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert publish["Action"] == "sns:Publish"
    assert publish["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    source_arn = json.dumps(publish["Condition"]["ArnLike"]["aws:SourceArn"])
    assert ":alarm:orders-prod-*" in source_arn


def test_dashboard_shows_key_metrics(template: Template) -> None:
    body = json.dumps(only(template, "AWS::CloudWatch::Dashboard")["Properties"]["DashboardBody"])
    for needle in (
        "Count",
        "5XXError",
        "Latency",
        "p99",
        "p50",
        "Throttles",
        "Errors",
        metrics.ORDERS_PROCESSED,
        metrics.ORDERS_ARCHIVED,
        metrics.ORDERS_CREATED,
        metrics.ORDER_VALUE,
        metrics.DEPENDENCY_ACCESS_DENIED,
        "ApproximateNumberOfMessagesVisible",
        "IteratorAge",
        "alarm",
    ):
        assert needle in body, needle
