"""Names of the business metrics the handler emits (CloudWatch Embedded Metric Format).

The handler (``handler/orders``) and the dashboard both use these names; a test checks that
the handler emits exactly them.
"""

#: Metrics namespace (``POWERTOOLS_METRICS_NAMESPACE``).
NAMESPACE = "ProductionOrderKit"
ORDERS_CREATED = "OrdersCreated"
ORDERS_PROCESSED = "OrdersProcessed"
ORDER_VALUE = "OrderValue"
