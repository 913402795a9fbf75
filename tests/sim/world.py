"""A deterministic world for the failure-scenario simulator.

The REAL handlers (runtime/probe, runtime/failover) run against moto (SSM,
CloudWatch, SNS/SQS, Route 53) on a virtual clock.  What moto does not model is
modelled here, with the numbers read from the synthesized templates:

* CloudWatch alarm evaluation (Period, EvaluationPeriods, DatapointsToAlarm,
  TreatMissingData of each alarm), once a period, ``EVALUATION_DELAY`` after
  the period ends, with the alarm's SNS and Lambda actions;
* Route 53 health checks following their alarm ``HEALTH_CHECK_DELAY`` later,
  the calculated check, weighted answers, and a resolver that caches for TTL;
* RDS: the primary (available, Multi-AZ failover, rebooting, lost with its
  region) and the replica (backing-up, promotion taking ``promotion_seconds``),
  answered to the failover function's RDS calls by this model;
* the reachability of each region's APIs and of the peering.

Every AWS call of the failover function costs ``API_LATENCY`` of virtual time,
and its sleeps are virtual: two invocations interleave call by call, so the
lock is really exercised.  Everything is ordered by (time, sequence): runs are
deterministic.
"""

import contextlib
import datetime
import io
import json
import os
import sys

import boto3
from botocore.exceptions import ClientError

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                                "runtime"))
from tests import support  # noqa: E402  runtime/tests/support.py

probe = support.load_handler("probe")
failover = support.load_handler("failover")

from sim.models import (API_LATENCY, DR_PROBE_OFFSET, EVALUATION_DELAY, FUNCTION_START,  # noqa: E402,F401
                        HEALTH_CHECK_DELAY, LOCAL_PROBE_OFFSET, RECONCILE_OFFSET, T0, Context, RdsModel,
                        Scheduler, _RdsClient, _Wrapped)


def _utc(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)


