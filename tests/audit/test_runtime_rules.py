"""Which runtimes cdk-nag flags as not the latest: the reason the kit acknowledges
``AwsSolutions-L1`` / ``Serverless-LambdaLatestVersion`` only for its default runtime.

The rules compare a function's runtime with the newest one of its family that aws-cdk-lib
knows (``Runtime.ALL``); when aws-cdk-lib learns a newer Python, this test fails and
``kit.props.RUNTIMES`` (and the Powertools layer version) are due for a look.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_lambda as lambda_

from kit.audit.findings import FindingStatus
from kit.audit.nag_scan import nag_scan
from kit.audit.synthesis import synthesize
from kit.lambda_function import lambda_runtime
from kit.props import DEFAULT_RUNTIME, RUNTIMES

RULES = ("AwsSolutions-L1", "Serverless-LambdaLatestVersion")


def _functions_on_every_runtime() -> App:
    app = App()
    stack = Stack(app, "S")
    for name in RUNTIMES:
        lambda_.Function(
            stack,
            name.replace(".", ""),
            runtime=lambda_runtime(name),
            handler="index.handler",
            code=lambda_.Code.from_inline("def handler(event, context):\n    return None\n"),
        )
    return app


def test_only_the_newest_runtime_passes_the_latest_runtime_rules(tmp_path: Path) -> None:
    synthesized = synthesize(_functions_on_every_runtime, tmp_path / "cdk.out", ())
    scan = nag_scan(synthesized.assembly, (), acknowledged_in_synth=True)

    flagged = {
        (finding.rule_id, finding.resource.split("/")[1])
        for finding in scan.findings
        if finding.rule_id in RULES and finding.status is FindingStatus.OPEN
    }
    older = [name.replace(".", "") for name in RUNTIMES[:-1]]
    assert flagged == {(rule, name) for rule in RULES for name in older}
    # The default is not the newest, which is why the kit acknowledges it (with a reason).
    assert DEFAULT_RUNTIME != RUNTIMES[-1] == "python3.14"


def test_an_unknown_runtime_name_is_refused() -> None:
    with pytest.raises(ValueError, match=r"python9\.9"):
        lambda_runtime("python9.9")
