"""drsynth failover function (AWS Lambda, Python 3.12, handler ``index.handler``).

Runs in the DR region (no VPC).  Two decisions, two signals:

* DNS (reversible, fast) is not decided here: the primary record's Route 53
  health check follows the probe alarms of both regions.
* Promotion (irreversible) happens only when the system is armed (the probe
  reported K consecutive healthy minutes since deploy or re-arming), the hold
  alarm says the primary has been unhealthy for the hold time, the primary's
  own region does not see it healthy, and the primary region's RDS API is
  unreachable or reports a state that will not recover by itself.  An
  operator's ``force`` skips the signals, nothing else.

Before promoting, the old primary is fenced (a CloudWatch alarm its calculated
health check depends on), so that it is never routed to again automatically;
the failed-over state is sticky, and a scheduled ``reconcile`` retries the
promotion through transient replica states until its deadline and the weight
flip until the records match.  Idempotent; one SSM lock serializes runs.
See runtime/README.md.
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import failover_state as st  # noqa: E402  (the module next to this file)
import failover_run as fr  # noqa: E402  (shared with runtime/aurora_failover)

SAFETY_MARGIN_SECONDS = 20.0
MAX_BACKOFF_SECONDS = 16.0
ACTIONS = ("failover", "status", "reconcile", "failback")

# RDS states in which the primary comes back by itself (or an operator is at
# work): a connectivity failure during them is no reason to promote.
RECOVERING = ("available", "backing-up", "configuring-enhanced-monitoring", "configuring-iam-database-auth",
              "configuring-log-exports", "converting-to-vpc", "creating", "maintenance", "modifying",
              "moving-to-vpc", "rebooting", "renaming", "resetting-master-credentials", "starting",
              "storage-optimization", "upgrading", "inaccessible-encryption-credentials-recoverable",
              "storage-config-upgrade")
# States of the replica in which RDS refuses PromoteReadReplica for a while.
TRANSIENT_REPLICA = ("backing-up", "modifying", "rebooting", "maintenance", "upgrading", "storage-optimization",
                     "renaming", "resetting-master-credentials", "starting", "creating")

_sleep = time.sleep  # replaceable in tests and the simulator


def _client(session, service, region, config):
    """Client factory (replaced in tests to simulate an unreachable region)."""
    return session.client(service, region_name=region, config=config)


class Settings:
    def __init__(self, env):
        self.primary_id = env.get("PRIMARY_INSTANCE_ID", "")
        self.primary_region = env.get("PRIMARY_REGION", "")
        self.replica_id = env.get("REPLICA_INSTANCE_ID", "")
        self.replica_region = env.get("REPLICA_REGION") or env.get("AWS_REGION", "")
        self.zone_id = env.get("HOSTED_ZONE_ID", "")
        self.record_name = env.get("RECORD_NAME", "")
        self.ttl = int(env.get("RECORD_TTL", "60") or "60")
        self.primary_set = env.get("PRIMARY_SET_IDENTIFIER", "")
        self.replica_set = env.get("REPLICA_SET_IDENTIFIER", "")
        self.primary_endpoint = env.get("PRIMARY_ENDPOINT", "")
        self.replica_endpoint = env.get("REPLICA_ENDPOINT", "")
        self.primary_health_check = env.get("PRIMARY_HEALTH_CHECK_ID", "")
        self.replica_health_check = env.get("REPLICA_HEALTH_CHECK_ID", "")
        self.topic_arn = env.get("TOPIC_ARN", "")
        self.hold_alarm = env.get("HOLD_ALARM_NAME", "")
        self.primary_view_alarm = env.get("PRIMARY_VIEW_ALARM_NAME", "")
        self.fence_alarm = env.get("FENCE_ALARM_NAME", "")
        self.backup_retention = int(env.get("BACKUP_RETENTION_DAYS", "7") or "7")
        self.lock_parameter = env.get("LOCK_PARAMETER", "")
        self.state_parameter = env.get("STATE_PARAMETER", "")
        self.arm_after = int(env.get("ARM_AFTER_HEALTHY_DATAPOINTS", "5") or "5")
        self.promotion_deadline = float(env.get("PROMOTION_DEADLINE_SECONDS", "1800") or "1800")
        self.metric_namespace = env.get("METRIC_NAMESPACE", "drsynth")
        self.metric_dimension_name = env.get("METRIC_DIMENSION_NAME", "System")
        self.metric_dimension_value = env.get("METRIC_DIMENSION_VALUE", "")
        # CloudFormation cannot set a replica's backup window: the reconcile does.
        self.replica_backup_window = env.get("REPLICA_BACKUP_WINDOW", "")
        missing = [name for name, value in (
            ("PRIMARY_INSTANCE_ID", self.primary_id), ("PRIMARY_REGION", self.primary_region),
            ("REPLICA_INSTANCE_ID", self.replica_id), ("REPLICA_REGION", self.replica_region),
            ("HOSTED_ZONE_ID", self.zone_id), ("RECORD_NAME", self.record_name),
            ("PRIMARY_SET_IDENTIFIER", self.primary_set), ("REPLICA_SET_IDENTIFIER", self.replica_set),
            ("PRIMARY_ENDPOINT", self.primary_endpoint), ("REPLICA_ENDPOINT", self.replica_endpoint),
            ("HOLD_ALARM_NAME", self.hold_alarm), ("LOCK_PARAMETER", self.lock_parameter),
            ("STATE_PARAMETER", self.state_parameter), ("METRIC_DIMENSION_VALUE", self.metric_dimension_value),
        ) if not value]
        if missing:
            raise ValueError("missing environment variables: " + ", ".join(missing))
        if self.arm_after < 1:
            raise ValueError("ARM_AFTER_HEALTHY_DATAPOINTS must be >= 1")


def parse_event(event):
    """Return (action, trigger, trigger_state, options)."""
    return fr.parse_event(event, ACTIONS)


class Run(fr.RunBase):
    def __init__(self, settings, context=None):
        super().__init__(settings, context, {
            "decision": None, "reason": None, "state": None, "promoted": False, "flipped": False, "fenced": None,
            "replica_status": None, "primary_status": None, "hold_alarm": None, "primary_view": None,
            "is_replica": None, "weights": None})

    # -- helpers ---------------------------------------------------------------
    def home_region(self):
        return self.s.replica_region

    def make_client(self, service, region, config):
        return _client(self.session, service, region, config)

    def records(self):
        return st.Records(self.client("route53", "us-east-1", st.ROUTE53_CONFIG), self.s)

    def fence(self):
        return st.Fence(self.local("cloudwatch"), self.s)

    # -- observations ----------------------------------------------------------
    def primary_status(self):
        try:
            rds = self.client("rds", self.s.primary_region, st.PRIMARY_CONFIG)
            status = rds.describe_db_instances(DBInstanceIdentifier=self.s.primary_id)["DBInstances"][0].get(
                "DBInstanceStatus", "unknown")
        except st.AWS_ERRORS as exc:
            status = "not_found" if st.error_code(exc) == "DBInstanceNotFound" else "unreachable"
            self.error("describe_primary", exc)
        self.summary["primary_status"] = status
        return status

    def replica(self):
        db = self.local("rds").describe_db_instances(DBInstanceIdentifier=self.s.replica_id)["DBInstances"][0]
        self.summary["replica_status"] = db.get("DBInstanceStatus")
        self.summary["is_replica"] = bool(db.get("ReadReplicaSourceDBInstanceIdentifier"))
        return db

    # -- the decision ----------------------------------------------------------
    def signals(self):
        """None when both signals say the primary is lost; else why not."""
        hold = self.alarm(self.s.hold_alarm, self.s.replica_region, st.LOCAL_CONFIG, "hold_alarm")
        if hold != "ALARM":
            return f"hold alarm {self.s.hold_alarm} is {hold}: the primary has not been unhealthy for the hold time"
        if self.s.primary_view_alarm:
            view = self.alarm(self.s.primary_view_alarm, self.s.primary_region, st.PRIMARY_CONFIG, "primary_view")
            if view == "OK":
                return ("the primary region's own probe sees the primary healthy: a partition between the "
                        "regions, not a failure")
        status = self.primary_status()
        if status in RECOVERING:
            return (f"RDS in {self.s.primary_region} reports the primary {status}: it recovers by itself "
                    "(Multi-AZ failover, reboot, maintenance); DNS follows the health check meanwhile")
        return None

    def evaluate(self, force, state):
        if state["state"] in (st.FAILED_OVER, st.PROMOTING, st.PROMOTION_FAILED) and not force:
            return None  # the caller continues the failed-over path
        if not force:
            if state["state"] != st.ARMED:
                return self.decide("not_armed", f"the system is {state['state']}: no promotion until the probe has "
                                   f"reported {self.s.arm_after} consecutive healthy minutes")
            why_not = self.signals()
            if why_not:
                return self.decide("no_promotion", why_not)
        return None

    # -- actions ---------------------------------------------------------------
    def flip(self, to_replica=True):
        """UPSERT the weights (with health checks) until they match or time runs short."""
        weights = (0, 100) if to_replica else (100, 0)
        delay, attempt, last = 1.0, 0, None
        while True:
            attempt += 1
            try:
                records = self.records()
                if records.match(*weights):
                    self.summary["flipped"] = True
                    self.summary["weights"] = {self.s.primary_set: weights[0], self.s.replica_set: weights[1]}
                    return True
                change = records.upsert(*weights, f"drsynth {self.request_id}")
                st.log("flip", result="ok", attempt=attempt, change_id=change, weights=weights)
                self.summary["flipped"] = True
                self.summary["weights"] = {self.s.primary_set: weights[0], self.s.replica_set: weights[1]}
                return True
            except st.AWS_ERRORS as exc:
                last = exc
                st.log("flip", result="error", attempt=attempt, error=f"{type(exc).__name__}: {exc}")
            call = st.ROUTE53_CONFIG.connect_timeout + st.ROUTE53_CONFIG.read_timeout
            if self.remaining() - delay - call < SAFETY_MARGIN_SECONDS:
                break
            _sleep(delay)
            delay = min(delay * 2, MAX_BACKOFF_SECONDS)
        self.summary["flipped"] = False
        self.summary["flip_attempts"] = attempt
        self.error("flip", last)
        return False

    def promote(self, deadline):
        """PromoteReadReplica, retried through transient replica states.
        Returns 'promoted', 'pending' (time ran short, the reconcile goes on)
        or 'failed' (deadline passed or a permanent refusal)."""
        rds = self.local("rds")
        delay = 5.0
        while True:
            try:
                db = self.replica()
                if not db.get("ReadReplicaSourceDBInstanceIdentifier"):
                    st.log("promote", result="already_promoted", replica_status=db.get("DBInstanceStatus"))
                    return "promoted"
                rds.promote_read_replica(DBInstanceIdentifier=self.s.replica_id,
                                         BackupRetentionPeriod=self.s.backup_retention)
                st.log("promote", result="requested", replica=self.s.replica_id)
                self.summary["promoted"] = True
                return "promoted"
            except st.AWS_ERRORS as exc:
                code = st.error_code(exc)
                status = self.summary.get("replica_status")
                st.log("promote", result="refused", code=code, replica_status=status, error=str(exc))
                if code not in ("InvalidDBInstanceState", "Throttling", "") and not code.startswith("Internal"):
                    self.error("promote_read_replica", exc)
                    return "failed"
                self.summary["promote_refusals"] = self.summary.get("promote_refusals", 0) + 1
            if st.now() >= deadline:
                self.summary["errors"].append("promotion deadline passed; replica status "
                                              f"{self.summary.get('replica_status')}")
                return "failed"
            if self.remaining() - delay < SAFETY_MARGIN_SECONDS + 15:
                return "pending"
            _sleep(delay)
            delay = min(delay * 2, 30.0)

    def fence_and_promote(self, store, state, force):
        """Under the lock: fence, promote (or keep trying), flip."""
        s = self.summary
        if state["state"] in (st.ARMED, st.UNARMED) or force and state["state"] == st.PROMOTION_FAILED:
            deadline = st.now() + self.s.promotion_deadline
            state = store.write(st.PROMOTING, deadline=deadline, forced=force, request_id=self.request_id)
        s["state"] = state["state"]
        # Fence first: from here on the old primary is never routed to again,
        # whatever happens to the promotion or the flip.
        try:
            self.fence().set(True, f"drsynth failover {self.request_id}: old primary fenced")
            s["fenced"] = True
        except st.AWS_ERRORS as exc:
            self.error("fence", exc)
        if state["state"] == st.PROMOTING:
            outcome = self.promote(float(state.get("deadline") or 0))
            if outcome == "pending":
                self.flip()  # DNS to the replica meanwhile (reads); writes after promotion
                return self.decide("promoting", "promotion refused for now (replica status "
                                   f"{s['replica_status']}); the reconcile schedule retries until the deadline")
            if outcome == "failed":
                store.write(st.PROMOTION_FAILED, replica_status=s["replica_status"], errors=s["errors"][-3:])
                s["state"] = st.PROMOTION_FAILED
                return self.decide("promotion_failed", "PromoteReadReplica did not succeed before the deadline "
                                   "or was refused for good: operator action needed (runbook)")
            state = store.write(st.FAILED_OVER, promoted_by=self.request_id, forced=force)
            s["state"] = st.FAILED_OVER
            flipped = self.flip()
            return self.decide("promoted", "replica promoted, old primary fenced; weights " +
                               ("flipped" if flipped else "NOT flipped yet (the reconcile schedule retries)"))
        return None

    # -- flows -----------------------------------------------------------------
    def failover(self, trigger_state, options, reconcile=False):
        force = options.get("force", False)
        if trigger_state is not None and trigger_state != "ALARM":
            return self.decide("no_action", f"trigger state is {trigger_state}, not ALARM")
        store = self.store()
        state = store.read()
        self.summary["state"] = state["state"]
        if reconcile:
            if state["state"] in (st.UNARMED, st.ARMED):
                self.ensure_backup_window()
            if state["state"] == st.UNARMED:
                return self.rearm_check(store)
            if state["state"] == st.ARMED:
                hold = self.alarm(self.s.hold_alarm, self.s.replica_region, st.LOCAL_CONFIG, "hold_alarm")
                if hold != "ALARM":
                    return self.decide("no_action", "armed; hold alarm " + hold, quiet=True)
        if state["state"] == st.PROMOTION_FAILED and not force:
            return self.decide("promotion_failed", "an earlier promotion failed: operator action needed", quiet=True)
        decided = self.evaluate(force, state)
        if decided:
            self.quiet = reconcile  # the alarm's own invocation already paged
            return decided
        lock = st.Lock(self.local("ssm"), self.s.lock_parameter, self.request_id)
        if not lock.acquire():
            return self.decide("in_progress", "another invocation holds the failover lock", quiet=reconcile)
        try:
            state = store.read()  # under the lock: a concurrent run may have moved on
            self.summary["state"] = state["state"]
            if state["state"] == st.FAILED_OVER:
                return self.keep_failed_over(reconcile)
            decided = self.evaluate(force, state)
            if decided:
                return decided
            return self.fence_and_promote(store, state, force)
        finally:
            try:
                lock.release()
            except st.AWS_ERRORS as exc:
                self.error("release_lock", exc)

    def keep_failed_over(self, reconcile):
        """Sticky: the fence stays, the records are made to match the promoted state."""
        try:
            self.fence().set(True, "drsynth: failed over, old primary stays fenced")
            self.summary["fenced"] = True
        except st.AWS_ERRORS as exc:
            self.error("fence", exc)
        try:
            if self.records().match(0, 100):
                self.summary["flipped"] = True
                self.summary["weights"] = {self.s.primary_set: 0, self.s.replica_set: 100}
                return self.decide("failed_over", "failed over; records match", quiet=reconcile)
        except st.AWS_ERRORS as exc:
            self.error("read_records", exc)
        flipped = self.flip()
        return self.decide("flipped" if flipped else "flip_pending",
                           "failed over; weights " + ("flipped now" if flipped else "still NOT flipped (retrying)"))

    def ensure_backup_window(self):
        """RDS refuses to promote a replica while it is backing-up: keep its
        backup window where the operator put it (deliberately, away from the
        primary's)."""
        if not self.s.replica_backup_window:
            return
        try:
            db = self.replica()
            if db.get("PreferredBackupWindow") not in (None, self.s.replica_backup_window) and \
                    db.get("DBInstanceStatus") == "available":
                self.local("rds").modify_db_instance(DBInstanceIdentifier=self.s.replica_id, ApplyImmediately=True,
                                                     PreferredBackupWindow=self.s.replica_backup_window)
                st.log("backup_window", replica=self.s.replica_id, was=db.get("PreferredBackupWindow"),
                       now=self.s.replica_backup_window)
                self.summary["backup_window_set"] = self.s.replica_backup_window
        except st.AWS_ERRORS as exc:
            self.error("backup_window", exc)

    def rearm_check(self, store):
        streak = st.healthy_streak(self.local("cloudwatch"), self.s, self.s.arm_after)
        self.summary["healthy_streak"] = streak
        if streak < self.s.arm_after:
            return self.decide("not_armed", f"{streak} of {self.s.arm_after} consecutive healthy minutes", quiet=True)
        lock = st.Lock(self.local("ssm"), self.s.lock_parameter, self.request_id)
        if not lock.acquire():
            return self.decide("in_progress", "another invocation holds the failover lock", quiet=True)
        try:
            if store.read()["state"] != st.UNARMED:
                return self.decide("no_action", "state changed concurrently", quiet=True)
            store.write(st.ARMED, healthy_streak=streak)
            self.summary["state"] = st.ARMED
            return self.decide("armed", f"the probe reported {streak} consecutive healthy minutes: promotion armed")
        finally:
            lock.release()

    def failback(self, options):
        """Operator, after the runbook: the primary is a writable primary again
        and the DR instance replicates from it.  Refused otherwise."""
        if options.get("confirm") != self.s.replica_id:
            return self.decide("refused", f"failback needs \"confirm\": \"{self.s.replica_id}\"")
        primary = self.primary_status()
        dr_writable = True
        try:
            db = self.replica()
            # The promoted instance must be a replica again, or out of service
            # (stopped or being deleted after its final snapshot).
            dr_writable = not db.get("ReadReplicaSourceDBInstanceIdentifier") and \
                db.get("DBInstanceStatus") not in ("stopped", "stopping", "deleting")
        except st.AWS_ERRORS as exc:
            if st.error_code(exc) != "DBInstanceNotFound":
                self.error("describe_replica", exc)
                return self.decide("refused", "cannot describe the DR instance")
            dr_writable = False
        if primary != "available" or dr_writable:
            return self.decide("refused", f"primary is {primary} and the DR instance is "
                               f"{'WRITABLE' if dr_writable else 'out of service or a replica'}: failing back now "
                               "could route to two writable databases (finish the runbook first)")
        lock = st.Lock(self.local("ssm"), self.s.lock_parameter, self.request_id)
        if not lock.acquire():
            return self.decide("in_progress", "another invocation holds the failover lock")
        try:
            if not self.flip(to_replica=False):
                return self.decide("failed", "could not set the weights back; nothing else changed")
            self.fence().set(False, f"drsynth failback {self.request_id}")
            self.summary["fenced"] = False
            self.store().write(st.UNARMED, failback_by=self.request_id)
            self.summary["state"] = st.UNARMED
            return self.decide("failed_back", "weights primary 100 / replica 0, fence lifted; re-arms after "
                               f"{self.s.arm_after} consecutive healthy minutes")
        finally:
            lock.release()

    def status(self):
        self.decide("status", "read only")
        try:
            self.summary["state"] = self.store().read()["state"]
        except st.AWS_ERRORS as exc:
            self.error("read_state", exc)
        self.alarm(self.s.hold_alarm, self.s.replica_region, st.LOCAL_CONFIG, "hold_alarm")
        self.primary_status()
        try:
            self.summary["replica_source"] = self.replica().get("ReadReplicaSourceDBInstanceIdentifier")
        except st.AWS_ERRORS as exc:
            self.error("describe_replica", exc)
        try:
            self.summary["weights"] = {k: v["weight"] for k, v in self.records().read().items()}
        except st.AWS_ERRORS as exc:
            self.error("list_resource_record_sets", exc)
        try:
            self.summary["fenced"] = self.fence().is_set()
        except st.AWS_ERRORS as exc:
            self.error("fence_state", exc)
        return self.summary

    def notify(self):
        s = self.summary
        if not self.s.topic_arn or self.quiet:
            return
        subject = f"drsynth failover {s['decision']}: {self.s.replica_id}"[:100]
        message = json.dumps({"source": "drsynth-failover", "time": st.iso(st.now()), "replica": self.s.replica_id,
                              "primary": self.s.primary_id, **s}, default=str, indent=2)
        region = self.s.topic_arn.split(":")[3] if self.s.topic_arn.count(":") >= 5 else self.s.replica_region
        try:
            self.client("sns", region).publish(TopicArn=self.s.topic_arn, Subject=subject, Message=message)
            s["notified"] = True
            st.log("notify", decision=s["decision"], topic=self.s.topic_arn)
        except st.AWS_ERRORS as exc:
            st.log("error", where="sns_publish", error=f"{type(exc).__name__}: {exc}")
            s.setdefault("notify_errors", []).append(f"{type(exc).__name__}: {exc}")


def handler(event, context=None):
    action, trigger, trigger_state, options = parse_event(event)
    try:
        settings = Settings(os.environ)
    except ValueError as exc:
        summary = {"decision": "failed", "reason": str(exc), "promoted": False, "flipped": False, "errors": [str(exc)]}
        st.log("summary", **summary)
        return summary
    run = Run(settings, context)
    run.summary.update({"action": action, "trigger": trigger, "trigger_state": trigger_state,
                        "force": options.get("force", False)})
    st.log("start", action=action, trigger=trigger, trigger_state=trigger_state, force=options.get("force", False))
    if action == "status":
        summary = run.status()
        st.log("summary", **summary)
        return summary
    try:
        if action is None:
            run.decide("no_action", "unrecognised event")
        elif action == "failback":
            run.failback(options)
        else:
            run.failover(trigger_state, options, reconcile=action == "reconcile")
    except Exception as exc:  # noqa: BLE001 - always report
        run.error("unexpected", exc)
        run.decide("failed", "unexpected error")
    run.notify()
    st.log("summary", **run.summary)
    return run.summary
