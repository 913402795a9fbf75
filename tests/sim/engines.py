"""The two database engines: RDS PostgreSQL instances with a cross-region read
replica, and an Aurora PostgreSQL global database.  Each answers the RDS API
calls of its kind and keeps, for every copy (instance or cluster), whether it
takes writes, up to which moment of the writer's history it holds the data,
and whether its region can be reached.

RDS sources (quoted in tests/sim/README.md):

* Promotion: "When you promote a read replica, RDS reboots the DB instance
  before making it available. The promotion process can take several minutes
  or longer to complete, depending on the size of the read replica"
  (USER_ReadRepl.Promote.html).  Modelled as: accepted -> ``modifying``
  (replication stopped, still read-only) -> ``rebooting`` (down) ->
  ``available`` and writable at the end; the status names between are an
  inference.  "a read replica cannot be promoted to a standalone instance when
  it is in the backing-up status" and the identifier "Must match the
  identifier of an existing read replica DB instance" (API_PromoteReadReplica):
  InvalidDBInstanceState otherwise.
* A stopped instance "restarts automatically after 7 days" (API_StopDBInstance);
  an instance with a read replica, or a read replica, cannot be stopped
  (USER_StopInstance.html, limitations).
* ReplicaLag of RDS for PostgreSQL is ``now() - pg_last_xact_replay_timestamp()``
  (USER_PostgreSQL.Replication.ReadReplicas.Monitor.html): it keeps growing when
  the source stops sending; an idle source makes it saw-tooth up to the
  5-minute heartbeat (the team's shared AWS-FACTS.md).  Cross-region replication rides AWS's
  network, not the VPC peering (inference): a peering partition does not stop
  it unless the scenario says so.
* The old primary of a lost region comes back as it was: a writable
  standalone instance; RDS does not know it was replaced (inference: nothing
  in RDS links the promoted copy back to it).

Aurora sources ("Using switchover or failover in Amazon Aurora Global
Database", aurora-global-database-disaster-recovery.html):

* Managed failover (FailoverGlobalCluster, AllowDataLoss): "Typically, the
  chosen secondary cluster assumes the primary role within a few minutes";
  "As soon as that old primary Region is healthy and available again, Aurora
  automatically adds it back to the global cluster as a secondary Region";
  "Aurora also attempts to halt write traffic ... 'write fencing' ... Because
  fencing writes is a best-effort attempt, it's possible that writes might be
  momentarily accepted in the old primary Region, causing split-brain
  issues."  Modelled: an old writer that Aurora cannot reach (its region lost,
  or the scenario cut the replication between the regions) keeps taking writes
  in its region until it is reachable again, then it is demoted.
* Switchover: no data loss, both clusters must be available and reachable;
  detach (RemoveFromGlobalCluster): "The cluster becomes a standalone cluster
  with read-write capability" (API reference).

The self-fence of the lease (both engines, runtime/drsynth_failover/lease.py):
``default_transaction_read_only`` set in a copy's own (cluster) parameter
group with ApplyMethod ``immediate``: "changes to dynamic parameters are
applied immediately to the DB instances associated with the parameter group"
(API_ModifyDBParameterGroup, API_ModifyDBClusterParameterGroup); PostgreSQL
applies it to each NEW transaction's default
(https://www.postgresql.org/docs/15/runtime-config-client.html), so sessions
that are open (and may have set it back) go on writing until a reboot
("Rebooting a DB instance restarts the database engine service",
API_RebootDBInstance) ends them.  Modelled: the copy takes no writes once it
was rebooted (or started) while the parameter was 1; setting it back to 0
makes it take writes again at once; ``pg_is_in_recovery()`` stays false
(the probe still sees a primary).  That clients reconnect through the
reboot and then find every transaction read-only is the inference.
"""

from sim.aws import ApiError, utc

ACCOUNT = "123456789012"


