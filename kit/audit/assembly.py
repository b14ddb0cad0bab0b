"""Reading a synthesized cloud assembly: its templates and which construct made each resource.

The construct path of every resource comes from the stack's ``aws:cdk:logicalId`` metadata
in the assembly (the manifest or the stack's ``additionalMetadataFile``), else from the
template's ``aws:cdk:path`` resource metadata, else it is ``<template stem>/<LogicalId>``
(plain CloudFormation templates). All three scanners' findings are named by that path, so
one ledger pattern matches a resource whichever tool reports it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

VALIDATION_REPORT_FILE = "validation-report.json"
_STACK_ARTIFACT = "aws:cloudformation:stack"
_NESTED_ASSEMBLY_ARTIFACT = "cdk:cloud-assembly"
_LOGICAL_ID_METADATA = "aws:cdk:logicalId"
#: The metadata type of a ProductionOrderService's record (kit.service.SERVICE_METADATA_TYPE).
SERVICE_METADATA = "production-order-kit:service"


class AssemblyError(ValueError):
    """The directory is not a readable cloud assembly (or directory of templates)."""


@dataclass(frozen=True)
class Template:
    """One CloudFormation template of the assembly.

    Attributes
    ----------
    name : str
        The template's path relative to the assembly directory (unique in the assembly).
    path : Path
        The template file.
    body : dict
        The parsed template.
    construct_paths : dict
        Logical id -> construct path of each resource.
    services : dict
        Construct path -> record (props) of each ProductionOrderService of the stack.
    """

    name: str
    path: Path
    body: dict[str, Any]
    construct_paths: Mapping[str, str] = field(default_factory=dict)
    services: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def stem(self) -> str:
        """The template name without ``.template.json`` / ``.json``."""
        name = Path(self.name).name
        for suffix in (".template.json", ".json", ".yaml", ".yml"):
            if name.endswith(suffix):
                return name[: -len(suffix)]
        return name

    def construct_path(self, logical_id: str) -> str:
        """The construct path of ``logical_id`` (``<stem>/<LogicalId>`` when unknown)."""
        return self.construct_paths.get(logical_id, f"{self.stem}/{logical_id}")

    def resources(self) -> Mapping[str, Any]:
        """The template's ``Resources`` section."""
        resources = self.body.get("Resources", {})
        return resources if isinstance(resources, dict) else {}


@dataclass(frozen=True)
class CloudAssembly:
    """The templates of a cloud assembly and its cdk-nag validation report, if any.

    Attributes
    ----------
    directory : Path
        The assembly directory.
    templates : tuple of Template
        Every stack template (nested assemblies of stages included).
    validation_report : dict or None
        The parsed ``validation-report.json``.
    """

    directory: Path
    templates: tuple[Template, ...]
    validation_report: dict[str, Any] | None

    def locate(self, construct_path: str) -> tuple[Template, str] | None:
        """The template and logical id of the resource made by ``construct_path``."""
        for template in self.templates:
            for logical_id, path in template.construct_paths.items():
                if path == construct_path:
                    return template, logical_id
        return None


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise AssemblyError(f"cannot read {path}: {error}") from error


def _logical_ids(metadata: Mapping[str, Any]) -> dict[str, str]:
    paths: dict[str, str] = {}
    for construct_path, entries in metadata.items():
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and entry.get("type") == _LOGICAL_ID_METADATA:
                paths[str(entry.get("data"))] = construct_path.lstrip("/")
    return paths


def _services(metadata: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    services: dict[str, Mapping[str, Any]] = {}
    for construct_path, entries in metadata.items():
        for entry in entries if isinstance(entries, list) else []:
            if (
                isinstance(entry, dict)
                and entry.get("type") == SERVICE_METADATA
                and isinstance(entry.get("data"), dict)
            ):
                services[construct_path.lstrip("/")] = entry["data"]
    return services


def _metadata(directory: Path, artifact: Mapping[str, Any]) -> dict[str, Any]:
    metadata = dict(artifact.get("metadata") or {})
    extra = artifact.get("additionalMetadataFile")
    if extra and (directory / extra).is_file():
        metadata.update(_read_json(directory / extra))
    return metadata


def _construct_paths(metadata: Mapping[str, Any], body: Mapping[str, Any]) -> dict[str, str]:
    paths = _logical_ids(metadata)
    resources = body.get("Resources", {})
    for logical_id, resource in resources.items() if isinstance(resources, dict) else ():
        cdk_path = (resource.get("Metadata") or {}).get("aws:cdk:path")
        if logical_id not in paths and isinstance(cdk_path, str):
            paths[logical_id] = cdk_path
    return paths


def _stack_templates(root: Path, directory: Path) -> Iterator[Template]:
    manifest = _read_json(directory / "manifest.json")
    for artifact in (manifest.get("artifacts") or {}).values():
        properties = artifact.get("properties") or {}
        if artifact.get("type") == _STACK_ARTIFACT and properties.get("templateFile"):
            path = directory / properties["templateFile"]
            body = _read_json(path)
            metadata = _metadata(directory, artifact)
            yield Template(
                name=str(path.relative_to(root)),
                path=path,
                body=body,
                construct_paths=_construct_paths(metadata, body),
                services=_services(metadata),
            )
        elif artifact.get("type") == _NESTED_ASSEMBLY_ARTIFACT and properties.get("directoryName"):
            yield from _stack_templates(root, directory / properties["directoryName"])


def _loose_templates(directory: Path) -> Iterator[Template]:
    for path in sorted(directory.glob("*.template.json")):
        body = _read_json(path)
        yield Template(
            name=path.name,
            path=path,
            body=body,
            construct_paths=_construct_paths({}, body),
        )


def read_assembly(directory: Path) -> CloudAssembly:
    """Read the cloud assembly (or plain directory of ``*.template.json``) in ``directory``.

    Parameters
    ----------
    directory : Path
        A ``cdk.out`` directory; without a ``manifest.json``, every ``*.template.json`` in it.

    Returns
    -------
    CloudAssembly
        Its templates and validation report.

    Raises
    ------
    AssemblyError
        When the directory is missing or holds no template.
    """
    if not directory.is_dir():
        raise AssemblyError(f"{directory} is not a directory")
    if (directory / "manifest.json").is_file():
        templates = tuple(_stack_templates(directory, directory))
    else:
        templates = tuple(_loose_templates(directory))
    if not templates:
        raise AssemblyError(f"{directory} holds no CloudFormation template")
    report_path = directory / VALIDATION_REPORT_FILE
    report = _read_json(report_path) if report_path.is_file() else None
    return CloudAssembly(directory=directory, templates=templates, validation_report=report)
