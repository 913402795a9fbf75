"""Aurora PostgreSQL global database: promotion is FailoverGlobalCluster with
AllowDataLoss (the managed unplanned failover, after which Aurora rebuilds the
old primary as a secondary when its region returns), RemoveFromGlobalCluster
only as a last resort behind ALLOW_DETACH, and SwitchoverGlobalCluster for a
planned move.  Only the region that is not the writer's ever acts: site X is
promoted only while it is a secondary member and Y the global writer.

RDS API reference (API version 2014-10-31):
FailoverGlobalCluster https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverGlobalCluster.html,
SwitchoverGlobalCluster https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_SwitchoverGlobalCluster.html,
DescribeGlobalClusters (FailoverState: "empty unless a switchover or failover
operation is scheduled or is in progress")
https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeGlobalClusters.html,
RemoveFromGlobalCluster https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RemoveFromGlobalCluster.html."""

from .. import aws
from . import ACCEPTED, BUSY, LOCAL_WRITER, NOT_FOUND, NOT_STANDBY, RETRY, STANDBY, UNKNOWN, EnginePart, found_or_none

POLL_SECONDS = 5.0
SAFETY_MARGIN_SECONDS = 20.0
DETACH_AFTER_REFUSALS = 3  # refusals (not throttling, not unreachable) in one invocation before a detach

# DB cluster statuses (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/accessing-monitoring.html#Aurora.Status):
# Y in one of these comes back by itself (Aurora's in-region failover, reboots, maintenance).
RECOVERING = frozenset((
    "available", "backing-up", "backtracking", "failing-over", "maintenance", "modifying", "promoting", "renaming",
    "resetting-master-credentials", "starting", "storage-optimization", "upgrading", "update-iops", "creating",
    "inaccessible-encryption-credentials-recoverable", "switching-over", "configuring-iam-database-auth",
    "configuring-log-exports", "rebooting"))
TERMINAL = frozenset(("inaccessible-encryption-credentials", "stopped", "stopping", "deleting", "migration-failed",
                      "cloning-failed", "not_found"))


class GlobalView:
    """DescribeGlobalClusters of the global cluster, as read in one region."""

    def __init__(self, raw):
        self.raw = raw or {}
        self.exists = raw is not None
        self.members = {m.get("DBClusterArn"): m for m in self.raw.get("GlobalClusterMembers", [])}
        writers = [arn for arn, m in self.members.items() if m.get("IsWriter")]
        self.writer = writers[0] if len(writers) == 1 else None
        state = self.raw.get("FailoverState") or None
        self.failover_state = state if state and state.get("Status") else None

    def busy(self):
        """'failover', 'switchover' or None: an operation Aurora is running."""
        if self.failover_state is None:
            return None
        return "failover" if self.failover_state.get("IsDataLossAllowed") else "switchover"

    def target(self):
        return (self.failover_state or {}).get("ToDbClusterArn")

    def summary(self):
        return {"exists": self.exists, "writer": self.writer, "members": sorted(self.members),
                "failover_state": self.failover_state}


