"""The Aurora failure scenarios (the first system's, adapted) and what each
one reports.  Every scenario but the fresh deploys starts from a system that
has run healthy for WARMUP seconds (armed) and fails at WARMUP seconds after
T0; times are reported from the failure.  Region P is the writer's region at
the start, S the other."""

from moto import mock_aws

from sim import aurora_settings
from sim import aurora_world as aw
from sim.models import T0

WARMUP = 600
END = WARMUP + 1200
LONG = WARMUP + 3600


class Report:
    def __init__(self, name, world, failure_at, end):
        self.name = name
        p, s = world.regions
        self.failovers = len([c for c in world.fake.calls if c[0] == "FailoverGlobalCluster"])
        self.detaches = len([c for c in world.fake.calls if c[0] == "RemoveFromGlobalCluster"])
        self.switchovers = len([c for c in world.fake.calls if c[0] == "SwitchoverGlobalCluster"])
        start, stop = T0 + failure_at, T0 + end
        self.time_to_dns = self.time_to_writable = None
        self.split_brain = []
        writable = {r: world.writable_history[world.cluster_arns[r]] for r in (p, s)}
        t = start
        while t <= stop:
            if self.time_to_dns is None and world.resolver_answer(t) == s:
                self.time_to_dns = t - start
            if self.time_to_writable is None and world._at(writable[s], t):
                self.time_to_writable = t - start
            if world._at(writable[p], t) and world._at(writable[s], t):
                answers = {world.authoritative_answer(t - k) for k in range(0, world.ttl() + 1)}
                if answers >= {p, s}:
                    self.split_brain.append(t - start)
            t += 1
        self.paged = [x for x in world.pages if x[0] >= start]
        self.final_answer = world.authoritative_answer(stop)
        self.final_state = {r: world.state(r).get("state") for r in (p, s)}
        self.final_writer = world.region_of_arn.get(world.fake.writer_of(world.global_id))
        self.decisions = [(round(t - start), r, label, x["decision"]) for t, r, label, x in world.invocations
                          if t >= start]
        self.summaries = [x for t, r, label, x in world.invocations if t >= start]
        self.log = [(round(t - start), text) for t, text in world.log]
        self.data_loss_reported = any("data_loss_window" in x for x in self.summaries)

    def row(self):
        def secs(v):
            return "-" if v is None else f"{v:.0f} s"
        parts = [f"{label} ({n})" for label, n in (("FailoverGlobalCluster", self.failovers),
                                                   ("detach", self.detaches), ("switchover", self.switchovers)) if n]
        how = ", ".join(parts) or "no"
        return (self.name, how, secs(self.time_to_dns), secs(self.time_to_writable),
                "YES" if self.split_brain else "no", "yes" if self.paged else "no")


def _scenario(name, setup, end=END, failure_at=WARMUP, overrides=None, failover_seconds=60.0):
    def run():
        with mock_aws():
            world = aw.AuroraWorld(aurora_settings.load(overrides), failover_seconds=failover_seconds)
            world.start()
            setup(world, failure_at)
            world.run(end)
            return world, Report(name, world, failure_at, end)
    run.scenario_name = name
    return run


def _writer_crash(world, at, seconds):
    world.at(at, lambda: (world.fake.crash_writer(world.cluster_arns[world.regions[0]], seconds),
                          world.event(f"writer crashed: Aurora's in-region failover ({seconds} s)")))


def fresh_deploy(world, at):
    pass


def fresh_deploy_writer_never_healthy(world, at):
    world.at(0, lambda: world.fake.clusters[world.cluster_arns[world.regions[0]]].update(writer_up=False))


def one_failed_probe(world, at):
    _writer_crash(world, at + aw.PROBE_OFFSET[0] - 2, 10)


def in_region_failover(world, at):
    _writer_crash(world, at, 45)


def in_region_failover_api_unreachable(world, at):
    p = world.regions[0]
    world.at(at, lambda: world.fake.unreachable.add(p))
    _writer_crash(world, at, 120)
    world.at(at + 900, lambda: world.fake.unreachable.discard(p))


def region_lost(world, at):
    world.at(at, lambda: world.set_region(world.regions[0], False))


def region_lost_route53_down_region_returns(world, at):
    region_lost(world, at)
    world.at(at, lambda: setattr(world, "route53_api_up", False))
    world.at(at + 1200, lambda: world.set_region(world.regions[0], True))
    world.at(at + 1800, lambda: setattr(world, "route53_api_up", True))


