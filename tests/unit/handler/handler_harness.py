"""Helpers of the handler tests: the moto-mocked account's resources, API Gateway and DynamoDB
stream events, and parsing of what the functions return and log.

(Fixtures are in conftest.py; this module has a unique name so tests can import it.)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

import boto3
from orders import api

REGION = "eu-west-1"
TABLE_NAME = "orders-test"
INDEX_NAME = "byCustomer"
ALLOWED_ORIGINS = ("https://shop.example.com", "https://admin.example.com")
#: The IAM caller of the events unless a test names another (IAM mode, the default).
CALLER_ARN = "arn:aws:sts::123456789012:assumed-role/checkout/session-1"


@dataclass(frozen=True)
class FakeLambdaContext:
    """The attributes of a Lambda context that Powertools' logger reads."""

    function_name: str = "orders-api"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:eu-west-1:123456789012:function:orders-api"
    aws_request_id: str = "req-0000"


@dataclass(frozen=True)
class AwsAccount:
    """The mocked resources."""

    dynamodb: Any
    kms: Any
    streams: Any
    table_name: str
    key_id: str
    stream_arn: str


def create_orders_table(dynamodb: Any) -> str:
    """Create the table as the construct defines it; return its stream ARN."""
    response = dynamodb.create_table(
        TableName=TABLE_NAME,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "orderId", "AttributeType": "S"},
            {"AttributeName": "customerId", "AttributeType": "S"},
            {"AttributeName": "createdAt", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "orderId", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": INDEX_NAME,
                "KeySchema": [
                    {"AttributeName": "customerId", "KeyType": "HASH"},
                    {"AttributeName": "createdAt", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    return str(response["TableDescription"]["LatestStreamArn"])


@cache
def shared_clients() -> tuple[Any, Any, Any]:
    """The tests' own DynamoDB, KMS and DynamoDB Streams clients, created once (inside the first
    mock, with the fake credentials of `aws_env`): moto intercepts every client made after it
    was imported, whenever a mock is active."""
    streams = boto3.client(
        "dynamodbstreams",
        region_name=REGION,
        # botocore sends DescribeStream to an account-based endpoint that moto does not
        # intercept; the regional endpoint is the same API.
        endpoint_url=f"https://streams.dynamodb.{REGION}.amazonaws.com",
    )
    return (
        boto3.client("dynamodb", region_name=REGION),
        boto3.client("kms", region_name=REGION),
        streams,
    )


def api_event(
    method: str,
    resource: str,
    *,
    path_parameters: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
    body: str | None = None,
    is_base64_encoded: bool = False,
    user_arn: str | None = CALLER_ARN,
    claims: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An API Gateway REST proxy event (payload 1.0) as the API would send it: an IAM caller
    in ``requestContext.identity.userArn``, Cognito ``claims`` in
    ``requestContext.authorizer.claims`` (what API Gateway puts there, per the "$context
    Variables for data models, authorizers..." reference of the API Gateway developer guide)."""
    path = resource
    for name, value in (path_parameters or {}).items():
        path = path.replace("{" + name + "}", value)
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in (headers or {}).items()},
        "queryStringParameters": query,
        "pathParameters": path_parameters,
        "requestContext": {
            "requestId": "apigw-request-1",
            "resourcePath": resource,
            "identity": {"userArn": user_arn, "sourceIp": "192.0.2.10"},
            **({"authorizer": {"claims": claims}} if claims is not None else {}),
        },
        "body": body,
        "isBase64Encoded": is_base64_encoded,
    }


@dataclass
class ApiResponse:
    """A proxy response with the body parsed."""

    status: int
    headers: dict[str, str]
    body: Any


def call_api(event: dict[str, Any]) -> ApiResponse:
    """Invoke the API function and parse its response (Decimal numbers)."""
    raw = api.lambda_handler(event, FakeLambdaContext())
    return ApiResponse(
        status=raw["statusCode"],
        headers=raw["headers"],
        body=json.loads(raw["body"], parse_float=Decimal),
    )


JSON_HEADERS = {"Content-Type": "application/json", "Origin": ALLOWED_ORIGINS[0]}


def stream_records(aws: AwsAccount) -> list[dict[str, Any]]:
    """Every record on the table's stream so far, shaped as Lambda receives them."""
    shards = aws.streams.describe_stream(StreamArn=aws.stream_arn)["StreamDescription"]["Shards"]
    records: list[dict[str, Any]] = []
    for shard in shards:
        iterator = aws.streams.get_shard_iterator(
            StreamArn=aws.stream_arn,
            ShardId=shard["ShardId"],
            ShardIteratorType="TRIM_HORIZON",
        )["ShardIterator"]
        for record in aws.streams.get_records(ShardIterator=iterator)["Records"]:
            created = record["dynamodb"].get("ApproximateCreationDateTime")
            if created is not None and not isinstance(created, (int, float)):
                record["dynamodb"]["ApproximateCreationDateTime"] = int(created.timestamp())
            record["eventSourceARN"] = aws.stream_arn
            records.append(record)
    return records


def json_lines(text: str) -> list[dict[str, Any]]:
    """Parse every JSON object line of ``text``."""
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


CATALOG_TABLE_NAME = "orders-test-prices"


def create_price_catalog(dynamodb: Any, prices: dict[str, dict[str, str]]) -> str:
    """Create the price catalog table as the construct defines it (key ``sku``) holding
    ``{sku: {currency: price}}``; return its name."""
    dynamodb.create_table(
        TableName=CATALOG_TABLE_NAME,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "sku", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "sku", "KeyType": "HASH"}],
    )
    for sku, by_currency in prices.items():
        dynamodb.put_item(
            TableName=CATALOG_TABLE_NAME,
            Item={
                "sku": {"S": sku},
                "prices": {"M": {c: {"N": p} for c, p in by_currency.items()}},
            },
        )
    return CATALOG_TABLE_NAME