def modify_parameter_group(copies, name, parameters, key):
    """ModifyDB(Cluster)ParameterGroup: only default_transaction_read_only is modelled (immediate: the copies
    that use the group follow at once); anything else is refused so that nothing passes unmodelled."""
    users = [c for c in copies if (c.parameter_group or "").lower() == name.lower()]
    if not users and not any(c.parameter_group for c in copies):
        raise ApiError("DBParameterGroupNotFound", f"DBParameterGroup {name} not found.", 404)
    for p in parameters:
        if p.get("ParameterName") != "default_transaction_read_only" or p.get("ApplyMethod") != "immediate":
            raise ApiError("InvalidParameterValue", f"the simulator models only default_transaction_read_only "
                                                    f"(immediate), got {p}")
        for c in users:
            c.set_read_only_default(p.get("ParameterValue") in ("1", "on", "true"))
    return {key: name}


class Copy:
    """What the results need of any database copy."""

    def __init__(self, world, site, region, ident, arn, endpoint):
        self.world, self.site, self.region, self.id, self.arn, self.endpoint = world, site, region, ident, arn, endpoint
        self.port = 5432
        self.db_up = True           # the database process answers
        self.storage_full = False
        self.password = world.db_password
        self.tls_ca = "rds"             # the CA of the server's certificate ("rds": in the probe's bundle)
        self.applied_until = world.clock.now   # the writer's history this copy holds, up to this time
        self.writable_history = [(world.clock.now, False)]
        self.deleted = False
        self.parameter_group = None   # its own (cluster) parameter group's name
        self.read_only_default = False  # default_transaction_read_only=1 in that group
        self.sessions_read_only = False  # rebooted since: every session read-only (the self-fence holds)

    def primary_role(self):
        """Writable as far as the engine goes (pg_is_in_recovery() false, up, not storage-full)."""
        raise NotImplementedError

    def takes_writes(self):
        return self.primary_role() and not self.sessions_read_only

    def set_read_only_default(self, on):
        self.read_only_default = bool(on)
        if not on:
            self.sessions_read_only = False
        self.world.event(f"{self.id}: default_transaction_read_only={'1' if on else '0'} (parameter group "
                         f"{self.parameter_group}, immediate)")
        self.record()

    def rebooted(self):
        """A reboot ends every session: with the parameter at 1, new ones are read-only."""
        if self.read_only_default:
            self.sessions_read_only = True
        self.record()

    def reachable(self):
        return self.world.region_up(self.region) and not self.deleted

    def record(self):
        value = self.takes_writes() and self.reachable()
        if self.writable_history[-1][1] != value:
            self.writable_history.append((self.world.clock.now, value))
            self.world.event(f"{self.id} ({self.region}) {'takes writes' if value else 'takes NO writes'}")

    def in_recovery(self):
        """What pg_is_in_recovery() says (a standby answers reads); a self-fenced primary is no standby."""
        return not self.primary_role()


# ---------------------------------------------------------------------------------------------
# RDS: a primary instance and a cross-region read replica
# ---------------------------------------------------------------------------------------------

class Instance(Copy):
    WRITABLE = ("available", "backing-up", "modifying", "configuring-enhanced-monitoring", "upgrading")

    def __init__(self, world, site, region, ident, endpoint, storage_gb, source=None):
        super().__init__(world, site, region, ident, f"arn:aws:rds:{region}:{ACCOUNT}:db:{ident}", endpoint)
        self.status = "available"
        self.source = source        # the Instance it replicates from, or None
        self.source_arn = source.arn if source else None
        self.create_time = world.clock.now
        self.storage_gb = storage_gb
        self.backup_window = "03:00-03:30"
        self.retention = 7
        self.base_lag = 2.0         # seconds behind the source while replication runs
        self.idle_source = False
        self.replication_cut = False
        self.stopped_at = None

    def primary_role(self):
        return (not self.deleted and self.source is None and self.db_up and not self.storage_full
                and self.status in self.WRITABLE)

    def replicating(self):
        s = self.source
        return (s is not None and not s.deleted and self.world.region_up(s.region) and self.world.region_up(self.region)
                and not self.replication_cut and self.status not in ("modifying", "rebooting", "stopped"))

    def replica_lag(self):
        """ReplicaLag as RDS for PostgreSQL computes it: now - last replayed transaction."""
        return max(self.world.clock.now - self.applied_until, 0.0)


