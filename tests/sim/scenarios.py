"""The failure scenarios of both engines.

Every scenario runs a fresh world (the templates of its engine, the real
handlers) that has been healthy since the deployment and fails at FAILURE
seconds, just after both probes of that minute ran (the worst case for
detection, as the budget counts it); results are counted from the failure.
A scenario is a function ``setup(w, F)`` that scripts faults and operator
actions with the world's public API (tests/sim/README.md), registered for
one or both engines, with tags the tests read:

* ``no_promotion``: nothing may be promoted;
* ``region_loss``: exactly one promotion;
* ``silent``: a safety signal goes silent: a page within 5 minutes;
* ``unreachable``: a site (or its region) cannot be reached from the other:
  the unreachability alarm of the region that can still page does, within 5
  minutes (HANDLER-NOTES 5);
* ``quiet``: nothing is wrong enough to page: no page at all;
* ``approval``: the promotion needs the operator (no witness, or none that can answer);
* ``isolation``: the primary's region is cut off from both other regions while it serves: it fences itself
  (read-only) before any promotion, and pages.

Most region losses approve the promotion at F + 600 s (``approve``): nobody
outside a lost region can confirm its loss (HANDLER-NOTES 2, 2b), and the
steps after the decision are what those scenarios test; "primary region lost
(witness)" alone waits for the witness.
"""

import functools

from sim import templates as tpl
from sim.world import World

FAILURE = 615.0       # probes fire at :10 and :12 of each minute (templates.Deployment.OFFSETS)
END = FAILURE + 1800.0
LONG = FAILURE + 5400.0

SCENARIOS = []


class Scenario:
    def __init__(self, name, setup, engines, end, witness, tags, world_args, failure):
        self.name, self.setup, self.engines, self.end = name, setup, engines, end
        self.witness, self.tags, self.world_args, self.failure = witness, set(tags), world_args, failure

    def world(self, engine, source=None):
        w = World(engine=engine, templates=templates_for(engine, self.witness, source), **self.world_args)
        self.setup(w, self.failure)
        return w

    def run(self, engine, source=None):
        w = self.world(engine, source)
        w.run(self.end)
        return w, w.result(failure_at=self.failure, name=self.name)


def scenario(name, engines=("rds", "aurora"), end=END, witness=True, tags=(), failure=FAILURE, **world_args):
    def register(setup):
        SCENARIOS.append(Scenario(name, setup, engines, end, witness, tags, world_args, failure))
        return setup
    return register


@functools.cache
def _templates(engine, witness, source):
    if source == "fixture" or (source is None and tpl.os.environ.get(tpl.SOURCE_ENV) == "fixture"):
        from sim.fixture import fixture_templates
        return fixture_templates(engine, witness=witness)
    context = () if witness else (("witnessRegion", ""),)
    return tpl.load(engine, source, context)


def templates_for(engine, witness=True, source=None):
    import copy
    return copy.deepcopy(_templates(engine, witness, source))


def cases(names=None):
    """(scenario, engine) of every registered scenario (or of the named ones)."""
    return [(s, e) for s in SCENARIOS for e in s.engines if names is None or s.name in names]


def A(w):
    return w.site("A")["region"]


def approve(w, t, until=1800.0):
    """The operator answers the page: from ``t``, once a minute, approves the DR site's promotion as soon as its
    state awaits approval (once; nothing when it never does): the region losses below test the steps after the
    decision either way."""
    def check(left):
        if (w.state("B") or {}).get("state") == "awaiting_approval":
            w.operator("approve", "B", confirm=w.site("B")["db_id"])
        elif left > 0:
            w.clock.after(60.0, lambda: check(left - 60.0))
    w.at(t, check, until)


def B(w):
    return w.site("B")["region"]


def lost_then_back(w, F, approve_from, back):
    """The primary region is lost at F and back at ``back``; the operator approves when paged from ``approve_from``."""
    w.at(F, w.lose_region, A(w))
    approve(w, approve_from)
    w.at(back, w.restore_region, A(w))


