"""A deterministic world for the Aurora Global Database system (see world.py
for the first system; the virtual clock, the alarm arithmetic and the
resolver are the same).

The REAL handlers run: runtime/probe in each region (its connection to the
global writer endpoint modelled) and runtime/aurora_failover in each region,
against moto (SSM, CloudWatch, SNS, Route 53) and the documented fake of the
RDS global-cluster calls (runtime/tests/aurora_fake.py) on the virtual clock.
Modelled here: alarm evaluation from each alarm's settings, the Route 53
calculated health check of each weighted record, weighted answers cached for
the TTL, the loss of a region (its probe, alarms, function and APIs), the
network between the regions (database traffic only), Route 53's API.
"""

import contextlib
import io
import json
import os
import sys
import threading

import boto3
from botocore.exceptions import ClientError, EndpointConnectionError

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                                "runtime"))
from tests import support  # noqa: E402  runtime/tests/support.py
from tests.aurora_fake import AuroraFake  # noqa: E402

probe = support.load_handler("probe")
aurora = support.load_handler("aurora_failover")

from sim.models import (API_LATENCY, EVALUATION_DELAY, FUNCTION_START, HEALTH_CHECK_DELAY, T0,  # noqa: E402
                        Context, Scheduler)
from sim.template_settings import Alarm  # noqa: E402
from sim.world import World, _utc  # noqa: E402

PROBE_OFFSET = {0: 20.0, 1: 35.0}  # the two regions' probes fire at these seconds of each minute
RECONCILE_OFFSET = {0: 50.0, 1: 55.0}


class _Wrapped:
    """A client whose calls cost virtual time, may be unreachable, and are watched."""

    def __init__(self, world, client, down):
        self._world, self._client, self._down = world, client, down

    def __getattr__(self, name):
        attr = getattr(self._client, name)
        if not callable(attr):
            return attr

        def call(*args, **kwargs):
            self._world.api_call()
            if self._down():
                raise EndpointConnectionError(endpoint_url=f"https://{name}.example/")
            self._world.before_call(name, kwargs)
            result = attr(*args, **kwargs)
            self._world.after_call(name, kwargs)
            return result
        return call


