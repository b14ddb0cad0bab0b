"""Start Lambda execution environments before a concurrency test or benchmark measures.

On the embedded local cloud each execution environment is a Python process; starting 50 of them
at once on a small machine takes longer than a client's timeout, and would measure process
start-up rather than the service. `warm_execution_environments` invokes the function
``count`` times at once (a read of an order that does not exist: no side effect), with a
timeout long enough for the cold starts, so the measured requests find warm environments.
"""

from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from botocore.config import Config

from localcloud.clients import local_client


def warm_execution_environments(endpoint: str, function_name: str, count: int) -> float:
    """Invoke ``function_name`` ``count`` times concurrently; return the seconds it took.

    Raises
    ------
    AssertionError
        If an invocation fails: the function is broken, and what follows would measure that.
    """
    client = local_client(
        endpoint,
        "lambda",
        config=Config(read_timeout=600, max_pool_connections=count, retries={"max_attempts": 0}),
    )
    order_id = str(uuid.uuid4())
    event = json.dumps(
        {
            "resource": "/orders/{orderId}",
            "path": f"/orders/{order_id}",
            "httpMethod": "GET",
            "headers": {},
            "pathParameters": {"orderId": order_id},
            "requestContext": {"requestId": "warm-up"},
        }
    ).encode()

    def invoke(_: int) -> int:
        response = client.invoke(FunctionName=function_name, Payload=event)
        payload = json.loads(response["Payload"].read())
        assert "FunctionError" not in response, payload
        return int(payload["statusCode"])

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=count) as pool:
        statuses = set(pool.map(invoke, range(count)))
    assert statuses == {404}, statuses
    return time.perf_counter() - started