# -------------------------------------------------------------------------------------------------
# nothing wrong, or nothing that should promote
# -------------------------------------------------------------------------------------------------

@scenario("fresh deploy, nothing fails", tags=("no_promotion",))
def fresh_deploy(w, F):
    pass


@scenario("a 1-minute blip of the primary", tags=("no_promotion",))
def blip_1_minute(w, F):
    w.at(F, w.db_down, "A", 60)


@scenario("a 2-minute outage (Multi-AZ failover)", tags=("no_promotion",))
def outage_2_minutes(w, F):
    w.at(F, w.db_down, "A", 120)


@scenario("maintenance reboot (rebooting, 90 s)", engines=("rds",), tags=("no_promotion",))
def reboot(w, F):
    w.at(F, w.db_down, "A", 90, "rebooting")


@scenario("the peering between the sites is cut, both databases fine", tags=("no_promotion", "unreachable"))
def peering_cut(w, F):
    w.at(F, lambda: w.partition(A(w), B(w), network=True, apis=False))


@scenario("the APIs between the sites' regions are cut, both databases fine", tags=("no_promotion",))
def apis_cut(w, F):
    w.at(F, lambda: w.partition(A(w), B(w), network=False, apis=True))


@scenario("full partition (network and APIs) between the two regions", tags=("no_promotion",))
def full_partition(w, F):
    w.at(F, lambda: w.partition(A(w), B(w), network=True, apis=True))


@scenario("full partition, replication cut too", tags=("no_promotion",))
def full_partition_replication(w, F):
    w.at(F, lambda: w.partition(A(w), B(w), network=True, apis=True, replication=True))


def isolate_primary(w):
    w.partition(A(w), B(w), network=True, apis=True)
    if w.witness_region():
        w.partition(A(w), w.witness_region(), network=True, apis=True)


@scenario("the primary region cut off from both other regions (network and APIs), serving its own clients",
          tags=("isolation",))
def primary_isolated(w, F):
    # From the DR region and from the witness this looks like a region loss; the primary still takes writes
    # until its failover function, renewing its lease nowhere, fences it (read-only); the standby promotes
    # only once the lease expired at both holders (runtime/drsynth_failover/lease.py).
    w.at(F, isolate_primary, w)


@scenario("the primary region cut off from both other regions, healed before its lease expires",
          tags=("no_promotion", "isolation"))
def primary_isolated_healed(w, F):
    # The lease (240 s) was renewed at about F - 33 s: the cut is healed at F + 150 s, after the self-fence
    # (F + 87 s) and before the expiry; the fence is lifted by the reconcile once nobody claimed.
    w.at(F, isolate_primary, w)
    w.at(F + 150, lambda: (w.heal(A(w), B(w)), w.heal(A(w), w.witness_region())))


@scenario("only the primary and the witness cut off from each other", tags=("no_promotion",))
def primary_witness_cut(w, F):
    # The primary still renews its lease in the DR region: nothing fences, nothing promotes.
    w.at(F, lambda: w.partition(A(w), w.witness_region(), network=True, apis=True))


@scenario("the primary's lease renewals fail with AccessDenied", tags=("no_promotion",))
def lease_access_denied(w, F):
    # An IAM mistake: the writer cannot renew anywhere, pages, fences itself (a write outage it pages for);
    # the DR site sees the primary serving: no promotion.
    for region in (B(w), w.witness_region()):
        w.fault("ssm", "PutParameter", region=region, caller=w.site("A")["function"].name, kind="access_denied",
                start=F)


@scenario("primary down 10 min, its region's APIs answer AccessDenied to the DR region", tags=("no_promotion",))
def access_denied(w, F):
    w.at(F, w.db_down, "A", 600)
    w.at(F, lambda: w.fault(None, region=A(w), caller_region=B(w), kind="access_denied"))


