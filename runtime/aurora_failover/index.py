"""drsynth Aurora Global Database failover function (AWS Lambda, Python 3.12,
handler ``index.handler``; files: index.py, aurora_global.py, aurora_steps.py,
aurora_operator.py, failover_state.py shared with runtime/failover).

One code, deployed in both regions.  Each deployment has a LOCAL cluster (its
region's member of the global cluster) and a REMOTE one; the probe of each
region measures "the writer, wherever it is" (it tries both cluster endpoints).
The hold alarm of a region invokes that region's function.  A cross-region
failover (irreversible: data written after the last replicated change is
lost) happens only when all hold, unless an operator forces it:

* the system is armed (ARM_AFTER_HEALTHY_DATAPOINTS healthy probe minutes since
  deploy or failback; a first deploy never fails over);
* the writer is the REMOTE cluster (a LOCAL writer that is down is Aurora's
  in-region failover or the other region's business) and Aurora is not
  already running a switchover or failover (then the function waits);
* the hold alarm is in ALARM, the REMOTE region's own view alarm is not OK
  (unreachable counts as not OK) and RDS in REMOTE_REGION cannot be reached or
  reports a cluster state that does not recover by itself.

Then, under an SSM lock, with the phase reached kept in an SSM state
parameter (a rerun continues where the previous one stopped): the REMOTE
record is fenced, FailoverGlobalCluster(AllowDataLoss) is requested (the
data-loss window from AuroraGlobalDBRPOLag goes into the notification), and
only when ALLOW_DETACH is "true" and the managed failover is refused (not
throttled) within the detection budget, RemoveFromGlobalCluster detaches the
LOCAL cluster.  The function waits for a writer in LOCAL_REGION until
PROMOTION_DEADLINE_SECONDS (the reconcile continues), flips the weighted
records (best effort) and notifies.  Operator actions: status, switchover,
failover with force, reconcile, failback.

Environment (all strings; see runtime/README.md): GLOBAL_CLUSTER_ID,
LOCAL_REGION (default AWS_REGION), LOCAL_CLUSTER_ID, LOCAL_CLUSTER_ARN,
REMOTE_REGION, REMOTE_CLUSTER_ID, REMOTE_CLUSTER_ARN, HOSTED_ZONE_ID,
RECORD_NAME, RECORD_TTL, LOCAL_SET_IDENTIFIER, REMOTE_SET_IDENTIFIER,
LOCAL_ENDPOINT, REMOTE_ENDPOINT, LOCAL_HEALTH_CHECK_ID, REMOTE_HEALTH_CHECK_ID,
TOPIC_ARN, HOLD_ALARM_NAME, REMOTE_VIEW_ALARM_NAME, LOCAL_FENCE_ALARM_NAME,
REMOTE_FENCE_ALARM_NAME, FENCE_REGION, LOCK_PARAMETER, STATE_PARAMETER,
ARM_AFTER_HEALTHY_DATAPOINTS, METRIC_NAMESPACE, METRIC_DIMENSION_NAME,
METRIC_DIMENSION_VALUE, PROMOTION_DEADLINE_SECONDS, DETECTION_BUDGET_SECONDS,
ALLOW_DETACH.
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import failover_state as st  # noqa: E402  (shared with runtime/failover)
import failover_run as fr  # noqa: E402  (shared with runtime/failover)
import aurora_global as ag  # noqa: E402
from aurora_operator import OperatorActions  # noqa: E402
from aurora_steps import FailoverSteps  # noqa: E402

SAFETY_MARGIN_SECONDS = ag.SAFETY_MARGIN_SECONDS
POLL_SECONDS = ag.POLL_SECONDS
ACTIONS = ("failover", "status", "reconcile", "failback", "switchover")

_sleep = time.sleep  # replaceable in tests and the simulator


def _client(session, service, region, config):
    """Client factory (replaced in tests to simulate an unreachable region)."""
    return session.client(service, region_name=region, config=config)


class Settings:
    def __init__(self, env):
        get = lambda name, default="": env.get(name, default) or default  # noqa: E731
        self.global_cluster_id = get("GLOBAL_CLUSTER_ID")
        self.local_region = get("LOCAL_REGION") or get("AWS_REGION")
        self.local_cluster_id, self.local_cluster_arn = get("LOCAL_CLUSTER_ID"), get("LOCAL_CLUSTER_ARN")
        self.remote_region = get("REMOTE_REGION")
        self.remote_cluster_id, self.remote_cluster_arn = get("REMOTE_CLUSTER_ID"), get("REMOTE_CLUSTER_ARN")
        self.zone_id, self.record_name = get("HOSTED_ZONE_ID"), get("RECORD_NAME")
        self.ttl = int(get("RECORD_TTL", "60"))
        self.local_set, self.remote_set = get("LOCAL_SET_IDENTIFIER"), get("REMOTE_SET_IDENTIFIER")
        self.local_endpoint, self.remote_endpoint = get("LOCAL_ENDPOINT"), get("REMOTE_ENDPOINT")
        self.local_health_check = get("LOCAL_HEALTH_CHECK_ID")
        self.remote_health_check = get("REMOTE_HEALTH_CHECK_ID")
        self.topic_arn = get("TOPIC_ARN")
        self.hold_alarm, self.remote_view_alarm = get("HOLD_ALARM_NAME"), get("REMOTE_VIEW_ALARM_NAME")
        self.local_fence_alarm = get("LOCAL_FENCE_ALARM_NAME")
        self.remote_fence_alarm = get("REMOTE_FENCE_ALARM_NAME")
        self.fence_region = get("FENCE_REGION") or self.local_region
        self.lock_parameter, self.state_parameter = get("LOCK_PARAMETER"), get("STATE_PARAMETER")
        self.arm_after = int(get("ARM_AFTER_HEALTHY_DATAPOINTS", "5"))
        self.metric_namespace = get("METRIC_NAMESPACE", "drsynth")
        self.metric_dimension_name = get("METRIC_DIMENSION_NAME", "System")
        self.metric_dimension_value = get("METRIC_DIMENSION_VALUE")
        self.promotion_deadline = float(get("PROMOTION_DEADLINE_SECONDS", "1800"))
        self.detection_budget = float(get("DETECTION_BUDGET_SECONDS", "60"))
        self.allow_detach = get("ALLOW_DETACH", "false").strip().lower() == "true"
        missing = [name for name, value in (
            ("GLOBAL_CLUSTER_ID", self.global_cluster_id), ("LOCAL_REGION", self.local_region),
            ("LOCAL_CLUSTER_ID", self.local_cluster_id), ("LOCAL_CLUSTER_ARN", self.local_cluster_arn),
            ("REMOTE_REGION", self.remote_region), ("REMOTE_CLUSTER_ID", self.remote_cluster_id),
            ("REMOTE_CLUSTER_ARN", self.remote_cluster_arn), ("HOSTED_ZONE_ID", self.zone_id),
            ("RECORD_NAME", self.record_name), ("LOCAL_SET_IDENTIFIER", self.local_set),
            ("REMOTE_SET_IDENTIFIER", self.remote_set), ("LOCAL_ENDPOINT", self.local_endpoint),
            ("REMOTE_ENDPOINT", self.remote_endpoint), ("HOLD_ALARM_NAME", self.hold_alarm),
            ("REMOTE_VIEW_ALARM_NAME", self.remote_view_alarm), ("LOCAL_FENCE_ALARM_NAME", self.local_fence_alarm),
            ("REMOTE_FENCE_ALARM_NAME", self.remote_fence_alarm), ("LOCK_PARAMETER", self.lock_parameter),
            ("STATE_PARAMETER", self.state_parameter), ("METRIC_DIMENSION_VALUE", self.metric_dimension_value),
        ) if not value]
        if missing:
            raise ValueError("missing environment variables: " + ", ".join(missing))
        if self.arm_after < 1:
            raise ValueError("ARM_AFTER_HEALTHY_DATAPOINTS must be >= 1")
        if self.local_region == self.remote_region or self.local_cluster_arn == self.remote_cluster_arn:
            raise ValueError("LOCAL and REMOTE must be different regions and clusters")


def parse_event(event):
    """Return (action, trigger, trigger_state, options)."""
    return fr.parse_event(event, ACTIONS)


class Run(FailoverSteps, OperatorActions, fr.RunBase):
    def __init__(self, settings, context=None):
        super().__init__(settings, context, {
            "decision": None, "reason": None, "state": None, "writer": None, "fenced": None,
            "failover_requested": False, "detached": False, "flipped": False, "hold_alarm": None,
            "remote_view": None, "remote_status": None, "local_status": None, "weights": None})

    # -- helpers ---------------------------------------------------------------
    def home_region(self):
        return self.s.local_region

    def make_client(self, service, region, config):
        return _client(self.session, service, region, config)

    def pause(self, seconds):
        _sleep(seconds)

    def lock(self):
        return st.Lock(self.local("ssm"), self.s.lock_parameter, self.request_id)

    def records(self):
        return st.Records(self.client("route53", "us-east-1", st.ROUTE53_CONFIG), ag.records_view(self.s))

    def fence(self, which):
        alarm, set_id = ((self.s.remote_fence_alarm, self.s.remote_set) if which == "remote"
                         else (self.s.local_fence_alarm, self.s.local_set))
        config = st.LOCAL_CONFIG if self.s.fence_region == self.s.local_region else st.PRIMARY_CONFIG
        return st.Fence(self.client("cloudwatch", self.s.fence_region, config), ag.fence_view(self.s, alarm, set_id))

    def set_remote_fence(self, fenced, reason):
        try:
            self.fence("remote").set(fenced, reason)
            self.summary["fenced"] = fenced
        except st.AWS_ERRORS as exc:
            self.error("fence", exc)

    # -- observations ----------------------------------------------------------
    def global_view(self):
        gv = ag.describe_global(self.local("rds"), self.s.global_cluster_id)
        self.summary["global"] = gv.summary()
        self.summary["writer"] = ("local" if gv.is_writer(self.s.local_cluster_arn) else
                                  "remote" if gv.is_writer(self.s.remote_cluster_arn) else gv.writer)
        return gv

    def cluster(self, where):
        """Status of the LOCAL or REMOTE cluster; 'unreachable' when its region's API does not answer."""
        region, cluster_id, config = ((self.s.local_region, self.s.local_cluster_id, st.LOCAL_CONFIG)
                                      if where == "local" else
                                      (self.s.remote_region, self.s.remote_cluster_id, st.PRIMARY_CONFIG))
        try:
            info = ag.describe_cluster(self.client("rds", region, config), cluster_id)
        except st.AWS_ERRORS as exc:
            self.error(f"describe_db_clusters {cluster_id}", exc)
            info = {"status": "unreachable", "has_writer": False, "global": None}
        self.summary[f"{where}_status"] = info["status"]
        return info

    # -- the decision ----------------------------------------------------------
    def signals(self):
        """None when both signals say the remote writer is lost; else why not."""
        hold = self.alarm(self.s.hold_alarm, self.s.local_region, st.LOCAL_CONFIG, "hold_alarm")
        if hold != "ALARM":
            return f"hold alarm {self.s.hold_alarm} is {hold}: the writer has not been unhealthy for the hold time"
        view = self.alarm(self.s.remote_view_alarm, self.s.remote_region, st.PRIMARY_CONFIG, "remote_view")
        if view == "OK":
            return (f"{self.s.remote_region}'s own probe sees the writer healthy: a partition between the regions, "
                    "not a lost writer")
        status = self.cluster("remote")["status"]
        if status in ag.RECOVERING:
            return (f"RDS in {self.s.remote_region} reports {self.s.remote_cluster_id} {status}: it recovers by itself "
                    "(Aurora's in-region failover, a reboot, maintenance)")
        return None

    def wait_not_busy(self, gv):
        """Aurora runs a switchover or failover: poll until it ends or time runs short."""
        while gv.busy():
            if self.remaining() - POLL_SECONDS < SAFETY_MARGIN_SECONDS:
                return gv
            self.pause(POLL_SECONDS)
            gv = self.global_view()
        return gv

    def topology(self, gv):
        """A decision when the global cluster leaves this function nothing to do."""
        s = self.s
        if not gv.exists:
            return self.decide("no_failover", f"global cluster {s.global_cluster_id} not found in {s.local_region}: "
                               "operator action (runbook)")
        if not gv.is_member(s.local_cluster_arn):
            return self.decide("no_failover", f"{s.local_cluster_id} is not a member of {s.global_cluster_id} "
                               "(detached?): operator action (runbook)")
        if gv.is_writer(s.local_cluster_arn):
            return self.decide("local_writer", f"the writer is this region's cluster {s.local_cluster_id}: a writer "
                               "down here is Aurora's in-region failover, not a cross-region failover")
        if gv.busy():
            return self.decide("in_progress", f"Aurora is running a {gv.busy()} to {gv.target()}: waiting for it "
                               "(the next run continues)")
        return None

    def evaluate(self, force, state):
        if state["state"] in (st.PROMOTING, st.FAILED_OVER) or force and state["state"] == st.PROMOTION_FAILED:
            return None  # the caller continues the failover path
        if not force and state["state"] != st.ARMED:
            return self.decide("not_armed", f"the system is {state['state']}: no failover until the probe has "
                               f"reported {self.s.arm_after} consecutive healthy minutes")
        try:
            gv = self.wait_not_busy(self.global_view())
        except st.AWS_ERRORS as exc:
            self.error("describe_global_clusters", exc)
            return self.decide("no_failover", f"cannot read the global cluster in {self.s.local_region}")
        decided = self.topology(gv)
        if decided or force:
            return decided
        why_not = self.signals()
        return self.decide("no_failover", why_not) if why_not else None

    # -- actions ---------------------------------------------------------------
    def fence_and_failover(self, store, state, force):
        """Under the lock: fence, request the failover (or detach), wait for the writer, flip."""
        s, cfg = self.summary, self.s
        carry = lambda st_: {k: v for k, v in st_.items() if k not in ("state", "since", "time")}  # noqa: E731
        if state["state"] in (st.ARMED, st.UNARMED, st.PROMOTION_FAILED):
            state = store.write(st.PROMOTING, phase="requesting", method="managed", forced=force,
                                deadline=st.now() + cfg.promotion_deadline, request_id=self.request_id)
        s["state"], s["phase"] = state["state"], state.get("phase")
        # Fence first: from here on DNS never answers with the remote cluster,
        # whatever happens to the failover or the flip.
        self.set_remote_fence(True, f"drsynth aurora failover {self.request_id}: {cfg.remote_set} fenced")
        if state.get("phase") == "requesting":
            try:
                window = ag.data_loss_window(self.local("cloudwatch"), cfg.local_cluster_id)
            except st.AWS_ERRORS as exc:
                self.error("data_loss_window", exc)
                window = {"last_ms": None}
            s["data_loss"], s["data_loss_window"] = window, ag.describe_window(window)
            outcome = self.request_failover()
            elapsed = round(st.now() - self.started, 1)
            if outcome == "accepted":
                s["detection_budget"] = {"failover_requested_after_seconds": elapsed,
                                         "budget_seconds": cfg.detection_budget, "met": elapsed <= cfg.detection_budget}
                state = store.write(st.PROMOTING, **dict(carry(state), phase="failover_requested",
                                                         requested_after_seconds=elapsed,
                                                         data_loss_window=s["data_loss_window"]))
            elif outcome == "refused" and cfg.allow_detach and self.detach():
                state = store.write(st.PROMOTING, **dict(carry(state), phase="detach_requested", method="detach",
                                                         irreversible=True, data_loss_window=s["data_loss_window"]))
            elif st.now() >= float(state.get("deadline") or 0):
                store.write(st.PROMOTION_FAILED, **dict(carry(state), errors=s["errors"][-3:]))
                s["state"] = st.PROMOTION_FAILED
                return self.decide("promotion_failed", "FailoverGlobalCluster not accepted before the deadline: "
                                   "operator action needed (runbook)")
            else:
                detach = ("ALLOW_DETACH is false: no detach" if not cfg.allow_detach else
                          "detach refused too" if outcome == "refused" else "no detach while the API is unavailable")
                return self.decide("failover_pending", f"FailoverGlobalCluster not accepted ({outcome}; {detach}); the "
                                   "reconcile schedule retries until the deadline")
        s["phase"] = state.get("phase")
        outcome = self.wait_for_writer(state)
        if outcome == "pending":
            return self.decide("failing_over", f"{state.get('phase')}: no writer in {cfg.local_region} yet; the "
                               "reconcile schedule continues the wait")
        if outcome == "timeout":
            store.write(st.PROMOTION_FAILED, **dict(carry(state), errors=s["errors"][-3:]))
            s["state"] = st.PROMOTION_FAILED
            return self.decide("promotion_failed", f"no writer in {cfg.local_region} before the deadline: operator "
                               "action needed (runbook)")
        store.write(st.FAILED_OVER, **dict(carry(state), failed_over_by=self.request_id))
        s["state"] = st.FAILED_OVER
        flipped = self.flip()
        how = "detached and promoted (irreversible)" if state.get("method") == "detach" else "managed failover"
        return self.decide("failed_over", f"{how}: {cfg.local_cluster_id} is the writer, {cfg.remote_set} fenced; "
                           "weights " + ("flipped" if flipped else "NOT flipped yet (the reconcile retries)"))

    # -- flows -----------------------------------------------------------------
    def failover(self, trigger_state, options, reconcile=False):
        force = options.get("force", False)
        if trigger_state is not None and trigger_state != "ALARM":
            return self.decide("no_action", f"trigger state is {trigger_state}, not ALARM")
        store = self.store()
        state = store.read()
        self.summary["state"] = state["state"]
        if reconcile and state["state"] in (st.UNARMED, st.ARMED):
            followed = self.follow_writer(reconcile=True)
            if followed:
                return followed
            if state["state"] == st.UNARMED:
                return self.rearm_check(store)
            hold = self.alarm(self.s.hold_alarm, self.s.local_region, st.LOCAL_CONFIG, "hold_alarm")
            if hold != "ALARM":
                return self.decide("no_action", "armed; hold alarm " + hold, quiet=True)
        if state["state"] == st.PROMOTION_FAILED and not force:
            return self.decide("promotion_failed", "an earlier failover failed: operator action needed", quiet=True)
        if state["state"] not in (st.ARMED, st.PROMOTING, st.FAILED_OVER) and not force:
            return self.decide("not_armed", f"the system is {state['state']}: no failover until the probe has "
                               f"reported {self.s.arm_after} consecutive healthy minutes", quiet=reconcile)
        lock = self.lock()
        if not lock.acquire():
            return self.decide("in_progress", "another invocation holds the failover lock", quiet=reconcile)
        try:
            state = store.read()  # under the lock: a concurrent run may have moved on
            self.summary["state"] = state["state"]
            if state["state"] == st.FAILED_OVER:
                return self.keep_failed_over(reconcile)
            decided = self.evaluate(force, state)
            if decided:
                self.quiet = reconcile  # the alarm's own invocation already paged
                return decided
            return self.fence_and_failover(store, state, force)
        finally:
            try:
                lock.release()
            except st.AWS_ERRORS as exc:
                self.error("release_lock", exc)

    def keep_failed_over(self, reconcile):
        """Sticky: the fence stays, the records are made to match the failed-over state."""
        self.set_remote_fence(True, "drsynth aurora: failed over, the remote record stays fenced")
        try:
            if self.records().match(0, 100):
                self.summary["flipped"] = True
                self.summary["weights"] = {self.s.remote_set: 0, self.s.local_set: 100}
                return self.decide("failed_over", "failed over; records match", quiet=reconcile)
        except st.AWS_ERRORS as exc:
            self.error("read_records", exc)
        flipped = self.flip()
        return self.decide("flipped" if flipped else "flip_pending",
                           "failed over; weights " + ("flipped now" if flipped else "still NOT flipped (retrying)"),
                           quiet=reconcile and not flipped)

    def notify(self):
        s = self.summary
        if not self.s.topic_arn or self.quiet:
            return
        subject = f"drsynth aurora failover {s['decision']}: {self.s.local_cluster_id}"[:100]
        message = json.dumps({"source": "drsynth-aurora-failover", "time": st.iso(st.now()),
                              "region": self.s.local_region, "local_cluster": self.s.local_cluster_id,
                              "remote_cluster": self.s.remote_cluster_id, "global_cluster": self.s.global_cluster_id,
                              **s}, default=str, indent=2)
        region = self.s.topic_arn.split(":")[3] if self.s.topic_arn.count(":") >= 5 else self.s.local_region
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
        summary = {"decision": "failed", "reason": str(exc), "failover_requested": False, "errors": [str(exc)]}
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
        elif action == "switchover":
            run.switchover()
        else:
            run.failover(trigger_state, options, reconcile=action == "reconcile")
    except Exception as exc:  # noqa: BLE001 - always report
        run.error("unexpected", exc)
        run.decide("failed", "unexpected error")
    run.notify()
    st.log("summary", **run.summary)
    return run.summary
