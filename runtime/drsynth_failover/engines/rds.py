"""RDS PostgreSQL instance with a cross-region read replica: promotion is
PromoteReadReplica (one way).  Site X is promoted only while it is a replica
whose source is Y's ARN and replicating."""

from .. import aws
from . import (
    ACCEPTED,
    LOCAL_WRITER,
    NOT_FOUND,
    NOT_STANDBY,
    REFUSED,
    RETRY,
    STANDBY,
    UNKNOWN,
    EnginePart,
    found_or_none,
)

# DB instance statuses ("Viewing Amazon RDS DB instance status":
# https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/accessing-monitoring.html#Overview.DBInstance.Status).
# Y in one of these comes back by itself (Multi-AZ failover, reboot,
# maintenance, an operator at work): never a reason to promote.
RECOVERING = frozenset((
    "available", "backing-up", "configuring-enhanced-monitoring", "configuring-iam-database-auth",
    "configuring-log-exports", "converting-to-vpc", "creating", "maintenance", "modifying", "moving-to-vpc",
    "rebooting", "renaming", "resetting-master-credentials", "starting", "storage-optimization", "upgrading",
    "inaccessible-encryption-credentials-recoverable", "storage-config-upgrade", "storage-initialization"))
# Y in one of these does not serve and does not come back by itself.
TERMINAL = frozenset((
    "failed", "incompatible-network", "incompatible-option-group", "incompatible-parameters", "incompatible-restore",
    "inaccessible-encryption-credentials", "restore-error", "insufficient-capacity", "stopped", "stopping",
    "deleting", "not_found"))
# The replica has the same allocated storage: promoting it would fill up too.
STORAGE_FULL = frozenset(("storage-full",))
# StatusInfos "read replication" statuses that mean X does not replicate
# (DBInstanceStatusInfo: https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DBInstanceStatusInfo.html).
NOT_REPLICATING = frozenset(("error", "stopped", "terminated", "replication stop point set",
                             "replication stop point reached"))
# At the failure the source is gone, so the replication shows an error (an
# inference: AWS does not say which status a replica shows when its source
# region is lost); only a replication ended for good disqualifies X then.
ENDED = frozenset(("terminated",))
# PromoteReadReplica refuses for a while: the replica is backing-up, modifying, ...
# ("a read replica cannot be promoted ... when it is in the backing-up status":
# https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html).
TRANSIENT_CODES = ("InvalidDBInstanceState", "InvalidDBInstanceStateFault")