@scenario("primary down 10 min, its region's APIs throttle the DR region", tags=("no_promotion",))
def throttled(w, F):
    w.at(F, w.db_down, "A", 600)
    w.at(F, lambda: w.fault(None, region=A(w), caller_region=B(w), kind="throttle"))


@scenario("primary storage full", engines=("rds",), tags=("no_promotion",))
def storage_full(w, F):
    w.at(F, w.storage_full, "A")


@scenario("probe fault: the database's password changed, the secret did not", tags=("no_promotion",))
def probe_wrong_password(w, F):
    w.at(F, w.set_password, "A", "rotated-elsewhere")


@scenario("probe fault: the secret cannot be read (AccessDenied, cold start)", tags=("no_promotion",))
def probe_secret_error(w, F):
    def fault():
        w.fault("secretsmanager", "GetSecretValue", kind="access_denied")
        w.recycle_environments(kind="probe")
    w.at(F, fault)


@scenario("probe fault: the server's certificate is from a CA not in the bundle", tags=("no_promotion",))
def probe_tls_mismatch(w, F):
    def rotate():
        w.copy("A").tls_ca = "other"
        w.copy("B").tls_ca = "other"
    w.at(F, rotate)


@scenario("probe fault: a configuration error (CA bundle path)", tags=("no_promotion",))
def probe_config_error(w, F):
    w.at(F, lambda: w.set_environment(kind="probe", DB_CA_BUNDLE="/nonexistent/ca.pem"))


@scenario("arming without a replica of the current writer", engines=("rds",), tags=("no_promotion",))
def not_a_replica_of_the_writer(w, F):
    # the DR instance replicates from an older instance, not from the current writer
    w.at(0, lambda: setattr(w.copy("B"), "source_arn", w.copy("B").source_arn.replace(":db:", ":db:old-")))
    w.at(F, w.lose_region, A(w))


@scenario("a stale replica (lag beyond maxPromotionLagSeconds at the failure)", tags=("no_promotion",))
def stale_replica(w, F):
    w.at(60, w.set_lag, "B", 900 if w.engine_kind == "rds" else 180)
    w.at(F, w.lose_region, A(w))


@scenario("the operator forces a promotion of the writer itself (promote() on a non-replica)", engines=("rds",),
          tags=("no_promotion",))
def force_on_writer(w, F):
    w.at(F, w.operator, "failover", "A", force=True)


# -------------------------------------------------------------------------------------------------
# the DR region or the control planes misbehave
# -------------------------------------------------------------------------------------------------

@scenario("Route 53's control plane down, nothing else", tags=("no_promotion",))
def route53_down_only(w, F):
    w.at(F, w.route53_control_plane, False)


@scenario("the DR region is lost", tags=("no_promotion", "silent", "unreachable"))
def dr_region_lost(w, F):
    w.at(F, w.lose_region, B(w))


@scenario("the DR site's database is down for good, its region fine", tags=("no_promotion", "unreachable"))
def dr_database_down(w, F):
    # a standby publishes Writer=0 every minute anyway: only its reachability tells it is gone
    w.at(F, w.db_down, "B")


@scenario("the DR region's own APIs throttle during a region loss", tags=("region_loss",))
def dr_apis_throttle(w, F):
    w.at(F, w.lose_region, A(w))
    approve(w, F + 600)
    w.at(F, lambda: w.fault(None, region=B(w), kind="throttle", end=F + 600))


# -------------------------------------------------------------------------------------------------
# region loss
# -------------------------------------------------------------------------------------------------

@scenario("primary region lost (witness)", tags=("region_loss",))
def region_lost(w, F):
    w.at(F, w.lose_region, A(w))


@scenario("primary region lost, no witness: the operator approves", witness=False, tags=("region_loss", "approval"))
def region_lost_approval(w, F):
    w.at(F, w.lose_region, A(w))
    w.at(F + 900, w.operator, "approve", "B", confirm=w.site("B")["db_id"])


@scenario("primary region lost, the witness's region lost too", tags=("approval", "no_promotion"))
def region_and_witness_lost(w, F):
    w.at(F, w.lose_region, A(w))
    w.at(F, w.lose_region, w.witness_region())


