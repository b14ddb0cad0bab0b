"""Naming a user's app as ``module:function``."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kit.audit.synthesis import SynthesisError, load_app_factory


def test_app_module_in_the_working_directory_needs_no_installation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "audit_user_app_probe.py").write_text("def build():\n    return 'the app'\n")
    monkeypatch.chdir(tmp_path)
    # As under the `order-kit` console script: the working directory is not on sys.path.
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    monkeypatch.delitem(sys.modules, "audit_user_app_probe", raising=False)

    factory = load_app_factory("audit_user_app_probe:build")

    assert factory() == "the app"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("kit.audit.ledger", "must be 'module:function'"),
        ("kit.audit.ledger:", "must be 'module:function'"),
        ("kit.audit.ledger:no_such_function", "has no function 'no_such_function'"),
        ("kit.audit.ledger:TOOLS", "has no function 'TOOLS'"),
    ],
)
def test_bad_app_specs_are_refused(spec: str, message: str) -> None:
    with pytest.raises(SynthesisError, match=message):
        load_app_factory(spec)
