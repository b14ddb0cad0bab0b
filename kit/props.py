"""The typed, validated configuration of :class:`kit.ProductionOrderService`.

Every field has a safe production default. A bad value raises :class:`OrderServicePropsError`
at construction, naming the prop, so a mistake surfaces at ``cdk synth`` rather than as a
half-deployed stack.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from aws_cdk import RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs

from kit.archive import ARCHIVE_STORAGE_CLASSES
from kit.network import OPTIONAL_ENDPOINTS, is_vpc
from kit.phases import FIRST_PHASE, LAST_PHASE, Features, features_for

#: Retention periods CloudWatch Logs accepts (days), and the CDK names for them.
LOG_RETENTION_DAYS: Mapping[int, logs.RetentionDays] = MappingProxyType(
    {
        1: logs.RetentionDays.ONE_DAY,
        3: logs.RetentionDays.THREE_DAYS,
        5: logs.RetentionDays.FIVE_DAYS,
        7: logs.RetentionDays.ONE_WEEK,
        14: logs.RetentionDays.TWO_WEEKS,
        30: logs.RetentionDays.ONE_MONTH,
        60: logs.RetentionDays.TWO_MONTHS,
        90: logs.RetentionDays.THREE_MONTHS,
        120: logs.RetentionDays.FOUR_MONTHS,
        150: logs.RetentionDays.FIVE_MONTHS,
        180: logs.RetentionDays.SIX_MONTHS,
        365: logs.RetentionDays.ONE_YEAR,
        400: logs.RetentionDays.THIRTEEN_MONTHS,
        545: logs.RetentionDays.EIGHTEEN_MONTHS,
        731: logs.RetentionDays.TWO_YEARS,
        1096: logs.RetentionDays.THREE_YEARS,
        1827: logs.RetentionDays.FIVE_YEARS,
        2192: logs.RetentionDays.SIX_YEARS,
        2557: logs.RetentionDays.SEVEN_YEARS,
        2922: logs.RetentionDays.EIGHT_YEARS,
        3288: logs.RetentionDays.NINE_YEARS,
        3653: logs.RetentionDays.TEN_YEARS,
    }
)

#: Tag keys the kit always sets; user tags may not override them.
RESERVED_TAG_KEYS = ("Service", "Environment", "ManagedBy")

#: The Powertools for AWS Lambda (Python) v3 public layer version attached by default.
DEFAULT_POWERTOOLS_LAYER_VERSION = 27

_NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,19}$")
_EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
_ORIGIN_RE = re.compile(r"^https://[A-Za-z0-9.-]+(:[0-9]{1,5})?$")
_LOCAL_ORIGIN_RE = re.compile(r"^http://(localhost|127\.0\.0\.1)(:[0-9]{1,5})?$")
_TAG_KEY_RE = re.compile(r"^[A-Za-z0-9 _.:/=+\-@]{1,128}$")
_CLAIM_NAME_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
_OAUTH_SCOPE_RE = re.compile(r"^[\x21\x23-\x5B\x5D-\x7E]{1,256}$")
_USER_POOL_ARN_RE = re.compile(r"^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool/\S+$")
_ROLE_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
_BACKUP_VAULT_ARN_RE = re.compile(
    r"^arn:aws[a-z-]*:backup:[a-z0-9-]+:\d{12}:backup-vault:[A-Za-z0-9_.-]{2,50}$"
)
# EventBridge cron: six fields (minutes hours day-of-month month day-of-week year).
_CRON_RE = re.compile(r"^cron\((\S+ ){5}\S+\)$")
# CloudFormation export names: letters, digits, ':' and '-' (the kit adds "-<Output>").
_EXPORT_PREFIX_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9:-]{0,199}$")

#: Values of ``architecture`` (Lambda's names).
ARCHITECTURES = ("arm64", "x86_64")

#: Values of ``runtime``: the Python runtimes the pinned Powertools layer version publishes
#: builds for (Lambda's names, oldest first).
RUNTIMES = ("python3.12", "python3.13", "python3.14")

#: The default ``runtime``: the newest one the local cloud can also play (a Python 3.13 venv),
#: so the e2e tests run the functions on the Python they run on in AWS.
DEFAULT_RUNTIME = "python3.13"

#: ``api_gateway_account_role``: the stack creates the account's API Gateway logging role.
CREATE_ACCOUNT_ROLE = "create"
#: ``api_gateway_account_role``: the account already has one; the stack leaves it alone.
EXISTING_ACCOUNT_ROLE = "existing"


class OrderServicePropsError(ValueError):
    """A prop of :class:`OrderServiceProps` has a value the kit refuses."""


class AuthorizationMode(enum.Enum):
    """How callers of the REST API are authorized, and so whom the API trusts.

    ``IAM`` (SigV4) is the default and the *trusted service-to-service* mode: callers are
    backend services that may create, read and list the orders of any customer and that price
    orders themselves; each request still records the caller's IAM ARN. ``COGNITO`` (needs
    ``cognito_user_pool_arn``) is for end users: the caller is the customer named by the
    ``customer_id_claim`` of their token, and they create, read and list only their own orders.
    ``NONE`` leaves the API open and must be chosen explicitly; the audit reports it.
    """

    IAM = "iam"
    COGNITO = "cognito"
    NONE = "none"


def _check_int(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise OrderServicePropsError(
            f"OrderServiceProps.{name} must be an integer between {low} and {high}, got {value!r}"
        )


@dataclass(frozen=True)
class OrderServiceProps:
    """Configuration of :class:`kit.ProductionOrderService`.

    Parameters
    ----------
    environment_name
        Short lower-case name of the deployment environment (``prod``, ``staging``...); used in
        resource names, the ``Environment`` tag and alarm names.
    service_name
        Short lower-case name of the service; the ``Service`` tag and the metrics namespace.
    alarm_emails
        Addresses subscribed to the alarm topic (each confirms by email).
    throttle_rate_limit, throttle_burst_limit
        API stage throttling: steady-state requests per second and burst.
    reserved_concurrency
        Reserved concurrent executions of the api function.
    processor_reserved_concurrency
        Reserved concurrent executions of the stream processor (bounds its share of the
        account's concurrency; one per stream shard is enough).
    memory_size
        Memory of both functions, MiB.
    api_timeout_seconds
        Timeout of the api function; at most 29 s (the API Gateway integration limit).
    processor_timeout_seconds
        Timeout of the stream processor function (and of the pending-order sweep).
    pending_sweep_age_minutes
        The pending-order sweep confirms orders PENDING for at least this long (1-1440).
    pending_sweep_schedule_minutes
        How often the pending-order sweep runs (1-1440).
    log_retention_days
        Retention of every log group; one of :data:`LOG_RETENTION_DAYS`.
    order_ttl_days
        Days an order stays in the table, served by the API, before DynamoDB TTL removes it
        (the API stops serving it the moment it expires, before DynamoDB deletes it). 365 by
        default: a year online covers returns, disputes and the questions of the current
        business year. Record-keeping rules (tax records: commonly 6 to 10 years) are met by
        the archive (``archive_expired_orders``, ``archive_retention_days``), not the table:
        every day online is paid in table storage, index, PITR and backups, every archived day
        at S3 archive prices. Without the archive (phases 0-4, or
        ``archive_expired_orders=False``) TTL deletes orders for good: raise this value then.
    removal_policy
        What happens to stateful resources (table, key, queue, log groups, backup vault) when the
        stack is deleted. ``RETAIN`` by default; ``DESTROY`` only for throw-away environments.
        ``RETAIN`` is applied as CloudFormation's ``RetainExceptOnCreate``
        (:attr:`data_removal_policy`): kept on every update and delete, but removed when the
        stack operation that created them rolls back, so a failed first deploy leaves nothing.
    cors_origins
        Browser origins allowed by CORS (``https://host[:port]``; ``http://localhost`` for local
        development). Empty: no CORS preflight. ``*`` is refused.
    authorization
        See :class:`AuthorizationMode`.
    cognito_user_pool_arn
        The user pool of the Cognito authorizer; required with ``AuthorizationMode.COGNITO``.
    customer_id_claim
        With ``AuthorizationMode.COGNITO``, the token claim whose value is the caller's customer
        id (``sub`` by default; e.g. ``custom:customer_id``). Ownership is checked against it.
    price_catalog
        Create the price catalog table (``sku`` -> unit price per currency) and price every
        order line from it: a client ``unitPrice`` that differs from the catalog's is refused
        with 409 and the current prices, an unknown sku with 400. Required with
        ``AuthorizationMode.COGNITO`` (end users must not set what they pay); optional with
        ``IAM``, whose trusted callers may price orders themselves. Operators fill it with
        ``order-kit catalog load PRICES.csv --table <PriceCatalogTableName output>``.
    cognito_oauth_scopes
        With ``AuthorizationMode.COGNITO``, OAuth scopes one of which an access token must carry
        (empty: API Gateway accepts ID tokens and no scope is required).
    idempotency_window_hours
        How long an ``Idempotency-Key`` is remembered for its caller (default 24 h); the order
        itself stays for ``order_ttl_days``. At most ``order_ttl_days`` days.
    table_max_read_request_units, table_max_write_request_units
        On-demand maximum throughput of the orders table (and of its index), so one caller at
        the stage's throttle cannot run up unbounded cost or starve the others; ``None`` for no
        maximum. The defaults leave room for the default stage throttle (500 rps, a create being
        two conditional writes).
    tags
        Extra tags for every resource; the keys in :data:`RESERVED_TAG_KEYS` are set by the kit.
    enable_waf
        Attach a WAFv2 web ACL (AWS managed rule groups plus a per-IP rate rule) to the stage.
    waf_rate_limit
        Requests per 5 minutes per client IP before the WAF rate rule blocks.
    api_latency_alarm_ms
        p99 API latency (ms) above which the latency alarm fires.
    phase
        Migration phase, 0-5 (see :mod:`kit.phases`): 5, the default, is full production; 0 is
        the naive starting point (open API, no key, wildcard IAM...) kept to be audited and
        migrated from. Lower phases ignore the props of controls they do not deploy.
    api_gateway_account_role
        The CloudWatch role API Gateway writes execution and access logs with. It is an
        **account-wide, per-region** setting shared by every REST API of the account:
        :data:`CREATE_ACCOUNT_ROLE` (``"create"``, the default) creates a role for the kit's
        own logs and sets it on the account; the role, its policy and the setting are kept when
        the stack is deleted, since other APIs may rely on them. :data:`EXISTING_ACCOUNT_ROLE`
        (``"existing"``) leaves the account's current role alone (it must already let API
        Gateway write to any log group, e.g. with the AWS managed policy
        ``AmazonAPIGatewayPushToCloudWatchLogs``); an IAM role ARN sets that role on the
        account. Only one stack per account and region should create or set it.
    powertools_layer_version
        Version of the public Powertools for AWS Lambda (Python) v3 layer to attach, or ``None``
        to attach none (when the runtime already provides Powertools, e.g. the local emulator).
    backup_schedule
        When the AWS Backup plan backs up the table: an EventBridge ``cron(...)`` expression
        in UTC (six fields). Daily at 03:00 UTC by default.
    backup_retention_days
        Days each recovery point is kept, in the vault and in the copy (35 by default, as long
        as point-in-time recovery reaches back; raise it for record-keeping rules).
    backup_vault_lock
        Lock the vault (AWS Backup Vault Lock, governance mode): no recovery point can be
        deleted before ``backup_retention_days``, except by a principal allowed to remove the
        lock (``backup:DeleteBackupVaultLockConfiguration``).
    backup_copy_vault_arn
        ARN of a backup vault in another account or region each recovery point is copied to
        (that vault's access policy must allow ``backup:CopyIntoBackupVault`` from this
        account; AWS needs DynamoDB's advanced backup features turned on in the account for
        cross-account copies). ``None`` (the default): no copy.
    architecture
        Instruction set of both functions: ``"arm64"`` (the default: Graviton, about 20% less
        per GB-second than x86 at AWS list prices, and the pure-Python code and the Powertools
        layer run unchanged) or ``"x86_64"``.
    runtime
        Python runtime of every function: ``"python3.13"`` (the default: the newest runtime both
        the pinned Powertools layer and the local cloud's runtime support), ``"python3.14"``
        (the newest Lambda runtime; the local cloud cannot play it) or ``"python3.12"``. The
        Powertools layer attached is the build for this runtime and ``architecture``.
    vpc
        A VPC you own (``aws_ec2.IVpc``) to run both functions in, or ``None`` (the default:
        the functions run in Lambda's own network and no network resource is created). With a
        VPC, the kit adds a security group allowing only egress on TCP 443, a DynamoDB gateway
        endpoint and (from phase 1, when the api function calls KMS) a KMS interface endpoint.
    vpc_subnets
        The functions' subnets in ``vpc`` (``aws_ec2.SubnetSelection``); ``None``: the VPC's
        private subnets. Public subnets are refused by Lambda.
    vpc_optional_endpoints
        Interface endpoints to add for the functions' traffic that does not have to leave the
        VPC through them otherwise: ``"xray"`` (trace segments; needed in subnets without a NAT
        when tracing is on) and ``"logs"`` (CloudWatch Logs API calls). Empty by default.
    archive_expired_orders
        From phase 5: the stream processor writes each order DynamoDB TTL deletes to an S3
        archive bucket (``orders/<yyyy>/<mm>/<dd>/<orderId>.json`` by creation day) encrypted
        with the service key, with server access logs. ``True`` by default; ``False`` creates
        no bucket and expired orders are lost. Orders deleted by a ``DeleteItem`` call are
        never archived (a deliberate delete is not an expiry).
    archive_storage_class
        The S3 storage class archived orders move to after ``archive_transition_days``:
        ``None`` (the default) keeps them in S3 Standard; ``"DEEP_ARCHIVE"`` (retrieval within
        12 hours) or ``"GLACIER"`` (Flexible Retrieval, minutes to hours) move them. Glacier
        classes bill about 40 KB of overhead per object and a transition request per object (S3
        pricing): for orders of about 1 KB each, S3 Standard costs less to keep (the Performance
        page's cost table measures it), so the archive classes are for your own choice.
    archive_transition_days
        Days after archiving an order moves to ``archive_storage_class`` (1-3650, 90 by
        default: recently expired orders stay quick to read).
    archive_retention_days
        Days an archived order is kept before S3 lifecycle deletes it (1-36500; 3653 by
        default: ten years, the longest of the common tax-record rules); ``None`` keeps orders
        until someone deletes them.
    archive_object_lock
        S3 Object Lock on the archive bucket, governance mode, for ``archive_retention_days``
        (needs a retention): no archived order can be deleted or overwritten before then,
        except by a principal allowed ``s3:BypassGovernanceRetention``. ``False`` by default;
        once deployed, Object Lock cannot be turned off on the bucket.
    export_prefix
        ``None`` (the default): the stack outputs are plain outputs. A prefix makes each output
        a stack export named ``<prefix>-<Output>`` (``<prefix>-ApiUrl``, ``<prefix>-TableName``
        ...) that other stacks of the account and region read with ``Fn::ImportValue``.
        CloudFormation then refuses to delete or change an export while a stack imports it.
    """

    environment_name: str = "prod"
    service_name: str = "orders"
    alarm_emails: tuple[str, ...] = ()
    throttle_rate_limit: int = 500
    throttle_burst_limit: int = 1000
    reserved_concurrency: int = 100
    processor_reserved_concurrency: int = 10
    memory_size: int = 512
    api_timeout_seconds: int = 10
    processor_timeout_seconds: int = 60
    pending_sweep_age_minutes: int = 15
    pending_sweep_schedule_minutes: int = 5
    log_retention_days: int = 365
    order_ttl_days: int = 365
    removal_policy: RemovalPolicy = RemovalPolicy.RETAIN
    cors_origins: tuple[str, ...] = ()
    authorization: AuthorizationMode = AuthorizationMode.IAM
    cognito_user_pool_arn: str | None = None
    customer_id_claim: str = "sub"
    cognito_oauth_scopes: tuple[str, ...] = ()
    price_catalog: bool = False
    idempotency_window_hours: int = 24
    table_max_read_request_units: int | None = 4000
    table_max_write_request_units: int | None = 4000
    tags: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    enable_waf: bool = False
    waf_rate_limit: int = 2000
    api_latency_alarm_ms: int = 2000
    powertools_layer_version: int | None = DEFAULT_POWERTOOLS_LAYER_VERSION
    api_gateway_account_role: str = CREATE_ACCOUNT_ROLE
    phase: int = LAST_PHASE
    backup_schedule: str = "cron(0 3 * * ? *)"
    backup_retention_days: int = 35
    backup_vault_lock: bool = False
    backup_copy_vault_arn: str | None = None
    architecture: str = "arm64"
    runtime: str = DEFAULT_RUNTIME
    vpc: ec2.IVpc | None = None
    vpc_subnets: ec2.SubnetSelection | None = None
    vpc_optional_endpoints: tuple[str, ...] = ()
    export_prefix: str | None = None
    archive_expired_orders: bool = True
    archive_storage_class: str | None = None
    archive_transition_days: int = 90
    archive_retention_days: int | None = 3653
    archive_object_lock: bool = False

    def __post_init__(self) -> None:
        # Tuples and a read-only mapping keep the frozen dataclass really immutable.
        object.__setattr__(self, "alarm_emails", tuple(self.alarm_emails))
        object.__setattr__(self, "cors_origins", tuple(self.cors_origins))
        object.__setattr__(self, "cognito_oauth_scopes", tuple(self.cognito_oauth_scopes))
        object.__setattr__(self, "vpc_optional_endpoints", tuple(self.vpc_optional_endpoints))
        object.__setattr__(self, "tags", MappingProxyType(dict(self.tags)))
        self._validate()

    def _validate(self) -> None:
        for name in ("environment_name", "service_name"):
            value = getattr(self, name)
            if not isinstance(value, str) or not _NAME_RE.match(value):
                raise OrderServicePropsError(
                    f"OrderServiceProps.{name} must be 1-20 characters of a-z, 0-9 and '-', "
                    f"starting with a letter, got {value!r}"
                )
        for email in self.alarm_emails:
            if not isinstance(email, str) or not _EMAIL_RE.match(email):
                raise OrderServicePropsError(
                    f"OrderServiceProps.alarm_emails has an invalid e-mail address: {email!r}"
                )
        _check_int("throttle_rate_limit", self.throttle_rate_limit, 1, 10_000)
        _check_int("throttle_burst_limit", self.throttle_burst_limit, 1, 5_000)
        _check_int("reserved_concurrency", self.reserved_concurrency, 1, 1_000)
        _check_int("processor_reserved_concurrency", self.processor_reserved_concurrency, 1, 1_000)
        _check_int("memory_size", self.memory_size, 128, 10_240)
        _check_int("api_timeout_seconds", self.api_timeout_seconds, 1, 29)
        _check_int("processor_timeout_seconds", self.processor_timeout_seconds, 1, 900)
        _check_int("pending_sweep_age_minutes", self.pending_sweep_age_minutes, 1, 1440)
        _check_int("pending_sweep_schedule_minutes", self.pending_sweep_schedule_minutes, 1, 1440)
        _check_int("order_ttl_days", self.order_ttl_days, 1, 3_650)
        _check_int("waf_rate_limit", self.waf_rate_limit, 100, 2_000_000_000)
        _check_int("api_latency_alarm_ms", self.api_latency_alarm_ms, 50, 29_000)
        if (
            isinstance(self.log_retention_days, bool)
            or self.log_retention_days not in LOG_RETENTION_DAYS
        ):
            raise OrderServicePropsError(
                "OrderServiceProps.log_retention_days must be one of "
                f"{', '.join(map(str, LOG_RETENTION_DAYS))}, got {self.log_retention_days!r}"
            )
        if not isinstance(self.removal_policy, RemovalPolicy) or self.removal_policy not in (
            RemovalPolicy.RETAIN,
            RemovalPolicy.DESTROY,
        ):
            raise OrderServicePropsError(
                "OrderServiceProps.removal_policy must be RemovalPolicy.RETAIN or "
                f"RemovalPolicy.DESTROY, got {self.removal_policy!r}"
            )
        for origin in self.cors_origins:
            if not isinstance(origin, str) or not (
                _ORIGIN_RE.match(origin) or _LOCAL_ORIGIN_RE.match(origin)
            ):
                raise OrderServicePropsError(
                    "OrderServiceProps.cors_origins entries must be https://host[:port] origins "
                    f"(or http://localhost for development); '*' is refused; got {origin!r}"
                )
        if not isinstance(self.authorization, AuthorizationMode):
            raise OrderServicePropsError(
                "OrderServiceProps.authorization must be an AuthorizationMode, "
                f"got {self.authorization!r}"
            )
        if self.authorization is AuthorizationMode.COGNITO:
            arn = self.cognito_user_pool_arn
            if not isinstance(arn, str) or not _USER_POOL_ARN_RE.match(arn):
                raise OrderServicePropsError(
                    "OrderServiceProps.cognito_user_pool_arn must be a Cognito user pool ARN "
                    f"when authorization is COGNITO, got {arn!r}"
                )
            if self.price_catalog is not True:
                raise OrderServicePropsError(
                    "OrderServiceProps.price_catalog must be True with AuthorizationMode.COGNITO: "
                    "end users must not set the prices they pay (the API prices each line from "
                    "the catalog)"
                )
        elif self.cognito_user_pool_arn is not None:
            raise OrderServicePropsError(
                "OrderServiceProps.cognito_user_pool_arn is only used with "
                "AuthorizationMode.COGNITO"
            )
        if not isinstance(self.customer_id_claim, str) or not _CLAIM_NAME_RE.match(
            self.customer_id_claim
        ):
            raise OrderServicePropsError(
                "OrderServiceProps.customer_id_claim must be a claim name (1-128 characters of "
                f"A-Z, a-z, 0-9, '_', '.', ':', '-'), got {self.customer_id_claim!r}"
            )
        for scope in self.cognito_oauth_scopes:
            if not isinstance(scope, str) or not _OAUTH_SCOPE_RE.match(scope):
                raise OrderServicePropsError(
                    f"OrderServiceProps.cognito_oauth_scopes has an invalid scope: {scope!r}"
                )
        if self.cognito_oauth_scopes and self.authorization is not AuthorizationMode.COGNITO:
            raise OrderServicePropsError(
                "OrderServiceProps.cognito_oauth_scopes is only used with AuthorizationMode.COGNITO"
            )
        if not isinstance(self.price_catalog, bool):
            raise OrderServicePropsError(
                f"OrderServiceProps.price_catalog must be True or False, got {self.price_catalog!r}"
            )
        _check_int("idempotency_window_hours", self.idempotency_window_hours, 1, 24 * 366)
        if self.idempotency_window_hours > 24 * self.order_ttl_days:
            raise OrderServicePropsError(
                "OrderServiceProps.idempotency_window_hours must not exceed order_ttl_days: an "
                "idempotency key must not outlive the order it replays"
            )
        for name in ("table_max_read_request_units", "table_max_write_request_units"):
            if getattr(self, name) is not None:
                _check_int(name, getattr(self, name), 1, 40_000_000)
        for key, value in self.tags.items():
            if not isinstance(key, str) or not _TAG_KEY_RE.match(key) or key.startswith("aws:"):
                raise OrderServicePropsError(f"OrderServiceProps.tags has an invalid key: {key!r}")
            if key in RESERVED_TAG_KEYS:
                raise OrderServicePropsError(
                    f"OrderServiceProps.tags may not set {key!r}: the kit sets "
                    f"{', '.join(RESERVED_TAG_KEYS)} itself"
                )
            if not isinstance(value, str) or len(value) > 256:
                raise OrderServicePropsError(
                    f"OrderServiceProps.tags[{key!r}] must be a string of at most 256 characters"
                )
        if not isinstance(self.enable_waf, bool):
            raise OrderServicePropsError(
                f"OrderServiceProps.enable_waf must be a bool, got {self.enable_waf!r}"
            )
        role = self.api_gateway_account_role
        if not isinstance(role, str) or not (
            role in (CREATE_ACCOUNT_ROLE, EXISTING_ACCOUNT_ROLE) or _ROLE_ARN_RE.match(role)
        ):
            raise OrderServicePropsError(
                "OrderServiceProps.api_gateway_account_role must be "
                f"{CREATE_ACCOUNT_ROLE!r}, {EXISTING_ACCOUNT_ROLE!r} or an IAM role ARN, "
                f"got {role!r}"
            )
        _check_int("phase", self.phase, FIRST_PHASE, LAST_PHASE)
        if not isinstance(self.backup_schedule, str) or not _CRON_RE.match(self.backup_schedule):
            raise OrderServicePropsError(
                "OrderServiceProps.backup_schedule must be an EventBridge cron expression "
                f"with six fields, e.g. 'cron(0 3 * * ? *)', got {self.backup_schedule!r}"
            )
        _check_int("backup_retention_days", self.backup_retention_days, 1, 36_500)
        if not isinstance(self.backup_vault_lock, bool):
            raise OrderServicePropsError(
                "OrderServiceProps.backup_vault_lock must be a bool, "
                f"got {self.backup_vault_lock!r}"
            )
        copy_arn = self.backup_copy_vault_arn
        if copy_arn is not None and (
            not isinstance(copy_arn, str) or not _BACKUP_VAULT_ARN_RE.match(copy_arn)
        ):
            raise OrderServicePropsError(
                "OrderServiceProps.backup_copy_vault_arn must be a backup vault ARN "
                f"(arn:aws:backup:<region>:<account>:backup-vault:<name>), got {copy_arn!r}"
            )
        if self.runtime not in RUNTIMES:
            raise OrderServicePropsError(
                f"OrderServiceProps.runtime must be one of {', '.join(RUNTIMES)}, "
                f"got {self.runtime!r}"
            )
        if self.architecture not in ARCHITECTURES:
            raise OrderServicePropsError(
                f"OrderServiceProps.architecture must be one of {', '.join(ARCHITECTURES)}, "
                f"got {self.architecture!r}"
            )
        if self.vpc is not None and not is_vpc(self.vpc):
            raise OrderServicePropsError(
                f"OrderServiceProps.vpc must be an aws_ec2.IVpc, got {self.vpc!r}"
            )
        if self.vpc_subnets is not None and not isinstance(self.vpc_subnets, ec2.SubnetSelection):
            raise OrderServicePropsError(
                "OrderServiceProps.vpc_subnets must be an aws_ec2.SubnetSelection, "
                f"got {self.vpc_subnets!r}"
            )
        for name in self.vpc_optional_endpoints:
            if name not in OPTIONAL_ENDPOINTS:
                raise OrderServicePropsError(
                    "OrderServiceProps.vpc_optional_endpoints entries must be one of "
                    f"{', '.join(OPTIONAL_ENDPOINTS)}, got {name!r}"
                )
        if self.vpc is None and (self.vpc_subnets is not None or self.vpc_optional_endpoints):
            raise OrderServicePropsError(
                "OrderServiceProps.vpc_subnets and vpc_optional_endpoints need a vpc"
            )
        export_prefix = self.export_prefix
        if export_prefix is not None and (
            not isinstance(export_prefix, str) or not _EXPORT_PREFIX_RE.match(export_prefix)
        ):
            raise OrderServicePropsError(
                "OrderServiceProps.export_prefix must be 1-200 characters of letters, digits, "
                f"':' and '-' (a CloudFormation export name), got {self.export_prefix!r}"
            )
        for name in ("archive_expired_orders", "archive_object_lock"):
            if not isinstance(getattr(self, name), bool):
                raise OrderServicePropsError(
                    f"OrderServiceProps.{name} must be a bool, got {getattr(self, name)!r}"
                )
        if (
            self.archive_storage_class is not None
            and self.archive_storage_class not in ARCHIVE_STORAGE_CLASSES
        ):
            raise OrderServicePropsError(
                "OrderServiceProps.archive_storage_class must be one of "
                f"{', '.join(ARCHIVE_STORAGE_CLASSES)} or None, "
                f"got {self.archive_storage_class!r}"
            )
        _check_int("archive_transition_days", self.archive_transition_days, 1, 3_650)
        if self.archive_retention_days is not None:
            _check_int("archive_retention_days", self.archive_retention_days, 1, 36_500)
            if (
                self.archive_storage_class is not None
                and self.archive_retention_days <= self.archive_transition_days
            ):
                raise OrderServicePropsError(
                    "OrderServiceProps.archive_retention_days must exceed "
                    "archive_transition_days: S3 would delete orders before moving them"
                )
        if self.archive_object_lock and self.archive_retention_days is None:
            raise OrderServicePropsError(
                "OrderServiceProps.archive_object_lock needs archive_retention_days: the "
                "lock's retention period"
            )
        if self.powertools_layer_version is not None:
            _check_int("powertools_layer_version", self.powertools_layer_version, 1, 10_000)

    @property
    def features(self) -> Features:
        """The controls deployed at :attr:`phase`."""
        return features_for(self.phase)

    @property
    def data_removal_policy(self) -> RemovalPolicy:
        """The removal policy of the data-bearing resources (table, key, queue, log groups,
        backup vault): ``RETAIN_ON_UPDATE_OR_DELETE`` (``DeletionPolicy: RetainExceptOnCreate``)
        for ``RETAIN``, else :attr:`removal_policy` itself."""
        if self.removal_policy == RemovalPolicy.RETAIN:
            return RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
        return self.removal_policy

    @property
    def log_retention(self) -> logs.RetentionDays:
        """``log_retention_days`` as the CDK enum."""
        return LOG_RETENTION_DAYS[self.log_retention_days]

    @property
    def resource_prefix(self) -> str:
        """``<service>-<environment>``: the prefix of named resources (alias, alarms...)."""
        return f"{self.service_name}-{self.environment_name}"