@scenario("primary region lost, the DR region cannot reach the witness (API partition)",
          tags=("approval", "no_promotion"))
def witness_partitioned(w, F):
    w.at(F, w.lose_region, A(w))
    w.at(F, lambda: w.partition(B(w), w.witness_region(), network=False, apis=True))


@scenario("primary region lost, back while the standby is being promoted", end=FAILURE + 2400,
          tags=("region_loss",))
def region_back_during_promotion(w, F):
    lost_then_back(w, F, approve_from=F + 300, back=F + 450)


def _back_mid_promotion(back, route53_down=False):
    """The primary region lost at F and back ``back`` s later, while the approved standby (approved from
    F + 300 s, when it first awaits approval) is being promoted; with ``route53_down`` Route 53's control plane is
    down from the failure until long after (no flip: only the health checks keep the old writer out of DNS)."""
    def setup(w, F):
        lost_then_back(w, F, approve_from=F + 300, back=F + back)
        if route53_down:
            w.at(F, w.route53_control_plane, False)
            w.at(F + 2700, w.route53_control_plane, True)
    return setup


# HANDLER-NOTES 8: the old writer returns fenced while the standby is promoted; at every moment of the promotion
# (before Route 53 sees the fence, mid-way, just before the standby takes writes) one record must stay healthy
for _back in (330, 390, 540):
    scenario(f"primary region lost, back {_back} s after it, mid-promotion", end=FAILURE + 2400,
             tags=("region_loss",))(_back_mid_promotion(_back))
scenario("primary region lost, back mid-promotion, Route 53's control plane down meanwhile", end=FAILURE + 3600,
         tags=("region_loss",))(_back_mid_promotion(450, route53_down=True))


@scenario("primary region lost, Route 53's control plane down, the region returns first", end=FAILURE + 3600,
          tags=("region_loss",))
def region_back_before_route53(w, F):
    w.at(F, w.lose_region, A(w))
    approve(w, F + 600)
    w.at(F, w.route53_control_plane, False)
    w.at(F + 1500, w.restore_region, A(w))
    w.at(F + 2700, w.route53_control_plane, True)


@scenario("fence lapse: one run holds the lock retrying the Route 53 flip, the region returns", end=FAILURE + 3600,
          tags=("region_loss",))
def lock_held_retrying_flip(w, F):
    w.at(F, w.lose_region, A(w))
    approve(w, F + 600)
    w.at(F, lambda: w.fault("route53", "ChangeResourceRecordSets", kind="hang", end=F + 2400))
    w.at(F + 1200, w.restore_region, A(w))


@scenario("primary region lost, the failover function times out mid-promotion", tags=("region_loss",))
def timeout_mid_promotion(w, F):
    w.at(F, w.lose_region, A(w))
    approve(w, F + 600)
    # a 90 s timeout, and the database reads after the promotion request hang (read timeouts) until it strikes
    w.set_timeout("B", 90)
    w.at(F, lambda: w.fault("rds", "DescribeDBInstances", region=B(w), kind="hang", start=F + 640, end=F + 1000))
    w.at(F, lambda: w.fault("rds", "DescribeDBClusters", region=B(w), kind="hang", start=F + 640, end=F + 1000))


@scenario("a dead run holds the lock during a region loss", tags=("region_loss",))
def dead_run_holds_lock(w, F):
    w.at(F, w.lose_region, A(w))
    approve(w, F + 600)
    # the first run that takes the lock once the hold alarm fired dies with it (its runtime exits)
    w.crash_after("ssm", "PutParameter", function="B", start=F + 180)


@scenario("region loss: schedules late, twice, then missing for 3 minutes", tags=("region_loss",))
def schedules_misbehave(w, F):
    w.at(F, w.lose_region, A(w))
    approve(w, F + 600)
    w.schedule(kind="failover", late=45, start=F, end=F + 600)
    w.schedule(kind="failover", twice=True, start=F + 600, end=F + 900)
    w.schedule(kind="failover", missing=True, start=F + 900, end=F + 1080)


