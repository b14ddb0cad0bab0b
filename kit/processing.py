"""Stream processing: the dead-letter queue and the DynamoDB stream event source mapping."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

#: Retries of a failing batch before its records go to the DLQ.
STREAM_RETRY_ATTEMPTS = 3
#: Records older than this go to the DLQ instead of being retried.
STREAM_MAX_RECORD_AGE = Duration.hours(6)
STREAM_BATCH_SIZE = 25


class DeadLetterQueue(Construct):
    """The SQS queue where failed work ends: KMS-encrypted, TLS-only, kept 14 days.

    It receives the stream records the processor could not handle (the event source
    mapping's on-failure destination) and failed asynchronous invocations of either function.
    API Gateway invokes the api function synchronously, so a failed request is answered to the
    caller and never reaches this queue: the queue sits behind the stream processor.

    Attributes
    ----------
    queue : aws_sqs.Queue
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, key: kms.IKey, removal_policy: RemovalPolicy
    ) -> None:
        super().__init__(scope, construct_id)
        self.queue = sqs.Queue(
            self,
            "Queue",
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=key,
            data_key_reuse=Duration.minutes(5),
            enforce_ssl=True,
            retention_period=Duration.days(14),
            removal_policy=removal_policy,
        )


class StreamProcessing(Construct):
    """Connect the table stream to the processor function.

    The mapping bisects a failing batch, retries it a bounded number of times, honours partial
    batch responses (``ReportBatchItemFailures``) and sends what still fails to the DLQ. The
    processor's policy gets exactly the stream-reading and update permissions it needs.

    Attributes
    ----------
    mapping : aws_lambda.CfnEventSourceMapping
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        table: dynamodb.ITable,
        function: lambda_.IFunction,
        policy: iam.ManagedPolicy,
        dead_letter_queue: sqs.IQueue,
    ) -> None:
        super().__init__(scope, construct_id)
        stream_arn = table.table_stream_arn
        if stream_arn is None:  # pragma: no cover - OrdersTable always enables the stream
            raise ValueError("the orders table has no stream")
        statements = [
            iam.PolicyStatement(
                sid="ReadOrdersStream",
                actions=[
                    "dynamodb:DescribeStream",
                    "dynamodb:GetRecords",
                    "dynamodb:GetShardIterator",
                ],
                resources=[stream_arn],
            ),
            # dynamodb:ListStreams supports no resource-level permission: AWS requires "*".
            iam.PolicyStatement(
                sid="ListStreams", actions=["dynamodb:ListStreams"], resources=["*"]
            ),
            iam.PolicyStatement(
                sid="ConfirmOrders",
                # Only the conditional update: the order comes in the stream record's image.
                actions=["dynamodb:UpdateItem"],
                resources=[table.table_arn],
            ),
            # sqs:SendMessage and the key are in the function's base policy already.
            iam.PolicyStatement(
                sid="InspectDlq",
                actions=["sqs:GetQueueAttributes"],
                resources=[dead_letter_queue.queue_arn],
            ),
        ]
        policy.add_statements(*statements)
        self.mapping = lambda_.CfnEventSourceMapping(
            self,
            "Mapping",
            function_name=function.function_name,
            event_source_arn=stream_arn,
            starting_position="TRIM_HORIZON",
            batch_size=STREAM_BATCH_SIZE,
            bisect_batch_on_function_error=True,
            maximum_retry_attempts=STREAM_RETRY_ATTEMPTS,
            maximum_record_age_in_seconds=int(STREAM_MAX_RECORD_AGE.to_seconds()),
            function_response_types=["ReportBatchItemFailures"],
            destination_config=lambda_.CfnEventSourceMapping.DestinationConfigProperty(
                on_failure=lambda_.CfnEventSourceMapping.OnFailureProperty(
                    destination=dead_letter_queue.queue_arn
                )
            ),
        )
        # The mapping validates its permissions on creation.
        self.mapping.node.add_dependency(policy)
