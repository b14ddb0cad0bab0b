"""The local deploy's cloud-assembly reading, asset packaging and request example (no emulator)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import jsonschema
import pytest

from localcloud.deploy import (
    DeployError,
    FileAsset,
    package,
    read_file_assets,
    read_stacks,
    signed_request_example,
)

REPOSITORY = Path(__file__).resolve().parents[2]
ORDER_SCHEMA = REPOSITORY / "handler" / "orders" / "schema" / "order_request.schema.json"
ACCOUNT, REGION = "000000000000", "us-east-1"


def write_assembly(root: Path, docker_images: dict[str, object] | None = None) -> Path:
    (root / "asset.abc" / "orders").mkdir(parents=True)
    (root / "asset.abc" / "orders" / "api.py").write_text("def handler(e, c):\n    return 1\n")
    (root / "asset.abc" / "orders" / "__init__.py").write_text("")
    (root / "Stack.template.json").write_text('{"Resources": {}}')
    destination = {
        "bucketName": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}",
        "objectKey": "abc.zip",
        "assumeRoleArn": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/publishing",
    }
    (root / "Stack.assets.json").write_text(
        json.dumps(
            {
                "files": {
                    "abc": {
                        "source": {"path": "asset.abc", "packaging": "zip"},
                        "destinations": {"current": destination},
                    },
                    "tpl": {
                        "source": {"path": "Stack.template.json", "packaging": "file"},
                        "destinations": {"current": {**destination, "objectKey": "tpl.json"}},
                    },
                },
                "dockerImages": docker_images or {},
            }
        )
    )
    (root / "manifest.json").write_text(
        json.dumps(
            {
                "artifacts": {
                    "Stack.assets": {
                        "type": "cdk:asset-manifest",
                        "properties": {"file": "Stack.assets.json"},
                    },
                    "Stack": {
                        "type": "aws:cloudformation:stack",
                        "properties": {
                            "templateFile": "Stack.template.json",
                            "stackTemplateAssetObjectUrl": "s3://b-${AWS::AccountId}/tpl.json",
                            "bootstrapStackVersionSsmParameter": "/cdk-bootstrap/hnb659fds/version",
                        },
                        "dependencies": ["Stack.assets"],
                    },
                    "Tree": {"type": "cdk:tree", "properties": {"file": "tree.json"}},
                }
            }
        )
    )
    return root


def test_read_stacks_finds_the_stack_and_its_asset_manifest(tmp_path: Path) -> None:
    stacks = read_stacks(write_assembly(tmp_path))

    assert [stack.name for stack in stacks] == ["Stack"]
    assert stacks[0].assets_manifest == tmp_path / "Stack.assets.json"
    assert stacks[0].template == tmp_path / "Stack.template.json"
    assert stacks[0].bootstrap_parameter == "/cdk-bootstrap/hnb659fds/version"


def test_missing_manifest_says_to_synthesize(tmp_path: Path) -> None:
    with pytest.raises(DeployError, match="synthesize first"):
        read_stacks(tmp_path)


def test_file_asset_destinations_are_resolved(tmp_path: Path) -> None:
    assets = read_file_assets(write_assembly(tmp_path) / "Stack.assets.json", ACCOUNT, REGION)

    assert {(asset.asset_id, asset.packaging, asset.key) for asset in assets} == {
        ("abc", "zip", "abc.zip"),
        ("tpl", "file", "tpl.json"),
    }
    assert {asset.bucket for asset in assets} == {"cdk-hnb659fds-assets-000000000000-us-east-1"}


def test_container_image_assets_are_refused(tmp_path: Path) -> None:
    manifest = write_assembly(tmp_path, docker_images={"img": {}}) / "Stack.assets.json"

    with pytest.raises(DeployError, match="container image assets"):
        read_file_assets(manifest, ACCOUNT, REGION)


def test_directory_asset_is_zipped_reproducibly_with_relative_paths(tmp_path: Path) -> None:
    write_assembly(tmp_path)
    asset = FileAsset("abc", tmp_path / "asset.abc", "zip", "bucket", "abc.zip")

    first, second = package(asset), package(asset)

    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert sorted(archive.namelist()) == ["orders/__init__.py", "orders/api.py"]
        assert archive.read("orders/api.py").startswith(b"def handler")


def test_unknown_packaging_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DeployError, match="unsupported packaging 'tar'"):
        package(FileAsset("x", tmp_path, "tar", "bucket", "key"))


def test_signed_request_example_is_a_valid_signed_order() -> None:
    example = signed_request_example("http://127.0.0.1:4566/_aws/execute-api/abc/prod")

    assert example.startswith(
        'curl -sS --aws-sigv4 "aws:amz:us-east-1:execute-api" --user test:test'
    )
    assert example.rstrip().endswith('"http://127.0.0.1:4566/_aws/execute-api/abc/prod/orders"')
    body = re.search(r"-d '([^']+)'", example)
    assert body is not None
    # The example must pass the API's own request model.
    jsonschema.validate(json.loads(body.group(1)), json.loads(ORDER_SCHEMA.read_text()))
