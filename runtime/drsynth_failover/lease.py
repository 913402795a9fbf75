"""The writer's lease and its self-fence (with a witness only; docs/dr-design.md, "The lease").

Nobody outside a region can tell "lost" from "cut off from every other
region while still serving its own clients" (tests/sim/HANDLER-NOTES.md 2b).
So the writer X proves it is alive the way a Patroni leader renews its key:

* Renewal: every reconcile of X's failover function, while X's copy is the
  writer, writes X's time into its lease (an SSM parameter, LEASE_PARAMETER)
  in the witness's region AND in the standby's region (two independent
  holders), in parallel, each call one attempt bounded by
  SECOND_SIGNAL_TIMEOUT_SECONDS.  X records locally (LEASE_RECORD_PARAMETER)
  when a renewal last succeeded at EITHER holder.
* Expiry: a holder's lease is expired when it is older than
  LEASE_EXPIRY_SECONDS, its age taken from the later of the time X wrote
  into it and SSM's LastModifiedDate (a put that landed after X gave up on it
  counts from its landing).  An absent or unreadable lease is NOT expired
  (unknown never counts).  The witness grants a claim on an unreachable X
  only when X's lease in its region expired; Y claims only when X's lease
  in Y's region expired too.
* Self-fence: when no renewal succeeded at either holder for
  SELF_FENCE_AFTER_SECONDS, X stops client writes on its own copy, in its
  own region: default_transaction_read_only=1 in X's own (cluster) parameter
  group, ApplyMethod immediate (a dynamic parameter: "applied immediately to
  the DB instances associated with the parameter group",
  https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBParameterGroup.html,
  https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBClusterParameterGroup.html),
  then a reboot of X's writer instance so that sessions opened before the
  change end ("Rebooting a DB instance restarts the database engine service",
  https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_RebootDBInstance.html).
  PostgreSQL: default_transaction_read_only "controls the default read-only
  status of each new transaction"
  (https://www.postgresql.org/docs/15/runtime-config-client.html); a client
  that sets it back in its own session can still write (residual risk,
  docs/dr-design.md).
* The inequality that keeps the fence ahead of any promotion (all in seconds):

      SELF_FENCE_AFTER + RECONCILE_INTERVAL + 2 T + FENCE_SECONDS + CLOCK_MARGIN < LEASE_EXPIRY

  X notices at its first reconcile after SELF_FENCE_AFTER (up to one
  interval later), after its renewal attempts (up to 2 T, T =
  SECOND_SIGNAL_TIMEOUT_SECONDS); the fence's two mutating calls and the
  reboot's start take up to FENCE_SECONDS; CLOCK_MARGIN covers the clocks of
  X and the readers (Lambda's clocks are synchronised by AWS; the margin is an
  inference).  The holders' leases were written no earlier than X's last
  success, so both expire no earlier than LEASE_EXPIRY after it.
* Lift: by the operator (``lift_fence``), or automatically when a renewal
  succeeds again AND the witness answers that it holds no grant AND Y's state
  (read in Y's region) shows no claim, approval or promotion; anything
  unreadable keeps the fence.  A renewal that succeeds after a gap longer
  than SELF_FENCE_AFTER (X's region was away; its function could not fence)
  applies the same test before X may go on as the writer.
"""

import contextlib
import json

from . import aws
from . import state as st

# ModifyDB(Cluster)ParameterGroup and RebootDBInstance (ACTION bounds: 2 x 20 s) and the reboot's start
FENCE_SECONDS = 45.0
CLOCK_MARGIN_SECONDS = 10.0
READ_ONLY = "default_transaction_read_only"
# Y's states that mean Y claimed, may claim on an approval, or promoted: the fence stays.
PEER_CLAIMING = (st.AWAITING_APPROVAL, st.PROMOTING, st.FAILED_OVER, st.PROMOTION_FAILED, st.FAILING_BACK)


def enabled(s):
    return bool(s.lease_parameter and s.witness_function_arn)


def minimum_expiry(self_fence_after, reconcile_interval, timeout):
    """The smallest LEASE_EXPIRY the inequality allows (exclusive)."""
    return self_fence_after + reconcile_interval + 2 * timeout + FENCE_SECONDS + CLOCK_MARGIN_SECONDS


def check_settings(s):
    """None, or why LEASE_EXPIRY_SECONDS and SELF_FENCE_AFTER_SECONDS do not keep the fence ahead of a promotion."""
    if s.self_fence_after_seconds <= 0 or s.lease_expiry_seconds <= 0:
        return "LEASE_EXPIRY_SECONDS and SELF_FENCE_AFTER_SECONDS must be positive"
    low = minimum_expiry(s.self_fence_after_seconds, s.reconcile_interval_seconds, s.second_signal_timeout_seconds)
    if s.lease_expiry_seconds <= low:
        return (f"LEASE_EXPIRY_SECONDS {s.lease_expiry_seconds:g} must exceed SELF_FENCE_AFTER_SECONDS "
                f"{s.self_fence_after_seconds:g} + RECONCILE_INTERVAL_SECONDS {s.reconcile_interval_seconds:g} + "
                f"2 x SECOND_SIGNAL_TIMEOUT_SECONDS {s.second_signal_timeout_seconds:g} + {FENCE_SECONDS:g} (the "
                f"fence) + {CLOCK_MARGIN_SECONDS:g} (clocks) = {low:g}")
    return None


