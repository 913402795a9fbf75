"""One test world for the failover function and its witness, for both
engines (runtime/drsynth_failover).

* moto: SSM, CloudWatch, SNS -> SQS (a topic and a queue per region), a
  private Route 53 zone with the two weighted records and their health
  checks, and for the ``rds`` engine the two RDS instances (a primary and its
  cross-region read replica);
* the documented global-cluster fake (aurora_fake.py) for the ``aurora`` engine;
* a virtual clock (``drsynth_failover.aws.clock`` / ``sleep``);
* per-call faults through ``drsynth_failover.aws.make_client``: throttling,
  AccessDenied, 5xx, connect and read timeouts, an unreachable endpoint, for
  any (service, region, operation, caller), a number of times or for good;
* the witness: the failover function's Lambda Invoke runs the real witness
  handler in process, with the witness's environment, as caller ``witness``
  (so a partition can cut the function off from a region while the witness
  still sees it).

Site X (LOCAL) is the standby, site Y (REMOTE) the writer at the start.
"""

import contextlib
import datetime
import io
import json
import os
import threading
from unittest import mock

import boto3
from botocore.exceptions import ClientError, ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID as ACCOUNT
from moto.rds import models as moto_rds
from moto.rds.exceptions import RDSClientError

from drsynth_failover import aws, witness
from drsynth_failover import handler as failover
from tests import support
from tests.aurora_fake import AuroraFake

T0 = 1_767_225_600.0  # 2026-01-01T00:00:00Z, minute-aligned
_SESSION = None
_SESSION_LOCK = threading.Lock()


_CLIENTS = {}


def client(service, region):
    """A moto-backed client, made once per process (mock_aws resets boto3's
    default session, and a new session loads every service model again; moto
    answers a client made before a reset as well as a new one)."""
    global _SESSION
    with _SESSION_LOCK:
        if _SESSION is None:
            _SESSION = boto3.session.Session()
        if (service, region) not in _CLIENTS:
            _CLIENTS[service, region] = _SESSION.client(service, region_name=region)
        return _CLIENTS[service, region]
NAMESPACE, DIM_NAME, DIM_VALUE = "drsynth", "System", "postgres-dr-dev"
ERROR_KINDS = ("throttling", "access_denied", "server_error")
TIMEOUT_KINDS = ("connect_timeout", "read_timeout", "unreachable")


def make_fault(kind, operation, url):
    """The exception botocore raises for a fault of this kind."""
    codes = {"throttling": ("Throttling", 400), "access_denied": ("AccessDenied", 403),
             "server_error": ("InternalFailure", 500), "invalid_state": ("InvalidDBInstanceState", 400),
             "invalid_global_state": ("InvalidGlobalClusterStateFault", 400)}
    if kind in codes:
        code, status = codes[kind]
        return ClientError({"Error": {"Code": code, "Message": f"injected {kind}"},
                            "ResponseMetadata": {"HTTPStatusCode": status}}, operation)
    return {"connect_timeout": ConnectTimeoutError, "read_timeout": ReadTimeoutError,
            "unreachable": EndpointConnectionError}[kind](endpoint_url=url)


class Clock:
    def __init__(self):
        self.t = T0

    def now(self):
        return self.t

    def sleep(self, seconds):
        self.t += max(seconds, 0.0)


class Context:
    def __init__(self, clock, seconds=300.0, request_id="req-1"):
        self.clock, self.end, self.aws_request_id = clock, clock.t + seconds, request_id

    def get_remaining_time_in_millis(self):
        return int((self.end - self.clock.t) * 1000)


class FaultyClient:
    """A client whose calls are recorded and may fail as the world says."""

    PASS_THROUGH = ("meta", "exceptions", "can_paginate", "get_paginator", "get_waiter")

    def __init__(self, world, service, region, real):
        self._world, self._service, self._region, self._real = world, service, region, real

    def __getattr__(self, name):
        attr = getattr(self._real, name)
        if name.startswith("_") or name in self.PASS_THROUGH or not callable(attr):
            return attr

        def call(*args, **kwargs):
            if self._world.enter(self._service, self._region, name, kwargs):
                return {}  # swallowed: answered, never stored (a lost write)
            return attr(*args, **kwargs)
        return call


