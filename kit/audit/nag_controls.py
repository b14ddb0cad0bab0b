"""The regulatory controls each cdk-nag rule maps to, as the cdk-nag package documents them.

cdk-nag's ``RULES.md`` (shipped in the package's jsii archive) lists, for the NIST 800-53
rev 5, HIPAA Security and PCI DSS 3.2.1 packs, the control ids each rule supports (the last
column of each rule table, taken from the AWS Config conformance packs). This module reads
those tables once and turns the cited ids into OSCAL control ids.
"""

from __future__ import annotations

import re
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from kit.audit.nag_rules import NagCatalogueError, _package_archive


@dataclass(frozen=True)
class Framework:
    """A control framework a cdk-nag pack maps its rules to.

    Attributes
    ----------
    pack : str
        The pack prefix (``NIST.800.53.R5``).
    title : str
        The framework's name.
    section : str
        The heading of the pack's section in ``RULES.md``.
    source : str
        The catalog the control ids refer to (OSCAL ``control-implementation.source``).
    """

    pack: str
    title: str
    section: str
    source: str

    def control_id(self, cited: str) -> str:
        """The OSCAL control id of a control cited in ``RULES.md``.

        NIST ids keep the control and its enhancement and drop statement parts, as the NIST
        OSCAL catalog names them; HIPAA and PCI ids get a prefix (OSCAL ids start with a
        letter).

        Examples
        --------
        >>> NIST_R5.control_id("AU-11(1)"), NIST_R5.control_id("SC-7(24)(b)")
        ('au-11.1', 'sc-7.24')
        >>> NIST_R5.control_id("AC-16b"), NIST_R5.control_id("PM-14a.1")
        ('ac-16', 'pm-14')
        >>> HIPAA.control_id("164.312(a)(2)(iv)"), PCI_DSS.control_id("3.4")
        ('hipaa-164.312_a_2_iv', 'pci-dss-3.4')
        """
        if self is NIST_R5:
            match = _NIST_ID_RE.match(cited)
            if match is None:
                raise NagCatalogueError(f"RULES.md cites {cited!r}, not a NIST 800-53 control id")
            family, number, enhancement = match.groups()
            base = f"{family.lower()}-{int(number)}"
            return f"{base}.{int(enhancement)}" if enhancement else base
        token = re.sub(r"[^0-9A-Za-z.]+", "_", cited).strip("_")
        return f"{_PREFIXES[self.pack]}-{token}"


NIST_R5 = Framework(
    "NIST.800.53.R5",
    "NIST SP 800-53 Rev. 5",
    "NIST 800-53 rev 5",
    "https://raw.githubusercontent.com/usnistgov/oscal-content/main/nist.gov/SP800-53/rev5/"
    "json/NIST_SP-800-53_rev5_catalog.json",
)
HIPAA = Framework(
    "HIPAA.Security",
    "HIPAA Security Rule (45 CFR Part 164, Subpart C)",
    "HIPAA Security",
    "https://docs.aws.amazon.com/config/latest/developerguide/"
    "operational-best-practices-for-hipaa_security.html",
)
PCI_DSS = Framework(
    "PCI.DSS.321",
    "PCI DSS 3.2.1",
    "PCI DSS 3.2.1",
    "https://docs.aws.amazon.com/config/latest/developerguide/"
    "operational-best-practices-for-pci-dss.html",
)
#: The frameworks, in the order the documents list them.
FRAMEWORKS: tuple[Framework, ...] = (NIST_R5, HIPAA, PCI_DSS)
_PREFIXES = MappingProxyType({HIPAA.pack: "hipaa", PCI_DSS.pack: "pci-dss"})
_NIST_ID_RE = re.compile(r"^([A-Z]{2})-(\d+)(?:\((\d+)\))?")
_RULE_ROW_RE = re.compile(r"^\|\s*\[(?P<rule>[\w.]+-\w+)\]\(")


def framework_of(rule: str) -> Framework | None:
    """The framework of a cdk-nag rule id, or ``None`` (AwsSolutions, Serverless, others)."""
    for framework in FRAMEWORKS:
        if rule.startswith(framework.pack + "-"):
            return framework
    return None


def _cited(cell: str) -> tuple[str, ...]:
    # "AC-4(21), AC-17b" / "164.312(b)" / "3.1, 10.7"; footnote marks are dropped.
    return tuple(part.strip() for part in re.sub(r"\[\^\d+\]", "", cell).split(",") if part.strip())


@cache
def nag_control_mapping() -> Mapping[str, tuple[str, ...]]:
    """Rule id -> the control ids ``RULES.md`` cites for it, as written there.

    Only the rules of :data:`FRAMEWORKS` are mapped.

    Raises
    ------
    NagCatalogueError
        When ``RULES.md`` is missing or a framework's section maps no rule.
    """
    with tarfile.open(_package_archive(), "r:gz") as archive:
        try:
            member = archive.extractfile("package/RULES.md")
        except KeyError:
            member = None
        if member is None:
            raise NagCatalogueError("cdk-nag has no RULES.md in its jsii archive")
        text = member.read().decode("utf-8")
    sections = {framework.section: framework for framework in FRAMEWORKS}
    mapping: dict[str, tuple[str, ...]] = {}
    current: Framework | None = None
    for line in text.splitlines():
        if line.startswith("## "):
            current = sections.get(line[3:].strip())
            continue
        match = _RULE_ROW_RE.match(line)
        if current is None or match is None or not match.group("rule").startswith(current.pack):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        mapping[match.group("rule")] = _cited(cells[-1])
    for framework in FRAMEWORKS:
        if not any(rule.startswith(framework.pack + "-") for rule in mapping):
            raise NagCatalogueError(f"RULES.md maps no rule of the {framework.section} pack")
    return MappingProxyType(mapping)


def oscal_control_ids(rule: str) -> tuple[str, ...]:
    """The OSCAL control ids (of the rule's framework) a cdk-nag rule supports, in order.

    Examples
    --------
    >>> oscal_control_ids("NIST.800.53.R5-KMSBackingKeyRotationEnabled")
    ('cm-6', 'cm-9', 'sa-9.6', 'sc-12', 'sc-12.2', 'sc-12.6')
    >>> oscal_control_ids("AwsSolutions-L1")
    ()
    """
    framework = framework_of(rule)
    if framework is None:
        return ()
    cited = nag_control_mapping().get(rule, ())
    return tuple(dict.fromkeys(framework.control_id(item) for item in cited))
