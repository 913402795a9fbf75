"""The failure scenarios and what each one reports.

Every scenario but the fresh deploy starts from a system that has run healthy
for WARMUP seconds (long enough for the reconcile to arm it) and fails at
FAILURE = WARMUP seconds after T0; times are reported from the failure."""

from moto import mock_aws

from sim import world as w

WARMUP = 600
END = WARMUP + 1200
LONG = WARMUP + 3600


class Report:
    def __init__(self, name, world, failure_at, end):
        self.name = name
        self.promotions = world.rds.promotions_accepted
        start, stop = w.T0 + failure_at, w.T0 + end
        self.time_to_dns = None
        self.split_brain = []
        ttl = max(world.s.ttl, 1)
        t = start
        while t <= stop:
            if self.time_to_dns is None and world.resolver_answer(t) == "replica":
                self.time_to_dns = t - start
            primary_writable = world._at(world.writable_history["primary"], t)
            replica_writable = world._at(world.writable_history["replica"], t)
            if primary_writable and replica_writable:
                answers = {world.authoritative_answer(t - k) for k in range(0, ttl + 1)}
                if answers >= {"primary", "replica"}:
                    self.split_brain.append(t - start)
            t += 1
        done = world.rds.promotion_done_at
        self.time_to_writable = None if done is None else done - start
        self.paged = [p for p in world.pages if p[0] >= start]
        self.final_answer = world.authoritative_answer(stop)
        self.final_state = world.state().get("state")
        self.decisions = [(round(t - start), label, s["decision"]) for t, label, s in world.invocations if t >= start]
        self.log = [(round(t - start), text) for t, text in world.log]

    def row(self):
        def secs(v):
            return "-" if v is None else f"{v:.0f} s"
        return (self.name, f"yes ({self.promotions})" if self.promotions else "no", secs(self.time_to_dns),
                secs(self.time_to_writable), "YES" if self.split_brain else "no",
                "yes" if self.paged else "no")


def _scenario(name, setup, end=END, failure_at=WARMUP, promotion_seconds=120.0):
    def run(settings):
        with mock_aws():
            world = w.World(settings, promotion_seconds=promotion_seconds)
            world.start()
            setup(world, failure_at)
            world.run(end)
            return world, Report(name, world, failure_at, end)
    run.scenario_name = name
    return run


def _db_down(world, at, seconds, status="available"):
    def down():
        world.set_primary(db_up=False, status=status)
        world.event(f"primary database down ({status})")

    def up():
        world.set_primary(db_up=True, status="available")
        world.event("primary database back")
    world.at(at, down)
    world.at(at + seconds, up)


def fresh_deploy(world, at):
    pass  # deployed at T0, healthy: nothing happens, the reconcile arms it


def fresh_deploy_primary_never_healthy(world, at):
    world.at(0, lambda: world.set_primary(db_up=False, status="failed"))


def one_failed_probe(world, at):
    _db_down(world, at + w.DR_PROBE_OFFSET - 2, 10)  # one DR probe and no local probe see it


def three_failed_probes_then_recovery(world, at):
    _db_down(world, at, 170)


def multi_az_failover_120s(world, at):
    _db_down(world, at, 120, status="available")  # RDS keeps reporting available during the failover


def multi_az_failover_120s_api_unreachable(world, at):
    world.at(at, lambda: setattr(world, "primary_api_up", False))
    _db_down(world, at, 120, status="available")
    world.at(at + 900, lambda: setattr(world, "primary_api_up", True))


def maintenance_reboot(world, at):
    _db_down(world, at, 90, status="rebooting")


def region_lost(world, at):
    world.at(at, lambda: world.set_primary_region(False))


def region_lost_route53_down_then_back(world, at):
    world.at(at, lambda: world.set_primary_region(False))
    world.at(at, lambda: setattr(world, "route53_api_up", False))
    world.at(at + 1200, lambda: world.set_primary_region(True))   # the old primary is back, writable
    world.at(at + 1800, lambda: setattr(world, "route53_api_up", True))


def replica_backing_up(world, at):
    world.at(at, lambda: world.set_primary_region(False))
    world.at(at + 60, lambda: world.set_replica(status="backing-up"))
    world.at(at + 60 + 420, lambda: world.set_replica(status="available"))


def peering_broken(world, at):
    world.at(at, lambda: setattr(world, "peering_up", False))


def two_invocations_at_once(world, at):
    world.at(at, lambda: world.set_primary_region(False))

    def duplicate_when_held():
        # a second delivery of the hold alarm's action, at the same moment as the first
        world.invoke_failover({"source": "aws.cloudwatch", "alarmData": {
            "alarmName": world.s.hold_alarm, "state": {"value": "ALARM"}}}, label="alarm (duplicate)")
    original = world._alarm_changed

    def watch(name, state, by):
        before = world.alarm_history[name][-1][1]
        original(name, state, by)
        if name == world.s.hold_alarm and state == "ALARM" and before != "ALARM" and by == "evaluation":
            duplicate_when_held()
    world._alarm_changed = watch


def failback_by_runbook(world, at):
    world.at(at, lambda: world.set_primary_region(False))
    world.at(at + 1200, lambda: world.set_primary_region(True))  # back, fenced, still writable

    def reseed_primary():  # runbook 1: the old primary becomes a replica of the promoted instance
        world.set_primary(writable=False, replica_of="replica")
        world.event("runbook: old primary replaced by a replica of the promoted instance")

    def switch_writer():  # runbook 2 (writes frozen): promote it, stop the DR instance
        world.set_replica(writable=False, status="stopped")
        world.set_primary(writable=True, replica_of=None)
        world.event("runbook: primary-region copy promoted, DR instance stopped")

    def failback():  # runbook 3
        world.invoke_failover({"action": "failback", "confirm": world.replica_id}, delay=0, label="failback")

    def recreate_replica():  # runbook 4: the DR replica again
        world.set_replica(status="available", writable=False, replica_of="primary")
        world.event("runbook: DR replica re-created")
    world.at(at + 1500, reseed_primary)
    world.at(at + 2400, switch_writer)
    world.at(at + 2460, failback)
    world.at(at + 2700, recreate_replica)


SCENARIOS = [
    _scenario("fresh deploy", fresh_deploy, end=1200, failure_at=0),
    _scenario("fresh deploy, primary never healthy", fresh_deploy_primary_never_healthy, end=1200, failure_at=0),
    _scenario("one failed probe", one_failed_probe),
    _scenario("three failed probes, then recovery", three_failed_probes_then_recovery),
    _scenario("Multi-AZ failover (120 s)", multi_az_failover_120s),
    _scenario("Multi-AZ failover (120 s), primary region's API unreachable", multi_az_failover_120s_api_unreachable),
    _scenario("maintenance reboot", maintenance_reboot),
    _scenario("primary region lost", region_lost),
    _scenario("primary region lost, Route 53 API down during the flip, region returns",
              region_lost_route53_down_then_back, end=WARMUP + 2400),
    _scenario("replica backing-up when promotion starts", replica_backing_up),
    _scenario("peering broken, both databases fine", peering_broken),
    _scenario("two alarm invocations at once", two_invocations_at_once),
    _scenario("failback by the runbook", failback_by_runbook, end=LONG),
]


def run_all(settings):
    return [scenario(settings)[1] for scenario in SCENARIOS]


def table(reports):
    head = ("scenario", "promoted", "failure to DNS on replica", "failure to writable replica", "split brain", "paged")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r.row()) + " |" for r in reports]
    return "\n".join(lines)
