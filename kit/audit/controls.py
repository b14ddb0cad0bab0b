"""The seed's production controls, and the scanner checks that prove each one (data only).

Each :class:`Control` is one improvement the seed's failure analysis lists; its ``checks`` are
the cdk-nag rules (base ids, without the granular part), checkov checks (built-in and the
kit's ``CKV_POK_*``/``CKV2_POK_*``) and cfn-lint (``*``: every rule) whose results decide the
control's status in the audit's control matrix. Controls no scanner can see in a template
(code behaviour, design choices) have no checks and name the tests that cover them instead.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CheckRef:
    """One check of one scanner.

    Attributes
    ----------
    tool : str
        ``cdk-nag``, ``checkov`` or ``cfn-lint``.
    rule : str
        Base rule id (cdk-nag), check id (checkov) or ``*`` (all of cfn-lint).
    """

    tool: str
    rule: str

    def __str__(self) -> str:
        return f"{self.tool}:{self.rule}"


@dataclass(frozen=True)
class Control:
    """A control from the seed and the checks that prove it.

    Attributes
    ----------
    control_id : str
        Short stable id (``SEC-1``...).
    title : str
        What the control guarantees.
    seed_area : str
        The seed section it comes from.
    checks : tuple of CheckRef
        The checks; empty when no scanner can see the control.
    covered_by : str
        For controls without checks: where they are proven instead.
    """

    control_id: str
    title: str
    seed_area: str
    checks: tuple[CheckRef, ...]
    covered_by: str = ""


def _nag(*rules: str) -> tuple[CheckRef, ...]:
    return tuple(CheckRef("cdk-nag", rule) for rule in rules)


def _checkov(*checks: str) -> tuple[CheckRef, ...]:
    return tuple(CheckRef("checkov", check) for check in checks)


_SECURITY = "Security"
_MONITORING = "Monitoring and observability"
_PERFORMANCE = "Performance and scalability"
_RELIABILITY = "Reliability and error handling"
_OPERATIONS = "Operational excellence"
_DATA = "Data model and access patterns"
_IAC = "Infrastructure as code best practices"

#: The control matrix rows, in report order.
CONTROLS: tuple[Control, ...] = (
    Control(
        "SEC-1",
        "Data at rest encrypted with the customer-managed KMS key (table, queue, topic, "
        "function environment)",
        _SECURITY,
        _checkov("CKV_POK_1", "CKV_AWS_119", "CKV_AWS_27", "CKV_AWS_26", "CKV_AWS_173")
        + _nag(
            "AwsSolutions-SQS2",
            "NIST.800.53.R5-SNSEncryptedKMS",
            "HIPAA.Security-SNSEncryptedKMS",
            "PCI.DSS.321-SNSEncryptedKMS",
        ),
    ),
    Control(
        "SEC-2",
        "CloudWatch log groups encrypted with KMS",
        _SECURITY,
        _checkov("CKV_AWS_158")
        + _nag(
            "NIST.800.53.R5-CloudWatchLogGroupEncrypted",
            "HIPAA.Security-CloudWatchLogGroupEncrypted",
            "PCI.DSS.321-CloudWatchLogGroupEncrypted",
        ),
    ),
    Control(
        "SEC-3",
        "Least-privilege IAM: no wildcard actions, permissions on specific resource ARNs",
        _SECURITY,
        _checkov(
            "CKV_POK_6",
            "CKV_AWS_62",
            "CKV_AWS_63",
            "CKV_AWS_107",
            "CKV_AWS_108",
            "CKV_AWS_109",
            "CKV_AWS_110",
            "CKV_AWS_111",
        )
        + _nag(
            "AwsSolutions-IAM4",
            "AwsSolutions-IAM5",
            "Serverless-LambdaStarPermissions",
            "NIST.800.53.R5-IAMNoInlinePolicy",
            "NIST.800.53.R5-IAMPolicyNoStatementsWithAdminAccess",
            "NIST.800.53.R5-IAMPolicyNoStatementsWithFullAccess",
            "HIPAA.Security-IAMNoInlinePolicy",
            "HIPAA.Security-IAMPolicyNoStatementsWithFullAccess",
            "PCI.DSS.321-IAMNoInlinePolicy",
            "PCI.DSS.321-IAMPolicyNoStatementsWithFullAccess",
        ),
    ),
    Control(
        "SEC-4",
        "KMS key with rotation, an alias and a least-privilege key policy",
        _SECURITY,
        _checkov("CKV_AWS_7", "CKV_AWS_33", "CKV2_POK_8")
        + _nag(
            "AwsSolutions-KMS5",
            "NIST.800.53.R5-KMSBackingKeyRotationEnabled",
            "PCI.DSS.321-KMSBackingKeyRotationEnabled",
        ),
    ),
    Control(
        "SEC-5",
        "Input validation: request validator and JSON-schema model on every body",
        _SECURITY,
        _checkov("CKV_POK_8") + _nag("AwsSolutions-APIG2"),
    ),
    Control(
        "SEC-6",
        "API never open by default (IAM or Cognito authorization on every method)",
        _SECURITY,
        _checkov("CKV_AWS_59") + _nag("AwsSolutions-APIG4", "AwsSolutions-COG4"),
    ),
    Control(
        "SEC-7",
        "Encryption in transit: SQS and SNS accept TLS only",
        _SECURITY,
        _checkov("CKV2_POK_6", "CKV2_POK_7") + _nag("AwsSolutions-SQS4", "AwsSolutions-SNS3"),
    ),
    Control(
        "REL-1",
        "Dead-letter queue: function DLQ and the stream's on-failure destination",
        _RELIABILITY,
        _checkov("CKV_AWS_116", "CKV_POK_2")
        + _nag(
            "AwsSolutions-SQS3",
            "Serverless-LambdaDLQ",
            "Serverless-LambdaEventSourceMappingDestination",
            "NIST.800.53.R5-LambdaDLQ",
            "HIPAA.Security-LambdaDLQ",
        ),
    ),
    Control(
        "REL-2",
        "Bounded retries and record age for failed stream batches",
        _RELIABILITY,
        _checkov("CKV_POK_3"),
    ),
    Control(
        "REL-3",
        "Point-in-time recovery on the table",
        _RELIABILITY,
        _checkov("CKV_AWS_28")
        + _nag(
            "AwsSolutions-DDB3",
            "NIST.800.53.R5-DynamoDBPITREnabled",
            "HIPAA.Security-DynamoDBPITREnabled",
            "NIST.800.53.R5-DynamoDBInBackupPlan",
            "HIPAA.Security-DynamoDBInBackupPlan",
        ),
    ),
    Control(
        "REL-4",
        "Structured error responses with proper status codes and CORS headers",
        _RELIABILITY,
        (),
        "handler tests (tests/unit/handler): error types, status codes and CORS headers",
    ),
    Control(
        "MON-1",
        "CloudWatch alarms (errors, throttles, duration, API 4XX/5XX, DLQ depth) notify an "
        "SNS topic",
        _MONITORING,
        _checkov("CKV2_POK_5", "CKV2_POK_10")
        + _nag("NIST.800.53.R5-CloudWatchAlarmAction", "HIPAA.Security-CloudWatchAlarmAction"),
    ),
    Control(
        "MON-2",
        "X-Ray tracing on the functions and the API stage",
        _MONITORING,
        _checkov("CKV2_POK_4", "CKV_AWS_73")
        + _nag(
            "Serverless-LambdaTracing",
            "Serverless-APIGWXrayEnabled",
            "HIPAA.Security-APIGWXrayEnabled",
        ),
    ),
    Control(
        "MON-3",
        "API access logging (JSON) and execution logging",
        _MONITORING,
        _checkov("CKV_AWS_76", "CKV_POK_5")
        + _nag(
            "AwsSolutions-APIG1",
            "AwsSolutions-APIG6",
            "Serverless-APIGWAccessLogging",
            "Serverless-APIGWStructuredLogging",
            "NIST.800.53.R5-APIGWExecutionLoggingEnabled",
            "HIPAA.Security-APIGWExecutionLoggingEnabled",
            "PCI.DSS.321-APIGWExecutionLoggingEnabled",
        ),
    ),
    Control(
        "MON-4",
        "Custom business metrics (orders created and processed, order value)",
        _MONITORING,
        (),
        "handler tests (EMF metrics) and the construct tests of the dashboard",
    ),
    Control(
        "PERF-1",
        "Reserved concurrency on every function",
        _PERFORMANCE,
        _checkov("CKV_AWS_115")
        + _nag("NIST.800.53.R5-LambdaConcurrency", "HIPAA.Security-LambdaConcurrency"),
    ),
    Control(
        "PERF-2",
        "API stage throttling within 500 rps / 1000 burst",
        _PERFORMANCE,
        _checkov("CKV_POK_4") + _nag("Serverless-APIGWDefaultThrottling"),
    ),
    Control(
        "PERF-3",
        "DynamoDB contributor insights",
        _PERFORMANCE,
        _checkov("CKV2_POK_3"),
    ),
    Control(
        "PERF-4",
        "Global secondary index for customer queries",
        _DATA,
        (),
        "construct tests of the table (tests/unit/kit/test_data_controls.py)",
    ),
    Control(
        "DATA-1",
        "Time-to-live for automatic data lifecycle",
        _DATA,
        _checkov("CKV2_POK_1"),
    ),
    Control(
        "DATA-2",
        "DynamoDB stream (NEW_AND_OLD_IMAGES) for change data capture",
        _DATA,
        _checkov("CKV2_POK_2"),
    ),
    Control(
        "OPS-1",
        "Log groups with a retention period",
        _OPERATIONS,
        _checkov("CKV_AWS_66", "CKV2_POK_9")
        + _nag(
            "Serverless-CloudWatchLogGroupRetentionPeriod",
            "NIST.800.53.R5-CloudWatchLogGroupRetentionPeriod",
            "HIPAA.Security-CloudWatchLogGroupRetentionPeriod",
            "PCI.DSS.321-CloudWatchLogGroupRetentionPeriod",
        ),
    ),
    Control(
        "OPS-2",
        "Tagging strategy: the required tags on every taggable resource",
        _OPERATIONS,
        _checkov("CKV_POK_7"),
    ),
    Control(
        "OPS-3",
        "Structured JSON logs with correlation ids",
        _OPERATIONS,
        (),
        "construct tests (JSON log format) and handler tests (Powertools logger)",
    ),
    Control(
        "OPS-4",
        "Cost: on-demand billing, explicit timeouts and memory, current runtime",
        _OPERATIONS,
        _nag(
            "Serverless-LambdaDefaultTimeout",
            "Serverless-LambdaDefaultMemorySize",
            "Serverless-LambdaLatestVersion",
            "AwsSolutions-L1",
        ),
        "on-demand billing: construct tests of the table",
    ),
    Control(
        "OPS-5",
        "Valid CloudFormation (schemas, references, best practices)",
        _IAC,
        (CheckRef("cfn-lint", "*"),),
    ),
)
