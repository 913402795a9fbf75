"""The decision, the same for both engines: arming, the lag at the failure,
the second signal (direct, then the witness), the claim, the confirmed fence.

The rules (docs/dr-runbook.md has them for operators):

* Arming: K consecutive minutes in which X's probe saw Y as a writer, X a
  current standby of Y (the engine says), and X's replication lag within
  MAX_PROMOTION_LAG_SECONDS.
* Precondition of a promotion: X a standby of Y; the lag AT THE FAILURE (the
  lag metric in the last minute X's probe still saw Y as a writer) within the
  bound, else "stale" (unknown is stale too); Y storage-full never promotes.
* Second signal, direct: Y's region is read (Y's database status, Y's own
  view alarm, Y's own probe data).  Only a connect/read timeout or an
  unreachable endpoint is "unreachable"; any other error is "unknown", and
  unknown never counts as agreement.  ``serving`` (Y's probe saw Y writable
  in the last 2 minutes, or Y's view alarm is OK) never promotes: a
  partition.  ``lost`` needs a terminal status AND Y's view not OK AND no
  writable datapoint, all read.
* Claim (so that one region's decision disarms the other): the witness's
  grant (a conditional SSM put in its region); else, when Y's region
  answered (``lost``), Y's state parameter written ``disarmed``; else the
  operator's approval.  Without any of them: ``awaiting_approval``.
* Fence: Fenced{Y}=1 published and read back before any promotion.
"""

from . import aws
from .engines import STANDBY
from .state import Metrics, log

LOST, SERVING, RECOVERING, UNKNOWN, UNREACHABLE, STORAGE_FULL = (
    "lost", "serving", "recovering", "unknown", "unreachable", "storage_full")
FRESH_SECONDS = 120        # "Y's own probe saw Y writable within the last 2 minutes"
LAG_LOOKBACK_MINUTES = 60  # how far back the last minute with Y a writer is searched
ARM_LAG_MINUTES = 5        # arming: the latest lag datapoint of the last 5 minutes


def healthy_streak(run, minutes):
    """Consecutive complete minutes, ending with the last one, in which X's
    probe published Writer{Site=Y} and every value was 1."""
    end = aws.now() // 60 * 60
    start = end - 60 * (minutes + 1)
    by_minute = run.metrics().writer(run.s.remote_site, start, end, "Minimum")
    streak, minute = 0, end - 60
    while minute >= start and by_minute.get(minute) == 1.0:
        streak += 1
        minute -= 60
    return streak


def _lag(run, start, end):
    namespace, metric, dimension, unit = run.engine.lag
    values = run.metrics().per_minute(namespace, metric, [{"Name": dimension, "Value": run.s.local_db_id}],
                                      start, end, "Maximum")
    return {minute: value * unit for minute, value in values.items()}


def lag_now(run):
    """X's latest replication lag in seconds (the last ARM_LAG_MINUTES), or None."""
    t = aws.now()
    values = _lag(run, t - 60 * ARM_LAG_MINUTES, t + 60)
    return values[max(values)] if values else None


def lag_at_failure(run):
    """{"seconds", "writer_minute", "detail"}: X's lag in the last minute in
    which X's probe still saw Y as a writer (and the minute before): the data
    a promotion loses (the RPO).  Seconds None: unknown (a read that fails too)."""
    try:
        return _lag_at_failure(run)
    except aws.AWS_ERRORS as exc:
        return {"seconds": None, "writer_minute": None, "detail": run.error("lag_at_failure", exc)}


def _lag_at_failure(run):
    t = aws.now()
    seen = run.metrics().writer(run.s.remote_site, t - 60 * LAG_LOOKBACK_MINUTES, t + 60, "Maximum")
    minutes = sorted(m for m, v in seen.items() if v >= 1)
    if not minutes:
        return {"seconds": None, "writer_minute": None,
                "detail": f"X's probe did not see {run.s.remote_site} as a writer in the last {LAG_LOOKBACK_MINUTES} "
                          "minutes: the lag at the failure is unknown"}
    last = minutes[-1]
    values = _lag(run, last - 60, last + 60)
    if not values:
        return {"seconds": None, "writer_minute": last,
                "detail": f"no {run.engine.lag[1]} datapoint around {last}: the lag at the failure is unknown"}
    seconds = max(values.values())
    return {"seconds": seconds, "writer_minute": last,
            "detail": f"{seconds:.1f} s of writes ({run.engine.lag[1]} in the last minute {run.s.remote_site} was "
                      "seen as a writer)"}


def precondition(run, force):
    """None when X may be promoted onto; else (decision, reason)."""
    code, reason = run.engine.standby(at_failure=True)
    run.summary["standby"] = code
    if code != STANDBY:
        decision = {"local_writer": "local_writer", "busy": "in_progress"}.get(code, "no_promotion")
        return decision, reason
    lag = lag_at_failure(run)
    run.summary["rpo"] = lag
    bound = run.s.max_promotion_lag_seconds
    if not force and (lag["seconds"] is None or lag["seconds"] > bound):
        return "no_promotion", (f"stale: {lag['detail']}; the bound is {bound:.0f} s (MAX_PROMOTION_LAG_SECONDS): "
                                "promoting could lose more than the RPO allows; `force` decides")
    return None


