"""A documented fake of the RDS calls the Aurora failover function makes.

Why a fake: moto 5.2.1 implements CreateGlobalCluster, DescribeGlobalClusters,
RemoveFromGlobalCluster and DescribeDBClusters, but not FailoverGlobalCluster
nor SwitchoverGlobalCluster, and it has no FailoverState.  What it has differs
from AWS where the function depends on it: DescribeGlobalClusters ignores
GlobalClusterIdentifier (returns every global cluster), RemoveFromGlobalCluster
swallows every error (an unknown cluster "succeeds") and leaves the removed
cluster a read-only secondary, and CreateGlobalCluster from an existing cluster
does not mark that cluster IsWriter (on AWS it is the primary).  Since the failover, the switchover and the
detach change what DescribeDBClusters reports too, this fake owns all five
calls, on one consistent model; moto keeps SSM, CloudWatch, Route 53 and SNS.
``test_aurora_failover.FakeAgreesWithMoto`` checks that the fields the function
reads have the same shape in moto's answers and in the fake's.

What it reproduces (Amazon RDS API Reference, API version 2014-10-31):

* ``DescribeGlobalClusters(GlobalClusterIdentifier)``: GlobalClusterIdentifier,
  GlobalClusterArn, Status, GlobalClusterMembers (DBClusterArn, IsWriter,
  Readers), FailoverState (Status ``pending`` | ``failing-over`` |
  ``switching-over``, FromDbClusterArn, ToDbClusterArn, IsDataLossAllowed),
  empty "unless a switchover or failover operation is scheduled or is in
  progress"; GlobalClusterNotFoundFault for an unknown identifier.  Answered
  in every reachable region (the global cluster's metadata survives the loss
  of one region: inference from the managed-failover documentation, which has
  you call FailoverGlobalCluster in a secondary region while the primary
  region is down).
* ``DescribeDBClusters(DBClusterIdentifier)``: the clusters of the client's
  region only (DBClusterNotFoundFault otherwise), Status, DBClusterArn,
  GlobalClusterIdentifier, DBClusterMembers (IsClusterWriter is True only for
  the writer instance of a cluster that takes writes: the function never
  relies on it alone, it also requires IsWriter in the global view).
* ``FailoverGlobalCluster(GlobalClusterIdentifier, TargetDbClusterIdentifier,
  AllowDataLoss=True)``: "Failing over - Specify the AllowDataLoss parameter";
  FailoverState pending (``pending_seconds``), then failing-over until
  ``failover_seconds`` after the request; then the target is the writer and
  the old primary a secondary ("Aurora ... adds it back to the global
  database as a secondary" when its region recovers).  InvalidGlobalClusterStateFault
  while another operation runs; DBClusterNotFoundFault for a target that is
  not a member; InvalidDBClusterStateFault for the current writer (an
  assumption: AWS's exact code for that case is not documented).
* ``SwitchoverGlobalCluster(GlobalClusterIdentifier, TargetDbClusterIdentifier)``:
  no data loss, so both clusters must be reachable and available
  (InvalidGlobalClusterStateFault otherwise); FailoverState switching-over
  (IsDataLossAllowed false) for ``switchover_seconds``.
* ``RemoveFromGlobalCluster(GlobalClusterIdentifier, DbClusterIdentifier)``:
  "The cluster becomes a standalone cluster with read-write capability";
  status ``promoting`` for ``detach_seconds``, then a standalone writer; the
  primary of a global cluster that still has secondaries is refused
  (InvalidGlobalClusterStateFault).

Test levers: ``unreachable`` (regions whose endpoints do not answer:
EndpointConnectionError), ``inject(operation, code, times)`` (an API error
before the call does anything, e.g. ``Throttling``), ``crash_writer`` (Aurora's
in-region failover: status failing-over, writer down), ``calls`` (every call,
with its region and arguments).  Time comes from ``clock`` (the virtual clock
of the tests and the simulator); transitions happen when their time has come,
checked on every call and by ``advance()``.
"""

from botocore.exceptions import ClientError, EndpointConnectionError

ACCOUNT = "123456789012"


def _error(code, message, operation):
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