class RdsInstanceEngine(EnginePart):
    name = "rds"
    RECOVERING, TERMINAL, STORAGE_FULL = RECOVERING, TERMINAL, STORAGE_FULL
    # ReplicaLag, seconds, per replica instance (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-metrics.html).
    lag = ("AWS/RDS", "ReplicaLag", "DBInstanceIdentifier", 1.0)
    retry_delays = (5.0, 10.0, 20.0, 30.0)

    @staticmethod
    def describe_db(client, db_id):
        db = found_or_none(lambda: client.describe_db_instances(DBInstanceIdentifier=db_id)["DBInstances"][0],
                           ("DBInstanceNotFound", "DBInstanceNotFoundFault"))
        if db is None:
            return dict(NOT_FOUND)
        replication = [i.get("Status") for i in db.get("StatusInfos", []) if i.get("StatusType") == "read replication"]
        created = db.get("InstanceCreateTime")
        return {"status": db.get("DBInstanceStatus", "unknown"), "arn": db.get("DBInstanceArn"),
                "source": db.get("ReadReplicaSourceDBInstanceIdentifier"),
                "replication": replication[0] if replication else None,
                "created": created.timestamp() if hasattr(created, "timestamp") else None,
                "backup_window": db.get("PreferredBackupWindow")}

    def _source_is(self, db, remote):
        return db.get("source") in (self.s.remote_db_arn, self.s.remote_db_id) if remote else False

    def standby(self, at_failure=False):
        try:
            x = self.describe_local()
        except aws.AWS_ERRORS as exc:
            self.run.error("describe_local", exc)
            return UNKNOWN, f"cannot describe {self.s.local_db_id}: {aws.describe(exc)}"
        self.run.summary["local_status"] = x["status"]
        if x["status"] == "not_found":
            return UNKNOWN, f"{self.s.local_db_id} does not exist"
        if not x.get("source"):
            return LOCAL_WRITER, f"{self.s.local_db_id} is not a read replica: it is a writer itself"
        if not self._source_is(x, True):
            return NOT_STANDBY, (f"{self.s.local_db_id} replicates from {x['source']}, not from the current writer "
                                 f"{self.s.remote_db_arn}")
        if x.get("replication") in (ENDED if at_failure else NOT_REPLICATING):
            return NOT_STANDBY, f"{self.s.local_db_id} read replication is {x['replication']}"
        return STANDBY, f"{self.s.local_db_id} is a read replica of {self.s.remote_db_id} ({x['status']})"

    def request_promotion(self, state):
        """One PromoteReadReplica.  The state says `requesting` before the
        first attempt, so a replica that no longer has a source here was
        promoted by an earlier attempt whose answer was lost."""
        try:
            x = self.describe_local()
            self.run.summary["local_status"] = x["status"]
            if not x.get("source") and x["status"] != "not_found":
                self.run.summary["promote_note"] = "already promoted by an earlier request"
                return ACCEPTED, {}
            self.run.local("rds", aws.ACTION).promote_read_replica(
                DBInstanceIdentifier=self.s.local_db_id, BackupRetentionPeriod=self.s.backup_retention_days)
            self.run.summary["promoted"] = True
            return ACCEPTED, {}
        except aws.AWS_ERRORS as exc:
            code = aws.error_code(exc)
            self.run.error("promote_read_replica", exc)
            if code in TRANSIENT_CODES or aws.is_throttling(exc) or code.startswith("Internal") or \
                    aws.classify(exc) == aws.UNREACHABLE or not code:
                self.run.summary["promote_refusals"] = self.run.summary.get("promote_refusals", 0) + 1
                return RETRY, {}
            return REFUSED, {}

    def writable(self, state):
        x = self.describe_local()
        self.run.summary["local_status"] = x["status"]
        return x["status"] == "available" and not x.get("source")

    def failback(self, state):
        """Y must be a REBUILT writer (available, not a replica, created after
        the promotion was requested) and X deleted, being deleted, or a replica
        of Y.  A merely stopped X is refused: RDS starts a stopped instance
        again after seven days ("The instance restarts automatically after 7
        days": https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StopDBInstance.html)."""
        s = self.s
        try:
            y, x = self.describe_remote(), self.describe_local()
        except aws.AWS_ERRORS as exc:
            return False, f"cannot describe both instances: {aws.describe(exc)}", None
        self.run.summary.update(remote_status=y["status"], local_status=x["status"])
        promoted_at = state.get("promote_requested_at")
        problems = []
        if y["status"] != "available" or y.get("source"):
            problems.append(f"{s.remote_db_id} is {y['status']}" + (f", a replica of {y['source']}" if y.get("source")
                                                                     else "") + " (must be an available writer)")
        elif promoted_at and not (y.get("created") and y["created"] > float(promoted_at)):
            problems.append(f"{s.remote_db_id} was not rebuilt: created {y.get('created')}, before the promotion at "
                            f"{promoted_at} (it may hold writes the promoted copy never saw: rebuild it from "
                            f"{s.local_db_id}, runbook)")
        if x["status"] in ("not_found", "deleting"):
            pass
        elif not (x.get("source") and self._source_is(x, True)) or x["status"] in ("stopped", "stopping") or \
                x.get("replication") in NOT_REPLICATING:
            problems.append(f"{s.local_db_id} is {x['status']}" + (f" replicating from {x['source']}"
                                                                    if x.get("source") else " and WRITABLE") +
                            " (must be deleted or a replica of the rebuilt writer; stopped is not enough: RDS starts "
                            "it again after 7 days)")
        if problems:
            return False, "; ".join(problems), None
        return True, f"{s.remote_db_id} is a rebuilt writer and {s.local_db_id} is {x['status']}" + \
            (" (a replica of it)" if x.get("source") else ""), s.remote_site

    def read_local_writer(self):
        x = self.describe_local()
        return None if x["status"] == "not_found" else not x.get("source")

    def modify_fence_group(self, rds, parameters):
        # https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBParameterGroup.html
        rds.modify_db_parameter_group(DBParameterGroupName=self.s.fence_parameter_group, Parameters=parameters)

    def fence_instances(self):
        # https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RebootDBInstance.html
        return [self.s.local_db_id]

    def housekeeping(self):
        """RDS refuses to promote a replica while it is backing-up: keep its
        backup window where the settings put it (CloudFormation cannot set a
        replica's window)."""
        if not self.s.local_backup_window:
            return
        try:
            x = self.describe_local()
            if x.get("source") and x["status"] == "available" and \
                    x.get("backup_window") not in (None, self.s.local_backup_window):
                self.run.local("rds", aws.ACTION).modify_db_instance(
                    DBInstanceIdentifier=self.s.local_db_id, ApplyImmediately=True,
                    PreferredBackupWindow=self.s.local_backup_window)
                self.run.summary["backup_window_set"] = self.s.local_backup_window
        except aws.AWS_ERRORS as exc:
            self.run.error("backup_window", exc)