def region_lost_failover_refused_detach(world, at):
    region_lost(world, at)
    world.at(at, lambda: world.fake.inject("FailoverGlobalCluster", "InvalidGlobalClusterStateFault"))
    world.at(at + 1200, lambda: world.set_region(world.regions[0], True))  # the old primary: writable, fenced


def region_lost_throttled(world, at):
    region_lost(world, at)
    world.at(at, lambda: world.fake.inject("FailoverGlobalCluster", "Throttling", times=3))


def region_lost_function_dies_after_the_request(world, at):
    region_lost(world, at)
    world.at(at, lambda: setattr(world, "crash_after", "failover_global_cluster"))


def network_partition(world, at):
    world.at(at, lambda: setattr(world, "network_up", False))


def secondary_probe_outage(world, at):
    world.at(at, lambda: world.s["probes"].__setitem__(world.regions[1], {}))  # the probe publishes nothing

    def silent(region, original=world._probe):
        if region != world.regions[1]:
            original(region)
    world.at(at, lambda: setattr(world, "_probe", silent))


def secondary_region_lost(world, at):
    world.at(at, lambda: world.set_region(world.regions[1], False))


def two_alarm_invocations_at_once(world, at):
    region_lost(world, at)
    original = world._alarm_changed
    hold = world.function_env[world.regions[1]]["HOLD_ALARM_NAME"]

    def watch(name, state, by):
        before = world.alarm_history[name][-1][1]
        original(name, state, by)
        if name == hold and state == "ALARM" and before != "ALARM" and by == "evaluation":
            world.invoke(world.regions[1], {"source": "aws.cloudwatch", "alarmData": {
                "alarmName": hold, "state": {"value": "ALARM"}}}, label="alarm (duplicate)")
    world._alarm_changed = watch


def planned_switchover(world, at):
    world.at(at, lambda: world.invoke(world.regions[1], {"action": "switchover"}, delay=0, label="switchover"))


def failback_by_the_runbook(world, at):
    p, s = world.regions
    region_lost(world, at)
    world.at(at + 1200, lambda: world.set_region(p, True))  # Aurora rejoins it as a secondary
    world.at(at + 1500, lambda: world.invoke(s, {"action": "failback", "confirm": world.function_env[s][
        "LOCAL_CLUSTER_ID"]}, delay=0, label="failback"))
    world.at(at + 2400, lambda: world.invoke(p, {"action": "switchover"}, delay=0, label="switchover back"))


SCENARIOS = [
    _scenario("fresh deploy", fresh_deploy, end=1200, failure_at=0),
    _scenario("fresh deploy, writer never healthy", fresh_deploy_writer_never_healthy, end=1200, failure_at=0),
    _scenario("one failed probe", one_failed_probe),
    _scenario("writer crash, Aurora's in-region failover (45 s)", in_region_failover),
    _scenario("writer crash (120 s), primary region's API unreachable", in_region_failover_api_unreachable),
    _scenario("primary region lost", region_lost),
    _scenario("primary region lost, Route 53 API down during the flip, region returns",
              region_lost_route53_down_region_returns, end=WARMUP + 2400),
    _scenario("primary region lost, FailoverGlobalCluster throttled 3 times", region_lost_throttled),
    _scenario("primary region lost, the function dies after FailoverGlobalCluster",
              region_lost_function_dies_after_the_request, end=WARMUP + 1800),
    _scenario("primary region lost, failover refused, detach allowed, region returns",
              region_lost_failover_refused_detach, end=WARMUP + 2400, overrides={"ALLOW_DETACH": "true"}),
    _scenario("network partition between the regions", network_partition),
    _scenario("secondary region's probe silent", secondary_probe_outage),
    _scenario("secondary region lost", secondary_region_lost),
    _scenario("two alarm invocations at once", two_alarm_invocations_at_once),
    _scenario("planned switchover", planned_switchover),
    _scenario("failback by the runbook", failback_by_the_runbook, end=LONG),
]


def run_all():
    return [scenario()[1] for scenario in SCENARIOS]


def table(reports):
    head = ("scenario", "calls (attempts)", "failure to DNS on the other region", "failure to a writer there",
            "split brain", "paged")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r.row()) + " |" for r in reports]
    return "\n".join(lines)
