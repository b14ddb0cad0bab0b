"""The five cdk-nag packs the audit runs, and the rules each one evaluates.

cdk-nag 3 does not expose its rule list at run time (``NagPack.rule_ids`` stays empty), so the
catalogue is read from the pack sources inside the installed cdk-nag package: every
``applyRule`` call names its rule either by ``ruleSuffixOverride`` or by the rule function.
The catalogue lets the ledger refuse unknown rule ids and lets the control matrix tell a
rule that passed from one that no pack evaluates.
"""

from __future__ import annotations

import re
import tarfile
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType

import cdk_nag

#: Pack name (the finding prefix and the plugin name) -> source file in the cdk-nag package.
_PACK_SOURCES = MappingProxyType(
    {
        "AwsSolutions": "aws-solutions.js",
        "Serverless": "serverless.js",
        "NIST.800.53.R5": "nist-800-53-r5.js",
        "HIPAA.Security": "hipaa-security.js",
        "PCI.DSS.321": "pci-dss-321.js",
    }
)

#: The pack prefixes, in the order the audit registers the packs.
NAG_PACK_PREFIXES: tuple[str, ...] = tuple(_PACK_SOURCES)

_APPLY_RULE_RE = re.compile(r"this\.applyRule\(\{(.*?)\}\);", re.S)
_SUFFIX_RE = re.compile(r"ruleSuffixOverride:\s*'([^']+)'")
_RULE_FN_RE = re.compile(r"rule:\s*\w+\.(\w+)")
_GRANULAR_RE = re.compile(r"^(?P<base>[^\[]+)(?:\[(?P<finding>.*)\])?$")


class NagCatalogueError(RuntimeError):
    """The installed cdk-nag package does not have the layout the catalogue reads."""


def nag_packs(scope: object) -> list[object]:
    """Instantiate the five packs (as CDK policy-validation plugins) for ``scope`` (the App).

    Examples
    --------
    >>> from aws_cdk import App, Validations
    >>> app = App()
    >>> Validations.of(app).add_plugins(*nag_packs(app))
    """
    return [
        cdk_nag.AwsSolutionsChecks(scope),  # type: ignore[arg-type]
        cdk_nag.ServerlessChecks(scope),  # type: ignore[arg-type]
        cdk_nag.NIST80053R5Checks(scope),  # type: ignore[arg-type]
        cdk_nag.HIPAASecurityChecks(scope),  # type: ignore[arg-type]
        cdk_nag.PCIDSS321Checks(scope),  # type: ignore[arg-type]
    ]


def split_nag_rule(rule: str) -> tuple[str | None, str, str | None]:
    """Split a finding id into (pack, base rule id, granular finding).

    ``pack`` is ``None`` when the id starts with no pack prefix (exact case).

    Examples
    --------
    >>> split_nag_rule("AwsSolutions-IAM5[Resource::*]")
    ('AwsSolutions', 'AwsSolutions-IAM5', 'Resource::*')
    >>> split_nag_rule("NIST.800.53.R5-LambdaInsideVPC")
    ('NIST.800.53.R5', 'NIST.800.53.R5-LambdaInsideVPC', None)
    """
    match = _GRANULAR_RE.match(rule)
    base = match.group("base") if match else rule
    finding = match.group("finding") if match else None
    for pack in NAG_PACK_PREFIXES:
        if base.startswith(pack + "-"):
            return pack, base, finding
    return None, base, finding


def qualified_nag_id(rule: str) -> str:
    """The id to acknowledge ``rule`` with: ``<pack>::<rule>``.

    The qualified form is accepted for granular ids containing ``::`` and makes CDK record the
    acknowledgment (with its reason) among the report's ``suppressedViolations``.

    Examples
    --------
    >>> qualified_nag_id("AwsSolutions-IAM5[Resource::*]")
    'AwsSolutions::AwsSolutions-IAM5[Resource::*]'
    """
    pack, _base, _finding = split_nag_rule(rule)
    if pack is None:
        raise ValueError(f"{rule!r} does not start with a cdk-nag pack prefix")
    return f"{pack}::{rule}"


def _package_archive() -> Path:
    archives = sorted((Path(cdk_nag.__file__).parent / "_jsii").glob("cdk-nag@*.jsii.tgz"))
    if not archives:
        raise NagCatalogueError("the cdk-nag package has no jsii archive (_jsii/cdk-nag@*.tgz)")
    return archives[-1]


@cache
def nag_rule_catalogue() -> Mapping[str, frozenset[str]]:
    """Return, for each pack, the full ids of the rules it evaluates (``AwsSolutions-L1``...).

    Raises
    ------
    NagCatalogueError
        When a pack source cannot be found or names no rule.
    """
    catalogue: dict[str, frozenset[str]] = {}
    with tarfile.open(_package_archive(), "r:gz") as archive:
        for pack, file_name in _PACK_SOURCES.items():
            try:
                member = archive.extractfile(f"package/lib/packs/{file_name}")
            except KeyError:
                member = None
            if member is None:
                raise NagCatalogueError(f"cdk-nag has no pack source lib/packs/{file_name}")
            source = member.read().decode("utf-8")
            names = set()
            for block in _APPLY_RULE_RE.findall(source):
                suffix = _SUFFIX_RE.search(block)
                function = _RULE_FN_RE.search(block)
                name = suffix.group(1) if suffix else function.group(1) if function else None
                if name:
                    names.add(f"{pack}-{name}")
            if not names:
                raise NagCatalogueError(f"found no rules in cdk-nag's lib/packs/{file_name}")
            catalogue[pack] = frozenset(names)
    return MappingProxyType(catalogue)
