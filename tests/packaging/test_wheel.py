"""The built wheel, installed into a fresh venv, synthesizes the construct with no repository
checkout around it: the handler code travels as package data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

SYNTH_SCRIPT = textwrap.dedent(
    """
    import json, pathlib, sys
    import kit
    from aws_cdk import App, Stack
    from kit import OrderServiceProps, ProductionOrderService
    from kit.paths import handler_source_dir

    assert "site-packages" in kit.__file__, kit.__file__
    app = App(outdir=sys.argv[1])
    stack = Stack(app, "WheelStack")
    ProductionOrderService(stack, "Orders", OrderServiceProps(environment_name="test"))
    assembly = app.synth()
    template = assembly.get_stack_by_name("WheelStack").template
    handlers = sorted(
        r["Properties"]["Handler"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Lambda::Function"
    )
    # The kit's acknowledgments (kit/acknowledgments.yaml, package data) reach the template.
    skips = sorted(
        skip["id"]
        for r in template["Resources"].values()
        for skip in r.get("Metadata", {}).get("checkov", {}).get("skip", [])
    )
    print(json.dumps({"handlers": handlers, "handler_dir": str(handler_source_dir()),
                      "skips": skips}))
    """
)


@pytest.mark.slow
def test_wheel_installs_and_synthesizes_outside_the_repo(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True)

    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
    }
    result = subprocess.run(
        [str(python), "-c", SYNTH_SCRIPT, str(workdir / "cdk.out")],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["handlers"] == [
        "orders.api.lambda_handler",
        "orders.pending_sweep.lambda_handler",
        "orders.processor.lambda_handler",
    ]
    assert "site-packages/kit/_lambda" in report["handler_dir"]
    # CKV_AWS_117 (function outside a VPC) on each of the three functions: no vpc prop here;
    # CKV_AWS_18 on the archive's access-log bucket
    assert report["skips"] == [
        "CKV_AWS_117",
        "CKV_AWS_117",
        "CKV_AWS_117",
        "CKV_AWS_120",
        "CKV_AWS_18",
    ]
    assets = [p for p in (workdir / "cdk.out").glob("asset.*") if p.is_dir()]
    assert any((asset / "orders" / "api.py").is_file() for asset in assets)
    assert any(
        (asset / "orders" / "schema" / "order_request.schema.json").is_file() for asset in assets
    )

    cli = subprocess.run(
        [str(venv / "bin" / "order-kit"), "synth", "--outdir", str(workdir / "ref.out")],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert cli.returncode == 0, cli.stderr[-3000:]
    assert (workdir / "ref.out" / "ProductionOrderService.template.json").is_file()


CONSUMER_APP = textwrap.dedent(
    """
    from aws_cdk import App, Environment, Stack
    from kit import OrderServiceProps, ProductionOrderService


    def build() -> App:
        app = App()
        for env in ("staging", "prod"):
            stack = Stack(app, f"Shop-{env}", env=Environment(region="us-east-1"))
            props = OrderServiceProps(
                environment_name=env,
                alarm_emails=(f"orders-{env}@example.com",),
                cors_origins=("https://shop.example.com",),
                enable_waf=(env == "prod"),
            )
            ProductionOrderService(stack, "Orders", props)
        return app
    """
)


def _build_wheel(tmp_path: Path) -> Path:
    wheel_dir = tmp_path / "wheel"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(wheel_dir),
            str(REPO),
        ],
        check=True,
    )
    (wheel,) = wheel_dir.glob("production_order_kit-*.whl")
    return wheel


@pytest.mark.slow
@pytest.mark.skipif(sys.version_info < (3, 11), reason="checkov (the audit extra) needs 3.11+")
def test_the_audit_extra_audits_a_users_app_outside_the_repo(tmp_path: Path) -> None:
    """pip install 'production-order-kit[audit]' brings checkov and cfn-lint; a user's own
    two-stack app then passes `order-kit audit` on the kit's acknowledgments alone."""
    wheel = _build_wheel(tmp_path)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", f"{wheel}[audit]"],
        check=True,
    )
    workdir = tmp_path / "shop"
    workdir.mkdir()
    (workdir / "myshop.py").write_text(CONSUMER_APP)
    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
    }

    audit = subprocess.run(
        [str(venv / "bin" / "order-kit"), "audit", "--app", "myshop:build", "--out", "reports"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert audit.returncode == 0, audit.stdout[-3000:] + audit.stderr[-3000:]
    assert audit.stdout.rstrip().endswith("PASSED")
    report = json.loads((workdir / "reports" / "audit.json").read_text())
    assert report["summary"]["open_findings"] == 0
    acknowledged = [f for f in report["findings"] if f["status"] == "acknowledged"]
    assert acknowledged and all(f["acknowledged_by"] == "kit" for f in acknowledged)
    # compliance-trestle came with the extra: OSCAL for each of the app's two services.
    oscal = workdir / "reports" / "oscal"
    assert len(list(oscal.glob("component-definition.*.json"))) == 2
    assert (oscal / "assessment-results.json").is_file()