class AuroraGlobalEngine(EnginePart):
    name = "aurora"
    RECOVERING, TERMINAL = RECOVERING, TERMINAL
    # AuroraGlobalDBReplicationLag of the secondary cluster, milliseconds
    # (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html);
    # read with the dimension DBClusterIdentifier of X.
    lag = ("AWS/RDS", "AuroraGlobalDBReplicationLag", "DBClusterIdentifier", 0.001)
    retry_delays = (1.0, 2.0, 4.0, 8.0)

    @staticmethod
    def describe_db(client, db_id):
        cluster = found_or_none(lambda: client.describe_db_clusters(DBClusterIdentifier=db_id)["DBClusters"][0],
                                ("DBClusterNotFoundFault",))
        if cluster is None:
            return dict(NOT_FOUND)
        return {"status": cluster.get("Status", "unknown"), "arn": cluster.get("DBClusterArn"),
                "has_writer": any(m.get("IsClusterWriter") for m in cluster.get("DBClusterMembers", [])),
                "global": cluster.get("GlobalClusterIdentifier")}

    # -- the global view ------------------------------------------------------
    def global_view(self):
        rds = self.run.local("rds")
        found = found_or_none(lambda: rds.describe_global_clusters(
            GlobalClusterIdentifier=self.s.global_cluster_id).get("GlobalClusters", []),
            ("GlobalClusterNotFoundFault",)) or []
        found = [g for g in found if g.get("GlobalClusterIdentifier", "").lower() == self.s.global_cluster_id.lower()]
        view = GlobalView(found[0] if found else None)
        self.run.summary["global"] = view.summary()
        self.run.summary["writer"] = self.site_of(view.writer) or view.writer
        return view

    def site_of(self, arn):
        return {self.s.local_db_arn: self.s.local_site, self.s.remote_db_arn: self.s.remote_site}.get(arn)

    def wait_not_busy(self, view):
        """Aurora runs a switchover or failover: poll while the invocation has time."""
        while view.busy() and self.run.remaining() - POLL_SECONDS > SAFETY_MARGIN_SECONDS:
            aws.pause(POLL_SECONDS)
            view = self.global_view()
        return view

    def standby(self, at_failure=False):
        s = self.s
        try:
            view = self.wait_not_busy(self.global_view())
        except aws.AWS_ERRORS as exc:
            self.run.error("describe_global_clusters", exc)
            return UNKNOWN, f"cannot read the global cluster {s.global_cluster_id} in {s.local_region}"
        if not view.exists:
            return UNKNOWN, f"global cluster {s.global_cluster_id} not found in {s.local_region}"
        if s.local_db_arn not in view.members:
            return NOT_STANDBY, f"{s.local_db_id} is not a member of {s.global_cluster_id} (detached?)"
        if view.writer == s.local_db_arn:
            return LOCAL_WRITER, (f"the writer is this region's cluster {s.local_db_id}: a writer down here is "
                                  "Aurora's in-region failover, not a cross-region failover")
        if view.busy():
            return BUSY, f"Aurora is running a {view.busy()} to {view.target()}"
        if view.writer != s.remote_db_arn:
            return NOT_STANDBY, f"the writer of {s.global_cluster_id} is {view.writer}, not {s.remote_db_id}"
        return STANDBY, f"{s.local_db_id} is a secondary of {s.global_cluster_id}, whose writer is {s.remote_db_id}"

    # -- promotion ------------------------------------------------------------
    def request_promotion(self, state):
        """One FailoverGlobalCluster(AllowDataLoss); an earlier request whose
        answer was lost shows as FailoverState towards X: accepted, no second
        request.  After DETACH_AFTER_REFUSALS refusals (never throttling, never
        an unreachable API) and only with ALLOW_DETACH: RemoveFromGlobalCluster."""
        s, summary = self.s, self.run.summary
        if state.get("method") == "detach":
            return ACCEPTED, {}
        try:
            view = self.global_view()
            if view.writer == s.local_db_arn or (view.busy() == "failover" and view.target() == s.local_db_arn):
                return ACCEPTED, {"method": "managed"}
            if view.busy():
                return RETRY, {}
            self.run.local("rds", aws.ACTION).failover_global_cluster(
                GlobalClusterIdentifier=s.global_cluster_id, TargetDbClusterIdentifier=s.local_db_arn,
                AllowDataLoss=True)
            summary["failover_requested"] = True
            return ACCEPTED, {"method": "managed"}
        except aws.AWS_ERRORS as exc:
            self.run.error("failover_global_cluster", exc)
            if aws.is_throttling(exc):
                summary["throttled"] = summary.get("throttled", 0) + 1
                return RETRY, {}
            if aws.classify(exc) == aws.UNREACHABLE or not aws.error_code(exc):
                return RETRY, {}
            summary["failover_refusals"] = summary.get("failover_refusals", 0) + 1
        if s.allow_detach and summary["failover_refusals"] >= DETACH_AFTER_REFUSALS and self.detach():
            return ACCEPTED, {"method": "detach", "irreversible": True}
        return RETRY, {}

    def detach(self):
        s = self.s
        try:
            self.run.local("rds", aws.ACTION).remove_from_global_cluster(
                GlobalClusterIdentifier=s.global_cluster_id, DbClusterIdentifier=s.local_db_arn)
            self.run.summary["detached"] = True
            return True
        except aws.AWS_ERRORS as exc:
            self.run.error("remove_from_global_cluster", exc)
        try:
            return s.local_db_arn not in self.global_view().members  # an earlier attempt went through
        except aws.AWS_ERRORS as exc:
            self.run.error("describe_global_clusters", exc)
            return False

    def writable(self, state):
        view = self.global_view()
        x = self.describe_local()
        self.run.summary["local_status"] = x["status"]
        in_place = (self.s.local_db_arn not in view.members if state.get("method") == "detach"
                    else view.writer == self.s.local_db_arn and not view.busy())
        return in_place and x["status"] == "available" and x.get("has_writer", False)

    # -- operator -------------------------------------------------------------
    def failback(self, state):
        """Safe to lift Y's fence once nothing but one writer can take writes:
        Y is the global writer again (a switchover back) with X a secondary, or
        X stays the writer and Y is a current, available secondary (Aurora
        rebuilt it after the managed failover), or Y no longer exists (after
        a detach, the runbook deletes it)."""
        s = self.s
        try:
            view = self.global_view()
            y = self.describe_remote()
        except aws.AWS_ERRORS as exc:
            return False, f"cannot read the global cluster and {s.remote_db_id}: {aws.describe(exc)}", None
        self.run.summary["remote_status"] = y["status"]
        if view.busy():
            return False, f"Aurora is running a {view.busy()}: wait for it", None
        y_member = s.remote_db_arn in view.members
        if view.writer == s.remote_db_arn and s.local_db_arn in view.members and y["status"] == "available":
            return True, f"{s.remote_db_id} is the writer again and {s.local_db_id} a secondary", s.remote_site
        if view.writer == s.local_db_arn and (y["status"] == "not_found" or (y["status"] == "available" and y_member)):
            how = "gone" if y["status"] == "not_found" else "a current secondary"
            return True, f"{s.local_db_id} stays the writer and {s.remote_db_id} is {how}", s.local_site
        return False, (f"{s.global_cluster_id} writer {self.site_of(view.writer) or view.writer}, {s.remote_db_id} "
                       f"{y['status']} and {'a member' if y_member else 'NOT a member'}: lifting the fence could route "
                       "to a second writer (finish the runbook first)"), None

    def read_local_writer(self):
        view = self.global_view()
        return view.writer == self.s.local_db_arn if view.exists else None

    def modify_fence_group(self, rds, parameters):
        # https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBClusterParameterGroup.html
        rds.modify_db_cluster_parameter_group(DBClusterParameterGroupName=self.s.fence_parameter_group,
                                              Parameters=parameters)

    def fence_instances(self):
        """The writer instance (DBClusterMembers.IsClusterWriter) of X's cluster."""
        cluster = self.run.local("rds").describe_db_clusters(DBClusterIdentifier=self.s.local_db_id)["DBClusters"][0]
        return [m["DBInstanceIdentifier"] for m in cluster.get("DBClusterMembers", []) if m.get("IsClusterWriter")]

    def actual_writer(self):
        try:
            view = self.global_view()
        except aws.AWS_ERRORS as exc:
            self.run.error("describe_global_clusters", exc)
            return None
        return None if view.busy() else self.site_of(view.writer)

    def switchover(self):
        """Planned, no data loss: SwitchoverGlobalCluster to X, only when both
        regions are healthy, nothing is fenced and nothing failed over."""
        s, run = self.s, self.run
        view = self.global_view()
        if view.writer == s.local_db_arn:
            return "no_action", f"{s.local_db_id} already is the writer"
        if s.local_db_arn not in view.members or view.busy():
            return "refused", (f"{s.local_db_id} is not a secondary of {s.global_cluster_id} or Aurora is busy "
                              f"({view.busy()})")
        checks = run.both_regions_healthy()
        if checks:
            return "refused", checks
        try:
            run.local("rds", aws.ACTION).switchover_global_cluster(
                GlobalClusterIdentifier=s.global_cluster_id, TargetDbClusterIdentifier=s.local_db_arn)
        except aws.AWS_ERRORS as exc:
            run.error("switchover_global_cluster", exc)
            return "refused", f"SwitchoverGlobalCluster refused: {aws.error_code(exc) or aws.describe(exc)}"
        run.summary["switchover_requested"] = True
        while not self.writable({"method": "managed"}):
            if run.remaining() - POLL_SECONDS < SAFETY_MARGIN_SECONDS + 20:
                return "switchover_requested", ("SwitchoverGlobalCluster accepted; the reconcile moves the weights "
                                                "when the writer has moved")
            aws.pause(POLL_SECONDS)
        flipped = run.flip(s.local_site)
        return "switched_over", f"{s.local_db_id} is the writer (no data loss); weights " + \
            ("moved" if flipped else "NOT moved yet (the reconcile retries)")
