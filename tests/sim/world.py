"""One simulated AWS deployment of the DR kit, for either engine.

    from sim.world import World
    w = World(engine="rds")                  # templates: $DRSYNTH_SIM_TEMPLATES or `drsynth synth`
    w.at(600, w.lose_region, "us-east-1")     # any callable, at seconds after the start
    w.run(2400)
    r = w.result(failure_at=600)

The REAL handlers (runtime/failover, runtime/witness, runtime/probe) run in
it through their entry points; what they reach is modelled from AWS's
documentation: aws.py (the API boundary, faults, partitions), cloudwatch.py,
route53.py, services.py (SSM, SNS, Secrets Manager, STS, Lambda Invoke),
functions.py (Lambda's runtime and EventBridge), engines.py (RDS, Aurora).
The public API is documented in tests/sim/README.md.
"""

import datetime as _datetime
import json
import os
import random
import time as _time
import types
from typing import ClassVar

from sim import templates as tpl
from sim.aws import Api, utc
from sim.clock import T0, Clock, Task
from sim.cloudwatch import EVALUATION_DELAY, CloudWatch
from sim.engines import AuroraEngine, RdsEngine
from sim.functions import Functions, Schedules
from sim.route53 import HEALTH_CHECK_INTERVAL, Route53
from sim.services import LambdaApi, SecretsManager, Sns, Ssm, Sts

REGIONS = ("us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1")
ACCOUNT = "123456789012"