class AuroraFake:
    def __init__(self, clock, pending_seconds=5.0, failover_seconds=60.0, switchover_seconds=90.0,
                 detach_seconds=30.0):
        self.clock = clock
        self.pending_seconds, self.failover_seconds = pending_seconds, failover_seconds
        self.switchover_seconds, self.detach_seconds = switchover_seconds, detach_seconds
        self.clusters = {}      # arn -> cluster
        self.globals = {}       # id -> global cluster
        self.unreachable = set()
        self.injected = {}      # operation -> [code, remaining times or None]
        self.calls = []
        self.timers = []        # (when, seq, fn)
        self._seq = 0

    # -- the model ---------------------------------------------------------------
    def add_global_cluster(self, global_id, primary, secondaries):
        """primary/secondaries: (region, cluster id).  Returns {cluster id: arn}."""
        arns = {}
        members = []
        for region, cluster_id in [primary, *secondaries]:
            arn = f"arn:aws:rds:{region}:{ACCOUNT}:cluster:{cluster_id}"
            self.clusters[arn] = {"id": cluster_id, "arn": arn, "region": region, "status": "available",
                                  "global": global_id, "writer_up": True, "standalone": False}
            arns[cluster_id] = arn
            members.append(arn)
        self.globals[global_id] = {"id": global_id, "arn": f"arn:aws:rds::{ACCOUNT}:global-cluster:{global_id}",
                                   "status": "available", "members": members, "writer": members[0],
                                   "failover_state": None}
        return arns

    def writable(self, arn):
        """Does this cluster take writes now (the global writer, or a detached standalone cluster)?"""
        c = self.clusters[arn]
        if c["status"] not in ("available", "failing-over") or not c["writer_up"]:
            return False
        if c["standalone"]:
            return True
        g = self.globals.get(c["global"])
        return bool(g) and g["writer"] == arn and g["failover_state"] is None

    def writer_of(self, global_id):
        g = self.globals.get(global_id)
        return g["writer"] if g else None

    def at(self, delay, fn):
        self._seq += 1
        self.timers.append((self.clock() + delay, self._seq, fn))

    def advance(self):
        while True:
            due = sorted(t for t in self.timers if t[0] <= self.clock())
            if not due:
                return
            self.timers.remove(due[0])
            due[0][2]()

    def crash_writer(self, arn, seconds):
        """Aurora's in-region failover: a reader becomes the writer after `seconds`."""
        c = self.clusters[arn]
        c.update(status="failing-over", writer_up=False)

        def back():
            c.update(status="available", writer_up=True)
        self.at(seconds, back)

    def inject(self, operation, code, times=None):
        self.injected[operation] = [code, times]

    def client(self, region):
        return _FakeRdsClient(self, region)

    # -- the calls ---------------------------------------------------------------
    def _enter(self, region, operation, kwargs):
        self.advance()
        self.calls.append((operation, region, dict(kwargs)))
        if region in self.unreachable:
            raise EndpointConnectionError(endpoint_url=f"https://rds.{region}.amazonaws.com/")
        injected = self.injected.get(operation)
        if injected and injected[1] != 0:
            if injected[1] is not None:
                injected[1] -= 1
            raise _error(injected[0], f"injected {injected[0]}", operation)

    def _global(self, global_id, operation):
        g = self.globals.get((global_id or "").lower()) or self.globals.get(global_id)
        if g is None:
            raise _error("GlobalClusterNotFoundFault", f"Global cluster {global_id} not found", operation)
        return g

    def _member(self, g, arn, operation):
        if arn not in g["members"]:
            raise _error("DBClusterNotFoundFault", f"{arn} is not a member of {g['id']}", operation)
        return self.clusters[arn]

    def describe_global(self, g):
        members = []
        for arn in g["members"]:
            is_writer = arn == g["writer"]
            members.append({"DBClusterArn": arn, "IsWriter": is_writer, "DBClusterParameterGroupStatus": "in-sync",
                            "PromotionTier": 1,
                            "Readers": [m for m in g["members"] if m != arn] if is_writer else []})
        out = {"GlobalClusterIdentifier": g["id"], "GlobalClusterArn": g["arn"], "Status": g["status"],
               "Engine": "aurora-postgresql", "EngineVersion": "15.10", "StorageEncrypted": True,
               "DeletionProtection": False, "GlobalClusterMembers": members}
        if g["failover_state"]:
            out["FailoverState"] = dict(g["failover_state"])
        return out

    def _start(self, g, target, data_loss, total_seconds, operation):
        old = g["writer"]
        g["status"] = "failing-over" if data_loss else "switching-over"
        g["failover_state"] = {"Status": "pending", "FromDbClusterArn": old, "ToDbClusterArn": target,
                               "IsDataLossAllowed": data_loss}

        def running():
            if g["failover_state"]:
                g["failover_state"]["Status"] = "failing-over" if data_loss else "switching-over"

        def done():
            g.update(writer=target, status="available", failover_state=None)
            self.clusters[target].update(status="available", writer_up=True)
        self.at(min(self.pending_seconds, total_seconds), running)
        self.at(total_seconds, done)