def heartbeat(site, at, request_id):
    return json.dumps({"site": site, "at": at, "time": st.iso(at), "request_id": request_id}, sort_keys=True)


def read_age(ssm, name):
    """Age in seconds of a lease parameter (None when absent); raises AWS errors."""
    try:
        p = ssm.get_parameter(Name=name)["Parameter"]
    except aws.AWS_ERRORS as exc:
        if aws.error_code(exc) == "ParameterNotFound":
            return None
        raise
    stamps = []
    with contextlib.suppress(ValueError, TypeError, KeyError):
        stamps.append(float(json.loads(p["Value"])["at"]))
    modified = p.get("LastModifiedDate")
    if modified is not None:
        stamps.append(modified.timestamp())
    if not stamps:
        return None
    return max(aws.now() - max(stamps), 0.0)


def expired(ssm, name, expiry):
    """(expired, detail, seconds left) of a lease as read here: absent or unreadable is never
    expired (seconds left None)."""
    outcome = aws.attempt(read_age, ssm, name)
    if not outcome.ok:
        return False, f"the lease {name} cannot be read ({outcome.kind}: {outcome.error}): not expired", None
    age = outcome.value
    if age is None:
        return False, f"the lease {name} does not exist: not expired (never renewed)", None
    if age > expiry:
        return True, f"the lease {name} is {age:.0f} s old (expiry {expiry:g} s): expired", 0.0
    return False, f"the lease {name} is {age:.0f} s old (expiry {expiry:g} s): held", expiry - age