class RdsEngine:
    """The RDS API of every region for DB instances (operations named as in the API reference)."""

    kind = "rds"
    PROMOTION_REBOOT_SHARE = 0.2    # the last fifth of a promotion is the reboot (inference)

    def __init__(self, world, promotion_seconds=300.0, replica_create_seconds=1800.0):
        self.world = world
        self.promotion_seconds = float(promotion_seconds)
        self.replica_create_seconds = float(replica_create_seconds)
        self.instances = {}          # (region, id) -> Instance
        # StatusInfos "read replication" of a replica whose source region is lost (inference, see the docstring)
        self.lost_source_status = "error"
        self.retired = []            # deleted instances whose identifier was reused
        self.promotions = []         # dict(time, copy, caller, accepted)

    @staticmethod
    def endpoint_for(ident, region):
        """An instance's endpoint address: the identifier, the account's region-specific part and the region, so a
        new instance with a deleted one's identifier gets its address back (as on RDS)."""
        return f"{ident}.c0sim.{region}.rds.amazonaws.com"

    def add(self, site, region, ident, endpoint, storage_gb=100, source=None):
        inst = Instance(self.world, site, region, ident, endpoint, storage_gb, source)
        if (region, ident) in self.instances:
            self.retired.append(self.instances[(region, ident)])   # a deleted instance whose name is reused
        self.instances[(region, ident)] = inst
        inst.record()
        return inst

    def copies(self):
        return self.retired + list(self.instances.values())

    def tick(self):
        """Once a second: replication and writability."""
        now = self.world.clock.now
        for inst in self.instances.values():
            if inst.source is None and inst.takes_writes() and inst.reachable():
                inst.applied_until = now
            elif inst.replicating():
                src = inst.source
                head = now if (src.takes_writes() and src.reachable()) else src.applied_until
                if not inst.idle_source:
                    inst.applied_until = max(inst.applied_until, min(head, now - inst.base_lag))
                elif now - inst.applied_until >= 300.0:   # an idle source: RDS's heartbeat every 5 minutes
                    inst.applied_until = max(inst.applied_until, head)
            if inst.status == "stopped" and inst.stopped_at is not None and now - inst.stopped_at >= 7 * 86400:
                self._transition(inst, "starting", 120.0, "available")
            inst.record()

    def publish_metrics(self):
        """ReplicaLag and FreeStorageSpace, each minute, in each instance's region."""
        for inst in self.instances.values():
            if not self.world.region_up(inst.region) or inst.deleted:
                continue
            dims = [{"Name": "DBInstanceIdentifier", "Value": inst.id}]
            if inst.source is not None and inst.status not in ("creating", "stopped"):
                self.world.cloudwatch.publish(inst.region, "AWS/RDS", "ReplicaLag", dims, inst.replica_lag())
            free = 0.0 if inst.storage_full else inst.storage_gb * 0.5 * 2 ** 30
            self.world.cloudwatch.publish(inst.region, "AWS/RDS", "FreeStorageSpace", dims, free)

    def _transition(self, inst, status, seconds, then, after=None):
        inst.status = status
        inst.record()

        def done():
            if inst.status != status:
                return
            inst.status = then
            if after:
                after()
            inst.record()
        self.world.clock.after(seconds, done)

    def _get(self, ident, region):
        for (r, i), inst in self.instances.items():
            if r == region and ident in (i, inst.arn) and not inst.deleted:
                return inst
        raise ApiError("DBInstanceNotFound", f"DBInstance {ident} not found.", 404)

    def describe(self, inst):
        out = {"DBInstanceIdentifier": inst.id, "DBInstanceArn": inst.arn, "DBInstanceStatus": inst.status,
               "Engine": "postgres", "EngineVersion": "15.10", "DBInstanceClass": "db.t4g.medium",
               "Endpoint": {"Address": inst.endpoint, "Port": inst.port}, "AllocatedStorage": inst.storage_gb,
               "InstanceCreateTime": utc(inst.create_time), "PreferredBackupWindow": inst.backup_window,
               "BackupRetentionPeriod": inst.retention, "MultiAZ": True,
               "ReadReplicaDBInstanceIdentifiers": [i.arn if i.region != inst.region else i.id
                                                    for i in self.instances.values()
                                                    if i.source is inst and not i.deleted]}
        if inst.source_arn:
            out["ReadReplicaSourceDBInstanceIdentifier"] = inst.source_arn
            status = "replicating" if inst.replicating() else "error"
            if status == "error" and inst.source is not None and not self.world.region_up(inst.source.region):
                status = self.lost_source_status
            out["StatusInfos"] = [{"StatusType": "read replication", "Normal": status == "replicating",
                                   "Status": status}]
        return out

    # -- the API ---------------------------------------------------------------------------
    def DescribeDBInstances(self, params, region, **_):
        ident = params.get("DBInstanceIdentifier")
        if ident:
            return {"DBInstances": [self.describe(self._get(ident, region))]}
        return {"DBInstances": [self.describe(i) for (r, _), i in self.instances.items()
                                if r == region and not i.deleted]}

    def PromoteReadReplica(self, params, region, caller_region=None, **_):
        inst = self._get(params["DBInstanceIdentifier"], region)
        accepted = inst.source is not None and inst.status == "available"
        self.promotions.append({"time": self.world.clock.now, "copy": inst, "caller": caller_region,
                                "accepted": accepted, "kind": "PromoteReadReplica"})
        if inst.source is None:
            raise ApiError("InvalidDBInstanceState", "DB Instance is not a read replica.")
        if inst.status != "available":
            raise ApiError("InvalidDBInstanceState", f"DB Instance is not in an available state ({inst.status}).")
        self.world.promotion_started(inst)
        if "BackupRetentionPeriod" in params:
            inst.retention = params["BackupRetentionPeriod"]
        reboot = self.promotion_seconds * self.PROMOTION_REBOOT_SHARE

        def standalone():
            inst.source = None
            inst.source_arn = None
        inst.replication_cut = True
        self._transition(inst, "modifying", self.promotion_seconds - reboot, "rebooting",
                         after=lambda: self._transition(inst, "rebooting", reboot, "available", after=standalone))
        return {"DBInstance": self.describe(inst)}

    def ModifyDBInstance(self, params, region, **_):
        inst = self._get(params["DBInstanceIdentifier"], region)
        if "PreferredBackupWindow" in params:
            inst.backup_window = params["PreferredBackupWindow"]
        if "BackupRetentionPeriod" in params:
            inst.retention = params["BackupRetentionPeriod"]
        return {"DBInstance": self.describe(inst)}

    def StopDBInstance(self, params, region, **_):
        inst = self._get(params["DBInstanceIdentifier"], region)
        if inst.source is not None or any(i.source is inst and not i.deleted for i in self.instances.values()):
            raise ApiError("InvalidDBInstanceState", "Cannot stop a DB instance that is a read replica or has read "
                           "replicas.")
        if inst.status != "available":
            raise ApiError("InvalidDBInstanceState", f"DB instance is {inst.status}.")
        inst.stopped_at = self.world.clock.now + 60.0
        self._transition(inst, "stopping", 60.0, "stopped")
        return {"DBInstance": self.describe(inst)}

    def StartDBInstance(self, params, region, **_):
        inst = self._get(params["DBInstanceIdentifier"], region)
        if inst.status != "stopped":
            raise ApiError("InvalidDBInstanceState", f"DB instance is {inst.status}.")
        self._transition(inst, "starting", 120.0, "available")
        return {"DBInstance": self.describe(inst)}

    def DeleteDBInstance(self, params, region, **_):
        inst = self._get(params["DBInstanceIdentifier"], region)

        def gone():
            inst.deleted = True
        self._transition(inst, "deleting", 120.0, "deleted", after=gone)
        return {"DBInstance": self.describe(inst)}

    def RebootDBInstance(self, params, region, **_):
        inst = self._get(params["DBInstanceIdentifier"], region)
        inst.rebooted()
        self._transition(inst, "rebooting", 60.0, "available")
        return {"DBInstance": self.describe(inst)}

    def ModifyDBParameterGroup(self, params, region, **_):
        return modify_parameter_group([i for i in self.instances.values() if i.region == region and not i.deleted],
                                      params["DBParameterGroupName"], params["Parameters"], "DBParameterGroupName")

    def CreateDBInstanceReadReplica(self, params, region, **_):
        source_id = params["SourceDBInstanceIdentifier"]
        source = next((i for i in self.instances.values() if source_id in (i.id, i.arn) and not i.deleted), None)
        if source is None:
            raise ApiError("DBInstanceNotFound", f"DBInstance {source_id} not found.", 404)
        ident = params["DBInstanceIdentifier"]
        if any(r == region and i == ident for (r, i) in self.instances if not self.instances[(r, i)].deleted):
            raise ApiError("DBInstanceAlreadyExists", f"DB instance {ident} already exists.")
        site = next((i.site for i in self.instances.values() if i.region == region), ident)
        endpoint = self.endpoint_for(ident, region)
        inst = self.add(site, region, ident, endpoint, source.storage_gb, source=source)
        inst.applied_until = self.world.clock.now - 3600.0
        self._transition(inst, "creating", self.replica_create_seconds, "available")
        return {"DBInstance": self.describe(inst)}


