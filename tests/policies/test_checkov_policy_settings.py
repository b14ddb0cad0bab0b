"""The configurable policies read their bounds and tag keys from the environment.

Unit tests cover ``policies/policy_settings.py`` directly; the checkov runs prove the checks
really use the settings, and that a bad value fails the resources loudly instead of being
dropped.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import FIXTURES_DIR, CheckovScan, locate_checkov

from policies.policy_settings import (
    DEFAULT_MAX_BURST_LIMIT,
    DEFAULT_MAX_RATE_LIMIT,
    DEFAULT_REQUIRED_TAGS,
    PolicySettingError,
    load_settings,
)


def test_defaults_are_the_seed_values() -> None:
    settings = load_settings({})

    assert settings.max_rate_limit == DEFAULT_MAX_RATE_LIMIT == 500
    assert settings.max_burst_limit == DEFAULT_MAX_BURST_LIMIT == 1000
    assert (
        settings.required_tags == DEFAULT_REQUIRED_TAGS == ("Environment", "Service", "ManagedBy")
    )


def test_environment_overrides_every_setting() -> None:
    settings = load_settings(
        {
            "POK_MAX_THROTTLE_RATE_LIMIT": "12.5",
            "POK_MAX_THROTTLE_BURST_LIMIT": "25",
            "POK_REQUIRED_TAGS": " Owner , CostCentre,Owner ",
        }
    )

    assert settings.max_rate_limit == 12.5
    assert settings.max_burst_limit == 25
    assert settings.required_tags == ("Owner", "CostCentre")


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("POK_MAX_THROTTLE_RATE_LIMIT", "fast", "is not a number"),
        ("POK_MAX_THROTTLE_RATE_LIMIT", "0", "must be a positive number"),
        ("POK_MAX_THROTTLE_RATE_LIMIT", "nan", "must be a positive number"),
        ("POK_MAX_THROTTLE_BURST_LIMIT", "10.5", "is not an integer"),
        ("POK_MAX_THROTTLE_BURST_LIMIT", "-1", "must be a positive integer"),
        ("POK_REQUIRED_TAGS", " , ", "names no tag key"),
        ("POK_REQUIRED_TAGS", "Service,,Owner", "contains an empty tag key"),
    ],
)
def test_invalid_value_is_rejected_with_the_variable_name(
    variable: str, value: str, message: str
) -> None:
    with pytest.raises(PolicySettingError, match=message) as raised:
        load_settings({variable: value})

    assert variable in str(raised.value)


def test_missing_checkov_venv_fails_and_says_how_to_create_it(tmp_path: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match="make venv-checkov"):
        locate_checkov(tmp_path / "no-such-venv")


@pytest.fixture(scope="module")
def settings_fixtures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding only the passing fixtures of the configurable policies."""
    directory = tmp_path_factory.mktemp("settings")
    for name in ("stage_throttling_pass.json", "required_tags_pass.json"):
        shutil.copy(FIXTURES_DIR / name, directory / name)
    return directory


def test_checks_apply_the_configured_bounds_and_tags(
    checkov: Callable[..., CheckovScan], settings_fixtures: Path
) -> None:
    scan = checkov(
        settings_fixtures,
        {"POK_MAX_THROTTLE_RATE_LIMIT": "300", "POK_REQUIRED_TAGS": "Service,CostCentre"},
    )

    # Stage allows 500 rps (> 300); StageWithStricterMethod allows 200 and 50.
    assert scan.resources("CKV_POK_4", "stage_throttling_pass.json", "FAILED") == {"Stage"}
    assert scan.resources("CKV_POK_4", "stage_throttling_pass.json", "PASSED") == {
        "StageWithStricterMethod"
    }
    # Only Table carries a CostCentre tag.
    assert scan.resources("CKV_POK_7", "required_tags_pass.json", "PASSED") == {"Table"}


def test_invalid_setting_fails_every_resource_and_logs_why(
    checkov: Callable[..., CheckovScan], settings_fixtures: Path
) -> None:
    scan = checkov(
        settings_fixtures,
        {"POK_MAX_THROTTLE_BURST_LIMIT": "lots", "POK_REQUIRED_TAGS": ""},
    )

    assert scan.resources("CKV_POK_4", "stage_throttling_pass.json", "FAILED") == {
        "Stage",
        "StageWithStricterMethod",
    }
    assert scan.resources("CKV_POK_7", "required_tags_pass.json", "PASSED") == set()
    assert "POK_MAX_THROTTLE_BURST_LIMIT='lots' is not an integer" in scan.stderr
    assert "POK_REQUIRED_TAGS is set but names no tag key" in scan.stderr
