"""The operations runbook: ``docs/data/runbook.yaml`` joined with the alarms of the template."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from docs.gen.dashboard import AlarmOnDashboard, dashboard_link
from docs.gen.inputs import DATA_DIR
from docs.gen.markdown import code

#: The runbook text, keyed by alarm short name.
RUNBOOK_FILE = DATA_DIR / "runbook.yaml"

_OPERATORS = {
    "GreaterThanOrEqualToThreshold": ">=",
    "GreaterThanThreshold": ">",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "<=",
}


class RunbookError(ValueError):
    """The runbook file is malformed or does not cover exactly the construct's alarms."""


@dataclass(frozen=True)
class RunbookEntry:
    """What an alarm means and what to do first."""

    alarm: str
    meaning: str
    first_steps: tuple[str, ...]


@dataclass(frozen=True)
class AlarmFacts:
    """An alarm as synthesized: its full name, condition and the phase that introduces it."""

    short_name: str
    alarm_name: str
    description: str
    condition: str
    first_phase: int


def load_runbook(path: Path = RUNBOOK_FILE) -> dict[str, RunbookEntry]:
    """Read the runbook file (a mapping of alarm short name to ``meaning`` and ``first_steps``).

    Raises
    ------
    RunbookError
        When the file is not such a mapping or an entry lacks text.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise RunbookError(f"{path}: cannot read the runbook ({error})") from None
    if not isinstance(data, dict) or not data:
        raise RunbookError(f"{path}: expected a mapping of alarm short names to entries")
    entries: dict[str, RunbookEntry] = {}
    for alarm, entry in data.items():
        if not isinstance(entry, dict) or set(entry) != {"meaning", "first_steps"}:
            raise RunbookError(f"{path}: {alarm}: needs exactly 'meaning' and 'first_steps'")
        meaning, steps = entry["meaning"], entry["first_steps"]
        if not isinstance(meaning, str) or not meaning.strip():
            raise RunbookError(f"{path}: {alarm}: 'meaning' must be non-empty text")
        if (
            not isinstance(steps, list)
            or not steps
            or not all(isinstance(s, str) and s.strip() for s in steps)
        ):
            raise RunbookError(f"{path}: {alarm}: 'first_steps' must be a non-empty list of text")
        entries[str(alarm)] = RunbookEntry(str(alarm), meaning.strip(), tuple(steps))
    return entries


def check_coverage(entries: Iterable[str], alarms: Iterable[str]) -> None:
    """Raise :class:`RunbookError` unless the runbook names exactly the given alarms."""
    documented, created = set(entries), set(alarms)
    missing, unknown = sorted(created - documented), sorted(documented - created)
    problems = []
    if missing:
        problems.append(f"alarms without a runbook entry: {', '.join(missing)}")
    if unknown:
        problems.append(
            f"runbook entries for alarms the construct does not create: {', '.join(unknown)}"
        )
    if problems:
        raise RunbookError(f"{RUNBOOK_FILE.name}: " + "; ".join(problems))


def _metric_text(properties: Mapping[str, Any]) -> str:
    if "MetricName" in properties:
        statistic = properties.get("ExtendedStatistic") or properties.get("Statistic", "?")
        return (
            f"{code(properties['MetricName'])} ({properties.get('Namespace', '?')}, "
            f"{statistic} over {properties.get('Period', '?')} s)"
        )
    # A metric math alarm: the expression and the metrics it combines.
    expression, period, inputs = "?", "?", []
    for query in properties.get("Metrics", []):
        if "Expression" in query:
            expression = query["Expression"]
        elif "MetricStat" in query:
            stat = query["MetricStat"]
            inputs.append(f"{query['Id']} = {stat['Metric']['MetricName']}")
            period = stat.get("Period", "?")
    described = f"{code(expression)} where {', '.join(inputs)}" if inputs else code(expression)
    return f"{described} (over {period} s)" if inputs else described


def alarm_facts(templates: Mapping[int, Mapping[str, Any]], prefix: str) -> dict[str, AlarmFacts]:
    """The alarms of the synthesized templates, keyed by short name.

    Parameters
    ----------
    templates
        Phase -> template; the condition is read from the latest phase that has the alarm.
    prefix
        The alarm name prefix (``<service>-<environment>-``) to strip.
    """
    facts: dict[str, AlarmFacts] = {}
    first: dict[str, int] = {}
    for phase in sorted(templates):
        for resource in templates[phase].get("Resources", {}).values():
            if resource.get("Type") != "AWS::CloudWatch::Alarm":
                continue
            properties = resource.get("Properties", {})
            name = properties.get("AlarmName")
            if not isinstance(name, str) or not name.startswith(prefix):
                continue
            short = name[len(prefix) :]
            first.setdefault(short, phase)
            operator = _OPERATORS.get(properties.get("ComparisonOperator", ""), "?")
            threshold = properties.get("Threshold")
            if isinstance(threshold, float) and threshold.is_integer():
                threshold = int(threshold)
            condition = (
                f"{_metric_text(properties)} {operator} {threshold} in "
                f"{properties.get('DatapointsToAlarm', '?')} of "
                f"{properties.get('EvaluationPeriods', '?')} period(s)"
            )
            facts[short] = AlarmFacts(
                short, name, properties.get("AlarmDescription", ""), condition, first[short]
            )
    return facts


def render_runbook(
    entries: Mapping[str, RunbookEntry],
    facts: Mapping[str, AlarmFacts],
    dashboard: Mapping[str, AlarmOnDashboard],
) -> str:
    """The runbook fragment: one section per alarm, in the runbook file's order.

    ``dashboard`` (alarm short name -> its widgets, :func:`docs.gen.dashboard.alarms_on_dashboard`)
    gives each alarm a link to the dashboard widget that charts its metric.
    """
    check_coverage(entries, facts)
    undrawn = sorted(set(facts) - set(dashboard))
    if undrawn:
        raise RunbookError(f"alarms missing from the dashboard: {', '.join(undrawn)}")
    sections = []
    for short, entry in entries.items():
        fact = facts[short]
        phase = fact.first_phase
        steps = "\n".join(f"{number}. {step}" for number, step in enumerate(entry.first_steps, 1))
        sections.append(
            f"## {short}\n\n"
            f"| | |\n| --- | --- |\n"
            f"| Alarm name | {code(fact.alarm_name)} |\n"
            f"| Fires when | {fact.condition} |\n"
            f"| Description | {fact.description} |\n"
            f"| Deployed from | [phase {phase}](migration/phase-{phase}.md) |\n"
            f"| On the dashboard | {dashboard_link(dashboard[short])} |\n"
            f"\n**What it means.** {entry.meaning}\n\n"
            f"**First steps**\n\n{steps}\n"
        )
    return "\n".join(sections)