class World:
    """One deployment of the DR system, from the synthesized settings."""

    primary_id = "postgres-primary-sim"
    replica_id = "postgres-replica-sim"
    primary_endpoint = "postgres-primary-sim.abc.us-east-1.rds.amazonaws.com"
    replica_endpoint = "postgres-replica-sim.abc.eu-west-1.rds.amazonaws.com"

    def __init__(self, settings, promotion_seconds=120.0):
        self.s = settings
        self.clock = Scheduler()
        self.rds = RdsModel(self, promotion_seconds)
        self.primary_region_up = True   # the database, its region's APIs, the local probe
        self.primary_api_up = True      # RDS/CloudWatch APIs of the primary region, seen from the DR region
        self.route53_api_up = True
        self.peering_up = True
        self.log = []
        self.pages = []                 # (time, subject)
        self.invocations = []           # (time, summary)
        self.alarm_history = {}         # name -> [(time, state)]
        self.record_history = []        # [(time, {set_id: (weight, value, health_check)})]
        self.region_history = [(self.clock.now, True)]
        self.writable_history = {"primary": [(self.clock.now, True)], "replica": [(self.clock.now, False)]}
        self.requests = 0
        self._clients = {}
        self._real_client = boto3.client
        self._setup_aws()

    # -- bookkeeping ---------------------------------------------------------
    def event(self, text):
        self.log.append((self.clock.now, text))

    def api_call(self):
        self.clock.sleep(API_LATENCY)

    def after_control_call(self, name, kwargs):
        if name == "set_alarm_state":
            self._alarm_changed(kwargs["AlarmName"], kwargs["StateValue"], by="function")
        elif name == "change_resource_record_sets":
            self._snapshot_records()
        elif name == "publish":
            self.pages.append((self.clock.now, kwargs.get("Subject", "")))

    def set_primary(self, **fields):
        self.rds.primary.update(fields)
        self._track_writable()

    def set_replica(self, **fields):
        self.rds.replica.update(fields)
        self._track_writable()

    def set_primary_region(self, up):
        self.primary_region_up = up
        self.primary_api_up = up
        self.region_history.append((self.clock.now, up))
        self._track_writable()
        self.event("primary region " + ("back" if up else "LOST"))

    def _track_writable(self):
        p = self.rds.primary
        primary = p["writable"] and p["db_up"] and self.primary_region_up
        replica = self.rds.replica["writable"]
        for key, value in (("primary", primary), ("replica", replica)):
            if self.writable_history[key][-1][1] != value:
                self.writable_history[key].append((self.clock.now, value))

    # -- AWS (moto) ------------------------------------------------------------
    def _setup_aws(self):
        s = self.s
        self.sns = boto3.client("sns", region_name=s.dr_region)
        self.topic = self.sns.create_topic(Name="dr-alarms-sim")["TopicArn"]
        self.cw = {s.dr_region: boto3.client("cloudwatch", region_name=s.dr_region),
                   s.primary_region: boto3.client("cloudwatch", region_name=s.primary_region)}
        for alarm in s.alarms.values():
            self.cw[alarm.region].put_metric_alarm(
                AlarmName=alarm.name, Namespace=alarm.namespace, MetricName=alarm.metric, Dimensions=alarm.dimensions,
                Statistic=alarm.statistic, Period=alarm.period, EvaluationPeriods=alarm.evaluation_periods,
                DatapointsToAlarm=alarm.datapoints_to_alarm, Threshold=alarm.threshold,
                ComparisonOperator=alarm.comparison, TreatMissingData=alarm.treat_missing)
            self.cw[alarm.region].set_alarm_state(AlarmName=alarm.name, StateValue="INSUFFICIENT_DATA",
                                                  StateReason="created")
            self.alarm_history[alarm.name] = [(self.clock.now, "INSUFFICIENT_DATA")]
        vpc = boto3.client("ec2", region_name=s.dr_region).create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
        self.r53 = boto3.client("route53", region_name="us-east-1")
        record_name = s.failover_env["RECORD_NAME"]
        self.zone_id = self.r53.create_hosted_zone(
            Name=record_name.split(".", 1)[1], CallerReference="sim", VPC={"VPCRegion": s.dr_region, "VPCId": vpc},
            HostedZoneConfig={"Comment": "sim", "PrivateZone": True})["HostedZone"]["Id"].split("/")[-1]
        self.health_check = self.r53.create_health_check(CallerReference="sim-hc", HealthCheckConfig={
            "Type": "CALCULATED", "ChildHealthChecks": [], "HealthThreshold": s.health_threshold})["HealthCheck"]["Id"]
        record_name = s.failover_env["RECORD_NAME"]

        def record(set_id, value, weight, health_check=None):
            rrs = {"Name": record_name, "Type": "CNAME", "SetIdentifier": set_id, "Weight": weight, "TTL": s.ttl,
                   "ResourceRecords": [{"Value": value}]}
            if health_check:
                rrs["HealthCheckId"] = health_check
            return {"Action": "CREATE", "ResourceRecordSet": rrs}

        self.r53.change_resource_record_sets(HostedZoneId=self.zone_id, ChangeBatch={"Changes": [
            record("primary", self.primary_endpoint, 100, self.health_check),
            record("replica", self.replica_endpoint, 0)]})
        self._snapshot_records()
        env = s.function_environment(self.zone_id, self.primary_endpoint, self.replica_endpoint, self.topic,
                                     self.health_check)
        env.update(PRIMARY_INSTANCE_ID=self.primary_id, REPLICA_INSTANCE_ID=self.replica_id)
        self.function_env = env

    def _snapshot_records(self):
        records = {}
        for rrs in self.r53.list_resource_record_sets(HostedZoneId=self.zone_id)["ResourceRecordSets"]:
            if rrs["Type"] == "CNAME":
                records[rrs["SetIdentifier"]] = (rrs["Weight"], rrs["ResourceRecords"][0]["Value"],
                                                 rrs.get("HealthCheckId"))
        self.record_history.append((self.clock.now, records))

    def client(self, service, region, **_ignored):
        """moto clients, made once per world (creating one costs real time, not virtual)."""
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = self._real_client(service, region_name=region)
        return self._clients[key]

    def client_factory(self, session, service, region, config):
        if service == "rds":
            return _RdsClient(self, region)
        client = self.client(service, region)
        if service == "route53":
            return _Wrapped(self, client, lambda: not self.route53_api_up)
        if region == self.s.primary_region:
            return _Wrapped(self, client, lambda: not self.primary_api_up)
        return _Wrapped(self, client, lambda: False)

    # -- the handlers --------------------------------------------------------
    @contextlib.contextmanager
    def patched(self):
        """The handlers' clock, sleep and AWS clients belong to this world."""
        now = lambda: self.clock.now  # noqa: E731
        saved = (failover._client, failover._sleep, failover.st._clock, probe._clock,
                 probe.fetch_credentials, probe.policy_from_env, probe.check_database, dict(os.environ), boto3.client)
        boto3.client = lambda service, region_name=None, **kw: self.client(service, region_name)
        failover._client = self.client_factory
        failover._sleep = self.clock.sleep
        failover.st._clock = now
        probe._clock = now
        probe.fetch_credentials = lambda secret_id, region, stage=None: {"secret_id": secret_id, "username": "u", "password": "p"}
        probe.policy_from_env = lambda env: probe.Policy("modelled-bundle.pem")
        os.environ.update(self.function_env)
        try:
            yield
        finally:
            (failover._client, failover._sleep, failover.st._clock, probe._clock, probe.fetch_credentials,
             probe.policy_from_env, probe.check_database, environ, boto3.client) = saved
            os.environ.clear()
            os.environ.update(environ)

    def invoke_failover(self, event, delay=FUNCTION_START, label=None):
        def run():
            self.requests += 1
            context = Context(self, self.s.failover_timeout, f"sim-{self.requests}")
            with contextlib.redirect_stdout(io.StringIO()):
                summary = failover.handler(event, context)
            self.invocations.append((self.clock.now, label or event.get("action", "alarm"), summary))

        self.clock.at(self.clock.now + delay, lambda: self.clock.spawn(run))

    def _probe(self, local):
        p = self.rds.primary
        if local and not self.primary_region_up:
            return  # the local probe is lost with its region: silence
        reachable = self.primary_region_up and (local or self.peering_up)

        def check(host, port, database, user, password, timeout, policy):
            if not reachable:
                raise probe.ProbeError(probe.TIMEOUT, "no route (modelled)")
            if not p["db_up"]:
                raise probe.ProbeError(probe.REFUSED, "connection refused (modelled)")
            if not p["writable"]:
                raise probe.ProbeError(probe.STANDBY, "in recovery (modelled)")
            return {"standby": False, "tls": True, "auth": "scram-sha-256", "server_version": "15.10"}

        env = dict(self.s.local_probe_env if local else self.s.probe_env)
        env = {k: v for k, v in env.items() if isinstance(v, str)}
        env.update(DB_HOST=self.primary_endpoint, DB_PORT="5432", DB_SECRET_ID="db-credentials-sim",
                   AWS_REGION=self.s.primary_region if local else self.s.dr_region)
        saved = dict(os.environ)
        os.environ.update(env)
        probe.check_database = check
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                probe.handler({}, None)
        finally:
            os.environ.clear()
            os.environ.update(saved)

    # -- CloudWatch alarms ---------------------------------------------------
    def _alarm_changed(self, name, state, by):
        history = self.alarm_history[name]
        if history[-1][1] != state:
            history.append((self.clock.now, state))
            self.event(f"alarm {name} -> {state} ({by})")

    def _evaluate(self, alarm):
        if alarm.region == self.s.primary_region and not self.primary_region_up:
            return
        cw = self.cw[alarm.region]
        end = (self.clock.now - T0 - EVALUATION_DELAY) // alarm.period * alarm.period + T0
        start = end - alarm.period * alarm.evaluation_periods
        stats = cw.get_metric_statistics(Namespace=alarm.namespace, MetricName=alarm.metric,
                                         Dimensions=alarm.dimensions, StartTime=_utc(start), EndTime=_utc(end),
                                         Period=alarm.period, Statistics=[alarm.statistic])
        # moto stamps a bucket with its first datapoint's time, CloudWatch with the period start
        values = {}
        for point in stats["Datapoints"]:
            values[int((point["Timestamp"].timestamp() - start) // alarm.period)] = point[alarm.statistic]
        periods = [values.get(k) for k in range(alarm.evaluation_periods)]
        current = self.alarm_history[alarm.name][-1][1]  # also follows the function's SetAlarmState
        present = [v for v in periods if v is not None]
        if alarm.treat_missing == "breaching":
            breaching = sum(1 for v in periods if v is None or alarm.breaching(v))
        elif alarm.treat_missing == "notBreaching":
            breaching = sum(1 for v in periods if v is not None and alarm.breaching(v))
        else:  # missing / ignore: only what is there
            if not present:
                new = current if alarm.treat_missing == "ignore" else "INSUFFICIENT_DATA"
                breaching = None
            else:
                breaching = sum(1 for v in present if alarm.breaching(v))
        if breaching is not None:
            new = "ALARM" if breaching >= alarm.datapoints_to_alarm else "OK"
        if new != current:
            cw.set_alarm_state(AlarmName=alarm.name, StateValue=new, StateReason="simulated evaluation")
            self._alarm_changed(alarm.name, new, by="evaluation")
            if alarm.region == self.s.dr_region and new in ("ALARM", "OK"):
                self.pages.append((self.clock.now, f"ALARM: {alarm.name} {new}"))
            if new == "ALARM" and alarm.invokes_function():
                self.invoke_failover({"source": "aws.cloudwatch", "alarmData": {
                    "alarmName": alarm.name, "state": {"value": "ALARM"}}}, label="alarm")

    # -- Route 53 ------------------------------------------------------------
    @staticmethod
    def _at(history, t):
        value = history[0][1]
        for when, v in history:
            if when > t:
                break
            value = v
        return value

    def child_healthy(self, check, t):
        seen = t - HEALTH_CHECK_DELAY
        history = self.alarm_history[check["alarm"]]
        if check["region"] == self.s.primary_region and not self._at(self.region_history, seen):
            state = "INSUFFICIENT_DATA"  # the region's CloudWatch cannot be read (inference)
        else:
            state = self._at(history, seen)
        if state == "ALARM":
            return False
        if state == "OK":
            return True
        if check["insufficient"] == "LastKnownStatus":
            known = [v for when, v in history if when <= seen and v != "INSUFFICIENT_DATA"]
            return not known or known[-1] == "OK"  # a new check starts healthy (inference)
        return check["insufficient"] == "Healthy"

    def primary_record_healthy(self, t):
        healthy = sum(1 for c in self.s.child_checks if self.child_healthy(c, t))
        return healthy >= self.s.health_threshold

    def authoritative_answer(self, t):
        records = self._at(self.record_history, t)
        healthy = {}
        for set_id, (weight, value, hc) in records.items():
            healthy[set_id] = self.primary_record_healthy(t) if hc else True
        for pool in ([k for k, (w, _, _) in records.items() if w > 0 and healthy[k]],
                     [k for k, (w, _, _) in records.items() if w == 0 and healthy[k]],
                     list(records)):
            if pool:
                best = max(pool, key=lambda k: (records[k][0], k == "primary"))
                return "primary" if records[best][1] == self.primary_endpoint else "replica"
        return None

    def resolver_answer(self, t):
        """What a client sees: the resolver caches the answer for TTL."""
        ttl = max(self.s.ttl, 1)
        fetched = T0 + (t - T0) // ttl * ttl
        return self.authoritative_answer(fetched)

    # -- running ---------------------------------------------------------------
    def start(self):
        period = 60

        def every(offset, interval, fn):
            def tick():
                fn()
                self.clock.at(self.clock.now + interval, tick)
            self.clock.at(T0 + offset, tick)

        every(DR_PROBE_OFFSET, self.s.probe_interval, lambda: self._probe(local=False))
        every(LOCAL_PROBE_OFFSET, self.s.probe_interval, lambda: self._probe(local=True))
        for alarm in self.s.alarms.values():
            every(period + EVALUATION_DELAY, alarm.period, lambda a=alarm: self._evaluate(a))
        every(RECONCILE_OFFSET, self.s.reconcile_interval,
              lambda: self.invoke_failover({"action": "reconcile", "source": "schedule"}, delay=0, label="reconcile"))

    def at(self, seconds_after_t0, action):
        self.clock.at(T0 + seconds_after_t0, action)

    def run(self, until_seconds):
        with self.patched():
            self.clock.run_until(T0 + until_seconds)
            # let running invocations finish
            for _ in range(10000):
                if not self.clock.threads:
                    break
                self.clock.run_until(self.clock.now + 1)

    def state(self):
        raw = boto3.client("ssm", region_name=self.s.dr_region)
        try:
            return json.loads(raw.get_parameter(Name=self.s.failover_env["STATE_PARAMETER"])["Parameter"]["Value"])
        except ClientError:
            return {"state": None}
