"""Opaque, tamper-evident pagination tokens: DynamoDB's LastEvaluatedKey encrypted with KMS.

The key is encrypted under ``PAGE_TOKEN_KEY_ID`` with the encryption context
``{"purpose": "orders-page-token", "customerId": <id>}``. KMS authenticates the context, so a
token that was altered, made up, or issued for another customer's listing fails to decrypt, and
clients learn nothing about the table's keys from it.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from botocore.exceptions import ClientError

from orders.aws_errors import error_code, transient_errors_as_unavailable
from orders.errors import InvalidPageTokenError, Problem
from orders.repository import PAGE_KEY_ATTRIBUTES

TOKEN_PURPOSE = "orders-page-token"  # noqa: S105 - an encryption-context label, not a secret
#: Longer tokens cannot come from `PageTokenCodec.encode`; refuse them before calling KMS.
MAX_TOKEN_LENGTH = 2048
#: KMS errors that mean "this ciphertext is not a token for this key and context".
_NOT_A_TOKEN_CODES = frozenset(
    {"InvalidCiphertextException", "IncorrectKeyException", "ValidationException"}
)
_INVALID_MESSAGE = "nextToken is not a token this API issued for this customer's orders"


def _invalid_token() -> InvalidPageTokenError:
    return InvalidPageTokenError(_INVALID_MESSAGE, [Problem("query:nextToken", _INVALID_MESSAGE)])


class PageTokenCodec:
    """Encrypt and decrypt pagination tokens for the customer orders listing.

    Parameters
    ----------
    kms_client : botocore client
        A KMS client.
    key_id : str
        The symmetric KMS key id, ARN or alias.
    """

    def __init__(self, kms_client: Any, key_id: str) -> None:
        self._kms = kms_client
        self._key_id = key_id

    @staticmethod
    def _context(customer_id: str) -> dict[str, str]:
        return {"purpose": TOKEN_PURPOSE, "customerId": customer_id}

    def encode(self, last_evaluated_key: dict[str, Any], customer_id: str) -> str:
        """Return the token for ``last_evaluated_key`` (url-safe base64 text, no padding)."""
        plaintext = json.dumps(last_evaluated_key, sort_keys=True, separators=(",", ":"))
        with transient_errors_as_unavailable("kms"):
            response = self._kms.encrypt(
                KeyId=self._key_id,
                Plaintext=plaintext.encode("utf-8"),
                EncryptionContext=self._context(customer_id),
            )
        return base64.urlsafe_b64encode(response["CiphertextBlob"]).decode("ascii").rstrip("=")

    def decode(self, token: str, customer_id: str) -> dict[str, Any]:
        """Return the ExclusiveStartKey in ``token``, which must belong to ``customer_id``.

        Raises
        ------
        InvalidPageTokenError
            If the token is malformed, fails to decrypt, or was issued for another customer.
        DependencyUnavailableError
            If KMS throttles or cannot be reached.
        """
        if not token or len(token) > MAX_TOKEN_LENGTH:
            raise _invalid_token()
        try:
            ciphertext = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError) as error:
            raise _invalid_token() from error
        try:
            with transient_errors_as_unavailable("kms"):
                response = self._kms.decrypt(
                    KeyId=self._key_id,
                    CiphertextBlob=ciphertext,
                    EncryptionContext=self._context(customer_id),
                )
        except ClientError as error:
            if error_code(error) in _NOT_A_TOKEN_CODES:
                raise _invalid_token() from error
            raise
        try:
            key = json.loads(response["Plaintext"])
        except ValueError as error:
            raise _invalid_token() from error
        # Defence in depth: the context already binds the token to the customer.
        if (
            not isinstance(key, dict)
            or set(key) != PAGE_KEY_ATTRIBUTES
            or not all(isinstance(v, dict) and set(v) == {"S"} for v in key.values())
            or key["customerId"] != {"S": customer_id}
        ):
            raise _invalid_token()
        return key