def _sim_datetime(clock):
    class SimDatetime(_datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            if tz is None:  # the Lambda runtime's local time is UTC
                return _datetime.datetime.fromtimestamp(clock.now, _datetime.UTC).replace(tzinfo=None)
            return _datetime.datetime.fromtimestamp(clock.now, tz)

        @classmethod
        def utcnow(cls):
            return _datetime.datetime.fromtimestamp(clock.now, _datetime.UTC).replace(tzinfo=None)

        @classmethod
        def today(cls):
            return cls.utcnow()
    return SimDatetime


class World:
    """A deployment of one system (``engine`` "rds" or "aurora") built from its templates."""

    def __init__(self, engine="rds", templates=None, source=None, seed=0, promotion_seconds=None,
                 failover_seconds=None, db_password="sim-password"):
        random.seed(seed)
        self._started = False
        self.engine_kind = engine
        self.clock = Clock()
        self.log = []                # (time, text)
        self.pages = []              # dict(time, region, topic, subject, message, source)
        self.failed_deliveries = []  # (time, topic, subject)
        self.region_history = {r: [(self.clock.now, True)] for r in REGIONS}
        self._down = set()
        self.network_cuts = []       # (a, b, start, end): VPC peering traffic (the probes' database connections)
        self.api_cuts = []           # (a, b, start, end): a function's calls from a into b's APIs (and back)
        self.route53_control_down = []   # (start, end)
        self.notification_failures = []  # (region, start, end)
        self.tasks_by_region = {}
        self.sites = {}
        self.db_password = db_password
        self.parameter_log = []
        self.promotion_log = []
        self.operator_calls = []
        self.duplicated = []
        self.crashes = []
        self.ended = None
        self.api = Api(self)
        self.cloudwatch = CloudWatch(self)
        self.route53 = Route53(self)
        self.ssm = Ssm(self)
        self.sns = Sns(self)
        self.secrets = SecretsManager(self)
        self.functions = Functions(self)
        self.schedules = Schedules(self)
        if engine == "rds":
            self.engine = RdsEngine(self, promotion_seconds=promotion_seconds or 300.0)
        elif engine == "aurora":
            self.engine = AuroraEngine(self, failover_seconds=failover_seconds or promotion_seconds or 120.0)
        else:
            raise ValueError("engine must be 'rds' or 'aurora'")
        self.api.services.update({"monitoring": self.cloudwatch, "cloudwatch": self.cloudwatch,
                                  "route53": self.route53, "ssm": self.ssm, "sns": self.sns,
                                  "secretsmanager": self.secrets, "sts": Sts(self), "lambda": LambdaApi(self),
                                  "rds": self.engine})
        self.api.install()
        self.templates = templates if templates is not None else tpl.load(engine, source)
        self.deployment = tpl.Deployment(self, self.templates)
        self.deployment.deploy()
        self.t0 = T0
        self._started = False
        self._datetime = _sim_datetime(self.clock)

    # ------------------------------------------------------------------------------------------
    # the sites
    def set_sites(self, sites):
        copies = {c.id: c for c in self.engine.copies()}
        answer = self.route53_answer(self.clock.now)
        order = sorted(sites.values(), key=lambda s: -answer.get(s["endpoint"], 0.0))
        self.sites = {}
        for label, s in zip("AB", order, strict=True):
            copy = copies.get(s["db_id"])
            if copy is not None:
                copy.site = s["id"]
            self.sites[label] = dict(s, label=label)

    def site(self, name):
        """A site by label ("A", "B"), id, region or database id."""
        for s in self.sites.values():
            if name in (s["label"], s["id"], s["region"], s["db_id"]):
                return s
        raise KeyError(f"no site {name!r}")

    def copy(self, name):
        """The database copy (engines.Instance or engines.Cluster) of a site (label, id, region) or by its
        identifier: the current one (a rebuilt instance replaces a deleted one of the same name)."""
        copies = [c for c in reversed(self.engine.copies()) if not c.deleted]
        for c in copies:
            if name in (c.id, c.arn):
                return c
        db_id = self.site(name)["db_id"]
        return next(c for c in copies if c.id == db_id)

    @property
    def zone_id(self):
        return next(iter(self.route53.zones))

    @property
    def record_name(self):
        return next(iter(self.sites.values()))["function"].env["RECORD_NAME"]

    def route53_answer(self, t):
        if not self.route53.zones:
            return {}
        for zone_id in self.route53.zones:
            for (name, rtype, _), _r in self.route53.records_at(zone_id, t).items():
                if rtype == "CNAME":
                    return self.route53.answer(zone_id, name, t)
        return {}

    # ------------------------------------------------------------------------------------------
    # bookkeeping
    def event(self, text):
        self.log.append((self.clock.now, text))

    def iso(self, t):
        return utc(t).strftime("%Y-%m-%dT%H:%M:%S.000+0000")

    def parameter_changed(self, region, name, value):
        self.parameter_log.append((self.clock.now, region, name, value))

    def records_changed(self, zone_id, visible_at):
        if self._started:
            self.event(f"Route 53 records changed (answers use them from t={visible_at - self.t0:.0f})")

    def promotion_started(self, copy):
        others = [c for c in self.engine.copies() if c is not copy]
        serving = [c.id for c in others if c.takes_writes() and c.reachable()]
        self.promotion_log.append({"time": self.clock.now, "copy": copy.id, "serving": serving,
                                   "applied_until": copy.applied_until,
                                   "writer_until": max([c.applied_until for c in others] + [copy.applied_until]),
                                   "caller": self.clock.current.name if self.clock.in_task() else "simulator"})
        self.event(f"promotion of {copy.id} accepted" + (f" while {serving} take writes" if serving else ""))

    # ------------------------------------------------------------------------------------------
    # reachability
    def region_up(self, region):
        return region not in self._down

    def _cut(self, cuts, a, b):
        now = self.clock.now
        return any({a, b} == {x, y} and s <= now < e for x, y, s, e in cuts)

    def network_up(self, a, b):
        """Database traffic from region a to region b (the VPC peering)."""
        return a == b or (self.region_up(a) and self.region_up(b) and not self._cut(self.network_cuts, a, b))

    def api_reachable(self, service, region, caller_region):
        if not self.region_up(region):
            return False
        if service == "route53":
            now = self.clock.now
            if any(s <= now < e for s, e in self.route53_control_down):
                return False
        if caller_region is None or caller_region == region or service == "route53":
            return caller_region is None or self.region_up(caller_region)
        return not self._cut(self.api_cuts, caller_region, region)

    # ------------------------------------------------------------------------------------------
    # paging and alarm actions
    def deliver(self, topic_arn, subject, message, source):
        topic = self.sns.topics[topic_arn]
        now = self.clock.now
        if not self.region_up(topic["region"]):
            return
        if any(r == topic["region"] and s <= now < e for r, s, e in self.notification_failures):
            self.failed_deliveries.append((now, topic_arn, subject))
            self.cloudwatch.publish(topic["region"], "AWS/SNS", "NumberOfNotificationsFailed",
                                    [{"Name": "TopicName", "Value": topic["name"]}], 1.0)
            self.event(f"SNS {topic['name']}: delivery FAILED ({subject})")
            return
        self.pages.append({"time": now, "region": topic["region"], "topic": topic["name"], "subject": subject,
                           "message": message, "source": source})

    def alarm_action(self, alarm, arn, previous, state, reason):
        if arn.startswith("arn:aws:sns:"):
            if arn in self.sns.topics and self.sns.topics[arn]["region"] == alarm.region:
                self.deliver(arn, f'{state}: "{alarm.name}" in {alarm.region}', json.dumps({
                    "AlarmName": alarm.name, "NewStateValue": state, "OldStateValue": previous,
                    "NewStateReason": reason, "Region": alarm.region}), source="alarm")
        elif arn.startswith("arn:aws:lambda:"):
            fn = self.functions.find(arn)
            if fn is not None and fn.region == alarm.region:
                stamp = self.iso(self.clock.now)
                self.functions.invoke_async(fn, duplicate=fn.name in self.duplicated, event={
                    "source": "aws.cloudwatch", "alarmArn": alarm.arn, "accountId": ACCOUNT, "time": stamp,
                    "region": alarm.region, "alarmData": {
                        "alarmName": alarm.name, "state": {"value": state, "reason": reason, "timestamp": stamp},
                        "previousState": {"value": previous, "reason": "", "timestamp": stamp},
                        "configuration": {"description": "", "metrics": []}}}, source=f"alarm {alarm.name}")

    # ------------------------------------------------------------------------------------------
    # what a database connection from a region finds (the probes)
    def db_answer(self, from_region, host):
        """"dns" (no such endpoint), "timeout" (no route), "refused" (nothing listens), "standby", "writer"."""
        copy = next((c for c in self.engine.copies() if c.endpoint == host and not c.deleted), None)
        if copy is None:
            return "dns"
        if not self.region_up(copy.region) or not self.network_up(from_region, copy.region):
            return "timeout"
        if not copy.db_up or getattr(copy, "status", "available") in ("rebooting", "stopped", "stopping",
                                                                       "starting", "creating", "deleting"):
            return "refused"
        return "standby" if copy.in_recovery() else "writer"

    # ------------------------------------------------------------------------------------------
    # seams of the handlers (module attributes replaced in every execution environment)
    def seams(self, module):
        clock = self.clock
        name = module.__name__
        if name.endswith("drsynth_failover.aws") or name == "drsynth_failover.aws":
            module.clock = lambda: clock.now
            module.sleep = clock.sleep
            module.run_parallel = self.run_parallel
        for attr, value in list(vars(module).items()):
            if value is _datetime.datetime:
                setattr(module, attr, self._datetime)
            elif value is _datetime:
                shim = types.ModuleType("datetime")
                shim.__dict__.update(_datetime.__dict__)
                shim.datetime = self._datetime
                setattr(module, attr, shim)
            elif value is _time.time:
                setattr(module, attr, lambda: clock.now)
            elif value is _time.sleep:
                setattr(module, attr, clock.sleep)
        if all(hasattr(module, a) for a in ("check_database", "liveness", "ProbeError", "_clock", "run_probe")):
            self._probe_seams(module)

    # the probe's database connection (runtime/probe/index.py: check_database, liveness, _clock)
    # same region / over the peering: the whole check (inference)
    DB_LATENCY: ClassVar[dict] = {True: 0.05, False: 0.3}

    def _probe_seams(self, probe):
        clock, world = self.clock, self
        error = probe.ProbeError
        server_ca = os.path.join(tpl.RUNTIME, "probe", "rds-ca-bundle.pem")

        def reach(host, timeout):
            region = clock.current.region if clock.in_task() else None
            answer = world.db_answer(region, host)
            if answer == "dns":
                clock.sleep(0.01)
                raise error(probe.DNS, f"cannot resolve {host} (simulated)")
            if answer == "timeout":
                clock.sleep(timeout)
                raise error(probe.TIMEOUT, f"connect to {host} timed out (simulated)")
            if answer == "refused":
                clock.sleep(0.01)
                raise error(probe.REFUSED, f"connection to {host} refused (simulated)")
            copy = next(c for c in world.engine.copies() if c.endpoint == host and not c.deleted)
            clock.sleep(min(world.DB_LATENCY[region == copy.region], timeout))
            return copy

        def check_database(host, port, database, user, password, timeout_seconds, policy):
            copy = reach(host, timeout_seconds)
            trusted = os.path.abspath(policy.ca_bundle) == os.path.abspath(server_ca)
            if not trusted or copy.tls_ca != "rds":
                raise error(probe.TLS_ERROR, "certificate verify failed: unable to get local issuer certificate "
                            "(simulated: the server's CA is not in the bundle)")
            if password != copy.password:
                raise error(probe.BAD_PASSWORD, f'password authentication failed for user "{user}" (simulated)',
                            "28P01")
            info = {"standby": copy.in_recovery(), "tls": True, "auth": "scram-sha-256", "server_version": "15.10"}
            if info["standby"] and policy.expect_primary:
                exc = error(probe.STANDBY, "the server is in recovery (simulated)")
                exc.info = info
                raise exc
            return info

        def liveness(host, port, timeout_seconds):
            reach(host, timeout_seconds)
            return "S"

        probe.check_database = check_database
        probe.liveness = liveness
        probe._clock = lambda: clock.now

    def run_parallel(self, functions):
        """The handlers' parallel reads: each in a task of its own, interleaved by the clock."""
        clock = self.clock
        if not clock.in_task():
            return [f() for f in functions]
        parent = clock.current
        results = [None] * len(functions)
        done = [False] * len(functions)

        def make(i, f):
            def target():
                results[i] = f()
            return target

        def finished(i):
            def on_exit(_task):
                done[i] = True
                clock.wake(parent)
            return on_exit

        for i, f in enumerate(functions):
            child = Task(f"{parent.name}/{i}", region=parent.region, env=parent.env, modules=parent.modules,
                         function=parent.function)
            child.parent = parent
            parent.children.append(child)
            clock.spawn(child, make(i, f), on_exit=finished(i))
        while not all(done):
            clock.park(3600.0)
        return results

    # ------------------------------------------------------------------------------------------
    # the public API: faults and events (times in seconds after the start)
    def _t(self, seconds):
        return None if seconds is None else self.t0 + float(seconds)

    def at(self, seconds, action, *args, **kwargs):
        """Run ``action(*args, **kwargs)`` at ``seconds`` after the start."""
        self.clock.at(self.t0 + float(seconds), lambda: action(*args, **kwargs))

    def lose_region(self, region):
        """The region is gone: its databases, APIs, functions (killed mid-step), alarms, schedules, topics."""
        self._down.add(region)
        self.region_history.setdefault(region, []).append((self.clock.now, False))
        for task, finished in self.tasks_by_region.get(region, []):
            if not task.done and not task.killed:
                self.clock.kill(task)
                finished("lost", error={"errorType": "RegionLost", "errorMessage": f"{region} lost"})
        self.event(f"region {region} LOST")
        for c in self.engine.copies():
            c.record()

    def restore_region(self, region):
        self._down.discard(region)
        self.region_history.setdefault(region, []).append((self.clock.now, True))
        self.event(f"region {region} back")
        for c in self.engine.copies():
            c.record()

    def partition(self, a, b, network=True, apis=True, replication=False, start=None, end=None):
        """Cut, between regions a and b, the peering (network), the APIs (a function's calls into the other
        region), and optionally the databases' own replication.  From ``start`` (default: now) to ``end``."""
        s = self._t(start) if start is not None else self.clock.now
        e = self._t(end) if end is not None else float("inf")
        if network:
            self.network_cuts.append((a, b, s, e))
        if apis:
            self.api_cuts.append((a, b, s, e))
        if replication:
            self.clock.at(s, lambda: self._replication(a, b, True))
            if e != float("inf"):
                self.clock.at(e, lambda: self._replication(a, b, False))
        self.clock.at(s, lambda: self.event(f"partition {a} <-> {b}: " + ", ".join(
            k for k, v in (("network", network), ("APIs", apis), ("replication", replication)) if v)))

    def heal(self, a, b):
        now = self.clock.now
        self.network_cuts = [(x, y, s, min(e, now) if {x, y} == {a, b} else e) for x, y, s, e in self.network_cuts]
        self.api_cuts = [(x, y, s, min(e, now) if {x, y} == {a, b} else e) for x, y, s, e in self.api_cuts]
        self._replication(a, b, False)
        self.event(f"partition {a} <-> {b} healed")

    def _replication(self, a, b, cut):
        if self.engine.kind == "aurora":
            (self.engine.cut.add if cut else self.engine.cut.discard)(frozenset((a, b)))
        else:
            for inst in self.engine.instances.values():
                if inst.source is not None and {inst.region, inst.source.region} == {a, b}:
                    inst.replication_cut = cut

    def route53_control_plane(self, up, start=None, end=None):
        """Route 53's API (its control plane, us-east-1): ``up=False`` from start to end."""
        if not up:
            self.route53_control_down.append((self._t(start) if start is not None else self.clock.now,
                                              self._t(end) if end is not None else float("inf")))
        else:
            now = self.clock.now
            self.route53_control_down = [(s, min(e, now)) for s, e in self.route53_control_down]
        self.event(f"Route 53 control plane {'up' if up else 'DOWN'}")

    def fault(self, service, operation=None, region=None, caller_region=None, kind="throttle", start=None, end=None,
              times=None, caller=None):
        """A scripted fault on every matching AWS call (service as botocore names it: cloudwatch, rds, route53,
        ssm, sns, lambda, secretsmanager, sts; operation as the API names it: PutMetricData ...)."""
        return self.api.fault(service=service, operation=operation, region=region, caller_region=caller_region,
                              kind=kind, start=self._t(start), end=self._t(end), times=times, caller=caller)

    def schedule(self, function=None, kind=None, late=None, twice=False, missing=False, start=None, end=None):
        """EventBridge schedules of ``function`` (a name, a site label with ``kind``, or None: all) fire late
        (``late`` seconds), twice, or not at all, from ``start`` to ``end``."""
        def match(s):
            if function is None:
                return kind is None or s.fn.kind == kind
            if function in (s.fn.name, s.fn.arn):
                return True
            site = self.site(function)
            return s.fn.region == site["region"] and (kind is None or s.fn.kind == kind)
        s, e = self._t(start) if start is not None else self.t0, self._t(end) if end is not None else float("inf")
        for flag, what in ((missing, "missing"), (twice, "twice"), (late is not None, "late")):
            if flag:
                self.schedules.faults.append({"match": match, "kind": what, "seconds": late or 0.0, "start": s,
                                              "end": e})

    def throttle_lambda(self, region, start=None, end=None):
        """The account's other functions use up the region's unreserved concurrency."""
        self.functions.pool_exhausted.append((region, self._t(start) if start is not None else self.clock.now,
                                              self._t(end) if end is not None else float("inf")))

    def notifications_fail(self, region, start=None, end=None):
        """The region's paging topic accepts messages but fails to deliver them."""
        self.notification_failures.append((region, self._t(start) if start is not None else self.clock.now,
                                           self._t(end) if end is not None else float("inf")))

    # -- Lambda ---------------------------------------------------------------------------------
    def _functions(self, function=None, kind=None):
        out = []
        for fn in self.functions.all:
            if function is not None and function not in (fn.name, fn.arn):
                try:
                    if fn.region != self.site(function)["region"]:
                        continue
                except KeyError:
                    continue
            if kind is not None and fn.kind != kind:
                continue
            out.append(fn)
        return out

    def witness_region(self):
        return next((fn.region for fn in self.functions.all if fn.kind == "witness"), None)

    def recycle_environments(self, function=None, kind=None):
        """Lambda retires the idle execution environments (the next run starts cold: module state is lost)."""
        for fn in self._functions(function, kind):
            fn.environments = [e for e in fn.environments if e.busy]

    def set_environment(self, function=None, kind=None, **variables):
        """An update of the functions' environment (new execution environments from now on)."""
        for fn in self._functions(function, kind):
            fn.env.update({k: str(v) for k, v in variables.items()})
            fn.environments = [e for e in fn.environments if e.busy]
        self.event(f"environment of {kind or function} updated: {sorted(variables)}")

    def set_timeout(self, function, seconds, kind="failover"):
        for fn in self._functions(function, kind):
            fn.timeout = float(seconds)

    def duplicate_alarm_events(self, function=None, kind=None):
        """Lambda delivers every alarm event of these functions twice ("the same event ... multiple times")."""
        self.duplicated.extend(fn.name for fn in self._functions(function, kind))

    def crash_after(self, service, operation, function=None, kind="failover", times=1, start=None):
        """The run of a matching function dies right after its matching call (its runtime exits: no finally,
        nothing released), ``times`` times from ``start``."""
        names = {fn.name for fn in self._functions(function, kind)}
        self.crashes.append({"service": service, "operation": operation, "functions": names, "remaining": times,
                             "start": self._t(start) if start is not None else self.t0})

    def after_call(self, service, operation):
        """Called by the API layer after an answered call, in the calling task."""
        clock = self.clock
        task = clock.current if clock.in_task() else None
        if task is None or task.function is None:
            return
        for rule in self.crashes:
            if rule["remaining"] > 0 and task.function.name in rule["functions"] and rule["service"] == service \
                    and rule["operation"] == operation and clock.now >= rule["start"]:
                rule["remaining"] -= 1
                self.event(f"{task.name}: dies right after {service}.{operation}")
                root = task
                while getattr(root, "parent", None) is not None:
                    root = root.parent
                for t, finished in self.tasks_by_region.get(task.function.region, []):
                    if t is root:
                        finished("crash", error={"errorType": "Runtime.ExitError", "errorMessage": "simulated crash"})
                clock.kill(root)
                clock.die()

    # -- the databases ---------------------------------------------------------------------------
    def db_down(self, site, seconds=None, status=None):
        """The site's database stops answering (crash, Multi-AZ failover, reboot: ``status`` as RDS shows it)."""
        c = self.copy(site)
        c.db_up = False
        previous = getattr(c, "status", None)
        if status is not None:
            c.status = status
        c.record()
        self.event(f"{c.id} database down" + (f" ({status})" if status else ""))
        if seconds is not None:
            def up():
                c.db_up = True
                if status is not None:
                    c.status = previous
                c.record()
                self.event(f"{c.id} database back")
            self.clock.after(seconds, up)

    def storage_full(self, site):
        c = self.copy(site)
        c.storage_full = True
        if hasattr(c, "status"):
            c.status = "storage-full"
        c.db_up = False
        c.record()
        self.event(f"{c.id} storage full")

    def set_lag(self, site, seconds, idle=False):
        """The standby's replication lag while replication runs (``idle``: a source without writes)."""
        c = self.copy(site)
        c.base_lag = float(seconds)
        if hasattr(c, "idle_source"):
            c.idle_source = idle
        c.applied_until = min(c.applied_until, self.clock.now - float(seconds))

    def set_password(self, site, password):
        """The database's password changes (the secret keeps the old one: the probe's credentials are wrong)."""
        self.copy(site).password = password

    # -- the operator ------------------------------------------------------------------------------
    def operator(self, action, site, read_timeout=330.0, **payload):
        """The operator invokes the failover function of ``site`` (Lambda Invoke, RequestResponse) now."""
        fn = self.site(site)["function"]
        event = dict(payload, action=action)
        return self.cli("lambda", "invoke", fn.region, read_timeout=read_timeout, FunctionName=fn.name,
                        InvocationType="RequestResponse", Payload=json.dumps(event).encode(),
                        label=f"operator {action}")

    def cli(self, service, operation, region, read_timeout=60.0, label=None, **params):
        """An operator's AWS CLI call (boto3 from a laptop: no region of its own) now; its outcome is logged."""
        import boto3
        from botocore.config import Config
        record = {"time": self.clock.now, "call": f"{service}.{operation}", "result": None, "error": None}
        self.operator_calls.append(record)

        def target():
            client = boto3.client(service, region_name=region, config=Config(
                read_timeout=read_timeout, connect_timeout=10, retries={"max_attempts": 1, "mode": "standard"}))
            try:
                out = getattr(client, operation)(**params)
                if "Payload" in out:
                    out = dict(out, Payload=json.loads(out["Payload"].read() or b"null"))
                record["result"] = out
            except Exception as exc:  # noqa: BLE001 - the operator sees the error
                record["error"] = f"{type(exc).__name__}: {exc}"
            self.event(f"operator: {label or record['call']} -> "
                       + (record["error"] or json.dumps(record["result"], default=str)[:300]))
        self.clock.spawn(Task(label or f"operator {service}.{operation}", region=None), target)
        return record

    # ------------------------------------------------------------------------------------------
    # running
    def _every(self, offset, interval, fn):
        def tick():
            fn()
            self.clock.at(self.clock.now + interval, tick)
        self.clock.at(self.t0 + offset, tick)

    def start(self):
        if self._started:
            return
        self._started = True
        self._every(0.5, 1.0, self.engine.tick)
        self._every(59.0, 60.0, self.engine.publish_metrics)
        self._every(59.5, 60.0, self.functions.publish_queue_metrics)
        for region in REGIONS:
            self._every(EVALUATION_DELAY, 60.0, lambda r=region: self.region_up(r) and
                        self.cloudwatch.evaluate_region(r))
        self._every(HEALTH_CHECK_INTERVAL / 2, HEALTH_CHECK_INTERVAL, self.route53.evaluate_checks)
        self.schedules.start(self.t0)

    def run(self, until):
        """Run to ``until`` seconds after the start (may be called again to go on)."""
        self.api.install()   # the world that runs answers the calls (one world runs at a time in a process)
        self.start()
        saved = (_time.time, _time.sleep, _time.monotonic)
        _time.time, _time.sleep, _time.monotonic = (lambda: self.clock.now), self._sleep, (lambda: self.clock.now)
        try:
            self.clock.run_until(self.t0 + float(until))
        finally:
            _time.time, _time.sleep, _time.monotonic = saved
        self.ended = float(until)
        return self

    def _sleep(self, seconds):
        if self.clock.in_task():
            self.clock.sleep(seconds)

    # ------------------------------------------------------------------------------------------
    # reading the outcome
    def state(self, site):
        """The failover state parameter of a site's function (parsed JSON, or None)."""
        fn = self.site(site)["function"]
        raw = self.ssm.value(fn.region, fn.env["STATE_PARAMETER"])
        return None if raw is None else json.loads(raw)

    def runs(self, kind=None, site=None):
        out = self.functions.runs
        if kind:
            out = [r for r in out if r["kind"] == kind]
        if site:
            out = [r for r in out if r["region"] == self.site(site)["region"]]
        return out

    def result(self, failure_at=None, name=None):
        from sim.results import Result
        return Result(self, failure_at=failure_at, name=name)

    def timeline(self, since=0.0):
        """The event log, times relative to the start."""
        return [(round(t - self.t0, 1), text) for t, text in self.log if t - self.t0 >= since]
