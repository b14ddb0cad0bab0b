"""Deploy the synthesized reference app to the local cloud the way ``cdk deploy`` does.

1. Synthesize ``app.py`` into a cloud assembly (with the ``order-kit:powertools-layer=false``
   context: LocalStack refuses the public Powertools layer, which lives in another account;
   the local Lambda runtime carries the same packages instead).
2. Create the bootstrap resources the assembly expects (the ``cdk bootstrap`` subset that a
   deploy touches): the file-assets bucket and the bootstrap version SSM parameter.
3. Publish the file assets listed in ``<stack>.assets.json`` (the handler directory zipped, the
   template itself) to their bucket and key.
4. Create (or update) the stack through CloudFormation from the published template URL, wait
   for ``CREATE_COMPLETE`` / ``UPDATE_COMPLETE`` and read the outputs back.

The publishing roles of a real bootstrap (``assumeRoleArn``) are not needed on the emulator and
are not used; container-image assets are refused with a clear error.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from localcloud import DEFAULT_REGION
from localcloud.clients import local_client
from localcloud.errors import LocalCloudError
from localcloud.layout import REPOSITORY_ROOT

#: Context for the local synthesis: no cross-account Powertools layer (see module docstring).
LOCAL_CONTEXT = {"order-kit:powertools-layer": "false"}
#: Version written to the bootstrap SSM parameter: the template's rule needs >= 6.
BOOTSTRAP_VERSION = "30"
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
_DONE = {"CREATE_COMPLETE", "UPDATE_COMPLETE"}
_FAILED = {
    "CREATE_FAILED",
    "ROLLBACK_COMPLETE",
    "ROLLBACK_FAILED",
    "UPDATE_ROLLBACK_COMPLETE",
    "UPDATE_ROLLBACK_FAILED",
    "DELETE_COMPLETE",
    "DELETE_FAILED",
}
# A zip's entries get this timestamp so the same sources give the same bytes.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


class DeployError(LocalCloudError):
    """Synthesis, publishing or the CloudFormation deployment failed."""


@dataclass(frozen=True)
class FileAsset:
    """One file asset of a stack, with its destination resolved for an account and region.

    Parameters
    ----------
    asset_id
        The asset hash.
    source
        File or directory in the cloud assembly.
    packaging
        ``"zip"`` (a directory, zipped) or ``"file"`` (uploaded as is).
    bucket
        Destination bucket.
    key
        Destination object key.
    """

    asset_id: str
    source: Path
    packaging: str
    bucket: str
    key: str


@dataclass(frozen=True)
class StackArtifact:
    """A CloudFormation stack of the cloud assembly.

    Parameters
    ----------
    name
        Stack name.
    template
        Template file.
    assets_manifest
        ``<stack>.assets.json``.
    template_object
        ``s3://bucket/key`` the template is published to (placeholders unresolved).
    bootstrap_parameter
        SSM parameter holding the bootstrap version.
    """

    name: str
    template: Path
    assets_manifest: Path
    template_object: str
    bootstrap_parameter: str


@dataclass(frozen=True)
class DeployResult:
    """A deployed stack.

    Parameters
    ----------
    stack_name
        The stack.
    status
        Its final status.
    outputs
        Output key -> value.
    api_url
        The REST API stage's local execute-api base URL, if the stack has one.
    seconds
        Wall time of synthesis plus deployment.
    """

    stack_name: str
    status: str
    outputs: Mapping[str, str] = field(default_factory=dict)
    api_url: str | None = None
    seconds: float = 0.0


def synthesize(
    outdir: Path,
    context: Mapping[str, str] = LOCAL_CONTEXT,
    app_dir: Path = REPOSITORY_ROOT,
) -> Path:
    """Run ``app.py`` as the CDK CLI would, writing the cloud assembly to ``outdir``.

    The CLI hands an app its output directory and context through ``CDK_OUTDIR`` and
    ``CDK_CONTEXT_JSON``; this does the same with the current interpreter.

    Raises
    ------
    DeployError
        ``app.py`` is missing or failed (its output is in the message).
    """
    app = app_dir / "app.py"
    if not app.is_file():
        raise DeployError(f"no CDK app at {app}")
    environment = dict(os.environ)
    environment.update(
        {
            "CDK_OUTDIR": str(outdir),
            "CDK_CONTEXT_JSON": json.dumps(dict(context)),
            "CDK_DEFAULT_REGION": DEFAULT_REGION,
            # jsii needs a supported Node: the one the dev venv installs comes first.
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), environment["PATH"]]),
            "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
        }
    )
    result = subprocess.run(
        [sys.executable, str(app)],
        cwd=app_dir,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise DeployError(f"synthesis of {app} failed:\n{(result.stdout + result.stderr)[-4000:]}")
    return outdir


def read_stacks(assembly: Path) -> list[StackArtifact]:
    """The stacks listed in the assembly's ``manifest.json``.

    Raises
    ------
    DeployError
        The manifest is missing or a stack has no asset manifest.
    """
    manifest_path = assembly / "manifest.json"
    if not manifest_path.is_file():
        raise DeployError(f"{manifest_path} not found: synthesize first")
    artifacts = json.loads(manifest_path.read_text())["artifacts"]
    stacks = []
    for name, artifact in artifacts.items():
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        properties = artifact["properties"]
        asset_artifacts = [
            artifacts[dependency]["properties"]["file"]
            for dependency in artifact.get("dependencies", [])
            if artifacts.get(dependency, {}).get("type") == "cdk:asset-manifest"
        ]
        if not asset_artifacts:
            raise DeployError(f"stack {name} has no asset manifest in {manifest_path}")
        stacks.append(
            StackArtifact(
                name=properties.get("stackName", name),
                template=assembly / properties["templateFile"],
                assets_manifest=assembly / asset_artifacts[0],
                template_object=properties["stackTemplateAssetObjectUrl"],
                bootstrap_parameter=properties["bootstrapStackVersionSsmParameter"],
            )
        )
    return stacks


def resolve_placeholders(text: str, account: str, region: str) -> str:
    """Replace the CDK's ``${AWS::AccountId}``, ``${AWS::Region}``, ``${AWS::Partition}``.

    Examples
    --------
    >>> resolve_placeholders("cdk-x-${AWS::AccountId}-${AWS::Region}", "000000000000", "us-east-1")
    'cdk-x-000000000000-us-east-1'
    """
    return (
        text.replace("${AWS::AccountId}", account)
        .replace("${AWS::Region}", region)
        .replace("${AWS::Partition}", "aws")
    )


def read_file_assets(manifest: Path, account: str, region: str) -> list[FileAsset]:
    """The file assets of an asset manifest, destinations resolved.

    Raises
    ------
    DeployError
        The manifest lists container images (not supported by this publisher).
    """
    document = json.loads(manifest.read_text())
    if document.get("dockerImages"):
        raise DeployError(
            f"{manifest} lists container image assets; the local publisher handles files only"
        )
    assets = []
    for asset_id, asset in document.get("files", {}).items():
        for destination in asset["destinations"].values():
            assets.append(
                FileAsset(
                    asset_id=asset_id,
                    source=manifest.parent / asset["source"]["path"],
                    packaging=asset["source"].get("packaging", "file"),
                    bucket=resolve_placeholders(destination["bucketName"], account, region),
                    key=resolve_placeholders(destination["objectKey"], account, region),
                )
            )
    return assets


def package(asset: FileAsset) -> bytes:
    """The bytes to upload: a directory zipped (reproducibly), or a file as is.

    Raises
    ------
    DeployError
        Unknown packaging, or the source does not match it.
    """
    if asset.packaging == "file":
        if not asset.source.is_file():
            raise DeployError(f"asset {asset.asset_id}: {asset.source} is not a file")
        return asset.source.read_bytes()
    if asset.packaging != "zip":
        raise DeployError(f"asset {asset.asset_id}: unsupported packaging {asset.packaging!r}")
    if asset.source.is_file():
        return asset.source.read_bytes()  # already an archive
    if not asset.source.is_dir():
        raise DeployError(f"asset {asset.asset_id}: {asset.source} does not exist")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(asset.source.rglob("*")):
            if path.is_file():
                entry = zipfile.ZipInfo(path.relative_to(asset.source).as_posix(), _ZIP_EPOCH)
                entry.external_attr = (path.stat().st_mode & 0o777 | 0o100000) << 16
                entry.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(entry, path.read_bytes())
    return buffer.getvalue()


def bootstrap(client: Callable[[str], Any], buckets: set[str], version_parameter: str) -> None:
    """Create the asset buckets and the bootstrap version parameter (idempotent)."""
    s3 = client("s3")
    for bucket in sorted(buckets):
        try:
            s3.head_bucket(Bucket=bucket)
        except s3.exceptions.ClientError:
            s3.create_bucket(Bucket=bucket)
    client("ssm").put_parameter(
        Name=version_parameter, Value=BOOTSTRAP_VERSION, Type="String", Overwrite=True
    )


def deploy_stack(
    client: Callable[[str], Any], stack_name: str, template_url: str, timeout: float = 600.0
) -> tuple[str, dict[str, str]]:
    """Create the stack, or update it if it exists; wait; return (status, outputs).

    A stack left in a failed state by an earlier attempt is deleted and created again.

    Raises
    ------
    DeployError
        The deployment failed or timed out; the message lists the failed resources.
    """
    cloudformation = client("cloudformation")
    existing = _stack_status(cloudformation, stack_name)
    if existing in _FAILED - {"DELETE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE"}:
        cloudformation.delete_stack(StackName=stack_name)
        _wait(cloudformation, stack_name, {"DELETE_COMPLETE"}, timeout)
        existing = None
    arguments = {
        "StackName": stack_name,
        "TemplateURL": template_url,
        "Capabilities": CAPABILITIES,
    }
    if existing in (None, "DELETE_COMPLETE"):
        cloudformation.create_stack(**arguments)
    else:
        try:
            cloudformation.update_stack(**arguments)
        except cloudformation.exceptions.ClientError as error:
            if "No updates are to be performed" not in str(error):
                raise DeployError(f"update of {stack_name} refused: {error}") from error
    status = _wait(cloudformation, stack_name, _DONE, timeout)
    stack = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    outputs = {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}
    return status, outputs


def local_api_url(client: Callable[[str], Any], endpoint: str, stack_name: str) -> str | None:
    """The stack's REST API stage as a local execute-api URL (no DNS needed), if it has one.

    The URL the stack outputs (``https://{id}.execute-api.{region}.amazonaws.com/{stage}/``)
    only resolves on AWS; LocalStack serves the same API at
    ``{endpoint}/_aws/execute-api/{id}/{stage}`` (its older ``/restapis/.../_user_request_``
    form is deprecated).
    """
    resources = client("cloudformation").describe_stack_resources(StackName=stack_name)[
        "StackResources"
    ]
    by_type: dict[str, list[str]] = {}
    for resource in resources:
        by_type.setdefault(resource["ResourceType"], []).append(resource["PhysicalResourceId"])
    apis = by_type.get("AWS::ApiGateway::RestApi", [])
    if not apis:
        return None
    stages = client("apigateway").get_stages(restApiId=apis[0])["item"]
    if not stages:
        return None
    return f"{endpoint.rstrip('/')}/_aws/execute-api/{apis[0]}/{stages[0]['stageName']}"


def deployed_api_url(client: Callable[[str], Any], endpoint: str, stack_name: str) -> str | None:
    """:func:`local_api_url` of ``stack_name`` if it is deployed (complete), else ``None``."""
    status = _stack_status(client("cloudformation"), stack_name)
    if status is None or not status.endswith("_COMPLETE") or status.startswith("DELETE"):
        return None
    return local_api_url(client, endpoint, stack_name)


def signed_request_example(api_url: str, region: str = DEFAULT_REGION) -> str:
    """A ready-to-paste ``curl`` that creates an order with a SigV4-signed request."""
    order = {
        "customerId": "cust-0001",
        "currency": "EUR",
        "items": [{"sku": "SKU-1", "name": "Widget", "quantity": 2, "unitPrice": 9.99}],
        "shippingAddress": {
            "fullName": "Ada Lovelace",
            "line1": "1 Main Street",
            "city": "London",
            "country": "GB",
        },
    }
    return (
        f'curl -sS --aws-sigv4 "aws:amz:{region}:execute-api" --user test:test \\\n'
        '  -H "content-type: application/json" -H "idempotency-key: demo-0001" \\\n'
        f"  -d '{json.dumps(order, separators=(',', ':'))}' \\\n"
        f'  "{api_url}/orders"'
    )


def deploy(
    endpoint: str,
    assembly: Path,
    log: Callable[[str], None] = print,
    synthesize_first: bool = True,
) -> list[DeployResult]:
    """Synthesize (optionally), bootstrap, publish and deploy every stack of the app.

    Parameters
    ----------
    endpoint
        The local cloud endpoint.
    assembly
        Cloud assembly directory (written when ``synthesize_first``).
    log
        Progress messages.
    synthesize_first
        Run ``app.py`` into ``assembly`` first.

    Returns
    -------
    list[DeployResult]
        One per stack, in assembly order.

    Raises
    ------
    DeployError
        Any step failed.
    """
    started = time.monotonic()

    def client(service: str) -> Any:
        return local_client(endpoint, service)

    if synthesize_first:
        log(f"localcloud: synthesizing app.py into {assembly} ...")
        synthesize(assembly)
    account = client("sts").get_caller_identity()["Account"]
    results = []
    for stack in read_stacks(assembly):
        assets = read_file_assets(stack.assets_manifest, account, DEFAULT_REGION)
        bootstrap(client, {asset.bucket for asset in assets}, stack.bootstrap_parameter)
        s3 = client("s3")
        for asset in assets:
            s3.put_object(Bucket=asset.bucket, Key=asset.key, Body=package(asset))
        log(f"localcloud: published {len(assets)} assets of {stack.name}; deploying ...")
        template_object = resolve_placeholders(stack.template_object, account, DEFAULT_REGION)
        bucket, _, key = template_object.removeprefix("s3://").partition("/")
        status, outputs = deploy_stack(client, stack.name, f"{endpoint.rstrip('/')}/{bucket}/{key}")
        results.append(
            DeployResult(
                stack_name=stack.name,
                status=status,
                outputs=outputs,
                api_url=local_api_url(client, endpoint, stack.name),
                seconds=time.monotonic() - started,
            )
        )
    return results


def _stack_status(cloudformation: Any, stack_name: str) -> str | None:
    try:
        stacks = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    except cloudformation.exceptions.ClientError as error:
        if "does not exist" in str(error):
            return None
        raise
    return str(stacks[0]["StackStatus"]) if stacks else None


def _wait(cloudformation: Any, stack_name: str, wanted: set[str], timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = _stack_status(cloudformation, stack_name)
        if status in wanted or (status is None and "DELETE_COMPLETE" in wanted):
            return status or "DELETE_COMPLETE"
        if status in _FAILED or (status or "").endswith("_FAILED"):
            reasons = _failure_reasons(cloudformation, stack_name)
            raise DeployError(f"stack {stack_name} ended in {status}:\n{reasons}")
        time.sleep(1.0)
    raise DeployError(f"stack {stack_name} did not reach {sorted(wanted)} within {timeout:.0f} s")


def _failure_reasons(cloudformation: Any, stack_name: str) -> str:
    events = cloudformation.describe_stack_events(StackName=stack_name)["StackEvents"]
    reasons = [
        f"  {event['LogicalResourceId']} ({event['ResourceType']}): "
        f"{event.get('ResourceStatusReason', event['ResourceStatus'])}"
        for event in events
        if event["ResourceStatus"].endswith("_FAILED")
    ]
    return "\n".join(reversed(reasons)) or "  (no failed resource reported)"
