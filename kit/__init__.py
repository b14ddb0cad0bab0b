"""production-order-kit: a compliance-tested AWS CDK construct for a serverless order service.

The centrepiece is :class:`ProductionOrderService`, configured by :class:`OrderServiceProps`.
The names below load lazily, so that ``kit.openapi`` or ``kit.migration`` can be used without
starting the CDK's JavaScript runtime.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kit.props import (
        LOG_RETENTION_DAYS,
        AuthorizationMode,
        OrderServiceProps,
        OrderServicePropsError,
    )
    from kit.service import ProductionOrderService

_EXPORTS = {
    "LOG_RETENTION_DAYS": "kit.props",
    "AuthorizationMode": "kit.props",
    "OrderServiceProps": "kit.props",
    "OrderServicePropsError": "kit.props",
    "ProductionOrderService": "kit.service",
}

__all__ = [
    "LOG_RETENTION_DAYS",
    "AuthorizationMode",
    "OrderServiceProps",
    "OrderServicePropsError",
    "ProductionOrderService",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kit' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
