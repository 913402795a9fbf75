"""The simulator's virtual clock and the models behind the failover
function's AWS clients (see world.py)."""

import heapq
import threading

from botocore.exceptions import ClientError, EndpointConnectionError

T0 = 1_767_225_600  # 2026-01-01T00:00:00Z: minute-aligned virtual epoch
EVALUATION_DELAY = 20.0      # period end -> alarm evaluated (ingestion + evaluation)
HEALTH_CHECK_DELAY = 30.0    # alarm state -> Route 53 health checkers agree
FUNCTION_START = 10.0        # alarm action -> function running (cold start)
API_LATENCY = 0.2            # each AWS call of the failover function
DR_PROBE_OFFSET = 20.0       # the probes' EventBridge rules fire at these seconds of each minute
LOCAL_PROBE_OFFSET = 35.0
RECONCILE_OFFSET = 50.0


class Scheduler:
    """Virtual time; callbacks and cooperative threads, one running at a time."""

    def __init__(self):
        self.now = float(T0)
        self.queue = []
        self.seq = 0
        self.lock = threading.Lock()
        self.threads = {}  # thread ident -> threading.Event (resume signal)
        self.yielded = threading.Event()

    def at(self, when, callback):
        self.seq += 1
        heapq.heappush(self.queue, (max(when, self.now), self.seq, callback))

    def run_until(self, end):
        while self.queue and self.queue[0][0] <= end:
            when, _, callback = heapq.heappop(self.queue)
            self.now = when
            callback()
        self.now = max(self.now, end)

    # -- cooperative threads (failover invocations) ----------------------------
    def spawn(self, target):
        resume = threading.Event()

        def body():
            resume.wait()
            try:
                target()
            finally:
                self.threads.pop(threading.get_ident(), None)
                self.yielded.set()

        thread = threading.Thread(target=body, daemon=True)

        def start():
            thread.start()
            self.threads[thread.ident] = resume
            self._switch_to(resume)

        self.at(self.now, start)

    def _switch_to(self, resume):
        self.yielded.clear()
        resume.set()
        if not self.yielded.wait(60):
            raise RuntimeError("a simulated invocation did not yield within 60 s of real time")

    def sleep(self, seconds):
        """Called from a cooperative thread: give control back until now + seconds."""
        resume = self.threads.get(threading.get_ident())
        if resume is None:  # the main thread (e.g. a probe): no virtual wait
            return
        resume.clear()
        self.at(self.now + max(seconds, 0.0), lambda: self._switch_to(resume))
        self.yielded.set()
        resume.wait()


class RdsModel:
    """The two instances as RDS would describe them."""

    def __init__(self, world, promotion_seconds):
        self.world = world
        self.promotion_seconds = promotion_seconds
        self.primary = {"status": "available", "db_up": True, "writable": True, "replica_of": None}
        self.replica = {"status": "available", "writable": False, "replica_of": "primary",
                        "backup_window": "02:00-02:30"}
        self.promote_calls = 0
        self.promotions_accepted = 0
        self.promotion_done_at = None

    def describe(self, which):
        db = self.primary if which == "primary" else self.replica
        out = {"DBInstanceIdentifier": which, "DBInstanceStatus": db["status"],
               "PreferredBackupWindow": db.get("backup_window")}
        if db["replica_of"]:
            out["ReadReplicaSourceDBInstanceIdentifier"] = db["replica_of"]
        return out

    def promote(self):
        self.promote_calls += 1
        r = self.replica
        if not r["replica_of"] or r["status"] != "available":
            raise ClientError({"Error": {"Code": "InvalidDBInstanceState",
                                         "Message": f"DB instance is {r['status']}"}}, "PromoteReadReplica")
        self.promotions_accepted += 1
        r["status"] = "modifying"
        self.world.event(f"PromoteReadReplica accepted (#{self.promotions_accepted})")

        def done():
            r.update(status="available", replica_of=None, writable=True)
            self.promotion_done_at = self.world.clock.now
            self.world.event("replica promoted: writable")

        self.world.clock.at(self.world.clock.now + self.promotion_seconds, done)


class _RdsClient:
    def __init__(self, world, region):
        self.world = world
        self.region = region

    def _check(self):
        self.world.api_call()
        if self.region == self.world.s.primary_region and not self.world.primary_api_up:
            raise EndpointConnectionError(endpoint_url=f"https://rds.{self.region}.amazonaws.com/")

    def describe_db_instances(self, DBInstanceIdentifier):  # noqa: N803 - boto3 names
        self._check()
        which = "primary" if DBInstanceIdentifier == self.world.primary_id else "replica"
        return {"DBInstances": [self.world.rds.describe(which)]}

    def promote_read_replica(self, DBInstanceIdentifier, BackupRetentionPeriod=None):  # noqa: N803
        self._check()
        return {"DBInstance": {"DBInstanceIdentifier": DBInstanceIdentifier}} if self.world.rds.promote() is None else {}

    def modify_db_instance(self, DBInstanceIdentifier, PreferredBackupWindow=None, ApplyImmediately=True):  # noqa: N803
        self._check()
        self.world.rds.replica["backup_window"] = PreferredBackupWindow
        return {}


class _Wrapped:
    """A moto client whose calls cost virtual time and may be unreachable."""

    def __init__(self, world, client, down):
        self._world = world
        self._client = client
        self._down = down

    def __getattr__(self, name):
        attr = getattr(self._client, name)
        if not callable(attr):
            return attr

        def call(*args, **kwargs):
            self._world.api_call()
            if self._down():
                raise EndpointConnectionError(endpoint_url=f"https://{name}.example/")
            result = attr(*args, **kwargs)
            if name in ("set_alarm_state", "change_resource_record_sets"):
                self._world.after_control_call(name, kwargs)
            return result
        return call


class Context:
    def __init__(self, world, timeout, request_id):
        self.world = world
        self.deadline = world.clock.now + timeout
        self.aws_request_id = request_id

    def get_remaining_time_in_millis(self):
        return int((self.deadline - self.world.clock.now) * 1000)
