"""The failover function of both DR systems (AWS Lambda, Python 3.12; the
asset's index.py imports ``handler`` from here).  One region's function may
only ever make its own site X the writer, replacing the other site Y.

Events (``parse_event``):

* the hold alarm (CloudWatch invoking Lambda, or its SNS message): the decision;
* any other alarm whose action is this function (e.g. the SNS
  NumberOfNotificationsFailed alarm): ``relay`` to the other region's topic,
  never a failover;
* ``{"action": "reconcile"}`` (the schedule, every minute): arming, the
  decision while the hold alarm is in ALARM, continuing a promotion, keeping
  the records and the fence, confirming a failback;
* operator: ``failover`` (``"force": true`` only as the JSON value true),
  ``approve`` / ``failback`` / ``rearm`` / ``lift_fence`` with ``"confirm": "<LOCAL_DB_ID>"``,
  ``status``, ``switchover`` (Aurora).

Every decision that pages goes to both regions' topics; when neither accepts
it the handler raises (after saving its state) so that Lambda retries the
asynchronous invocation twice and then its dead-letter queue alarm pages
(https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html).
See runtime/README.md and docs/dr-runbook.md.
"""

import json
import os

from . import aws, contract, decision, lease
from . import state as st
from .engines import ACCEPTED, REFUSED, for_name

ACTIONS = ("failover", "reconcile", "status", "failback", "approve", "rearm", "switchover", "lift_fence")
LEASE_PAGES = ("self_fenced", "fence_lifted", "lease_renewed")
SAFETY_MARGIN_SECONDS = 20.0
MAX_FLIP_BACKOFF_SECONDS = 16.0
POLL_SECONDS = 5.0
DEFAULT_BUDGET_SECONDS = 120.0  # without a Lambda context
WITNESS_CHECK_MINUTES = 5  # a reconcile pings the witness every 5th minute: a dead witness pages before it is needed


class NotificationError(RuntimeError):
    """No topic accepted a page: raised so that Lambda retries and the DLQ alarm pages."""


def _alarm_of(event):
    """(alarm name, new state) of a CloudWatch alarm event or its SNS message; None when not one."""
    if event.get("source") == "aws.cloudwatch" and isinstance(event.get("alarmData"), dict):
        data = event["alarmData"]
        return data.get("alarmName") or (event.get("alarmArn") or "").rpartition(":")[2], \
            (data.get("state") or {}).get("value")
    records = event.get("Records")
    if isinstance(records, list) and records and isinstance(records[0], dict) and "Sns" in records[0]:
        try:
            message = json.loads(records[0]["Sns"].get("Message") or "{}")
        except ValueError:
            message = {}
        message = message if isinstance(message, dict) else {}
        return message.get("AlarmName") or "", message.get("NewStateValue")
    return None


def parse_event(event, hold_alarm_name=None):
    """(action, trigger, trigger_state, options).  An alarm event is the
    decision only for the hold alarm (or an alarm event without a name);
    any other alarm is a ``relay``."""
    event = event if isinstance(event, dict) else {}
    action = event.get("action")
    if action in ACTIONS:
        trigger = "schedule" if action == "reconcile" and event.get("source") == "schedule" else "manual"
        # Only the JSON value true forces: "force": "false" typed by hand must not skip the signals.
        return action, trigger, None, {"force": event.get("force") is True, "confirm": event.get("confirm")}
    alarm = _alarm_of(event)
    if alarm is not None:
        name, value = alarm
        kind = "alarm" if event.get("source") == "aws.cloudwatch" else "sns"
        if name and hold_alarm_name and name != hold_alarm_name:
            return "relay", kind, value, {"force": False, "alarm": name, "event": event}
        return "failover", kind, value, {"force": False, "alarm": name}
    return None, "unknown", None, {"force": False}