class Lease:
    """X's side: renewal, the record, the self-fence and its lift."""

    def __init__(self, run):
        self.run, self.s = run, run.s

    # -- the record (X's region) ------------------------------------------------
    def read_record(self):
        try:
            raw = self.run.local("ssm").get_parameter(Name=self.s.lease_record_parameter)["Parameter"]["Value"]
        except aws.AWS_ERRORS as exc:
            if aws.error_code(exc) == "ParameterNotFound":
                return {}
            raise
        try:
            record = json.loads(raw)
        except ValueError:
            record = {}
        return record if isinstance(record, dict) else {}

    def write_record(self, record):
        record = {**record, "time": st.iso(aws.now())}
        self.run.local("ssm").put_parameter(Name=self.s.lease_record_parameter,
                                            Value=json.dumps(record, sort_keys=True), Type="String", Overwrite=True,
                                            Description="drsynth lease: X's last renewal and its self-fence")
        st.log("lease_record", **record)
        return record

    # -- renewal ----------------------------------------------------------------
    def renew(self, at):
        """Write X's heartbeat at both holders in parallel; {region: outcome}."""
        value = heartbeat(self.s.local_site, at, self.run.request_id)

        def put(region):
            def call():
                self.run.remote("ssm", region).put_parameter(
                    Name=self.s.lease_parameter, Value=value, Type="String", Overwrite=True,
                    Description="drsynth lease of the writer site (see runtime/README.md)")
                return True
            return lambda: aws.attempt(call)
        regions = [self.s.witness_region, self.s.remote_region]
        outcomes = aws.run_parallel([put(r) for r in regions])
        return dict(zip(regions, outcomes, strict=True))

    # -- the fence ----------------------------------------------------------------
    def peer_claims(self):
        """None when the witness holds no grant and Y's state shows no claim; else why the fence stays."""
        answer = self.run.witness().call({"action": "ping"})
        if not answer.ok:
            return f"the witness cannot say whether it granted a failover ({answer.kind}: {answer.error})"
        if answer.value.get("holder"):
            return f"the witness granted the failover to {answer.value.get('holder')}"
        peer = aws.attempt(lambda: st.StateStore(self.run.remote("ssm"), self.s.remote_state_parameter).read())
        if not peer.ok:
            return f"{self.s.remote_site}'s state cannot be read ({peer.kind}: {peer.error})"
        if peer.value["state"] in PEER_CLAIMING or peer.value["state"] == st.CORRUPT:
            return f"{self.s.remote_site}'s state is {peer.value['state']}"
        return None

    def apply_fence(self, on):
        """The engine's fence calls; (ok, detail)."""
        try:
            detail = self.run.engine.self_fence(on)
            return True, detail
        except aws.AWS_ERRORS as exc:
            return False, self.run.error("self_fence" if on else "lift_fence", exc)

    def step(self):
        """The reconcile's lease step: renew, then fence, keep or lift.  Returns
        (decision, reason) to report, or None when nothing is worth a page."""
        run, s = self.run, self.s
        writer = run.engine.local_is_writer()
        run.summary["lease_writer"] = writer
        if writer is False:
            return None
        started = aws.now()
        outcomes = self.renew(started)
        renewed = [r for r, o in outcomes.items() if o.ok]
        run.summary["lease_renewal"] = {r: o.as_dict() for r, o in outcomes.items()}
        record = self.read_record()
        previous = record.get("renewed_at")
        if renewed:
            record["renewed_at"] = started
            record["renewed_where"] = renewed
        elif previous is None:
            record["renewed_at"] = started  # no record yet: the clock starts now
            record["first_failure_at"] = started
        last = float(record["renewed_at"])
        run.summary["lease_age"] = round(aws.now() - last, 1)
        if record.get("fenced"):
            return self.keep_or_lift(record, renewed)
        gap = started - float(previous) if previous is not None else 0.0
        if renewed and gap <= s.self_fence_after_seconds:
            self.write_record(record)
            return None
        if renewed:
            # Back after a gap the fence should have covered (X's region was away, its function too).
            why = self.peer_claims()
            if why is None:
                self.write_record(record)
                return "lease_renewed", (f"renewals succeed again after {gap:.0f} s without one; the witness holds "
                                         f"no grant and {s.remote_site} claims nothing: {s.local_db_id} stays the "
                                         "writer")
            return self.fence(record, f"renewals succeed again after {gap:.0f} s without one, but {why}")
        age = aws.now() - last
        if age >= s.self_fence_after_seconds:
            errors = "; ".join(f"{r}: {o.kind} {o.error}" for r, o in outcomes.items())
            return self.fence(record, f"no lease renewal succeeded for {age:.0f} s (SELF_FENCE_AFTER_SECONDS "
                                      f"{s.self_fence_after_seconds:g}): {errors}")
        self.write_record(record)
        run.must_page = run.must_page or any(o.kind == aws.ERROR for o in outcomes.values())
        return "lease_not_renewed", (f"no holder accepted the lease for {age:.0f} s; {s.local_db_id} fences itself "
                                     f"at {s.self_fence_after_seconds:g} s")

    def fence(self, record, why):
        ok, detail = self.apply_fence(True)
        record.update(fenced=True, fenced_at=record.get("fenced_at") or aws.now(), fence_reason=why,
                      fence_applied=ok, fence_detail=detail)
        try:
            self.write_record(record)
        except aws.AWS_ERRORS as exc:
            self.run.error("lease_record", exc)
        self.run.must_page = True
        return "self_fenced", (f"{why}: {self.s.local_db_id} fenced itself ({detail}); client writes stop in this "
                               "region. It lifts itself when renewals succeed, the witness holds no grant and "
                               f"{self.s.remote_site} claims nothing; else the operator (runbook: self_fenced)")

    def keep_or_lift(self, record, renewed):
        if not record.get("fence_applied"):
            ok, detail = self.apply_fence(True)
            record.update(fence_applied=ok, fence_detail=detail)
        why = "no renewal succeeded" if not renewed else self.peer_claims()
        if why is None:
            ok, detail = self.apply_fence(False)
            if ok:
                record.update(fenced=False, lifted_at=aws.now(), lifted_by="reconcile", fence_detail=detail)
                self.write_record(record)
                self.run.must_page = True
                return "fence_lifted", (f"renewals succeed again, the witness holds no grant and {self.s.remote_site} "
                                        f"claims nothing: {self.s.local_db_id} takes writes again ({detail})")
            why = f"the lift failed ({detail})"
        self.write_record(record)
        self.run.summary["self_fenced"] = True
        return "self_fenced_kept", f"{self.s.local_db_id} stays fenced: {why}"

    def lift(self):
        """The operator's lift (``lift_fence`` with confirm)."""
        record = self.read_record()
        ok, detail = self.apply_fence(False)
        if not ok:
            return "refused", f"the lift failed: {detail}"
        record.update(fenced=False, lifted_at=aws.now(), lifted_by=self.run.request_id, renewed_at=aws.now(),
                      fence_detail=detail)
        self.write_record(record)
        return "fence_lifted", f"{self.s.local_db_id} takes writes again ({detail}), lifted by the operator"


WAIT_RESERVE_SECONDS = 60.0  # what a run keeps for the claim, the fence and the promotion request after a wait


def peer_lease_expired(run):
    """Y's own check before it asks the witness: X's lease in Y's region (expired, detail).  A
    lease that expires while this invocation still has time is waited for (then read again),
    so that the claim follows the expiry at once rather than at the next reconcile."""
    s = run.s
    if not s.remote_lease_parameter:
        return False, "REMOTE_LEASE_PARAMETER is not set"
    gone, detail, left = expired(run.local("ssm"), s.remote_lease_parameter, s.lease_expiry_seconds)
    if gone or left is None or run.remaining() - left - 1.0 < WAIT_RESERVE_SECONDS:
        return gone, detail
    st.log("lease", waiting=round(left + 1.0, 1), detail=detail)
    aws.pause(left + 1.0)
    if run.lock is not None:
        run.lock.progress()
    gone, again, _ = expired(run.local("ssm"), s.remote_lease_parameter, s.lease_expiry_seconds)
    return gone, f"{detail}; waited {left + 1.0:.0f} s: {again}"
