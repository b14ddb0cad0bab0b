"""The order service's Lambda code.

Entry points: ``orders.api.lambda_handler`` (API Gateway REST proxy) and
``orders.processor.lambda_handler`` (DynamoDB stream). Everything else is importable without AWS
access: validation (`orders.validation`), the domain model (`orders.models`), data access
(`orders.repository`), pagination tokens (`orders.page_tokens`) and responses (`orders.responses`).
"""
