"""What the Aurora failover function reads from and asks of RDS and
CloudWatch, apart from the decision itself (index.py): the global cluster as
one region sees it, a cluster's own state, the data-loss window, and the
settings views through which failover_state.py (shared with the first
system's function) handles the records and the fences.  Standard library and
boto3 only."""

from datetime import datetime, timezone
from types import SimpleNamespace

from botocore.config import Config
from botocore.exceptions import ClientError

import failover_state as st

SAFETY_MARGIN_SECONDS = 20.0  # left of the invocation when a loop stops
POLL_SECONDS = 5.0            # between DescribeGlobalClusters while Aurora works
MAX_BACKOFF_SECONDS = 8.0     # FailoverGlobalCluster retries: 1, 2, 4, 8, 8, ... s

# Mutating RDS calls: one attempt per call, the caller's loop retries (so
# that throttling is told apart from a refusal).
ACTION_CONFIG = Config(connect_timeout=5, read_timeout=15, retries={"max_attempts": 1, "mode": "standard"})

THROTTLING = ("Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException",
              "RequestThrottled", "RequestThrottledException")

# DB cluster states in which the (remote) writer comes back by itself or an
# operator is at work: Aurora's in-region failover (failing-over), reboots,
# maintenance.  A connectivity failure during them is no reason to fail over
# across regions.
RECOVERING = ("available", "backing-up", "backtracking", "failing-over", "maintenance", "modifying", "promoting",
              "renaming", "resetting-master-credentials", "starting", "storage-optimization", "upgrading",
              "update-iops", "creating", "inaccessible-encryption-credentials-recoverable",
              "switching-over", "configuring-iam-database-auth", "configuring-log-exports")


def is_throttling(exc):
    return st.error_code(exc) in THROTTLING


class GlobalView:
    """DescribeGlobalClusters of one global cluster, as read in one region."""

    def __init__(self, raw):
        self.raw = raw or {}
        self.exists = raw is not None
        self.status = self.raw.get("Status")
        self.members = {m.get("DBClusterArn"): m for m in self.raw.get("GlobalClusterMembers", [])}
        writers = [arn for arn, m in self.members.items() if m.get("IsWriter")]
        self.writer = writers[0] if len(writers) == 1 else None
        self.failover_state = self.raw.get("FailoverState") or None
        if self.failover_state is not None and not self.failover_state.get("Status"):
            self.failover_state = None  # AWS: "empty unless a switchover or failover is scheduled or running"

    def is_member(self, arn):
        return arn in self.members

    def is_writer(self, arn):
        return self.writer == arn

    def busy(self):
        """'failover', 'switchover' or None: an operation Aurora is running."""
        if self.failover_state is None:
            return None
        return "failover" if self.failover_state.get("IsDataLossAllowed") else "switchover"

    def target(self):
        return (self.failover_state or {}).get("ToDbClusterArn")

    def summary(self):
        return {"exists": self.exists, "status": self.status, "writer": self.writer,
                "members": sorted(self.members), "failover_state": self.failover_state}


def describe_global(rds, global_cluster_id):
    try:
        found = rds.describe_global_clusters(GlobalClusterIdentifier=global_cluster_id).get("GlobalClusters", [])
    except ClientError as exc:
        if st.error_code(exc) == "GlobalClusterNotFoundFault":
            return GlobalView(None)
        raise
    found = [g for g in found if g.get("GlobalClusterIdentifier", "").lower() == global_cluster_id.lower()]
    return GlobalView(found[0] if found else None)


def describe_cluster(rds, cluster_id):
    """{'status', 'has_writer', 'global'} of one DB cluster; 'not_found' as status when RDS says so."""
    try:
        cluster = rds.describe_db_clusters(DBClusterIdentifier=cluster_id)["DBClusters"][0]
    except ClientError as exc:
        if st.error_code(exc) == "DBClusterNotFoundFault":
            return {"status": "not_found", "has_writer": False, "global": None}
        raise
    return {"status": cluster.get("Status", "unknown"),
            "has_writer": any(m.get("IsClusterWriter") for m in cluster.get("DBClusterMembers", [])),
            "global": cluster.get("GlobalClusterIdentifier")}


def data_loss_window(cloudwatch, cluster_id, minutes=10):
    """The local (secondary) cluster's last AuroraGlobalDBRPOLag (else
    AuroraGlobalDBReplicationLag) in ms: what the failover may lose."""
    end = st.now()
    start = end - 60 * minutes
    for metric in ("AuroraGlobalDBRPOLag", "AuroraGlobalDBReplicationLag"):
        resp = cloudwatch.get_metric_statistics(
            Namespace="AWS/RDS", MetricName=metric, Dimensions=[{"Name": "DBClusterIdentifier", "Value": cluster_id}],
            StartTime=datetime.fromtimestamp(start, timezone.utc), EndTime=datetime.fromtimestamp(end, timezone.utc),
            Period=60, Statistics=["Maximum"])
        points = sorted(resp.get("Datapoints", []), key=lambda p: p["Timestamp"])
        if points:
            last = points[-1]
            return {"metric": metric, "last_ms": last["Maximum"], "max_ms": max(p["Maximum"] for p in points),
                    "last_at": last["Timestamp"].isoformat(), "age_seconds": round(end - last["Timestamp"].timestamp())}
    return {"metric": None, "last_ms": None, "max_ms": None, "last_at": None, "age_seconds": None}


def describe_window(window):
    if window.get("last_ms") is None:
        return (f"unknown: no AuroraGlobalDBRPOLag or AuroraGlobalDBReplicationLag datapoint in the last "
                "10 minutes: assume every write since replication stopped is lost")
    return (f"about {window['last_ms']:.0f} ms of writes ({window['metric']} {window['age_seconds']} s before the "
            f"failover; at most {window['max_ms']:.0f} ms in the last 10 minutes)")


def records_view(s):
    """failover_state.Records speaks of 'primary' and 'replica': here the
    REMOTE record is the first weight, the LOCAL record the second."""
    return SimpleNamespace(zone_id=s.zone_id, record_name=s.record_name, ttl=s.ttl,
                           primary_set=s.remote_set, replica_set=s.local_set,
                           primary_endpoint=s.remote_endpoint, replica_endpoint=s.local_endpoint,
                           primary_health_check=s.remote_health_check, replica_health_check=s.local_health_check)


def fence_view(s, alarm, set_identifier):
    """failover_state.Fence of one record: its fence alarm (in FENCE_REGION)
    watches the metric Fenced, namespace METRIC_NAMESPACE, dimension
    METRIC_DIMENSION_NAME = the record's set identifier (one metric per
    record, so fencing one never fences the other)."""
    return SimpleNamespace(fence_alarm=alarm, metric_namespace=s.metric_namespace,
                           metric_dimension_name=s.metric_dimension_name, metric_dimension_value=set_identifier)