class WitnessStub:
    """Lambda Invoke of the witness: the real witness handler, in process."""

    def __init__(self, world):
        self.world = world

    def invoke(self, FunctionName, InvocationType, Payload):
        w = self.world
        saved = w.caller
        w.caller = "witness"
        try:
            with mock.patch.dict(os.environ, w.witness_env), contextlib.redirect_stdout(io.StringIO()):
                answer = witness.handler(json.loads(Payload))
            body, error = json.dumps(answer).encode(), None
        except Exception as exc:  # noqa: BLE001 - as Lambda reports it: an Unhandled FunctionError
            body, error = json.dumps({"errorMessage": str(exc), "errorType": type(exc).__name__}).encode(), "Unhandled"
        finally:
            w.caller = saved
        resp = {"StatusCode": 200, "Payload": io.BytesIO(body)}
        if error:
            resp["FunctionError"] = error
        return resp


# --- the engines' databases ---------------------------------------------------------------

_original_promote = moto_rds.RDSBackend.promote_read_replica


def _aws_like_promote(self, db_kwargs):
    """moto 5 keeps ReadReplicaSourceDBInstanceIdentifier after a promotion and
    promotes non-replicas; AWS clears it and answers InvalidDBInstanceState."""
    database = self.databases.get(db_kwargs["db_instance_identifier"])
    if database is not None and not database.source_db_instance_identifier:
        raise RDSClientError("InvalidDBInstanceState", "DB Instance is not a read replica.")
    result = _original_promote(self, db_kwargs)
    result.source_db_instance_identifier = None
    return result