class AuroraWorld:
    _at = staticmethod(World._at)

    def __init__(self, settings, failover_seconds=60.0, switchover_seconds=90.0):
        support.fake_aws_env(settings["primary_region"])
        self.s = settings
        self.clock = Scheduler()
        self.fake = AuroraFake(lambda: self.clock.now, failover_seconds=failover_seconds,
                               switchover_seconds=switchover_seconds)
        self.regions = [settings["primary_region"]] + [r for r in settings["functions"]
                                                       if r != settings["primary_region"]]
        self.region_up = {r: True for r in self.regions}
        self.region_history = {r: [(self.clock.now, True)] for r in self.regions}
        self.network_up = True
        self.route53_api_up = True
        self.alarms = {n: Alarm(a["props"], a["region"]) for n, a in settings["alarms"].items()}
        self.log, self.pages, self.invocations = [], [], []
        self.alarm_history, self.record_history = {}, []
        self.writable_history = {}
        self.crash_after = None          # (operation) -> the invocation dies right after it
        self.requests = 0
        self._clients = {}
        self._real_client = boto3.client
        self._setup()

    # -- bookkeeping -------------------------------------------------------------
    def event(self, text):
        self.log.append((self.clock.now, text))

    def api_call(self):
        self.clock.sleep(API_LATENCY)

    def before_call(self, name, kwargs):
        self.fake.advance()

    def after_call(self, name, kwargs):
        if name == "set_alarm_state":
            self._alarm_changed(kwargs["AlarmName"], kwargs["StateValue"], by="function")
        elif name == "change_resource_record_sets":
            self._snapshot_records()
        elif name == "publish":
            self.pages.append((self.clock.now, kwargs.get("Subject", "")))
        self._sample()
        if self.crash_after == name:
            self.crash_after = None
            self.event(f"the invocation dies right after {name}")
            self._die()

    def _die(self):
        """A Lambda killed mid-run: no finally, the lock stays held."""
        ident = threading.get_ident()
        self.clock.threads.pop(ident, None)
        self.clock.yielded.set()
        threading.Event().wait()

    def _sample(self):
        self.fake.advance()
        for arn in self.cluster_arns.values():
            value = self.fake.writable(arn) and self.region_up[self.fake.clusters[arn]["region"]]
            history = self.writable_history.setdefault(arn, [(self.clock.now, value)])
            if history[-1][1] != value:
                history.append((self.clock.now, value))
                self.event(f"{self.fake.clusters[arn]['id']} {'writable' if value else 'NOT writable'}")

    def set_region(self, region, up):
        self.region_up[region] = up
        self.region_history[region].append((self.clock.now, up))
        (self.fake.unreachable.discard if up else self.fake.unreachable.add)(region)
        self.event(f"region {region} " + ("back" if up else "LOST"))
        self._sample()

    # -- AWS -----------------------------------------------------------------------
    def _setup(self):
        s, primary, secondary = self.s, self.regions[0], self.regions[1]
        ids = {r: s["functions"][r]["env"]["LOCAL_CLUSTER_ID"] for r in self.regions}
        self.global_id = s["functions"][primary]["env"]["GLOBAL_CLUSTER_ID"]
        arns = self.fake.add_global_cluster(self.global_id, (primary, ids[primary]), [(secondary, ids[secondary])])
        self.cluster_arns = {r: arns[ids[r]] for r in self.regions}
        self.region_of_arn = {arn: r for r, arn in self.cluster_arns.items()}
        self.cw = {r: boto3.client("cloudwatch", region_name=r) for r in self.regions}
        for alarm in self.alarms.values():
            self.cw[alarm.region].put_metric_alarm(
                AlarmName=alarm.name, Namespace=alarm.namespace, MetricName=alarm.metric, Dimensions=alarm.dimensions,
                Statistic=alarm.statistic, Period=alarm.period, EvaluationPeriods=alarm.evaluation_periods,
                DatapointsToAlarm=alarm.datapoints_to_alarm, Threshold=alarm.threshold,
                ComparisonOperator=alarm.comparison, TreatMissingData=alarm.treat_missing)
            self.cw[alarm.region].set_alarm_state(AlarmName=alarm.name, StateValue="INSUFFICIENT_DATA",
                                                  StateReason="created")
            self.alarm_history[alarm.name] = [(self.clock.now, "INSUFFICIENT_DATA")]
        env0 = s["functions"][primary]["env"]
        vpc = boto3.client("ec2", region_name=secondary).create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
        self.r53 = boto3.client("route53", region_name="us-east-1")
        self.zone_id = self.r53.create_hosted_zone(
            Name=env0["RECORD_NAME"].split(".", 1)[1], CallerReference="sim", HostedZoneConfig={
                "Comment": "sim", "PrivateZone": True}, VPC={"VPCRegion": secondary, "VPCId": vpc})[
            "HostedZone"]["Id"].split("/")[-1]
        self.endpoints = {r: f"{ids[r]}.cluster-sim.{r}.rds.amazonaws.com" for r in self.regions}
        self.health_check_ids = {}
        changes = []
        for r in self.regions:
            set_id = s["functions"][r]["env"]["LOCAL_SET_IDENTIFIER"]
            rrs = {"Name": env0["RECORD_NAME"], "Type": "CNAME", "SetIdentifier": set_id, "TTL": self.ttl(),
                   "Weight": 100 if r == primary else 0, "ResourceRecords": [{"Value": self.endpoints[r]}]}
            if s["records"][set_id]["health_check"]:
                self.health_check_ids[r] = self.r53.create_health_check(CallerReference=f"sim-{r}", HealthCheckConfig={
                    "Type": "CALCULATED", "ChildHealthChecks": [], "HealthThreshold": 1})["HealthCheck"]["Id"]
                rrs["HealthCheckId"] = self.health_check_ids[r]
            changes.append({"Action": "CREATE", "ResourceRecordSet": rrs})
        self.r53.change_resource_record_sets(HostedZoneId=self.zone_id, ChangeBatch={"Changes": changes})
        self._snapshot_records()
        self.topics = {r: boto3.client("sns", region_name=r).create_topic(Name=f"dr-alarms-{r}")["TopicArn"]
                       for r in self.regions}
        self.function_env = {}
        for r in self.regions:
            other = [x for x in self.regions if x != r][0]
            env = dict(s["functions"][r]["env"])
            env.update(HOSTED_ZONE_ID=self.zone_id, TOPIC_ARN=self.topics[r], LOCAL_ENDPOINT=self.endpoints[r],
                       REMOTE_ENDPOINT=self.endpoints[other], LOCAL_CLUSTER_ARN=self.cluster_arns[r],
                       REMOTE_CLUSTER_ARN=self.cluster_arns[other], AWS_REGION=r,
                       LOCAL_HEALTH_CHECK_ID=self.health_check_ids.get(r, ""),
                       REMOTE_HEALTH_CHECK_ID=self.health_check_ids.get(other, ""))
            unresolved = [k for k, v in env.items() if not isinstance(v, str)]
            if unresolved:
                raise ValueError(f"unresolved references in the {r} failover environment: {unresolved}")
            self.function_env[r] = env
        self._sample()

    def ttl(self):
        return max(rec["ttl"] for rec in self.s["records"].values())

    def _snapshot_records(self):
        records = {}
        for rrs in self.r53.list_resource_record_sets(HostedZoneId=self.zone_id)["ResourceRecordSets"]:
            if rrs["Type"] == "CNAME":
                records[rrs["SetIdentifier"]] = (rrs["Weight"], rrs["ResourceRecords"][0]["Value"],
                                                 rrs.get("HealthCheckId"))
        self.record_history.append((self.clock.now, records))

    def client(self, service, region):
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = self._real_client(service, region_name=region)
        return self._clients[key]

    def client_factory(self, session, service, region, config):
        if service == "rds":
            return _Wrapped(self, self.fake.client(region), lambda: False)  # the fake knows what is unreachable
        if service == "route53":
            return _Wrapped(self, self.client(service, region), lambda: not self.route53_api_up)
        return _Wrapped(self, self.client(service, region), lambda: not self.region_up[region])

    # -- the handlers ----------------------------------------------------------------
    @contextlib.contextmanager
    def patched(self):
        now = lambda: self.clock.now  # noqa: E731
        saved = (aurora._client, aurora._sleep, aurora.st._clock, probe._clock, probe.fetch_credentials,
                 probe.policy_from_env, probe.check_database, dict(os.environ), boto3.client, aurora.st.log)
        # not redirect_stdout: it swaps sys.stdout for every thread, and invocations interleave
        aurora.st.log = lambda step, **fields: None
        boto3.client = lambda service, region_name=None, **kw: self.client(service, region_name)
        aurora._client, aurora._sleep, aurora.st._clock, probe._clock = (self.client_factory, self.clock.sleep,
                                                                         now, now)
        probe.fetch_credentials = lambda secret_id, region, stage=None: {"secret_id": secret_id, "username": "u",
                                                                           "password": "p"}
        probe.policy_from_env = lambda env: probe.Policy("modelled-bundle.pem")
        try:
            yield
        finally:
            (aurora._client, aurora._sleep, aurora.st._clock, probe._clock, probe.fetch_credentials,
             probe.policy_from_env, probe.check_database, environ, boto3.client, aurora.st.log) = saved
            os.environ.clear()
            os.environ.update(environ)

    def invoke(self, region, event, delay=FUNCTION_START, label=None):
        def run():
            if not self.region_up[region]:
                return
            self.requests += 1
            context = Context(self, self.s["functions"][region]["timeout"], f"sim-{self.requests}")
            os.environ.update(self.function_env[region])  # read by Settings before the first call yields
            summary = aurora.handler(event, context)  # its log lines go nowhere (patched)
            self.invocations.append((self.clock.now, region, label or event.get("action", "alarm"), summary))

        self.clock.at(self.clock.now + delay, lambda: self.clock.spawn(run))

    def _probe(self, region):
        if not self.region_up[region]:
            return  # lost with its region: silence
        self.fake.advance()
        writer = self.fake.writer_of(self.global_id)
        writer_region = self.region_of_arn.get(writer)

        def check(host, port, database, user, password, timeout, policy):
            if writer is None or not self.region_up[writer_region] or (writer_region != region and
                                                                         not self.network_up):
                raise probe.ProbeError(probe.TIMEOUT, "no route (modelled)")
            if not self.fake.writable(writer):
                raise probe.ProbeError(probe.REFUSED, "writer down or changing (modelled)")
            return {"standby": False, "tls": True, "auth": "scram-sha-256", "server_version": "15.10"}

        env = {k: v for k, v in self.s["probes"][region].items() if isinstance(v, str)}
        env.update(DB_HOST=f"{self.global_id}.global-sim.global.rds.amazonaws.com", DB_SECRET_ID="sim",
                   AWS_REGION=region)
        os.environ.update(env)
        probe.check_database = check
        with contextlib.redirect_stdout(io.StringIO()):
            probe.handler({}, None)

    # -- CloudWatch alarms -----------------------------------------------------------
    def _alarm_changed(self, name, state, by):
        history = self.alarm_history[name]
        if history[-1][1] != state:
            history.append((self.clock.now, state))
            self.event(f"alarm {name} -> {state} ({by})")

    def _evaluate(self, alarm):
        if not self.region_up[alarm.region]:
            return
        cw = self.cw[alarm.region]
        end = (self.clock.now - T0 - EVALUATION_DELAY) // alarm.period * alarm.period + T0
        start = end - alarm.period * alarm.evaluation_periods
        stats = cw.get_metric_statistics(Namespace=alarm.namespace, MetricName=alarm.metric,
                                         Dimensions=alarm.dimensions, StartTime=_utc(start), EndTime=_utc(end),
                                         Period=alarm.period, Statistics=[alarm.statistic])
        values = {int((p["Timestamp"].timestamp() - start) // alarm.period): p[alarm.statistic]
                  for p in stats["Datapoints"]}
        periods = [values.get(k) for k in range(alarm.evaluation_periods)]
        current = self.alarm_history[alarm.name][-1][1]
        present = [v for v in periods if v is not None]
        if alarm.treat_missing == "breaching":
            breaching = sum(1 for v in periods if v is None or alarm.breaching(v))
        elif alarm.treat_missing == "notBreaching":
            breaching = sum(1 for v in present if alarm.breaching(v))
        elif present:
            breaching = sum(1 for v in present if alarm.breaching(v))
        else:
            breaching = None
        new = (current if alarm.treat_missing == "ignore" else "INSUFFICIENT_DATA") if breaching is None else \
            "ALARM" if breaching >= alarm.datapoints_to_alarm else "OK"
        if new != current:
            cw.set_alarm_state(AlarmName=alarm.name, StateValue=new, StateReason="simulated evaluation")
            self._alarm_changed(alarm.name, new, by="evaluation")
            if new in ("ALARM", "OK") and alarm.metric != "Fenced":
                self.pages.append((self.clock.now, f"{new}: {alarm.name}"))
            if new == "ALARM" and alarm.invokes_function():
                self.invoke(alarm.region, {"source": "aws.cloudwatch", "alarmData": {
                    "alarmName": alarm.name, "state": {"value": "ALARM"}}}, label="alarm")

    # -- Route 53 --------------------------------------------------------------------
    def child_healthy(self, check, t):
        seen = t - HEALTH_CHECK_DELAY
        history = self.alarm_history[check["alarm"]]
        state = self._at(history, seen) if self._at(self.region_history[check["region"]], seen) else \
            "INSUFFICIENT_DATA"
        if state in ("ALARM", "OK"):
            return state == "OK"
        if check["insufficient"] == "LastKnownStatus":
            known = [v for when, v in history if when <= seen and v != "INSUFFICIENT_DATA"]
            return not known or known[-1] == "OK"
        return check["insufficient"] == "Healthy"

    def record_healthy(self, set_id, t):
        check = self.s["records"][set_id]["health_check"]
        if not check:
            return True
        return sum(1 for c in check["children"] if self.child_healthy(c, t)) >= check["threshold"]

    def authoritative_answer(self, t):
        """The region whose cluster endpoint DNS answers with."""
        records = self._at(self.record_history, t)
        healthy = {k: self.record_healthy(k, t) for k in records}
        for pool in ([k for k, (w, _, _) in records.items() if w > 0 and healthy[k]],
                     [k for k, (w, _, _) in records.items() if w == 0 and healthy[k]], list(records)):
            if pool:
                best = max(pool, key=lambda k: (records[k][0], k))
                return next(r for r, e in self.endpoints.items() if e == records[best][1])
        return None

    def resolver_answer(self, t):
        ttl = self.ttl()
        return self.authoritative_answer(T0 + (t - T0) // ttl * ttl)

    # -- running ---------------------------------------------------------------------
    def start(self):
        def every(offset, interval, fn):
            def tick():
                fn()
                self.clock.at(self.clock.now + interval, tick)
            self.clock.at(T0 + offset, tick)

        for i, region in enumerate(self.regions):
            every(PROBE_OFFSET[i], self.s["probe_interval"], lambda r=region: self._probe(r))
            every(RECONCILE_OFFSET[i], self.s["reconcile_interval"], lambda r=region: self.invoke(
                r, {"action": "reconcile", "source": "schedule"}, delay=0, label="reconcile"))
        for alarm in self.alarms.values():
            every(60 + EVALUATION_DELAY, alarm.period, lambda a=alarm: self._evaluate(a))
        every(1.0, 5.0, self._sample)

    def at(self, seconds_after_t0, action):
        self.clock.at(T0 + seconds_after_t0, action)

    def run(self, until_seconds):
        with self.patched():
            self.clock.run_until(T0 + until_seconds)
            for _ in range(10000):
                if not self.clock.threads:
                    break
                self.clock.run_until(self.clock.now + 1)

    def state(self, region):
        ssm = boto3.client("ssm", region_name=region)
        try:
            name = self.function_env[region]["STATE_PARAMETER"]
            return json.loads(ssm.get_parameter(Name=name)["Parameter"]["Value"])
        except ClientError:
            return {"state": None}
