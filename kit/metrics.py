"""Names of the business metrics the handler emits (CloudWatch Embedded Metric Format).

The handler (``handler/orders``, which cannot import the kit at run time) uses the same
literals; a test checks that the dashboard's names are the ones the handler emits.
"""

#: Metrics namespace (``POWERTOOLS_METRICS_NAMESPACE``).
NAMESPACE = "ProductionOrderKit"
#: Count of orders created by the api function (dimension ``service``).
ORDERS_CREATED = "ordersCreated"
#: Count of orders confirmed by the stream processor (dimension ``service``).
ORDERS_PROCESSED = "ordersProcessed"
#: Value of each confirmed order (dimensions ``service`` and ``currency``).
ORDER_VALUE = "orderValue"
#: Count of requests that failed because AWS refused the function a table or key.
DEPENDENCY_ACCESS_DENIED = "dependencyAccessDenied"
#: Age in seconds of the oldest PENDING order, published by the pending-order sweep each run.
OLDEST_PENDING_ORDER_AGE = "oldestPendingOrderAgeSeconds"
#: Count of orders the pending-order sweep confirmed (also counted in ``ordersProcessed``).
ORDERS_RECONCILED = "ordersReconciled"
#: Count of expired orders the stream processor archived to S3 (each order once).
ORDERS_ARCHIVED = "ordersArchived"