class RdsFixture:
    """An RDS PostgreSQL primary (site Y, us-east-1) and its cross-region read replica (site X, eu-west-1)."""

    engine = "rds"
    x_region, y_region, witness_region = "eu-west-1", "us-east-1", "us-west-2"
    x_site, y_site = "replica", "primary"
    x_id, y_id = "postgres-replica-dev", "postgres-primary-dev"
    promote_operation = "promote_read_replica"
    terminal_status = "failed"

    def __init__(self, world):
        self.world = world
        patcher = mock.patch.object(moto_rds.RDSBackend, "promote_read_replica", _aws_like_promote)
        patcher.start()
        world.test.addCleanup(patcher.stop)
        self.rds = {r: client("rds", r) for r in (self.x_region, self.y_region)}
        self.y_arn = self.create_writer()
        self.x_arn = self.create_replica(self.y_arn)
        # the promotion's retention change is observable
        self.rds[self.x_region].modify_db_instance(DBInstanceIdentifier=self.x_id, BackupRetentionPeriod=1,
                                                   ApplyImmediately=True)

    def _db(self, region, db_id):
        return moto_rds.rds_backends[ACCOUNT][region].databases[db_id]

    def _stamp(self, region, db_id):
        """moto stamps the real time; the world's instances are created on the virtual clock."""
        self._db(region, db_id).instance_create_time = datetime.datetime.fromtimestamp(
            self.world.clock.now(), datetime.UTC).isoformat()

    def create_writer(self):
        db = self.rds[self.y_region].create_db_instance(
            DBInstanceIdentifier=self.y_id, Engine="postgres", EngineVersion="15.10", DBInstanceClass="db.t4g.micro",
            MasterUsername="drsynth", MasterUserPassword="not-used-1234", AllocatedStorage=20, StorageEncrypted=True,
            BackupRetentionPeriod=7)["DBInstance"]
        self._stamp(self.y_region, self.y_id)
        return db["DBInstanceArn"]

    def create_replica(self, source_arn):
        db = self.rds[self.x_region].create_db_instance_read_replica(
            DBInstanceIdentifier=self.x_id, SourceDBInstanceIdentifier=source_arn, SourceRegion=self.y_region,
            KmsKeyId="alias/aws/rds", DBInstanceClass="db.t4g.micro")["DBInstance"]
        self._stamp(self.x_region, self.x_id)
        return db["DBInstanceArn"]

    def env(self):
        return {"LOCAL_DB_ID": self.x_id, "LOCAL_DB_ARN": self.x_arn, "REMOTE_DB_ID": self.y_id,
                "REMOTE_DB_ARN": self.y_arn, "BACKUP_RETENTION_DAYS": "7"}

    def client(self, region):
        return client("rds", region)

    def set_status(self, site, status):
        region, db_id = (self.y_region, self.y_id) if site == self.y_site else (self.x_region, self.x_id)
        self._db(region, db_id).status = status

    def lag_metric(self, seconds):
        return "ReplicaLag", "DBInstanceIdentifier", seconds

    def promotions(self):
        return len(self.world.calls_of("rds", "promote_read_replica"))

    def x_is_writer(self):
        x = self.rds[self.x_region].describe_db_instances(DBInstanceIdentifier=self.x_id)["DBInstances"][0]
        return not x.get("ReadReplicaSourceDBInstanceIdentifier")

    def x_is_standby(self):
        return not self.x_is_writer()

    # the runbook's failback steps
    def rebuild_y_from_x(self):
        """Old primary deleted; a new one created from the promoted copy (after the promotion)."""
        self.rds[self.y_region].delete_db_instance(DBInstanceIdentifier=self.y_id, SkipFinalSnapshot=True)
        self.y_arn = self.create_writer()

    def make_x_a_replica_of_y(self):
        self.rds[self.x_region].delete_db_instance(DBInstanceIdentifier=self.x_id, SkipFinalSnapshot=True)
        self.x_arn = self.create_replica(self.y_arn)

    def delete_x(self):
        self.rds[self.x_region].delete_db_instance(DBInstanceIdentifier=self.x_id, SkipFinalSnapshot=True)

    def make_x_not_standby(self):
        """X promoted by someone else: a standalone writer."""
        self.rds[self.x_region].promote_read_replica(DBInstanceIdentifier=self.x_id)

    def prepare_failback(self):
        """The runbook after a failover (some time after it): Y rebuilt from X, X a replica of the rebuilt Y."""
        self.set_status(self.y_site, "available")
        self.rebuild_y_from_x()
        self.make_x_a_replica_of_y()
        return self.y_site  # the writer afterwards


class AuroraFixture:
    """An Aurora global database: writer cluster (site Y, us-east-1), secondary (site X, us-west-2)."""

    engine = "aurora"
    x_region, y_region, witness_region = "us-west-2", "us-east-1", "us-east-2"
    x_site, y_site = "aurora-secondary-dev", "aurora-primary-dev"
    x_id, y_id = x_site, y_site
    global_id = "aurora-global-dev"
    promote_operation = "failover_global_cluster"
    terminal_status = "inaccessible-encryption-credentials"

    def __init__(self, world):
        self.world = world
        self.fake = AuroraFake(world.clock.now)
        arns = self.fake.add_global_cluster(self.global_id, (self.y_region, self.y_id), [(self.x_region, self.x_id)])
        self.x_arn, self.y_arn = arns[self.x_id], arns[self.y_id]

    def env(self):
        return {"LOCAL_DB_ID": self.x_id, "LOCAL_DB_ARN": self.x_arn, "REMOTE_DB_ID": self.y_id,
                "REMOTE_DB_ARN": self.y_arn, "GLOBAL_CLUSTER_ID": self.global_id,
                "ALLOW_DETACH": self.world.allow_detach}

    def client(self, region):
        return self.fake.client(region)

    def set_status(self, site, status):
        self.fake.clusters[self.y_arn if site == self.y_site else self.x_arn]["status"] = status

    def lag_metric(self, seconds):
        return "AuroraGlobalDBReplicationLag", "DBClusterIdentifier", seconds * 1000.0

    def promotions(self):
        return len([c for c in self.fake.calls if c[0] == "FailoverGlobalCluster"])

    def x_is_writer(self):
        self.fake.advance()
        return self.fake.writable(self.x_arn)

    def x_is_standby(self):
        return self.fake.writer_of(self.global_id) == self.y_arn

    def make_x_not_standby(self):
        """X is the global writer (a switchover): this region's function has nothing to do."""
        self.fake.globals[self.global_id]["writer"] = self.x_arn

    def prepare_failback(self):
        """After a managed failover Aurora rebuilds Y as a secondary when its region returns."""
        self.set_status(self.y_site, "available")
        return self.x_site  # the writer stays here until a switchover