class Run:
    """One invocation: settings ``s``, the engine part, the clients, the summary."""

    def __init__(self, settings, context, engine_cls):
        self.s = settings
        self.context = context
        self.started = aws.now()
        self.request_id = getattr(context, "aws_request_id", None) or f"local-{int(self.started * 1000)}"
        self.deadline = self.started + self.remaining()
        self.clients = aws.Clients()
        timeout = settings.second_signal_timeout_seconds
        self.remote_cfg = aws.remote(timeout)
        self.witness_cfg = aws.config(timeout, 3 * timeout, 1)
        self.summary = {"decision": None, "reason": None, "engine": settings.engine, "site": settings.local_site,
                        "db": settings.local_db_id, "state": None, "promoted": False, "flipped": None,
                        "fenced": None, "errors": [], "request_id": self.request_id}
        self.quiet = False
        self.must_page = False  # a taken-over lock, a failed fence publication: page even on a quiet run
        self.lock = None
        self.engine = engine_cls(self)

    # -- plumbing ---------------------------------------------------------------
    def local(self, service, cfg=aws.LOCAL):
        return self.clients.get(service, self.s.local_region, cfg)

    def remote(self, service, region=None):
        return self.clients.get(service, region or self.s.remote_region, self.remote_cfg)

    def remaining(self):
        if self.context is not None and hasattr(self.context, "get_remaining_time_in_millis"):
            return self.context.get_remaining_time_in_millis() / 1000.0
        return DEFAULT_BUDGET_SECONDS - (aws.now() - self.started)

    def error(self, step, exc):
        text = f"{step}: {aws.describe(exc)}"
        self.summary["errors"].append(text)
        st.log("error", where=step, error=text)
        return text

    def decide(self, decision_, reason, quiet=False):
        self.summary["decision"], self.summary["reason"] = decision_, reason
        self.quiet = quiet
        return self.summary

    def store(self):
        return st.StateStore(self.local("ssm"), self.s.state_parameter)

    def metrics(self):
        return st.Metrics(self.local("cloudwatch"), self.s)

    def fence(self):
        return st.Fence(self.metrics())

    def records(self):
        return st.Records(self.clients.get("route53", "us-east-1", aws.ROUTE53), self.s)

    def witness(self):
        return st.WitnessClient(self.clients.get("lambda", self.s.witness_region, self.witness_cfg),
                                self.s.witness_function_arn)

    def write_state(self, store, state, **fields):
        value = store.write(state, **fields)
        self.summary["state"] = state
        if self.lock is not None:
            self.lock.progress()
        return value

    def alarm(self, name, key, remote=False):
        """An alarm's state, kept as summary[key] ("UNREACHABLE"/"ERROR" when it cannot be read)."""
        client = self.remote("cloudwatch") if remote else self.local("cloudwatch")
        outcome = aws.attempt(lambda: st.Metrics(client, self.s).alarm_state(name))
        value = outcome.value if outcome.ok else outcome.kind.upper()
        if not outcome.ok:
            self.summary["errors"].append(f"describe_alarms {name}: {outcome.error}")
        self.summary[key] = value
        return value

    # -- the fence, outside the lock, every run ---------------------------------
    def publish_fence(self, state):
        """While promoting, failed over or promotion_failed: Fenced{Y}=1; while
        failing back: Fenced{Y}=0; never both.  Outside the lock, every run, so
        that a run holding the lock (or a dead one) never lets the fence lapse."""
        value = 1 if state in st.FENCING_STATES else 0 if state == st.FAILING_BACK else None
        if value is None:
            return
        try:
            self.fence().publish(value)
            self.summary["fenced"] = bool(value)
        except aws.AWS_ERRORS as exc:
            self.error("fence_publish", exc)
            self.summary["fence_publish_failed"] = True
            self.must_page = True

    # -- records ----------------------------------------------------------------
    def flip(self, writer_site):
        """Weights AND health checks of both records for `writer_site`, retried until they match or time runs short."""
        delay, attempt, last = 1.0, 0, None
        while True:
            attempt += 1
            try:
                records = self.records()
                if not records.matches(writer_site):
                    change = records.designate(writer_site, f"drsynth {self.request_id}: {writer_site} is the writer")
                    st.log("flip", result="ok", attempt=attempt, change_id=change, writer=writer_site)
                self.summary["flipped"] = True
                self.summary["designated"] = writer_site
                return True
            except aws.AWS_ERRORS as exc:
                last = exc
                st.log("flip", result="error", attempt=attempt, error=aws.describe(exc))
            call = aws.ROUTE53.connect_timeout + aws.ROUTE53.read_timeout
            if self.remaining() - delay - call < SAFETY_MARGIN_SECONDS:
                break
            aws.pause(delay)
            delay = min(delay * 2, MAX_FLIP_BACKOFF_SECONDS)
        self.summary["flipped"] = False
        self.summary["flip_attempts"] = attempt
        self.error("flip", last)
        return False

    def both_regions_healthy(self):
        """None when both regions see their writer and nothing is fenced; else why not (switchover)."""
        s = self.s
        fences = {s.remote_site: self.alarm(s.fence_alarm_name, "fence_alarm"),
                  s.local_site: self.alarm(s.remote_fence_alarm_name, "local_fence_alarm", remote=True)
                  if s.remote_fence_alarm_name else "UNKNOWN"}
        hold = self.alarm(s.hold_alarm_name, "hold_alarm")
        view = self.alarm(s.remote_view_alarm_name, "remote_view", remote=True)
        status = self.engine.status()
        local, remote = status["local"]["status"], status["remote"]["status"]
        if set(fences.values()) != {"OK"} or (hold, view, local, remote) != ("OK", "OK", "available", "available"):
            return (f"both regions must be healthy and unfenced: hold alarm {hold}, remote view {view}, local {local}, "
                    f"remote {remote}, fences {fences}")
        return None

    # -- the peer ---------------------------------------------------------------
    def disarm_peer(self):
        """Write `disarmed` into Y's state (Y's region), unless Y is itself
        promoting, failed over or failing back; then make sure Y did not
        disarm X first.  True when X holds the claim."""
        peer = st.StateStore(self.remote("ssm"), self.s.remote_state_parameter)
        try:
            current = peer.read()
            if current["state"] in (st.PROMOTING, st.FAILED_OVER, st.FAILING_BACK):
                self.summary["peer_state"] = current["state"]
                return False
            peer.write(st.DISARMED, by=self.s.local_site, request_id=self.request_id,
                       reason=f"{self.s.local_site} claimed the failover")
            self.summary["peer_disarmed"] = True
        except aws.AWS_ERRORS as exc:
            self.error("disarm_peer", exc)
            return False
        try:
            return self.store().read()["state"] != st.DISARMED
        except aws.AWS_ERRORS as exc:
            self.error("read_state", exc)
            return False

    # -- the flows --------------------------------------------------------------
    def failover(self, trigger_state, options, action):
        """The hold alarm, a reconcile, a manual failover or an approval."""
        reconcile = action == "reconcile"
        force = options.get("force", False)
        if trigger_state is not None and trigger_state != "ALARM":
            return self.decide("no_action", f"trigger state is {trigger_state}, not ALARM")
        store = self.store()
        state = store.read()
        current = state["state"]
        self.summary["state"] = current
        self.publish_fence(current)
        if current == st.CORRUPT:
            return self.decide("state_unreadable", f"the state parameter {self.s.state_parameter} holds "
                               f"{state['raw']!r}: nothing is armed, fenced or flipped (runbook: rearm)")
        if action == "approve":
            if options.get("confirm") != self.s.local_db_id:
                return self.decide("refused", f"approve needs \"confirm\": \"{self.s.local_db_id}\"")
            if current != st.AWAITING_APPROVAL:
                return self.decide("refused", f"the state is {current}: nothing awaits approval")
            hold = self.alarm(self.s.hold_alarm_name, "hold_alarm")
            if hold != "ALARM":
                return self.decide("refused", f"hold alarm {self.s.hold_alarm_name} is {hold}: "
                                   f"{self.s.remote_site} is no longer seen down; nothing to approve")
        elif not force:
            early = self.before_lock(store, state, reconcile)
            if early is not None:
                return early
        return self.under_lock(store, reconcile, lambda locked: self.dispatch(store, locked, force, action, reconcile))

    def before_lock(self, store, state, reconcile):
        """What needs no lock: not armed, disarmed, the hold alarm not in ALARM, arming."""
        current = state["state"]
        if current == st.DISARMED:
            return self.decide("disarmed", f"disarmed by {state.get('by', 'the operator')}: {state.get('reason')}; "
                               "only `rearm` or a failback re-arms", quiet=reconcile)
        if current == st.PROMOTION_FAILED:
            return self.decide("promotion_failed", "an earlier promotion failed: operator action needed (runbook)",
                               quiet=reconcile)
        if current in (st.UNARMED, st.ARMED):
            self.engine.housekeeping()
            if reconcile:
                followed = self.follow_writer()
                if followed is not None:
                    return followed
        if current == st.UNARMED:
            if reconcile:
                return self.arm(store)
            return self.decide("not_armed", f"the system is unarmed: no promotion until X's probe has seen "
                               f"{self.s.remote_site} as a writer {self.s.arm_after_healthy_minutes} consecutive "
                               "minutes and X replicates from it")
        if current in (st.ARMED, st.AWAITING_APPROVAL):
            hold = self.alarm(self.s.hold_alarm_name, "hold_alarm")
            if hold != "ALARM":
                if current == st.AWAITING_APPROVAL:
                    return self.under_lock(store, reconcile, lambda locked: self.withdraw_approval(store, locked))
                return self.decide("no_promotion" if not reconcile else "no_action",
                                   f"hold alarm {self.s.hold_alarm_name} is {hold}: {self.s.remote_site} has not "
                                   "been unhealthy for the hold time", quiet=reconcile)
        return None

    def under_lock(self, store, reconcile, body):
        self.lock = st.Lock(self.local("ssm"), self.s.lock_parameter, self.request_id, self.deadline)
        if not self.lock.acquire():
            holder = self.lock.holder or {}
            self.summary["lock_holder"] = holder
            idle = holder.get("idle_seconds")
            if idle is not None and idle > 2 * self.s.reconcile_interval_seconds:
                return self.decide("lock_stuck", f"the failover lock has made no progress for {idle:.0f} s "
                                   f"(holder {holder.get('request_id')}, deadline {holder.get('deadline')}); it is "
                                   "taken over 30 s after that deadline")
            return self.decide("in_progress", "another invocation holds the failover lock", quiet=reconcile)
        if self.lock.taken_over:
            self.summary["lock_taken_over"] = self.lock.holder
            self.must_page = True
        try:
            return body(store.read())
        finally:
            try:
                self.lock.release()
            except aws.AWS_ERRORS as exc:
                self.error("release_lock", exc)

    def dispatch(self, store, state, force, action, reconcile):
        current = state["state"]
        self.summary["state"] = current
        if current == st.FAILED_OVER:
            return self.keep_failed_over(reconcile)
        if current == st.PROMOTING:
            return self.promote(store, state, reconcile)
        if current == st.FAILING_BACK:
            return self.confirm_failback(store, state, reconcile)
        if current == st.CORRUPT:
            return self.decide("state_unreadable", "the state changed to an unreadable value")
        if current == st.PROMOTION_FAILED and not force:
            return self.decide("promotion_failed", "an earlier promotion failed: operator action needed",
                               quiet=reconcile)
        if current in (st.UNARMED, st.DISARMED) and not force:
            return self.decide("no_action", f"the state changed concurrently to {current}", quiet=reconcile)
        return self.decide_and_claim(store, state, force, action == "approve", reconcile)

    def decide_and_claim(self, store, state, force, approved, reconcile):
        pre = decision.precondition(self, force)
        if pre is not None:
            return self.decide(pre[0], pre[1], quiet=reconcile)
        verdict = None
        if not force:
            verdict, why = decision.direct(self)
            if verdict in (decision.SERVING, decision.RECOVERING, decision.STORAGE_FULL):
                kind = "a partition, not a failure" if verdict == decision.SERVING else verdict
                return self.decide("no_promotion", f"{self.s.remote_site} {why} ({kind}); DNS follows the health "
                                   "checks meanwhile", quiet=reconcile)
        if not force and not approved and verdict != decision.LOST and lease.enabled(self.s):
            # The witness may grant on Y's expired lease; X's lease here must have expired too (lease.py).
            gone, detail = lease.peer_lease_expired(self)
            self.summary["peer_lease"] = detail
            if not gone:
                return self.decide("lease_held", f"{self.s.remote_site} is not confirmed lost and {detail}: no claim "
                                   f"before it expires ({self.s.remote_site} fences itself first)", quiet=reconcile)
        outcome, how = decision.claim(self, verdict, approved=approved, forced=force)
        if outcome == decision.REFUSED:
            self.write_state(store, st.DISARMED, by="witness", reason=how)
            return self.decide("disarmed", how)
        if outcome == decision.NO_PROMOTION:
            return self.decide("no_promotion", how, quiet=reconcile)
        if outcome == decision.APPROVAL:
            already = state["state"] == st.AWAITING_APPROVAL
            if not already:
                self.write_state(store, st.AWAITING_APPROVAL, **st.carry(state, awaiting_since=aws.now(), why=how))
            command = json.dumps({"action": "approve", "confirm": self.s.local_db_id})
            self.summary["approve_command"] = (f"aws lambda invoke --region {self.s.local_region} --function-name "
                                               f"<this function> --cli-binary-format raw-in-base64-out --payload "
                                               f"'{command}' /dev/stdout")
            return self.decide("awaiting_approval", f"{how} (direct: {self.summary.get('direct', {}).get('reason')}); "
                               f"DNS moves by itself; promote with {command}", quiet=reconcile and already)
        promoting = self.write_state(store, st.PROMOTING, phase="fencing", claim=how, forced=force,
                                     deadline=aws.now() + self.s.promotion_deadline_seconds,
                                     claimed_at=aws.now(), request_id=self.request_id,
                                     rpo=(self.summary.get("rpo") or {}).get("seconds"))
        return self.promote(store, promoting, reconcile)

    def promote(self, store, state, reconcile=False):
        """Continue the promotion from the phase reached: fencing -> requesting -> requested -> failed_over."""
        deadline = float(state.get("deadline") or 0)
        if state.get("phase") == "fencing":
            if not decision.fence_confirmed(self):
                if aws.now() >= deadline:
                    return self.give_up(store, state, "the fence could not be confirmed before the deadline")
                return self.decide("fence_unconfirmed", f"Fenced{{Site={self.s.remote_site}}}=1 could not be read "
                                   "back: no promotion without a confirmed fence (the next run retries)")
            self.summary["fenced"] = True
            state = self.write_state(store, st.PROMOTING, **st.carry(state, phase="requesting",
                                                                     fence_confirmed_at=aws.now()))
        if state.get("phase") == "requesting":
            outcome, fields = self.request_promotion(deadline, state)
            if outcome == "pending":
                return self.decide("promoting", "the promotion was not accepted yet (retried by the next run "
                                   "until the deadline); Y is fenced", quiet=reconcile)
            if outcome == "failed":
                return self.give_up(store, state, "the promotion was refused or not accepted before the deadline")
            state = self.write_state(store, st.PROMOTING, **st.carry(state, phase="requested",
                                                                     promote_requested_at=aws.now(), **fields))
        outcome = self.wait_writable(state, deadline)
        if outcome == "pending":
            return self.decide("promoting", f"promotion requested; {self.s.local_db_id} is not writable yet "
                               "(the next run continues the wait)", quiet=reconcile)
        if outcome == "timeout":
            return self.give_up(store, state, f"{self.s.local_db_id} did not become writable before the deadline")
        self.write_state(store, st.FAILED_OVER, **st.carry(state, phase="done", failed_over_at=aws.now(),
                                                           promoted_by=self.request_id))
        flipped = self.flip(self.s.local_site)
        return self.decide("promoted", f"{self.s.local_db_id} is the writer, {self.s.remote_site} fenced; records " +
                           ("designate it" if flipped else "NOT flipped yet (the reconcile retries; the fence already "
                                                          "keeps DNS off the old writer)"))

    def request_promotion(self, deadline, state):
        delays = list(self.engine.retry_delays)
        while True:
            outcome, fields = self.engine.request_promotion(state)
            if outcome == ACCEPTED:
                return "accepted", fields
            if outcome == REFUSED or aws.now() >= deadline:
                return "failed", fields
            delay = delays.pop(0) if len(delays) > 1 else delays[0]
            if self.remaining() - delay < SAFETY_MARGIN_SECONDS + 15:
                return "pending", fields
            aws.pause(delay)
            if self.lock is not None:
                self.lock.progress()

    def wait_writable(self, state, deadline):
        while True:
            try:
                if self.engine.writable(state):
                    return "writable"
            except aws.AWS_ERRORS as exc:
                self.error("wait_writable", exc)
            if aws.now() >= deadline:
                return "timeout"
            if self.remaining() - POLL_SECONDS < SAFETY_MARGIN_SECONDS:
                return "pending"
            aws.pause(POLL_SECONDS)
            if self.lock is not None:
                self.lock.progress()

    def give_up(self, store, state, why):
        self.write_state(store, st.PROMOTION_FAILED, **st.carry(state, why=why, errors=self.summary["errors"][-3:]))
        return self.decide("promotion_failed", f"{why}: operator action needed (runbook); "
                           f"{self.s.remote_site} stays fenced")

    def keep_failed_over(self, reconcile):
        """Sticky: the fence (published outside the lock) stays; the records designate X."""
        try:
            if self.records().matches(self.s.local_site):
                self.summary["flipped"] = True
                return self.decide("failed_over", "failed over; records match", quiet=reconcile)
        except aws.AWS_ERRORS as exc:
            self.error("read_records", exc)
        flipped = self.flip(self.s.local_site)
        return self.decide("flipped" if flipped else "flip_pending",
                           "failed over; records " + ("designate X now" if flipped else "still NOT flipped (retrying)"),
                           quiet=reconcile and not flipped)

    def withdraw_approval(self, store, state):
        if state["state"] != st.AWAITING_APPROVAL:
            return self.decide("no_action", "the state changed concurrently", quiet=True)
        self.write_state(store, st.ARMED, **st.carry(state, approval_withdrawn_at=aws.now()))
        return self.decide("approval_withdrawn", f"the hold alarm is {self.summary.get('hold_alarm')} again: "
                           f"{self.s.remote_site} recovered; armed, nothing to approve")

    def arm(self, store):
        s = self.s
        try:
            streak = decision.healthy_streak(self, s.arm_after_healthy_minutes)
            lag = decision.lag_now(self)
        except aws.AWS_ERRORS as exc:
            return self.decide("not_armed", "cannot read the metrics: " + self.error("arming", exc), quiet=True)
        self.summary["healthy_streak"] = streak
        if streak < s.arm_after_healthy_minutes:
            return self.decide("not_armed", f"{streak} of {s.arm_after_healthy_minutes} consecutive minutes with "
                               f"{s.remote_site} seen as a writer", quiet=True)
        code, reason = self.engine.standby(at_failure=False)
        self.summary["standby"] = code
        if code != "standby":
            return self.decide("not_armed", reason, quiet=True)
        self.summary["lag_seconds"] = lag
        if lag is None or lag > s.max_promotion_lag_seconds:
            return self.decide("not_armed", f"replication lag {lag} s (bound {s.max_promotion_lag_seconds:.0f} s)",
                               quiet=True)

        def armed(locked):
            if locked["state"] != st.UNARMED:
                return self.decide("no_action", "the state changed concurrently", quiet=True)
            self.write_state(store, st.ARMED, healthy_streak=streak, lag_seconds=lag)
            return self.decide("armed", f"{s.remote_site} seen as a writer {streak} consecutive minutes, "
                               f"{reason}, lag {lag:.1f} s: promotion armed")
        return self.under_lock(store, True, armed)

    def follow_writer(self):
        """Records in step with the actual writer when the engine can tell (a
        switchover in the console, say); never towards a fenced site.  None when
        nothing is to do."""
        writer = self.engine.actual_writer()
        if writer is None:
            return None
        try:
            if self.records().matches(writer):
                return None
        except aws.AWS_ERRORS as exc:
            self.error("read_records", exc)
            return None
        s = self.s
        fence = self.alarm(s.fence_alarm_name, "fence_alarm") if writer == s.remote_site else \
            self.alarm(s.remote_fence_alarm_name, "local_fence_alarm", remote=True) if s.remote_fence_alarm_name \
            else "UNKNOWN"
        if fence != "OK":
            return self.decide("writer_fenced", f"the writer's site {writer} is fenced or its fence cannot be read "
                               f"({fence}): records left alone (failback first, runbook)", quiet=True)

        def follow(locked):
            flipped = self.flip(writer)
            return self.decide("weights_follow_writer" if flipped else "flip_pending",
                               f"the writer is {writer}: records " + ("moved to it" if flipped else "NOT moved yet"),
                               quiet=not flipped)
        return self.under_lock(self.store(), True, follow)

    # -- operator actions -------------------------------------------------------
    def failback(self, options):
        if options.get("confirm") != self.s.local_db_id:
            return self.decide("refused", f"failback needs \"confirm\": \"{self.s.local_db_id}\"")
        store = self.store()

        def body(state):
            self.summary["state"] = state["state"]
            if state["state"] == st.FAILING_BACK:
                return self.confirm_failback(store, state, False)
            if state["state"] not in (st.FAILED_OVER, st.PROMOTION_FAILED):
                return self.decide("refused", f"the state is {state['state']}: this region did not fail over")
            ok, reason, writer = self.engine.failback(state)
            if not ok:
                return self.decide("refused", reason)
            state = self.write_state(store, st.FAILING_BACK,
                                     **st.carry(state, writer_site=writer, failback_reason=reason,
                                                failback_by=self.request_id, failback_started_at=aws.now()))
            return self.confirm_failback(store, state, False)
        return self.under_lock(store, False, body)

    def confirm_failback(self, store, state, reconcile):
        """Records on the writer, Fenced{Y}=0 published, then confirmed: the
        fence alarm OK and Route 53's checkers of its health checks healthy;
        only then the witness's grant is released, Y re-armed and X unarmed."""
        s = self.s
        writer = state.get("writer_site") or s.remote_site
        flipped = self.flip(writer)
        try:
            self.fence().publish(0)
            self.summary["fenced"] = False
        except aws.AWS_ERRORS as exc:
            self.error("fence_lift", exc)
        alarm = self.alarm(s.fence_alarm_name, "fence_alarm")
        healthy = aws.attempt(st.health_checks_healthy, self.clients.get("route53", "us-east-1", aws.ROUTE53),
                              s.fence_check_ids)
        checks_ok = healthy.ok and healthy.value[0]
        self.summary["fence_checks"] = healthy.value[1] if healthy.ok else healthy.error
        if not (flipped and alarm == "OK" and checks_ok):
            return self.decide("failback_pending", f"records {'set' if flipped else 'NOT set'}, fence alarm {alarm}, "
                               f"fence health checks {'healthy' if checks_ok else 'not healthy yet'}: the reconcile "
                               "confirms the fence lift before reporting failed_back", quiet=reconcile)
        notes = []
        if s.witness_function_arn:
            released = self.witness().call({"action": "release", "claimant": s.local_site,
                                            "request_id": self.request_id})
            if not released.ok:
                notes.append(f"the witness's grant is NOT released ({released.error}): release it (runbook)")
        peer = st.StateStore(self.remote("ssm"), s.remote_state_parameter)
        try:
            if peer.read()["state"] == st.DISARMED:
                peer.write(st.UNARMED, failback_by=self.request_id)
        except aws.AWS_ERRORS as exc:
            notes.append(f"{s.remote_site}'s function is still disarmed ({aws.describe(exc)}): run rearm there")
        self.write_state(store, st.UNARMED, failback_by=state.get("failback_by"), writer_site=writer,
                         previous_method=state.get("method"))
        return self.decide("failed_back", f"{writer} is the designated writer, the fence on {s.remote_site} is "
                           f"lifted (alarm OK, Route 53 healthy); re-arms after {s.arm_after_healthy_minutes} "
                           "healthy minutes" + ("; " + "; ".join(notes) if notes else ""))

    def rearm(self, options):
        if options.get("confirm") != self.s.local_db_id:
            return self.decide("refused", f"rearm needs \"confirm\": \"{self.s.local_db_id}\"")
        store = self.store()

        def body(state):
            if state["state"] not in (st.DISARMED, st.CORRUPT):
                return self.decide("refused", f"the state is {state['state']}: rearm only leaves disarmed (or an "
                                   "unreadable state)")
            self.write_state(store, st.UNARMED, rearmed_by=self.request_id, previous=state.get("state"))
            return self.decide("rearmed", f"unarmed: arms after {self.s.arm_after_healthy_minutes} healthy minutes")
        return self.under_lock(store, False, body)

    def switchover(self):
        store = self.store()

        def body(state):
            self.summary["state"] = state["state"]
            if state["state"] not in (st.UNARMED, st.ARMED):
                return self.decide("refused", f"the state is {state['state']}: failback first (runbook)")
            decision_, reason = self.engine.switchover()
            return self.decide(decision_, reason)
        return self.under_lock(store, False, body)

    def check_witness(self):
        """Every WITNESS_CHECK_MINUTES-th minute a reconcile pings the witness, so
        that a witness that cannot answer is found before the region loss it is
        there for (it is invoked for nothing else)."""
        if not self.s.witness_function_arn or int(aws.now() // 60) % WITNESS_CHECK_MINUTES:
            return
        answer = self.witness().call({"action": "ping"})
        self.summary["witness_ping"] = "ok" if answer.ok else answer.as_dict()
        if not answer.ok and self.quiet:
            self.decide("witness_unreachable", f"the witness {self.s.witness_function_arn} does not answer "
                        f"({answer.kind}: {answer.error}): a decision that needs it would wait for an approval")

    # -- the lease (lease.py) ----------------------------------------------------
    def lease_step(self):
        """The writer's renewal and self-fence, before anything else of the reconcile."""
        self.lease_outcome = None
        if not lease.enabled(self.s):
            return
        try:
            self.lease_outcome = lease.Lease(self).step()
        except aws.AWS_ERRORS as exc:
            self.error("lease", exc)
            self.lease_outcome = ("lease_error", self.summary["errors"][-1])
        if self.lease_outcome is not None:
            self.summary["lease"] = {"decision": self.lease_outcome[0], "reason": self.lease_outcome[1]}

    def report_lease(self):
        """The lease's outcome is the run's decision when it pages or the rest was quiet."""
        outcome = getattr(self, "lease_outcome", None)
        if outcome is None:
            return
        if outcome[0] in LEASE_PAGES or self.quiet:
            self.decide(outcome[0], outcome[1], quiet=outcome[0] not in LEASE_PAGES and not self.must_page)

    def lift_fence(self, options):
        if options.get("confirm") != self.s.local_db_id:
            return self.decide("refused", f"lift_fence needs \"confirm\": \"{self.s.local_db_id}\"")
        if not lease.enabled(self.s):
            return self.decide("refused", "no lease is configured (no witness): nothing fences itself")
        try:
            return self.decide(*lease.Lease(self).lift())
        except aws.AWS_ERRORS as exc:
            return self.decide("refused", "the lift failed: " + self.error("lift_fence", exc))

    def relay(self, options, trigger_state):
        """Another alarm of this region (e.g. its topic failing to deliver): to the other region's topic."""
        if not self.s.remote_topic_arn:
            raise NotificationError(f"relay of {options.get('alarm')}: REMOTE_TOPIC_ARN is not set")
        subject = f"drsynth relay {trigger_state}: {options.get('alarm')} ({self.s.local_region})"[:100]
        try:
            self.remote_publish(self.s.remote_topic_arn, subject, json.dumps(options.get("event"), default=str))
        except aws.AWS_ERRORS as exc:
            raise NotificationError(f"relay of {options.get('alarm')} to {self.s.remote_topic_arn}: "
                                    f"{aws.describe(exc)}") from exc
        self.summary["relayed"] = options.get("alarm")
        return self.decide("relayed", f"{options.get('alarm')} is {trigger_state}: relayed to "
                           f"{self.s.remote_topic_arn}", quiet=True)

    def remote_publish(self, topic, subject, message):
        region = contract.region_of_arn(topic) or self.s.remote_region
        self.clients.get("sns", region, self.remote_cfg).publish(TopicArn=topic, Subject=subject, Message=message)

    def status(self):
        s = self.s
        self.decide("status", "read only")
        try:
            state = self.store().read()
            self.summary["state"] = state["state"]
            self.summary["state_detail"] = state
        except aws.AWS_ERRORS as exc:
            self.error("read_state", exc)
        self.alarm(s.hold_alarm_name, "hold_alarm")
        self.alarm(s.remote_view_alarm_name, "remote_view", remote=True)
        self.alarm(s.fence_alarm_name, "fence_alarm")
        self.summary["fence_metric"] = {"region": s.local_region, "namespace": s.metric_namespace,
                                        "metric": "Fenced", "dimensions": self.metrics().dims("Site", s.remote_site)}
        self.summary["databases"] = self.engine.status()
        if s.engine == "aurora":
            self.engine.actual_writer()
        try:
            records = self.records().read()
            self.summary["weights"] = {site: r["weight"] for site, r in records.items()}
            self.summary["designated"] = self.records().designated(records)
        except aws.AWS_ERRORS as exc:
            self.error("list_resource_record_sets", exc)
        try:
            raw = self.local("ssm").get_parameter(Name=s.lock_parameter)["Parameter"]["Value"]
            self.summary["lock_holder"] = st.Lock.describe_holder(raw)
        except aws.AWS_ERRORS:
            self.summary["lock_holder"] = None
        if lease.enabled(s):
            record = aws.attempt(lease.Lease(self).read_record)
            self.summary["lease_record"] = record.value if record.ok else record.as_dict()
        if s.witness_function_arn:
            answer = self.witness().call({"action": "status"})
            self.summary["witness"] = answer.value if answer.ok else answer.as_dict()
        return self.summary

    # -- paging -----------------------------------------------------------------
    def notify(self):
        """Page on both regions' topics; raise NotificationError when neither accepts."""
        s = self.summary
        if self.quiet and not self.must_page:
            return
        subject = f"drsynth failover {s['decision']}: {self.s.local_db_id}"[:100]
        message = json.dumps({"source": "drsynth-failover", "time": st.iso(aws.now()), "region": self.s.local_region,
                              **s}, default=str, indent=2)
        accepted, errors = [], []
        for topic in self.s.topics:
            region = contract.region_of_arn(topic) or self.s.local_region
            cfg = aws.LOCAL if region == self.s.local_region else self.remote_cfg
            try:
                self.clients.get("sns", region, cfg).publish(TopicArn=topic, Subject=subject, Message=message)
                accepted.append(topic)
            except aws.AWS_ERRORS as exc:
                errors.append(f"{topic}: {aws.describe(exc)}")
        s["notified"] = accepted
        if errors:
            s["notify_errors"] = errors
        st.log("notify", decision=s["decision"], accepted=accepted, errors=errors)
        if not accepted:
            raise NotificationError("no topic accepted the page: " + "; ".join(errors or ["no topic configured"]))


def _failed(reason, env):
    """The environment is broken: page with whatever topic the environment names, or raise."""
    summary = {"decision": "failed", "reason": reason, "promoted": False, "errors": [reason]}
    st.log("summary", **summary)
    topics = [t for t in (env.get("LOCAL_TOPIC_ARN"), env.get("REMOTE_TOPIC_ARN")) if t]
    for topic in topics:
        try:
            aws.make_client("sns", contract.region_of_arn(topic), aws.LOCAL).publish(
                TopicArn=topic, Subject="drsynth failover failed: environment"[:100],
                Message=json.dumps(summary, indent=2))
            return summary
        except aws.AWS_ERRORS as exc:
            summary["errors"].append(aws.describe(exc))
    raise NotificationError(f"{reason}; and no topic accepted the page")


def handler(event, context=None):
    env = os.environ
    action, trigger, trigger_state, options = parse_event(event, env.get("HOLD_ALARM_NAME"))
    try:
        settings = contract.failover_settings(env)
    except contract.ContractError as exc:
        return _failed(str(exc), env)
    run = Run(settings, context, for_name(settings.engine))
    run.summary.update({"action": action, "trigger": trigger, "trigger_state": trigger_state,
                        "force": options.get("force", False)})
    st.log("start", action=action, trigger=trigger, trigger_state=trigger_state, force=options.get("force", False),
           unknown_environment=contract.unknown("failover", env.keys()))
    if action == "status":
        summary = run.status()
        st.log("summary", **summary)
        return summary
    try:
        if action is None:
            run.decide("no_action", "unrecognised event", quiet=True)
        elif action == "relay":
            run.relay(options, trigger_state)
        elif action == "failback":
            run.failback(options)
        elif action == "rearm":
            run.rearm(options)
        elif action == "switchover":
            run.switchover()
        elif action == "lift_fence":
            run.lift_fence(options)
        else:
            if action == "reconcile":
                run.lease_step()
            run.failover(trigger_state, options, action)
            if action == "reconcile":
                run.check_witness()
                run.report_lease()
    except NotificationError:
        st.log("summary", **run.summary)
        raise
    except Exception as exc:  # noqa: BLE001 - always report
        run.error("unexpected", exc)
        run.decide("failed", "unexpected error")
    st.log("summary", **run.summary)
    run.notify()
    return run.summary
