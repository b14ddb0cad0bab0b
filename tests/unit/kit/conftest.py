"""Synthesize the construct once per configuration and share the template between tests."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import App, Environment, Stack
from aws_cdk.assertions import Template

from kit import OrderServiceProps, ProductionOrderService
from kit.reference_app import REFERENCE_PROPS

_CACHE: dict[str, tuple[Template, ProductionOrderService]] = {}


def _synth(props: OrderServiceProps) -> tuple[Template, ProductionOrderService]:
    # Props hold a read-only mapping (unhashable); their repr is a faithful key.
    key = repr(props)
    if key not in _CACHE:
        app = App()
        stack = Stack(app, "TestStack", env=Environment(region="eu-west-1"))
        service = ProductionOrderService(stack, "Service", props)
        _CACHE[key] = (Template.from_stack(stack), service)
    return _CACHE[key]


def synth(props: OrderServiceProps | None = None) -> Template:
    """The template of a stack holding one ProductionOrderService built with ``props``."""
    return _synth(props or REFERENCE_PROPS)[0]


def resources(template: Template, resource_type: str) -> dict[str, dict[str, Any]]:
    """Resources of one type, by logical id."""
    found: dict[str, dict[str, Any]] = template.find_resources(resource_type)
    return found


def only(template: Template, resource_type: str) -> dict[str, Any]:
    """The single resource of a type (fails if there is not exactly one)."""
    found = resources(template, resource_type)
    assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
    return next(iter(found.values()))


def logical_id(template: Template, resource_type: str) -> str:
    found = resources(template, resource_type)
    assert len(found) == 1
    return next(iter(found))


@pytest.fixture(scope="session")
def template() -> Template:
    """The reference configuration's template."""
    return synth()


@pytest.fixture(scope="session")
def service() -> ProductionOrderService:
    """The reference configuration's construct (for its attributes)."""
    return _synth(REFERENCE_PROPS)[1]
