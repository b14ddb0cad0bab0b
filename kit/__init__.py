"""production-order-kit: a compliance-tested AWS CDK construct for a serverless order service.

The centrepiece is :class:`ProductionOrderService`, configured by :class:`OrderServiceProps`.
"""

from kit.props import (
    LOG_RETENTION_DAYS,
    AuthorizationMode,
    OrderServiceProps,
    OrderServicePropsError,
)
from kit.service import ProductionOrderService

__all__ = [
    "LOG_RETENTION_DAYS",
    "AuthorizationMode",
    "OrderServiceProps",
    "OrderServicePropsError",
    "ProductionOrderService",
]
__version__ = "0.1.0"
