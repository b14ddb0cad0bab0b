"""The README's construct example runs as written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parents[3] / "README.md"


def readme_example() -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(
        r"<!-- readme-example:start -->\s*```python\n(.*?)```\s*<!-- readme-example:end -->",
        text,
        re.DOTALL,
    )
    assert match, "README.md has no readme-example block"
    return match.group(1)


def test_readme_example_synthesizes() -> None:
    namespace: dict[str, Any] = {}
    exec(compile(readme_example(), "README.md", "exec"), namespace)  # noqa: S102
    service = namespace["service"]
    assert service.props.alarm_emails == ("oncall@example.com",)
    # app.synth() returns the assembly the example already produced
    template = namespace["app"].synth().get_stack_by_name("Orders").template
    variables = next(
        r["Properties"]["Environment"]["Variables"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Lambda::Function" and "orders.api" in r["Properties"]["Handler"]
    )
    assert variables["FEATURE_FLAG"] == "on"
