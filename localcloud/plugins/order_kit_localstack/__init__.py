"""LocalStack plugins owned by production-order-kit.

Two plugins make LocalStack 2026.3.0 usable on a machine without Docker or Java, and a third
makes its CloudFormation apply stack updates:

- ``dynamodb:moto`` / ``dynamodbstreams:moto`` (:mod:`order_kit_localstack.dynamodb_moto`):
  DynamoDB and DynamoDB Streams served by moto instead of DynamoDB Local (a Java jar that
  LocalStack downloads at run time). Select with ``PROVIDER_OVERRIDE_DYNAMODB=moto`` and
  ``PROVIDER_OVERRIDE_DYNAMODBSTREAMS=moto``.
- ``local-process`` (:mod:`order_kit_localstack.executor`): a Lambda runtime executor that runs
  zip Python functions as local ``python -m awslambdaric`` processes instead of Docker
  containers. Select with ``LAMBDA_RUNTIME_EXECUTOR=local-process``.
- the ``on_infra_start`` hook of :mod:`order_kit_localstack.cfn_updates`: resource providers
  that apply the updates of the migration path (table, stage, IAM, alarm and log-group
  updates LocalStack skips while reporting ``UPDATE_COMPLETE``). Always on.

Only the modules named in the entry points import LocalStack; :mod:`runtime_api` and
:mod:`local_process` use the standard library alone so they can be tested anywhere.
"""
