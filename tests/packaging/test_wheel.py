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
    print(json.dumps({"handlers": handlers, "handler_dir": str(handler_source_dir())}))
    """
)


@pytest.mark.slow
def test_wheel_installs_and_synthesizes_outside_the_repo(tmp_path: Path) -> None:
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
    assert report["handlers"] == ["orders.api.lambda_handler", "orders.processor.lambda_handler"]
    assert "site-packages/kit/_lambda" in report["handler_dir"]
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