class _FakeRdsClient:
    """boto3-shaped: the five operations, keyword arguments as boto3 names them."""

    def __init__(self, fake, region):
        self.fake = fake
        self.region = region

    def describe_global_clusters(self, GlobalClusterIdentifier=None, **kwargs):
        self.fake._enter(self.region, "DescribeGlobalClusters", {"GlobalClusterIdentifier": GlobalClusterIdentifier})
        if GlobalClusterIdentifier is None:
            return {"GlobalClusters": [self.fake.describe_global(g) for g in self.fake.globals.values()]}
        return {"GlobalClusters": [self.fake.describe_global(self.fake._global(GlobalClusterIdentifier,
                                                                                 "DescribeGlobalClusters"))]}

    def describe_db_clusters(self, DBClusterIdentifier, **kwargs):
        self.fake._enter(self.region, "DescribeDBClusters", {"DBClusterIdentifier": DBClusterIdentifier})
        for c in self.fake.clusters.values():
            if c["region"] == self.region and DBClusterIdentifier in (c["id"], c["arn"]):
                writes = self.fake.writable(c["arn"]) or (c["status"] == "available" and c["standalone"])
                out = {"DBClusterIdentifier": c["id"], "DBClusterArn": c["arn"], "Status": c["status"],
                       "Engine": "aurora-postgresql", "DBClusterMembers": [
                           {"DBInstanceIdentifier": f"{c['id']}-1", "IsClusterWriter": writes, "PromotionTier": 1},
                           {"DBInstanceIdentifier": f"{c['id']}-2", "IsClusterWriter": False, "PromotionTier": 1}]}
                if not c["standalone"] and c["global"]:
                    out["GlobalClusterIdentifier"] = c["global"]
                return {"DBClusters": [out]}
        raise _error("DBClusterNotFoundFault", f"DBCluster {DBClusterIdentifier} not found.", "DescribeDBClusters")

    def failover_global_cluster(self, GlobalClusterIdentifier, TargetDbClusterIdentifier,
                                AllowDataLoss=None, Switchover=None):
        op = "FailoverGlobalCluster"
        self.fake._enter(self.region, op, {"GlobalClusterIdentifier": GlobalClusterIdentifier,
                                           "TargetDbClusterIdentifier": TargetDbClusterIdentifier,
                                           "AllowDataLoss": AllowDataLoss})
        if AllowDataLoss is not None and Switchover is not None:
            raise _error("InvalidParameterCombination", "AllowDataLoss and Switchover", op)
        g = self.fake._global(GlobalClusterIdentifier, op)
        self.fake._member(g, TargetDbClusterIdentifier, op)
        if g["failover_state"]:
            raise _error("InvalidGlobalClusterStateFault", f"{g['id']} is {g['status']}", op)
        if g["writer"] == TargetDbClusterIdentifier:
            raise _error("InvalidDBClusterStateFault", f"{TargetDbClusterIdentifier} is already the primary", op)
        if not AllowDataLoss:  # a switchover through FailoverGlobalCluster: same rules as SwitchoverGlobalCluster
            return self._switchover(g, TargetDbClusterIdentifier, op)
        self.fake._start(g, TargetDbClusterIdentifier, True, self.fake.failover_seconds, op)
        return {"GlobalCluster": self.fake.describe_global(g)}

    def switchover_global_cluster(self, GlobalClusterIdentifier, TargetDbClusterIdentifier):
        op = "SwitchoverGlobalCluster"
        self.fake._enter(self.region, op, {"GlobalClusterIdentifier": GlobalClusterIdentifier,
                                           "TargetDbClusterIdentifier": TargetDbClusterIdentifier})
        g = self.fake._global(GlobalClusterIdentifier, op)
        self.fake._member(g, TargetDbClusterIdentifier, op)
        if g["failover_state"]:
            raise _error("InvalidGlobalClusterStateFault", f"{g['id']} is {g['status']}", op)
        if g["writer"] == TargetDbClusterIdentifier:
            raise _error("InvalidDBClusterStateFault", f"{TargetDbClusterIdentifier} is already the primary", op)
        return self._switchover(g, TargetDbClusterIdentifier, op)

    def _switchover(self, g, target, op):
        primary = self.fake.clusters[g["writer"]]
        for c in (primary, self.fake.clusters[target]):
            if (c["region"] in self.fake.unreachable or c["status"] != "available"
                    or (not c["writer_up"] and c is primary)):
                raise _error("InvalidGlobalClusterStateFault", f"{c['id']} is not available for a switchover", op)
        self.fake._start(g, target, False, self.fake.switchover_seconds, op)
        return {"GlobalCluster": self.fake.describe_global(g)}

    def remove_from_global_cluster(self, GlobalClusterIdentifier, DbClusterIdentifier):
        op = "RemoveFromGlobalCluster"
        self.fake._enter(self.region, op, {"GlobalClusterIdentifier": GlobalClusterIdentifier,
                                           "DbClusterIdentifier": DbClusterIdentifier})
        g = self.fake._global(GlobalClusterIdentifier, op)
        c = self.fake._member(g, DbClusterIdentifier, op)
        if g["writer"] == DbClusterIdentifier and len(g["members"]) > 1:
            raise _error("InvalidGlobalClusterStateFault", "the primary cluster has secondaries", op)
        g["members"].remove(DbClusterIdentifier)
        if g["writer"] == DbClusterIdentifier:
            g["writer"] = None
        c.update({"status": "promoting", "standalone": True, "global": None})

        def promoted():
            c.update(status="available", writer_up=True)
        self.fake.at(self.fake.detach_seconds, promoted)
        return {"GlobalCluster": self.fake.describe_global(g)}

    def __getattr__(self, name):
        raise AttributeError(f"the Aurora fake does not implement {name} (runtime/tests/aurora_fake.py)")
