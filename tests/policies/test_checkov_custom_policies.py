"""Each custom checkov policy fails its failing fixture and passes its passing fixture.

Given the fixture templates in ``fixtures/`` (``<name>_fail.json`` and ``<name>_pass.json``),
when checkov scans them once with the built-in checks and ``policies/``, then every policy
fails exactly the expected resources of its failing fixture and passes every resource of
its passing fixture.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

import pytest
from conftest import FIXTURES_DIR, POLICIES_DIR, CheckovScan


class Expectation(NamedTuple):
    fixture: str
    failing: frozenset[str]
    passing: frozenset[str]


def expect(fixture: str, failing: set[str], passing: set[str]) -> Expectation:
    return Expectation(fixture, frozenset(failing), frozenset(passing))


EXPECTATIONS = {
    "CKV_POK_1": expect(
        "customer_managed_key",
        {
            "TableAwsOwnedKey",
            "TableAwsManagedAlias",
            "TableSseDisabled",
            "QueueSqsManaged",
            "TopicAwsManagedAlias",
            "TopicJoinedAwsManagedAlias",
        },
        {"Table", "Queue", "Topic", "TopicKeyOfAnotherStack"},
    ),
    "CKV_POK_2": expect(
        "stream_failure_destination",
        {"StreamMappingWithoutDestination", "StreamMappingEmptyOnFailure", "KinesisMappingByArn"},
        {"StreamMapping"},
    ),
    "CKV_POK_3": expect(
        "stream_retry_bounds",
        {"DefaultLimits", "InfiniteRetries", "InfiniteRecordAge"},
        {"BoundedMapping"},
    ),
    "CKV_POK_4": expect(
        "stage_throttling",
        {
            "StageWithoutThrottling",
            "StageRateTooHigh",
            "StageBurstTooHigh",
            "StageOnlyOneMethodThrottled",
            "StageMethodOverrideTooHigh",
        },
        {"Stage", "StageWithStricterMethod"},
    ),
    "CKV_POK_5": expect(
        "stage_access_log_format",
        {"StageWithoutAccessLog", "StageWithoutFormat", "StageCommonLogFormat", "StageJsonArray"},
        {"StageJson", "StageJsonUnquotedVariables", "StageJoinedJson"},
    ),
    "CKV_POK_6": expect(
        "iam_wildcard_actions",
        {
            "PolicyServiceWildcard",
            "ManagedPolicyStar",
            "RoleInlineServiceWildcard",
            "PolicyNotAction",
            "SingleStatementObject",
        },
        {"Role", "Policy", "ManagedPolicy"},
    ),
    "CKV_POK_7": expect(
        "required_tags",
        {
            "QueueWithoutTags",
            "TableMissingManagedBy",
            "LogGroupEmptyService",
            "ParameterMapTagsMissingService",
            "UserPoolWithoutTags",
        },
        {"Queue", "Table", "LogGroupTagFromParameter", "ParameterMapTags", "UserPool"},
    ),
    "CKV_POK_8": expect(
        "request_validation",
        {"PostWithoutValidation", "PutWithoutModel", "PatchWithoutValidator"},
        {"PostValidated"},
    ),
    "CKV2_POK_1": expect(
        "dynamodb_table_features", {"TableWithoutFeatures", "TableTtlDisabled"}, {"Table"}
    ),
    "CKV2_POK_2": expect(
        "dynamodb_table_features", {"TableWithoutFeatures", "TableTtlDisabled"}, {"Table"}
    ),
    "CKV2_POK_3": expect(
        "dynamodb_table_features", {"TableWithoutFeatures", "TableTtlDisabled"}, {"Table"}
    ),
    "CKV2_POK_4": expect(
        "lambda_tracing", {"FunctionWithoutTracing", "FunctionPassThrough"}, {"Function"}
    ),
    "CKV2_POK_5": expect(
        "alarm_sns_action",
        {"AlarmWithoutActions", "AlarmOnlyOkAction", "AlarmActionsDisabled"},
        {"ErrorsAlarm", "ThrottlesAlarm"},
    ),
    "CKV2_POK_6": expect("sqs_tls_only", {"QueueWithoutPolicy", "QueueAllowOnly"}, {"Queue"}),
    "CKV2_POK_7": expect("sns_tls_only", {"TopicWithoutPolicy", "TopicAllowOnly"}, {"Topic"}),
    "CKV2_POK_8": expect("kms_key_alias", {"KeyWithoutAlias"}, {"Key"}),
    "CKV2_POK_9": expect(
        "lambda_log_group",
        {"FunctionDefaultLogs", "FunctionTextFormatOnly", "FunctionLogGroupByName"},
        {"Function"},
    ),
    "CKV2_POK_10": expect("lambda_alarm", {"UnwatchedFunction"}, {"Function"}),
}

# Built-in checks that policies/README.md names as covering a seed control, each with a
# naive resource of fixtures/builtin_controls_fail.json it must fail.
BUILTIN_COVERAGE = {
    "CKV_AWS_7": "NaiveKey",
    "CKV_AWS_26": "NaiveTopic",
    "CKV_AWS_27": "NaiveQueue",
    "CKV_AWS_28": "NaiveTable",
    "CKV_AWS_59": "NaiveMethod",
    "CKV_AWS_63": "NaivePolicy",
    "CKV_AWS_66": "NaiveLogGroup",
    "CKV_AWS_73": "NaiveStage",
    "CKV_AWS_76": "NaiveStage",
    "CKV_AWS_115": "NaiveFunction",
    "CKV_AWS_116": "NaiveFunction",
    "CKV_AWS_119": "NaiveTable",
    "CKV_AWS_158": "NaiveLogGroup",
}

PYTHON_ID = re.compile(r'\bid="(CKV_POK_\d+)"')
YAML_ID = re.compile(r"^\s+id:\s*\"?(CKV2_POK_\d+)\"?\s*$", re.MULTILINE)


def declared_policy_ids() -> list[str]:
    """Return the ids declared in ``policies/`` (Python ``id=`` and YAML ``metadata.id``)."""
    ids = []
    for path in sorted(POLICIES_DIR.iterdir()):
        if path.suffix == ".py":
            ids += PYTHON_ID.findall(path.read_text(encoding="utf-8"))
        elif path.suffix in {".yaml", ".yml"}:
            ids += YAML_ID.findall(path.read_text(encoding="utf-8"))
    return ids


def test_every_declared_policy_has_fixture_expectations() -> None:
    ids = declared_policy_ids()
    assert len(ids) == len(set(ids)), f"duplicate policy ids: {sorted(ids)}"
    assert set(ids) == set(EXPECTATIONS)


@pytest.mark.parametrize("check_id", sorted(EXPECTATIONS))
def test_policy_fails_exactly_the_failing_fixture_resources(
    fixture_scan: CheckovScan, check_id: str
) -> None:
    expectation = EXPECTATIONS[check_id]
    fail_file = f"{expectation.fixture}_fail.json"
    assert (FIXTURES_DIR / fail_file).is_file()

    failed = fixture_scan.resources(check_id, fail_file, "FAILED")

    assert failed == expectation.failing


@pytest.mark.parametrize("check_id", sorted(EXPECTATIONS))
def test_policy_passes_every_passing_fixture_resource(
    fixture_scan: CheckovScan, check_id: str
) -> None:
    expectation = EXPECTATIONS[check_id]
    pass_file = f"{expectation.fixture}_pass.json"
    assert (FIXTURES_DIR / pass_file).is_file()

    passed = fixture_scan.resources(check_id, pass_file, "PASSED")
    failed = fixture_scan.resources(check_id, pass_file, "FAILED")

    assert failed == set()
    assert passed == expectation.passing


@pytest.mark.parametrize("check_id", sorted(BUILTIN_COVERAGE))
def test_builtin_check_runs_alongside_ours_and_fails_the_naive_resource(
    fixture_scan: CheckovScan, check_id: str
) -> None:
    failed = fixture_scan.resources(check_id, "builtin_controls_fail.json", "FAILED")

    assert BUILTIN_COVERAGE[check_id] in failed


def test_readme_table_names_every_policy_and_relied_on_builtin() -> None:
    readme = (POLICIES_DIR / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"\bCKV2?_(?:POK|AWS)_\d+\b", readme))

    assert set(EXPECTATIONS) <= named
    assert set(BUILTIN_COVERAGE) <= named


def test_every_fixture_template_is_used() -> None:
    used = {f"{e.fixture}_{kind}.json" for e in EXPECTATIONS.values() for kind in ("fail", "pass")}
    used |= {"builtin_controls_fail.json", "resource_level_skip.json"}

    assert {path.name for path in Path(FIXTURES_DIR).glob("*.json")} == used


@pytest.mark.parametrize(
    ("check_id", "comment"),
    [
        ("CKV_POK_7", "tags applied by the account baseline"),
        ("CKV2_POK_8", "alias created by another stack"),
    ],
)
def test_resource_metadata_skip_silences_only_that_resource(
    fixture_scan: CheckovScan, check_id: str, comment: str
) -> None:
    # Metadata.checkov.skip is how an acknowledgment applies to one resource only.
    file_name = "resource_level_skip.json"

    assert fixture_scan.resources(check_id, file_name, "SKIPPED") == {"AcknowledgedKey"}
    assert fixture_scan.resources(check_id, file_name, "FAILED") == {"UnacknowledgedKey"}
    assert fixture_scan.suppress_comments[(check_id, file_name, "AcknowledgedKey")] == comment