# -- the second signal --------------------------------------------------------

def read_site(engine_cls, clients, site, region, db_id, view_alarm, metrics_settings):
    """The three reads of one site's region, each an aws.Outcome:
    db (status), view (its own view alarm's state), fresh (did its own probe
    publish Writer=1 for it in the last FRESH_SECONDS)."""
    rds, cloudwatch = clients("rds", region), clients("cloudwatch", region)

    def fresh():
        t = aws.now()
        values = Metrics(cloudwatch, metrics_settings).writer(site, t - FRESH_SECONDS - 60, t + 60, "Maximum")
        return any(v >= 1 for m, v in values.items() if m >= t - FRESH_SECONDS - 60)

    def view():
        alarms = cloudwatch.describe_alarms(AlarmNames=[view_alarm]).get("MetricAlarms", [])
        return alarms[0]["StateValue"] if alarms else "MISSING"

    db, view_state, fresh_data = aws.run_parallel([
        lambda: aws.attempt(engine_cls.describe_db, rds, db_id), lambda: aws.attempt(view),
        lambda: aws.attempt(fresh)])
    return {"db": db, "view": view_state, "fresh": fresh_data}


def verdict(engine_cls, reads):
    """(verdict, reason) of a site's three reads (see the module docstring)."""
    db, view, fresh = reads["db"], reads["view"], reads["fresh"]
    if fresh.ok and fresh.value:
        return SERVING, "its own region's probe saw it as a writer within the last 2 minutes"
    if view.ok and view.value == "OK":
        return SERVING, "its own region's view alarm is OK"
    status = db.value["status"] if db.ok else None
    if status in engine_cls.STORAGE_FULL:
        return STORAGE_FULL, f"it is {status}: the standby has the same storage; grow the storage, do not promote"
    if status in engine_cls.RECOVERING:
        return RECOVERING, f"RDS reports it {status}: it recovers by itself"
    errors = [f"{name}: {r.error}" for name, r in reads.items() if r.kind == aws.ERROR]
    if errors:
        return UNKNOWN, "reads failed (an error is not an outage): " + "; ".join(errors)
    if any(r.kind == aws.UNREACHABLE for r in reads.values()):
        return UNREACHABLE, "its region does not answer: " + "; ".join(
            f"{name}: {r.error}" for name, r in reads.items() if r.kind == aws.UNREACHABLE)
    if status in engine_cls.TERMINAL and view.value not in ("OK", "MISSING"):
        return LOST, f"RDS reports it {status}, its view alarm is {view.value} and its probe saw no writer"
    return UNKNOWN, f"RDS reports it {status} and its view alarm is {view.value}: neither lost nor recovering"


def direct(run):
    """The second signal as X reads Y's region itself."""
    s = run.s
    reads = read_site(type(run.engine), run.remote, s.remote_site, s.remote_region, s.remote_db_id,
                      s.remote_view_alarm_name, s)
    result, reason = verdict(type(run.engine), reads)
    run.summary["remote_reads"] = {name: r.as_dict() for name, r in reads.items()}
    if reads["db"].ok:
        run.summary["remote_status"] = reads["db"].value["status"]
    run.summary["direct"] = {"verdict": result, "reason": reason}
    log("signal", source="direct", verdict=result, reason=reason)
    return result, reason


# -- the claim ----------------------------------------------------------------

CLAIMED, REFUSED, NO_PROMOTION, APPROVAL = "claimed", "refused", "no_promotion", "approval"


def claim(run, direct_verdict, approved=False, forced=False):
    """(outcome, how_or_reason): CLAIMED (by "witness", "peer", "approval" or
    "force"), REFUSED (the witness granted another region: disarm), NO_PROMOTION
    (Y serves or recovers, as the witness sees it) or APPROVAL (nobody could
    confirm Y's loss: an operator must)."""
    s = run.s
    if forced:
        run.disarm_peer()
        return CLAIMED, "force"
    if s.witness_function_arn:
        answer = run.witness().call({"action": "claim", "claimant": s.local_site, "target": s.remote_site,
                                     "request_id": run.request_id})
        run.summary["witness"] = answer.value if answer.ok else answer.as_dict()
        if answer.ok:
            grant, seen = answer.value.get("grant"), answer.value.get("verdict")
            if grant == "granted":
                run.disarm_peer()
                return CLAIMED, "witness"
            if grant == "refused":
                return REFUSED, f"the witness granted the failover to {answer.value.get('holder')}"
            if seen in (SERVING, RECOVERING, STORAGE_FULL):
                return NO_PROMOTION, f"the witness in {s.witness_region} sees {s.remote_site} {seen}: " + \
                    str(answer.value.get("reason"))
    if direct_verdict == LOST and run.disarm_peer():
        return CLAIMED, "peer"
    if approved:
        run.disarm_peer()
        return CLAIMED, "approval"
    return APPROVAL, "nobody could confirm that " + s.remote_site + " is lost"


def fence_confirmed(run):
    """Publish Fenced{Y}=1 and read it back; False (no promotion this run) otherwise."""
    fence = run.fence()
    try:
        fence.publish(1)
        return fence.confirmed()
    except aws.AWS_ERRORS as exc:
        run.error("fence", exc)
        return False