FIXTURES = {"rds": RdsFixture, "aurora": AuroraFixture}


class World:
    """Everything a failover test touches; `test` is the unittest.TestCase."""

    def __init__(self, test, engine="rds", with_witness=True, allow_detach="false", **env):
        self.test = test
        self.allow_detach = allow_detach
        cls = FIXTURES[engine]
        support.fake_aws_env(cls.x_region)
        previous = getattr(test, "w", None)
        if isinstance(previous, World):
            previous.close()  # a test that builds a second world replaces the first
        self.aws = mock_aws()
        self.aws.start()
        self.closed = False
        test.addCleanup(self.close)
        self.clock = Clock()
        self.faults, self.calls, self.caller = [], [], "failover"
        self.hook = None          # hook(service, region, operation, kwargs) before every call
        # swallow(service, region, operation, kwargs) -> True: the call "succeeds", does nothing
        self.swallow = None
        self.fx = cls(self)
        self.x, self.y = cls.x_site, cls.y_site
        self.x_region, self.y_region = cls.x_region, cls.y_region
        self.cw = {r: client("cloudwatch", r) for r in (cls.x_region, cls.y_region)}
        self.ssm = {r: client("ssm", r) for r in (cls.x_region, cls.y_region, cls.witness_region)}
        self.names = {"hold": f"hold-{self.x}", "view_y": f"view-{self.y}", "view_x": f"view-{self.x}",
                      "fence_y": f"fence-{self.y}", "fence_x": f"fence-{self.x}",
                      "lock": f"/drsynth/dev/failover-lock-{self.x}", "state": f"/drsynth/dev/failover-state-{self.x}",
                      "peer_state": f"/drsynth/dev/failover-state-{self.y}", "grant": "/drsynth/dev/witness-grant"}
        self._alarms()
        self._records()
        self._topics()
        self.env = self._env(with_witness, env)
        self.witness_env = self._witness_env()
        for patcher in (mock.patch.dict(os.environ, self.env), mock.patch.object(aws, "clock", self.clock.now),
                        mock.patch.object(aws, "sleep", self.clock.sleep),
                        mock.patch.object(aws, "make_client", self.make_client),
                        mock.patch.object(aws, "run_parallel", aws.run_sequential)):
            patcher.start()
            test.addCleanup(patcher.stop)

    def close(self):
        if not self.closed:
            self.closed = True
            self.aws.stop()

    # -- set-up ---------------------------------------------------------------------------
    def _alarms(self):
        n = self.names
        for region, name, metric, site, statistic, operator in (
                (self.x_region, n["hold"], "Writer", self.y, "Minimum", "LessThanThreshold"),
                (self.y_region, n["view_y"], "Writer", self.y, "Minimum", "LessThanThreshold"),
                (self.x_region, n["view_x"], "Writer", self.x, "Minimum", "LessThanThreshold"),
                (self.x_region, n["fence_y"], "Fenced", self.y, "Maximum", "GreaterThanOrEqualToThreshold"),
                (self.y_region, n["fence_x"], "Fenced", self.x, "Maximum", "GreaterThanOrEqualToThreshold")):
            self.cw[region].put_metric_alarm(
                AlarmName=name, Namespace=NAMESPACE, MetricName=metric, Statistic=statistic, Period=60,
                EvaluationPeriods=1, DatapointsToAlarm=1, Threshold=1, ComparisonOperator=operator,
                Dimensions=[{"Name": DIM_NAME, "Value": DIM_VALUE}, {"Name": "Site", "Value": site}])
            self.cw[region].set_alarm_state(AlarmName=name, StateValue="OK", StateReason="test")

    def _records(self):
        vpc = client("ec2", self.x_region).create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
        self.r53 = client("route53", "us-east-1")
        self.zone = self.r53.create_hosted_zone(
            Name="db-dev.internal", CallerReference="zone", VPC={"VPCRegion": self.x_region, "VPCId": vpc},
            HostedZoneConfig={"Comment": "drsynth", "PrivateZone": True})["HostedZone"]["Id"].split("/")[-1]
        self.checks = {}
        for key in ("writer_x", "fallback_x", "writer_y", "fallback_y", "fence_y"):
            self.checks[key] = self.r53.create_health_check(CallerReference=key, HealthCheckConfig={
                "Type": "CALCULATED", "ChildHealthChecks": [], "HealthThreshold": 1})["HealthCheck"]["Id"]
        self.endpoint = {self.x: f"{self.x}.abc.{self.x_region}.rds.amazonaws.com",
                         self.y: f"{self.y}.abc.{self.y_region}.rds.amazonaws.com"}
        self.record = "postgres.db-dev.internal"
        self.r53.change_resource_record_sets(HostedZoneId=self.zone, ChangeBatch={"Changes": [
            {"Action": "CREATE", "ResourceRecordSet": {
                "Name": self.record, "Type": "CNAME", "SetIdentifier": site, "Weight": weight, "TTL": 60,
                "ResourceRecords": [{"Value": self.endpoint[site]}], "HealthCheckId": self.checks[check]}}
            for site, weight, check in ((self.y, 100, "writer_y"), (self.x, 0, "fallback_x"))]})

    def _topics(self):
        self.topics, self.queues, self.sqs = {}, {}, {}
        for site, region in ((self.x, self.x_region), (self.y, self.y_region)):
            sns, sqs = client("sns", region), client("sqs", region)
            self.topics[site] = sns.create_topic(Name=f"dr-alarms-{site}")["TopicArn"]
            self.queues[site] = sqs.create_queue(QueueName=f"pages-{site}")["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=self.queues[site], AttributeNames=["QueueArn"])["Attributes"][
                "QueueArn"]
            sns.subscribe(TopicArn=self.topics[site], Protocol="sqs", Endpoint=arn)
            self.sqs[site] = sqs

    def _env(self, with_witness, overrides):
        n, c = self.names, self.checks
        env = {"ENGINE": self.fx.engine, "LOCAL_REGION": self.x_region, "REMOTE_REGION": self.y_region,
               "LOCAL_SITE": self.x, "REMOTE_SITE": self.y, "HOSTED_ZONE_ID": self.zone, "RECORD_NAME": self.record,
               "RECORD_TTL": "60", "LOCAL_ENDPOINT": self.endpoint[self.x], "REMOTE_ENDPOINT": self.endpoint[self.y],
               "LOCAL_WRITER_CHECK_ID": c["writer_x"], "LOCAL_FALLBACK_CHECK_ID": c["fallback_x"],
               "REMOTE_WRITER_CHECK_ID": c["writer_y"], "REMOTE_FALLBACK_CHECK_ID": c["fallback_y"],
               "LOCAL_TOPIC_ARN": self.topics[self.x], "REMOTE_TOPIC_ARN": self.topics[self.y],
               "HOLD_ALARM_NAME": n["hold"], "REMOTE_VIEW_ALARM_NAME": n["view_y"], "FENCE_ALARM_NAME": n["fence_y"],
               "FENCE_CHECK_IDS": c["fence_y"], "REMOTE_FENCE_ALARM_NAME": n["fence_x"],
               "LOCK_PARAMETER": n["lock"], "STATE_PARAMETER": n["state"], "REMOTE_STATE_PARAMETER": n["peer_state"],
               "METRIC_NAMESPACE": NAMESPACE, "METRIC_DIMENSION_NAME": DIM_NAME, "METRIC_DIMENSION_VALUE": DIM_VALUE,
               "ARM_AFTER_HEALTHY_MINUTES": "3", "PROMOTION_DEADLINE_SECONDS": "900",
               "WITNESS_FUNCTION_ARN": (f"arn:aws:lambda:{self.fx.witness_region}:{ACCOUNT}:function:witness-dev"
                                        if with_witness else "")}
        env.update(self.fx.env())
        env.update(overrides)
        return env

    def _witness_env(self):
        n = self.names
        return {"ENGINE": self.fx.engine, "AWS_REGION": self.fx.witness_region, "SITE_A": self.y,
                "SITE_A_REGION": self.y_region, "SITE_A_DB_ID": self.fx.y_id, "SITE_A_VIEW_ALARM_NAME": n["view_y"],
                "SITE_B": self.x, "SITE_B_REGION": self.x_region, "SITE_B_DB_ID": self.fx.x_id,
                "SITE_B_VIEW_ALARM_NAME": n["view_x"], "GRANT_PARAMETER": n["grant"], "METRIC_NAMESPACE": NAMESPACE,
                "METRIC_DIMENSION_NAME": DIM_NAME, "METRIC_DIMENSION_VALUE": DIM_VALUE,
                "GLOBAL_CLUSTER_ID": getattr(self.fx, "global_id", "")}

    # -- clients and faults ---------------------------------------------------------------
    def make_client(self, service, region, cfg):
        if service == "lambda":
            real = WitnessStub(self)
        elif service == "rds":
            real = self.fx.client(region)
        else:
            real = client(service, region)
        return FaultyClient(self, service, region, real)

    def fault(self, kind, service=None, region=None, operation=None, times=None, caller=None):
        """Calls matching (None: any) fail with `kind`, `times` times (None: for good)."""
        entry = {"kind": kind, "service": service, "region": region, "operation": operation, "times": times,
                 "caller": caller}
        self.faults.append(entry)
        return entry

    def enter(self, service, region, operation, kwargs):
        """Record the call, run the hook, raise a matching fault; True when the call is swallowed."""
        self.calls.append((self.caller, service, region, operation, kwargs))
        if self.hook:
            self.hook(service, region, operation, kwargs)
        for f in self.faults:
            if f["times"] == 0:
                continue
            if all(f[k] in (None, v) for k, v in (("service", service), ("region", region),
                                                   ("operation", operation), ("caller", self.caller))):
                if f["times"] is not None:
                    f["times"] -= 1
                raise make_fault(f["kind"], operation, f"https://{service}.{region}.amazonaws.com/")
        return bool(self.swallow and self.swallow(service, region, operation, kwargs))

    def clear_faults(self):
        self.faults.clear()

    def calls_of(self, service, operation, caller="failover"):
        return [c for c in self.calls if c[1] == service and c[3] == operation and c[0] == caller]

    # -- the invocation -------------------------------------------------------------------
    def invoke(self, event, seconds=300.0, request_id="req-1"):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            summary = failover.handler(event, Context(self.clock, seconds, request_id))
        for line in out.getvalue().splitlines():
            self.test.assertEqual(json.loads(line)["event"], "failover")  # every log line is structured JSON
        json.dumps(summary)  # JSON-serialisable
        return summary

    def alarm_event(self, state="ALARM", name=None):
        name = name or self.names["hold"]
        return {"source": "aws.cloudwatch", "alarmArn": f"arn:aws:cloudwatch:{self.x_region}:{ACCOUNT}:alarm:{name}",
                "alarmData": {"alarmName": name, "state": {"value": state}, "previousState": {"value": "OK"}}}

    def sns_event(self, state="ALARM", name=None):
        message = {"AlarmName": name or self.names["hold"], "NewStateValue": state, "OldStateValue": "OK"}
        return {"Records": [{"EventSource": "aws:sns", "Sns": {"Subject": state, "Message": json.dumps(message)}}]}

    # -- the world's data -----------------------------------------------------------------
    def at(self, epoch):
        return datetime.datetime.fromtimestamp(epoch, datetime.UTC)

    def set_alarm(self, key, value):
        region = self.x_region if key in ("hold", "view_x", "fence_y") else self.y_region
        self.cw[region].set_alarm_state(AlarmName=self.names[key], StateValue=value, StateReason="test")

    def alarm_state(self, key):
        region = self.x_region if key in ("hold", "view_x", "fence_y") else self.y_region
        return self.cw[region].describe_alarms(AlarmNames=[self.names[key]])["MetricAlarms"][0]["StateValue"]

    def publish(self, region, metric, site, value, epoch, key="Site"):
        self.cw[region].put_metric_data(Namespace=NAMESPACE, MetricData=[{
            "MetricName": metric, "Value": value, "Timestamp": self.at(epoch),
            "Dimensions": [{"Name": DIM_NAME, "Value": DIM_VALUE}, {"Name": key, "Value": site}]}])

    def publish_lag(self, seconds, epoch):
        metric, dimension, value = self.fx.lag_metric(seconds)
        self.cw[self.x_region].put_metric_data(Namespace="AWS/RDS", MetricData=[{
            "MetricName": metric, "Value": value, "Timestamp": self.at(epoch),
            "Dimensions": [{"Name": dimension, "Value": self.fx.x_id}]}])

    def minutes(self, count):
        """The `count` complete minutes before now (their start, oldest first)."""
        now_min = self.clock.now() // 60 * 60
        return [now_min - 60 * k for k in range(count, 0, -1)]

    def healthy(self, minutes=10, lag=2.0, gaps=()):
        """Both probes saw Y as the writer, X's lag `lag` s, for `minutes` minutes."""
        for i, minute in enumerate(self.minutes(minutes)):
            if minutes - i in gaps:
                continue
            self.publish(self.x_region, "Writer", self.y, 1.0, minute + 5)
            self.publish(self.y_region, "Writer", self.y, 1.0, minute + 5)
            if lag is not None:
                self.publish_lag(lag, minute + 5)

    def pass_minutes(self, minutes, y_writer_seen_by_x=0.0, y_writer_seen_by_y=None):
        """Let `minutes` minutes pass with the probes publishing what they see."""
        for _ in range(minutes):
            self.clock.sleep(60)
            minute = self.clock.now() // 60 * 60 - 60
            if y_writer_seen_by_x is not None:
                self.publish(self.x_region, "Writer", self.y, y_writer_seen_by_x, minute + 5)
            if y_writer_seen_by_y is not None:
                self.publish(self.y_region, "Writer", self.y, y_writer_seen_by_y, minute + 5)

    def arm(self):
        self.write_state(state="armed", since=self.clock.now())

    def y_fails(self, apis_answer=True, hold=3):
        """Y stops serving.  apis_answer: Y's region still answers (RDS reports Y
        in a terminal status, Y's own probe sees Y down); else the region is gone."""
        self.healthy()
        if apis_answer:
            self.fx.set_status(self.y, self.fx.terminal_status)
            self.set_alarm("view_y", "ALARM")
            self.pass_minutes(hold, y_writer_seen_by_x=0.0, y_writer_seen_by_y=0.0)
        else:
            self.lose_region(self.y_region)
            self.pass_minutes(hold, y_writer_seen_by_x=0.0)
        self.set_alarm("hold", "ALARM")

    def lose_region(self, region):
        return self.fault("unreachable", region=region)

    def partition(self, hold=3):
        """The network and the APIs between X's function and Y's region are cut;
        Y serves its region (its own probe sees it, its view alarm is OK)."""
        self.healthy()
        self.fault("connect_timeout", region=self.y_region, caller="failover")
        self.pass_minutes(hold, y_writer_seen_by_x=0.0, y_writer_seen_by_y=1.0)
        self.set_alarm("hold", "ALARM")

    # -- reading the world back -----------------------------------------------------------
    def write_state(self, region=None, **value):
        name = self.names["state"] if region in (None, self.x_region) else self.names["peer_state"]
        self.ssm[region or self.x_region].put_parameter(Name=name, Value=json.dumps(value), Type="String",
                                                        Overwrite=True)

    def state(self, region=None):
        name = self.names["state"] if region in (None, self.x_region) else self.names["peer_state"]
        try:
            return json.loads(self.ssm[region or self.x_region].get_parameter(Name=name)["Parameter"]["Value"])
        except ClientError:
            return {"state": None}

    def peer_state(self):
        return self.state(self.y_region)

    def lock_exists(self):
        try:
            self.ssm[self.x_region].get_parameter(Name=self.names["lock"])
            return True
        except ClientError:
            return False

    def grant(self):
        try:
            return json.loads(self.ssm[self.fx.witness_region].get_parameter(Name=self.names["grant"])["Parameter"][
                "Value"])
        except ClientError:
            return None

    def fenced(self, since=None):
        """The Fenced{Y} values published in X's region (oldest first)."""
        start = since if since is not None else T0 - 3600
        points = self.cw[self.x_region].get_metric_statistics(
            Namespace=NAMESPACE, MetricName="Fenced", StartTime=self.at(start),
            EndTime=self.at(self.clock.now() + 120), Period=60, Statistics=["Maximum", "Minimum"],
            Dimensions=[{"Name": DIM_NAME, "Value": DIM_VALUE}, {"Name": "Site", "Value": self.y}])["Datapoints"]
        return [(p["Minimum"], p["Maximum"]) for p in sorted(points, key=lambda p: p["Timestamp"])]

    def records(self):
        out = {}
        for rrs in self.r53.list_resource_record_sets(HostedZoneId=self.zone)["ResourceRecordSets"]:
            if rrs["Type"] == "CNAME":
                out[rrs["SetIdentifier"]] = (rrs["Weight"], rrs["ResourceRecords"][0]["Value"],
                                             rrs.get("HealthCheckId"))
        return out

    def designated(self):
        """The site the records designate as the writer, checked complete (weights AND checks)."""
        r = self.records()
        writer = [site for site, (weight, _, _) in r.items() if weight == 100]
        self.test.assertEqual(len(writer), 1, r)
        w = writer[0]
        other = self.y if w == self.x else self.x
        key = {self.x: "x", self.y: "y"}
        self.test.assertEqual(r[w], (100, self.endpoint[w], self.checks[f"writer_{key[w]}"]), r)
        self.test.assertEqual(r[other], (0, self.endpoint[other], self.checks[f"fallback_{key[other]}"]), r)
        return w

    def pages(self, site=None):
        """(subject, body) of every page the topic of `site` (default X's) received, in order."""
        site = site or self.x
        out = []
        while True:
            batch = self.sqs[site].receive_message(QueueUrl=self.queues[site], MaxNumberOfMessages=10).get(
                "Messages", [])
            if not batch:
                return out
            for msg in batch:
                envelope = json.loads(msg["Body"])
                try:
                    body = json.loads(envelope["Message"])
                except ValueError:
                    body = envelope["Message"]
                out.append((envelope.get("Subject"), body))
                self.sqs[site].delete_message(QueueUrl=self.queues[site], ReceiptHandle=msg["ReceiptHandle"])

    def decisions_paged(self, site=None):
        return [b["decision"] for _, b in self.pages(site) if isinstance(b, dict) and "decision" in b]
