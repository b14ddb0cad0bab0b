"""Table settings that moto's DynamoDB does not implement, served beside it.

- ``UpdateTable`` with ``SSESpecification``: moto accepts the request and ignores the field, so
  a table created unencrypted stays unencrypted. :func:`apply_sse_specification` changes the
  encryption of moto's table as DynamoDB does ("UpdateTable", SSESpecification: ``Enabled``,
  ``SSEType`` ``KMS``, ``KMSMasterKeyId``), and answers the new ``SSEDescription``.
- ``UpdateContributorInsights`` / ``DescribeContributorInsights``: moto has neither.
  :data:`CONTRIBUTOR_INSIGHTS` keeps the setting per table (and index) the way the API reports it:
  the update answers ``ENABLING`` / ``DISABLING``, the description ``ENABLED`` / ``DISABLED``.

Imported only inside the LocalStack process (by :mod:`order_kit_localstack.dynamodb_moto`).
"""

from __future__ import annotations

import threading
from datetime import datetime, timezone
from typing import Any

from localstack.aws.api import CommonServiceException
from localstack.aws.api.dynamodb import ResourceNotFoundException


def _moto_table(account_id: str, region: str, table_name: str) -> Any:
    from moto.dynamodb.models import dynamodb_backends

    name = table_name.split(":table/", 1)[1] if table_name.startswith("arn:") else table_name
    table = dynamodb_backends[account_id][region].tables.get(name)
    if table is None:
        raise ResourceNotFoundException(f"Requested resource not found: Table: {name} not found")
    return table


def _validation_error(message: str) -> CommonServiceException:
    return CommonServiceException("ValidationException", message, status_code=400)


def apply_sse_specification(
    account_id: str, region: str, table_name: str, sse: dict[str, Any]
) -> dict[str, Any] | None:
    """Set the table's server-side encryption; return its ``SSEDescription`` (None: owned key).

    ``{"Enabled": false}`` returns the table to the AWS owned key; ``{"Enabled": true}`` with
    ``SSEType: KMS`` uses ``KMSMasterKeyId`` (DynamoDB's AWS managed key when it is absent).
    """
    table = _moto_table(account_id, region, table_name)
    enabled = sse.get("Enabled")
    if enabled is None:
        raise _validation_error("SSESpecification: Enabled must be specified")
    if not enabled:
        if sse.get("KMSMasterKeyId"):
            raise _validation_error(
                "SSESpecification: KMSMasterKeyId can only be specified when SSE is enabled"
            )
        table.sse_specification = None
        return None
    if sse.get("SSEType", "KMS") != "KMS":
        raise _validation_error(f"SSESpecification: SSEType {sse['SSEType']!r} is not supported")
    key = sse.get("KMSMasterKeyId") or table._get_default_encryption_key(account_id, region)
    table.sse_specification = {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key}
    return {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": key}


class ContributorInsightsSettings:
    """Contributor-insights status per (account, region, table incarnation, index)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._settings: dict[tuple[str, str, str, float, str], tuple[bool, datetime]] = {}

    def _key(
        self, account_id: str, region: str, table_name: str, index_name: str | None
    ) -> tuple[tuple[str, str, str, float, str], Any]:
        table = _moto_table(account_id, region, table_name)
        if index_name is not None and index_name not in {
            index.name for index in [*table.global_indexes, *table.indexes]
        }:
            raise ResourceNotFoundException(
                f"Requested resource not found: Index: {index_name} not found"
            )
        # A table deleted and created again under the same name starts over (created_at).
        created = float(table.created_at.timestamp())
        return (account_id, region, table.name, created, index_name or ""), table

    def update(
        self,
        account_id: str,
        region: str,
        table_name: str,
        index_name: str | None,
        action: str,
    ) -> dict[str, Any]:
        """``UpdateContributorInsights``: ``ENABLE`` or ``DISABLE``."""
        if action not in ("ENABLE", "DISABLE"):
            raise _validation_error(
                f"ContributorInsightsAction must be ENABLE or DISABLE, got {action!r}"
            )
        key, table = self._key(account_id, region, table_name, index_name)
        with self._lock:
            self._settings[key] = (action == "ENABLE", datetime.now(timezone.utc))
        response: dict[str, Any] = {
            "TableName": table.name,
            "ContributorInsightsStatus": "ENABLING" if action == "ENABLE" else "DISABLING",
        }
        if index_name:
            response["IndexName"] = index_name
        return response

    def describe(
        self, account_id: str, region: str, table_name: str, index_name: str | None
    ) -> dict[str, Any]:
        """``DescribeContributorInsights``: ``ENABLED`` or ``DISABLED`` (the default)."""
        key, table = self._key(account_id, region, table_name, index_name)
        with self._lock:
            enabled, updated = self._settings.get(key, (False, None))
        response: dict[str, Any] = {
            "TableName": table.name,
            "ContributorInsightsStatus": "ENABLED" if enabled else "DISABLED",
        }
        if index_name:
            response["IndexName"] = index_name
        if enabled:
            scope = f"{table.name}/index/{index_name}" if index_name else table.name
            response["ContributorInsightsRuleList"] = [
                f"DynamoDBContributorInsights-PKC-{scope}",
                f"DynamoDBContributorInsights-PKT-{scope}",
            ]
        if updated is not None:
            response["LastUpdateDateTime"] = updated
        return response


CONTRIBUTOR_INSIGHTS = ContributorInsightsSettings()
