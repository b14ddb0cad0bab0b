"""The examples in the handler's docstrings run and give the results they show."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import orders
import pytest

MODULES = sorted(
    ["kit.openapi"] + [f"orders.{info.name}" for info in pkgutil.iter_modules(orders.__path__)]
)


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples(module_name: str) -> None:
    module = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {module_name}"