# ---------------------------------------------------------------------------------------------
# Aurora: a global cluster with a primary and a secondary cluster
# ---------------------------------------------------------------------------------------------

class Cluster(Copy):
    def __init__(self, world, site, region, ident, endpoint, global_id):
        super().__init__(world, site, region, ident, f"arn:aws:rds:{region}:{ACCOUNT}:cluster:{ident}", endpoint)
        self.status = "available"
        self.global_id = global_id
        self.writer = False          # this cluster's writer instance takes writes (primary or standalone)
        self.pending_demotion = False
        self.base_lag = 1.0

    def primary_role(self):
        return not self.deleted and self.writer and self.db_up and not self.storage_full and self.status in (
            "available", "backing-up", "modifying")


class AuroraEngine:
    """The RDS API for Aurora global databases (operations named as in the API reference)."""

    kind = "aurora"

    def __init__(self, world, failover_seconds=120.0, switchover_seconds=120.0, detach_seconds=60.0,
                 pending_seconds=5.0):
        self.world = world
        self.failover_seconds, self.switchover_seconds = float(failover_seconds), float(switchover_seconds)
        self.detach_seconds, self.pending_seconds = float(detach_seconds), float(pending_seconds)
        self.clusters = {}           # arn -> Cluster
        self.globals = {}            # id -> {"members": [arn], "writer": arn, "failover": dict or None}
        self.promotions = []
        self.cut = set()             # frozenset({a, b}): Aurora's replication between the two regions is cut

    def add_global(self, global_id):
        self.globals[global_id] = {"id": global_id, "members": [], "writer": None, "failover": None,
                                   "arn": f"arn:aws:rds::{ACCOUNT}:global-cluster:{global_id}"}

    def add(self, site, region, ident, endpoint, global_id, primary):
        c = Cluster(self.world, site, region, ident, endpoint, global_id)
        self.clusters[c.arn] = c
        g = self.globals[global_id]
        g["members"].append(c.arn)
        if primary:
            g["writer"] = c.arn
            c.writer = True
        c.record()
        return c

    def copies(self):
        return list(self.clusters.values())

    def _reachable_between(self, a, b):
        return (self.world.region_up(a.region) and self.world.region_up(b.region)
                and frozenset((a.region, b.region)) not in self.cut)

    def tick(self):
        now = self.world.clock.now
        for g in self.globals.values():
            writer = self.clusters.get(g["writer"]) if g["writer"] else None
            for arn in g["members"]:
                c = self.clusters[arn]
                if c.writer and c.takes_writes() and c.reachable():
                    c.applied_until = now
                elif writer is not None and c is not writer and not c.writer and self._reachable_between(c, writer):
                    head = now if (writer.takes_writes() and writer.reachable()) else writer.applied_until
                    c.applied_until = max(c.applied_until, min(head, now - c.base_lag))
                if c.pending_demotion and writer is not None and c is not writer and self._reachable_between(c, writer):
                    # the old primary Region is back: Aurora demotes it and rebuilds it as a secondary
                    c.pending_demotion = False
                    c.writer = False
                    c.applied_until = writer.applied_until
                    self.world.event(f"{c.id}: Aurora demotes the old writer now that {c.region} is reachable")
        for c in self.clusters.values():
            c.record()

    def publish_metrics(self):
        """AuroraGlobalDBReplicationLag (ms) of each secondary, in its region, while replication runs."""
        for g in self.globals.values():
            writer = self.clusters.get(g["writer"]) if g["writer"] else None
            for arn in g["members"]:
                c = self.clusters[arn]
                if writer is None or c is writer or not self.world.region_up(c.region):
                    continue
                if not self._reachable_between(c, writer):
                    continue  # inference: the metric stops when the primary cannot be reached
                lag = max(self.world.clock.now - c.applied_until, 0.0) * 1000.0
                self.world.cloudwatch.publish(c.region, "AWS/RDS", "AuroraGlobalDBReplicationLag",
                                              [{"Name": "DBClusterIdentifier", "Value": c.id}], lag)

    def _global(self, ident):
        g = self.globals.get(ident)
        if g is None:
            g = next((x for x in self.globals.values() if x["arn"] == ident), None)
        if g is None:
            raise ApiError("GlobalClusterNotFoundFault", f"Global cluster {ident} not found", 404)
        return g

    def _member(self, g, ident):
        for arn in g["members"]:
            c = self.clusters[arn]
            if ident in (arn, c.id):
                return c
        raise ApiError("DBClusterNotFoundFault", f"{ident} is not a member of {g['id']}", 404)

    def describe_global(self, g):
        members = []
        for arn in g["members"]:
            is_writer = arn == g["writer"]
            members.append({"DBClusterArn": arn, "IsWriter": is_writer, "GlobalWriteForwardingStatus": "disabled",
                            "Readers": [m for m in g["members"] if m != arn] if is_writer else []})
        out = {"GlobalClusterIdentifier": g["id"], "GlobalClusterArn": g["arn"], "Engine": "aurora-postgresql",
               "EngineVersion": "15.10", "Status": "failing-over" if g["failover"] else "available",
               "StorageEncrypted": True, "DeletionProtection": False, "GlobalClusterMembers": members}
        if g["failover"]:
            out["FailoverState"] = {k: v for k, v in g["failover"].items() if k != "done_at"}
        return out

    def _start(self, g, target, data_loss, seconds, kind, caller_region):
        old = self.clusters[g["writer"]] if g["writer"] else None
        now = self.world.clock.now
        self.promotions.append({"time": now, "copy": target, "caller": caller_region, "accepted": True, "kind": kind})
        self.world.promotion_started(target)
        g["failover"] = {"Status": "pending", "FromDbClusterArn": old.arn if old else None,
                         "ToDbClusterArn": target.arn, "IsDataLossAllowed": data_loss}
        if old is not None:
            if self._reachable_between(old, target) or not data_loss:
                old.writer = False      # write fencing through the storage layer (best effort: it reached it)
            else:
                old.pending_demotion = True   # cannot be reached: it keeps taking writes in its region
            old.record()

        def running():
            if g["failover"]:
                g["failover"]["Status"] = "failing-over" if data_loss else "switching-over"

        def done():
            g["failover"] = None
            g["writer"] = target.arn
            target.writer = True
            target.status = "available"
            target.record()
        self.world.clock.after(self.pending_seconds, running)
        self.world.clock.after(seconds, done)

    # -- the API ---------------------------------------------------------------------------
    def DescribeGlobalClusters(self, params, region, **_):
        ident = params.get("GlobalClusterIdentifier")
        if ident:
            return {"GlobalClusters": [self.describe_global(self._global(ident))]}
        return {"GlobalClusters": [self.describe_global(g) for g in self.globals.values()]}

    def DescribeDBClusters(self, params, region, **_):
        ident = params.get("DBClusterIdentifier")
        found = []
        for c in self.clusters.values():
            if c.region != region or c.deleted or (ident and ident not in (c.id, c.arn)):
                continue
            out = {"DBClusterIdentifier": c.id, "DBClusterArn": c.arn, "Status": c.status,
                   "Engine": "aurora-postgresql", "Endpoint": c.endpoint, "Port": c.port,
                   "DBClusterMembers": [{"DBInstanceIdentifier": f"{c.id}-1", "IsClusterWriter": c.writer,
                                         "PromotionTier": 1}]}
            if c.global_id:
                out["GlobalClusterIdentifier"] = c.global_id
            found.append(out)
        if ident and not found:
            raise ApiError("DBClusterNotFoundFault", f"DBCluster {ident} not found.", 404)
        return {"DBClusters": found}

    def ModifyDBClusterParameterGroup(self, params, region, **_):
        return modify_parameter_group([c for c in self.clusters.values() if c.region == region and not c.deleted],
                                      params["DBClusterParameterGroupName"], params["Parameters"],
                                      "DBClusterParameterGroupName")

    def RebootDBInstance(self, params, region, **_):
        """An instance of a cluster (its writer ``<cluster>-1`` as DescribeDBClusters lists it): the writer's
        reboot ends the cluster's write sessions; the status stays (inference: Aurora restarts in seconds)."""
        ident = params["DBInstanceIdentifier"]
        cluster = next((c for c in self.clusters.values() if c.region == region and not c.deleted
                        and ident == f"{c.id}-1"), None)
        if cluster is None:
            raise ApiError("DBInstanceNotFound", f"DBInstance {ident} not found.", 404)
        cluster.rebooted()
        return {"DBInstance": {"DBInstanceIdentifier": ident, "DBInstanceStatus": "rebooting",
                               "DBClusterIdentifier": cluster.id}}

    def FailoverGlobalCluster(self, params, region, caller_region=None, **_):
        g = self._global(params["GlobalClusterIdentifier"])
        target = self._member(g, params["TargetDbClusterIdentifier"])
        allow = params.get("AllowDataLoss")
        if allow is not None and params.get("Switchover") is not None:
            raise ApiError("InvalidParameterCombination", "AllowDataLoss and Switchover")
        if g["failover"]:
            raise ApiError("InvalidGlobalClusterStateFault", f"{g['id']} is failing over")
        if g["writer"] == target.arn:
            raise ApiError("InvalidDBClusterStateFault", f"{target.id} is already the primary cluster")
        if not self.world.region_up(target.region):
            raise ApiError("InvalidDBClusterStateFault", f"{target.id} is not available")
        if not allow:
            return self._switchover(g, target, caller_region)
        self._start(g, target, True, self.failover_seconds, "FailoverGlobalCluster", caller_region)
        return {"GlobalCluster": self.describe_global(g)}

    def SwitchoverGlobalCluster(self, params, region, caller_region=None, **_):
        g = self._global(params["GlobalClusterIdentifier"])
        target = self._member(g, params["TargetDbClusterIdentifier"])
        if g["failover"]:
            raise ApiError("InvalidGlobalClusterStateFault", f"{g['id']} is failing over")
        if g["writer"] == target.arn:
            raise ApiError("InvalidDBClusterStateFault", f"{target.id} is already the primary cluster")
        return self._switchover(g, target, caller_region)

    def _switchover(self, g, target, caller_region):
        old = self.clusters[g["writer"]]
        for c in (old, target):
            if not c.reachable() or c.status != "available" or not self._reachable_between(old, target) or \
                    (c is old and not c.db_up):
                raise ApiError("InvalidGlobalClusterStateFault", f"{c.id} is not available for a switchover")
        self._start(g, target, False, self.switchover_seconds, "SwitchoverGlobalCluster", caller_region)
        return {"GlobalCluster": self.describe_global(g)}

    def RemoveFromGlobalCluster(self, params, region, caller_region=None, **_):
        g = self._global(params["GlobalClusterIdentifier"])
        c = self._member(g, params["DbClusterIdentifier"])
        if g["writer"] == c.arn and len(g["members"]) > 1:
            raise ApiError("InvalidGlobalClusterStateFault", "the primary cluster has secondaries")
        g["members"].remove(c.arn)
        c.global_id = None
        self.promotions.append({"time": self.world.clock.now, "copy": c, "caller": caller_region, "accepted": True,
                                "kind": "RemoveFromGlobalCluster"})
        self.world.promotion_started(c)
        c.status = "promoting"
        c.record()

        def standalone():
            c.status = "available"
            c.writer = True
            c.record()
        self.world.clock.after(self.detach_seconds, standalone)
        return {"GlobalCluster": self.describe_global(g)}