@scenario("region loss: the alarm's event delivered twice with a reconcile at once", tags=("region_loss",))
def duplicate_alarm_event(w, F):
    w.at(F, w.lose_region, A(w))
    approve(w, F + 600)
    w.duplicate_alarm_events(kind="failover")


@scenario("region loss: the alarm's invocation fails, Lambda retries it", tags=("region_loss",))
def async_retries(w, F):
    w.at(F, w.lose_region, A(w))
    approve(w, F + 600)
    w.at(F, lambda: w.fault("ssm", "GetParameter", region=B(w), kind="server_error", times=6, start=F + 150))


@scenario("region loss: CloudWatch reads lag 40 s behind the writes (the fence read-back)", tags=("region_loss",))
def metric_reads_lag(w, F):
    w.at(F, w.lose_region, A(w))
    approve(w, F + 600)
    w.at(F, setattr, w.cloudwatch, "read_delay", 40.0)


@scenario("region loss: the account's other functions use up the unreserved concurrency", tags=("region_loss",))
def lambda_pool_exhausted(w, F):
    w.at(F, w.lose_region, A(w))
    approve(w, F + 600)
    w.at(F, w.throttle_lambda, B(w))


@scenario("primary region lost and back after the promotion (old primary writable)", end=FAILURE + 3000,
          tags=("region_loss",))
def region_back_after_promotion(w, F):
    lost_then_back(w, F, approve_from=F + 600, back=F + 1500)


# -------------------------------------------------------------------------------------------------
# silent safety signals
# -------------------------------------------------------------------------------------------------

@scenario("silent: the DR site's probe stops", tags=("no_promotion", "silent"))
def probe_stops(w, F):
    w.schedule(function="B", kind="probe", missing=True, start=F)


@scenario("silent: the DR site's reconcile schedule stops", tags=("no_promotion", "silent"))
def reconcile_stops(w, F):
    w.schedule(function="B", kind="failover", missing=True, start=F)


@scenario("the DR site's probe misses one run and fires late the next: no page", tags=("no_promotion", "quiet"))
def probe_one_late_run(w, F):
    # one minute without a datapoint, then one 50 s late: a silence alarm must not page on that
    w.schedule(function="B", kind="probe", missing=True, start=F, end=F + 60)
    w.schedule(function="B", kind="probe", late=50, start=F + 60, end=F + 120)


@scenario("silent: the witness is unreachable", tags=("no_promotion", "silent"))
def witness_unreachable(w, F):
    w.at(F, w.lose_region, w.witness_region())


@scenario("silent: the primary site's topic fails to deliver", tags=("no_promotion", "silent"))
def notifications_fail(w, F):
    # only the primary site's region has something to say (its probe cannot read its secret: a probe fault),
    # and its topic fails to deliver: the page must come through the other region
    def fault():
        w.notifications_fail(A(w))
        w.fault("secretsmanager", "GetSecretValue", region=A(w), kind="access_denied")
        w.recycle_environments(function="A", kind="probe")
    w.at(F, fault)


# -------------------------------------------------------------------------------------------------
# manual fence and failback
# -------------------------------------------------------------------------------------------------

def _fence_metric(w, site, value):
    fn = w.site("B" if site == "A" else "A")["function"]
    return {"Namespace": fn.env.get("METRIC_NAMESPACE", "drsynth"), "MetricData": [{
        "MetricName": "Fenced", "Value": float(value), "Dimensions": [
            {"Name": fn.env.get("METRIC_DIMENSION_NAME", "System"), "Value": fn.env["METRIC_DIMENSION_VALUE"]},
            {"Name": "Site", "Value": w.site(site)["id"]}]}]}


@scenario("manual fence with set-alarm-state: DNS stays", tags=("no_promotion",))
def manual_fence_set_alarm_state(w, F):
    alarm = w.site("B")["function"].env["FENCE_ALARM_NAME"]
    w.at(F, w.cli, "cloudwatch", "set_alarm_state", B(w), AlarmName=alarm, StateValue="ALARM",
         StateReason="runbook: manual fence")


