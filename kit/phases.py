"""Migration phases: which controls the construct deploys at each phase.

Phase 0 is the naive starting point the seed describes; phases 1-5 add controls cumulatively,
following the seed's "Migration Path": 1 security, 2 monitoring and alerting, 3 performance,
4 operational excellence, 5 advanced features. Each control is introduced at exactly one
phase, listed in :data:`FEATURE_PHASES` (the single source for the construct and the docs).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from types import MappingProxyType

FIRST_PHASE = 0
LAST_PHASE = 5

#: What each phase is about (the seed's wording).
PHASE_TITLES = MappingProxyType(
    {
        0: "Naive start",
        1: "Security",
        2: "Monitoring and alerting",
        3: "Performance",
        4: "Operational excellence",
        5: "Advanced features",
    }
)


@dataclass(frozen=True)
class Features:
    """The controls switched on at a phase (``True`` = deployed)."""

    #: Customer-managed KMS key (rotation, alias, key policy) for the table and environment.
    customer_managed_key: bool
    #: One least-privilege managed policy per function instead of wildcard permissions.
    least_privilege_iam: bool
    #: API Gateway request validators and the order request model.
    request_validation: bool
    #: IAM (SigV4) or Cognito authorization on every method (the ``authorization`` prop).
    api_authorization: bool
    #: DynamoDB point-in-time recovery.
    point_in_time_recovery: bool
    #: The AWS Backup plan of the table (vault under the key, schedule, retention).
    backup_plan: bool
    #: Log groups created by the kit, encrypted with the key.
    encrypted_log_groups: bool
    #: CloudWatch alarms, the SNS alarm topic and the dashboard.
    alarms_and_dashboard: bool
    #: X-Ray on the functions and the API stage.
    tracing: bool
    #: JSON access logs and execution logs of the API stage.
    access_logging: bool
    #: Reserved concurrency of the functions.
    reserved_concurrency: bool
    #: API stage throttling (rate and burst).
    throttling: bool
    #: The customer GSI (with contributor insights) and the list-orders route.
    customer_index: bool
    #: JSON log format of the functions.
    structured_logs: bool
    #: Service / Environment / ManagedBy and user tags on every resource.
    tagging: bool
    #: DynamoDB TTL on ``ttl``.
    time_to_live: bool
    #: Retention on every log group.
    log_retention: bool
    #: The table stream, the processor function and its event source mapping.
    streams: bool
    #: The SQS dead-letter queue (function DLQs and the stream's on-failure destination).
    dead_letter_queue: bool
    #: The business metrics (orders created/processed, order value) in EMF.
    custom_metrics: bool
    #: The S3 archive of expired orders, written by the stream processor (``archive_*`` props).
    order_archive: bool


#: The phase at which each control is introduced.
FEATURE_PHASES = MappingProxyType(
    {
        "customer_managed_key": 1,
        "least_privilege_iam": 1,
        "request_validation": 1,
        "api_authorization": 1,
        "point_in_time_recovery": 1,
        # With PITR: data protection is a security control (a deleted table or a compromised
        # account takes PITR with it; a vault's recovery points survive both), and the
        # vault needs only the key, which arrives at the same phase.
        "backup_plan": 1,
        "encrypted_log_groups": 1,
        "alarms_and_dashboard": 2,
        "tracing": 2,
        "access_logging": 2,
        "reserved_concurrency": 3,
        "throttling": 3,
        "customer_index": 3,
        "structured_logs": 4,
        "tagging": 4,
        "time_to_live": 4,
        "log_retention": 4,
        "streams": 5,
        "dead_letter_queue": 5,
        "custom_metrics": 5,
        # With the stream processor that writes it: TTL (phase 4) deletes orders for good
        # until this phase; from here the processor keeps what TTL removes.
        "order_archive": 5,
    }
)


def features_for(phase: int) -> Features:
    """Return the controls deployed at ``phase`` (0-5).

    Examples
    --------
    >>> features_for(0).customer_managed_key, features_for(1).customer_managed_key
    (False, True)
    """
    if isinstance(phase, bool) or not isinstance(phase, int):
        raise TypeError(f"phase must be an int, got {phase!r}")
    if not FIRST_PHASE <= phase <= LAST_PHASE:
        raise ValueError(f"phase must be between {FIRST_PHASE} and {LAST_PHASE}, got {phase}")
    return Features(**{f.name: FEATURE_PHASES[f.name] <= phase for f in fields(Features)})


def introduced_at(phase: int) -> tuple[str, ...]:
    """Names of the controls a phase adds to the previous one."""
    return tuple(name for name, first in FEATURE_PHASES.items() if first == phase)
