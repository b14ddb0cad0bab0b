"""A stand-in for ``awslambdaric``: the Runtime API loop in a few lines of standard library.

Used by test_local_process.py to exercise the executor's process handling without LocalStack.
The event's ``action`` decides what the "handler" does: ``echo`` (return the event), ``fail``
(post an error), ``sleep`` (sleep ``seconds``), ``exit`` (die mid-invocation). Environment
``FAKE_INIT_ERROR=1`` makes it report an initialisation error instead of polling.
"""

import json
import os
import sys
import time
import urllib.request

API = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime"


def post(path: str, document: dict) -> None:
    request = urllib.request.Request(  # noqa: S310 - API is http://127.0.0.1:port
        API + path, data=json.dumps(document).encode(), method="POST"
    )
    urllib.request.urlopen(request).close()  # noqa: S310 - http only


if os.environ.get("FAKE_INIT_ERROR"):
    print("init failing", flush=True)
    post("/init/error", {"errorType": "Runtime.ImportModuleError", "errorMessage": "no module"})
    sys.exit(1)

print(f"init pid={os.getpid()}", flush=True)
while True:
    with urllib.request.urlopen(API + "/invocation/next") as response:  # noqa: S310
        request_id = response.headers["Lambda-Runtime-Aws-Request-Id"]
        arn = response.headers["Lambda-Runtime-Invoked-Function-Arn"]
        event = json.loads(response.read())
    print(f"handling {event['action']} for {arn}", flush=True)
    if event["action"] == "fail":
        post(f"/invocation/{request_id}/error", {"errorType": "ValueError", "errorMessage": "bad"})
        continue
    if event["action"] == "sleep":
        time.sleep(event["seconds"])
    if event["action"] == "exit":
        os._exit(7)
    post(f"/invocation/{request_id}/response", {"echo": event, "pid": os.getpid()})