@scenario("manual fence with put-metric-data: DNS moves", tags=("no_promotion",))
def manual_fence_put_metric_data(w, F):
    w.at(F, lambda: w.cli("cloudwatch", "put_metric_data", B(w), **_fence_metric(w, "A", 1)))


def reconcile_second(w, t, site="B"):
    """The first time from ``t`` at which the site's reconcile schedule fires (its second of the minute)."""
    fn = w.site(site)["function"]
    offset = next(s.offset for s in w.schedules.all if s.fn is fn)
    t0 = t - t % 60 + offset
    return t0 if t0 >= t else t0 + 60


def _rds_failover_then(w, F, rebuild_a=True, retire_b="delete"):
    """Region loss, promotion of B, the region back; the runbook: rebuild A from B (or not), then retire B."""
    a, b = A(w), B(w)
    a_id, b_id = w.site("A")["db_id"], w.site("B")["db_id"]
    w.at(F, w.lose_region, a)
    # the operator approves if nobody could confirm the loss (a refused approval changes nothing)
    w.at(F + 600, w.operator, "approve", "B", confirm=b_id)
    w.at(F + 1500, w.restore_region, a)
    if rebuild_a:
        w.at(F + 1600, w.cli, "rds", "delete_db_instance", a, DBInstanceIdentifier=a_id, SkipFinalSnapshot=True)
        w.at(F + 1800, lambda: w.cli("rds", "create_db_instance_read_replica", a, DBInstanceIdentifier=a_id,
                                     SourceDBInstanceIdentifier=w.copy(b_id).arn, SourceRegion=b))
        w.at(F + 3700, w.cli, "rds", "promote_read_replica", a, DBInstanceIdentifier=a_id)
    if retire_b == "delete":
        w.at(F + 4100, w.cli, "rds", "delete_db_instance", b, DBInstanceIdentifier=b_id, SkipFinalSnapshot=True)
    elif retire_b == "stop":
        w.at(F + 4100, w.cli, "rds", "stop_db_instance", b, DBInstanceIdentifier=b_id)
    # the failback lands in the second the reconcile runs (issue 20, failure 5)
    w.at(reconcile_second(w, F + 4300), w.operator, "failback", "B", confirm=b_id)


@scenario("failback by the runbook (rebuilt primary, DR copy deleted)", engines=("rds",), end=LONG,
          tags=("region_loss",))
def failback_rds(w, F):
    _rds_failover_then(w, F)


@scenario("failback onto a merely stopped DR instance: refused", engines=("rds",), end=LONG, tags=("region_loss",))
def failback_stopped(w, F):
    _rds_failover_then(w, F, retire_b="stop")


@scenario("failback onto a primary that was never rebuilt: refused", engines=("rds",), end=LONG,
          tags=("region_loss",))
def failback_not_rebuilt(w, F):
    _rds_failover_then(w, F, rebuild_a=False)


@scenario("failback by switchover (Aurora), the reconcile in the same minute", engines=("aurora",), end=LONG,
          tags=("region_loss",))
def failback_aurora(w, F):
    a, b = A(w), B(w)
    w.at(F, w.lose_region, a)
    w.at(F + 600, w.operator, "approve", "B", confirm=w.site("B")["db_id"])
    w.at(F + 1500, w.restore_region, a)
    g = w.site("B")["function"].env["GLOBAL_CLUSTER_ID"]
    w.at(F + 2400, lambda: w.cli("rds", "switchover_global_cluster", b, GlobalClusterIdentifier=g,
                                 TargetDbClusterIdentifier=w.copy("A").arn))
    # the failback lands in the second of the minute the reconcile runs (issue 20, failure 5)
    w.at(reconcile_second(w, F + 2800), w.operator, "failback", "B", confirm=w.site("B")["db_id"])
