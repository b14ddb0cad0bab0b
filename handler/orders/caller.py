"""Who is calling: the caller identity API Gateway put in the request context, per
authorization mode.

- ``iam`` (the default): callers are trusted backend services signing with SigV4. The caller is
  the IAM ARN API Gateway authenticated (``requestContext.identity.userArn``). They may act for
  any customer: ownership is their business.
- ``cognito``: callers are end users. The caller is the customer whose id is the value of the
  claim named by ``CUSTOMER_ID_CLAIM`` (default ``sub``) in
  ``requestContext.authorizer.claims``; they create, read and list only their own orders. A
  request without that claim is refused (401): the handler never falls back to trusting the body.
- ``none``: the API is open (migration phase 0, or an explicit opt-out); nobody is
  authenticated and every caller is ``anonymous``.

The gateway authenticates; this module only reads what it established. An IAM-mode request
without a user ARN can only come from an emulator that does not enforce IAM (the local cloud),
and is recorded as ``unauthenticated`` rather than refused, so the same code runs there.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from orders.errors import ForbiddenError, OrderNotFoundError, UnauthenticatedError

#: Recorded as the caller when the request context names nobody (open API, emulator).
ANONYMOUS_CALLER = "anonymous"
UNAUTHENTICATED_CALLER = "unauthenticated"
#: Longest caller id accepted from the request context (IAM ARNs are at most 2048 characters).
MAX_CALLER_ID_LENGTH = 2048


class AuthorizationMode(enum.Enum):
    """The API's authorization mode, as the construct sets it in ``AUTHORIZATION_MODE``."""

    IAM = "iam"
    COGNITO = "cognito"
    NONE = "none"


@dataclass(frozen=True)
class Caller:
    """The identity a request was made with.

    Attributes
    ----------
    mode : AuthorizationMode
        How the caller was authenticated.
    caller_id : str
        Who called: an IAM ARN (``iam``), ``cognito:<customer id>`` (``cognito``), or
        `ANONYMOUS_CALLER` / `UNAUTHENTICATED_CALLER`. Recorded on orders and in logs, and the
        scope of idempotency keys.
    customer_id : str or None
        In ``cognito`` mode the customer the caller is (and may act for); None otherwise, where
        the caller may act for any customer.
    """

    mode: AuthorizationMode
    caller_id: str
    customer_id: str | None = None

    @property
    def acts_for_one_customer(self) -> bool:
        """True when the caller may only touch the orders of `customer_id`."""
        return self.customer_id is not None

    def check_may_create_for(self, customer_id: str) -> None:
        """Refuse (403) a ``POST /orders`` for another customer than the caller."""
        if self.customer_id is not None and customer_id != self.customer_id:
            raise ForbiddenError("you may only create orders for your own customer id")

    def check_may_list(self, customer_id: str) -> None:
        """Refuse (403) listing another customer's orders."""
        if self.customer_id is not None and customer_id != self.customer_id:
            raise ForbiddenError("you may only list your own orders")

    def check_may_read(self, order_id: str, owner_customer_id: str) -> None:
        """Refuse another customer's order with the same 404 as an unknown id, so ids of
        other customers' orders cannot be confirmed by probing."""
        if self.customer_id is not None and owner_customer_id != self.customer_id:
            raise OrderNotFoundError(f"there is no order with id {order_id}")


def _text(value: Any) -> str | None:
    if isinstance(value, str) and 0 < len(value) <= MAX_CALLER_ID_LENGTH and value.isprintable():
        return value
    return None


def caller_from_event(
    event: Mapping[str, Any], mode: AuthorizationMode, customer_id_claim: str = "sub"
) -> Caller:
    """Return the caller of an API Gateway REST proxy event.

    Raises
    ------
    UnauthenticatedError
        In ``cognito`` mode, when the claims lack a usable ``customer_id_claim``.

    Examples
    --------
    >>> event = {"requestContext": {"authorizer": {"claims": {"sub": "c-1"}}}}
    >>> caller_from_event(event, AuthorizationMode.COGNITO).customer_id
    'c-1'
    >>> event = {"requestContext": {"identity": {"userArn": "arn:aws:iam::1:role/shop"}}}
    >>> caller_from_event(event, AuthorizationMode.IAM).caller_id
    'arn:aws:iam::1:role/shop'
    """
    context = event.get("requestContext") or {}
    if mode is AuthorizationMode.COGNITO:
        claims = (context.get("authorizer") or {}).get("claims") or {}
        customer_id = _text(claims.get(customer_id_claim)) if isinstance(claims, dict) else None
        if customer_id is None:
            raise UnauthenticatedError(
                f"the request carries no {customer_id_claim!r} claim to identify the customer"
            )
        return Caller(mode, f"cognito:{customer_id}", customer_id)
    if mode is AuthorizationMode.IAM:
        user_arn = _text((context.get("identity") or {}).get("userArn"))
        return Caller(mode, user_arn or UNAUTHENTICATED_CALLER)
    return Caller(mode, ANONYMOUS_CALLER)
