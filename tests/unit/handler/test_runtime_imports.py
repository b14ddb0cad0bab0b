"""The entry points import only what the Lambda runtime and the Powertools layer provide.

In AWS: the python3.13 runtime (the default; stdlib, boto3/botocore and their dependencies)
plus the official Powertools for AWS Lambda (Python) v3 layer. Not boto3 itself (its import
costs cold start, see orders/aws_clients.py), never the X-Ray SDK (end of support February
2027), no jsonschema (not in the runtime).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HANDLER_DIR = Path(__file__).resolve().parents[3] / "handler"
#: Third-party top-level packages an entry point may load: botocore and its dependencies (in the
#: runtime), Powertools and its dependencies (in the layer).
ALLOWED = {
    "orders",
    "botocore",
    "urllib3",
    "dateutil",
    "six",
    "jmespath",
    "certifi",
    "aws_lambda_powertools",
    "typing_extensions",
}
FORBIDDEN = {"aws_xray_sdk", "boto3", "s3transfer", "jsonschema", "fastjsonschema", "pydantic"}


def imported_packages(module: str) -> set[str]:
    code = (
        "import json, sys; "
        f"import {module}; "
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} "
        "- set(sys.stdlib_module_names))))"
    )
    # -S: no site hooks (e.g. setuptools' distutils shim), as in the Lambda runtime.
    result = subprocess.run(
        [sys.executable, "-S", "-c", code],
        cwd=HANDLER_DIR,
        env={"PYTHONPATH": f"{HANDLER_DIR}:{':'.join(p for p in sys.path if p)}"},
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(result.stdout)) - {"__main__"}


def test_api_entry_point_imports_only_runtime_and_layer_packages() -> None:
    packages = imported_packages("orders.api")
    assert packages <= ALLOWED, packages - ALLOWED
    assert not packages & FORBIDDEN


def test_processor_entry_point_imports_only_runtime_and_layer_packages() -> None:
    packages = imported_packages("orders.processor")
    assert packages <= ALLOWED, packages - ALLOWED
    assert not packages & FORBIDDEN


def test_no_handler_source_mentions_the_xray_sdk() -> None:
    for source in HANDLER_DIR.rglob("*.py"):
        assert "aws_xray_sdk" not in source.read_text(encoding="utf-8"), source
