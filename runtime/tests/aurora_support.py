"""The world of the Aurora failover handler's tests: moto (SSM, CloudWatch in
both regions, Route 53 private zone with the two weighted records and their
health checks, SNS -> SQS to read notifications back) and the documented fake
of the RDS global-cluster calls (aurora_fake.py), on a virtual clock.  The
function under test runs in us-west-2 (LOCAL, a secondary); the writer starts
in us-east-1 (REMOTE)."""

import contextlib
import datetime
import io
import json
import os
import unittest
from unittest import mock

import boto3
from botocore.exceptions import EndpointConnectionError
from moto import mock_aws

from tests import support
from tests.aurora_fake import AuroraFake

aurora = support.load_handler("aurora_failover")
st = aurora.st

LOCAL, REMOTE = "us-west-2", "us-east-1"
GLOBAL, LOCAL_ID, REMOTE_ID = "aurora-global-dev", "aurora-secondary-dev", "aurora-primary-dev"
RECORD, LOCAL_SET, REMOTE_SET = "postgres.db-dev.internal", "us-west-2", "us-east-1"
HOLD, REMOTE_VIEW = "writer-down-held-usw2-dev", "writer-down-use1-dev"
LOCAL_FENCE, REMOTE_FENCE = "fenced-usw2-dev", "fenced-use1-dev"
LOCK, STATE, DIM, ARM_AFTER = "/drsynth/dev/aurora-lock-usw2", "/drsynth/dev/aurora-state-usw2", "aurora-usw2-dev", 3
T0 = 1_767_225_600.0
ALARM_EVENT = {"source": "aws.cloudwatch", "alarmData": {"alarmName": HOLD, "state": {"value": "ALARM"}}}


class Clock:
    def __init__(self):
        self.t = T0

    def now(self):
        return self.t

    def sleep(self, seconds):
        self.t += seconds


class Context:
    def __init__(self, clock, seconds=300.0, request_id="req-1"):
        self.clock, self.deadline, self.aws_request_id = clock, clock.t + seconds, request_id

    def get_remaining_time_in_millis(self):
        return int((self.deadline - self.clock.t) * 1000)


class _Unreachable:
    def __getattr__(self, name):
        def call(*args, **kwargs):
            raise EndpointConnectionError(endpoint_url=f"https://{name}.example/")
        return call


class AuroraTestCase(unittest.TestCase):
    allow_detach = "false"

    def setUp(self):
        support.fake_aws_env(LOCAL)
        self.aws = mock_aws()
        self.aws.start()
        self.addCleanup(self.aws.stop)
        self.clock = Clock()
        self.fake = AuroraFake(self.clock.now)
        arns = self.fake.add_global_cluster(GLOBAL, (REMOTE, REMOTE_ID), [(LOCAL, LOCAL_ID)])
        self.local_arn, self.remote_arn = arns[LOCAL_ID], arns[REMOTE_ID]
        self.route53_down = False
        self.cw_down = set()  # regions whose CloudWatch does not answer

        self.cw = {r: boto3.client("cloudwatch", region_name=r) for r in (LOCAL, REMOTE)}
        for region, name, metric, dims in ((LOCAL, HOLD, "PrimaryHealthy", DIM), (REMOTE, REMOTE_VIEW, "PrimaryHealthy",
                                            "aurora-use1-dev"), (LOCAL, LOCAL_FENCE, "Fenced", LOCAL_SET),
                                           (LOCAL, REMOTE_FENCE, "Fenced", REMOTE_SET)):
            self.cw[region].put_metric_alarm(
                AlarmName=name, Namespace="drsynth", MetricName=metric, Dimensions=[{"Name": "System", "Value": dims}],
                Statistic="Minimum" if metric == "PrimaryHealthy" else "Maximum", Period=60, EvaluationPeriods=1,
                Threshold=1, ComparisonOperator="LessThanThreshold" if metric == "PrimaryHealthy"
                else "GreaterThanOrEqualToThreshold", TreatMissingData="breaching" if metric == "PrimaryHealthy"
                else "ignore")
            self.cw[region].set_alarm_state(AlarmName=name, StateValue="OK", StateReason="test")
        vpc = boto3.client("ec2", region_name=LOCAL).create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
        self.r53 = boto3.client("route53", region_name="us-east-1")
        self.zone = self.r53.create_hosted_zone(Name="db-dev.internal", CallerReference="z", VPC={
            "VPCRegion": LOCAL, "VPCId": vpc}, HostedZoneConfig={"Comment": "t", "PrivateZone": True})["HostedZone"][
            "Id"].split("/")[-1]
        self.hc = {}
        for set_id in (LOCAL_SET, REMOTE_SET):
            self.hc[set_id] = self.r53.create_health_check(CallerReference=set_id, HealthCheckConfig={
                "Type": "CALCULATED", "ChildHealthChecks": [], "HealthThreshold": 1})["HealthCheck"]["Id"]
        self.endpoint = {LOCAL_SET: f"{LOCAL_ID}.cluster-abc.{LOCAL}.rds.amazonaws.com",
                         REMOTE_SET: f"{REMOTE_ID}.cluster-abc.{REMOTE}.rds.amazonaws.com"}
        self.r53.change_resource_record_sets(HostedZoneId=self.zone, ChangeBatch={"Changes": [
            {"Action": "CREATE", "ResourceRecordSet": {
                "Name": RECORD, "Type": "CNAME", "SetIdentifier": s, "Weight": w, "TTL": 60,
                "ResourceRecords": [{"Value": self.endpoint[s]}], "HealthCheckId": self.hc[s]}}
            for s, w in ((REMOTE_SET, 100), (LOCAL_SET, 0))]})
        sns, sqs = boto3.client("sns", region_name=LOCAL), boto3.client("sqs", region_name=LOCAL)
        self.topic = sns.create_topic(Name="dr-alarms-usw2-dev")["TopicArn"]
        self.queue = sqs.create_queue(QueueName="notes")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=self.queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=self.topic, Protocol="sqs", Endpoint=arn)
        self.sqs, self.ssm = sqs, boto3.client("ssm", region_name=LOCAL)

        self.env = {
            "GLOBAL_CLUSTER_ID": GLOBAL, "LOCAL_REGION": LOCAL, "LOCAL_CLUSTER_ID": LOCAL_ID,
            "LOCAL_CLUSTER_ARN": self.local_arn, "REMOTE_REGION": REMOTE, "REMOTE_CLUSTER_ID": REMOTE_ID,
            "REMOTE_CLUSTER_ARN": self.remote_arn, "HOSTED_ZONE_ID": self.zone, "RECORD_NAME": RECORD,
            "RECORD_TTL": "60", "LOCAL_SET_IDENTIFIER": LOCAL_SET, "REMOTE_SET_IDENTIFIER": REMOTE_SET,
            "LOCAL_ENDPOINT": self.endpoint[LOCAL_SET], "REMOTE_ENDPOINT": self.endpoint[REMOTE_SET],
            "LOCAL_HEALTH_CHECK_ID": self.hc[LOCAL_SET], "REMOTE_HEALTH_CHECK_ID": self.hc[REMOTE_SET],
            "TOPIC_ARN": self.topic, "HOLD_ALARM_NAME": HOLD, "REMOTE_VIEW_ALARM_NAME": REMOTE_VIEW,
            "LOCAL_FENCE_ALARM_NAME": LOCAL_FENCE, "REMOTE_FENCE_ALARM_NAME": REMOTE_FENCE, "FENCE_REGION": LOCAL,
            "LOCK_PARAMETER": LOCK, "STATE_PARAMETER": STATE, "ARM_AFTER_HEALTHY_DATAPOINTS": str(ARM_AFTER),
            "METRIC_NAMESPACE": "drsynth", "METRIC_DIMENSION_NAME": "System", "METRIC_DIMENSION_VALUE": DIM,
            "PROMOTION_DEADLINE_SECONDS": "900", "DETECTION_BUDGET_SECONDS": "60", "ALLOW_DETACH": self.allow_detach}
        for patcher in (mock.patch.dict(os.environ, self.env), mock.patch.object(aurora, "_client", self.factory),
                        mock.patch.object(aurora, "_sleep", self.clock.sleep),
                        mock.patch.object(st, "_clock", self.clock.now)):
            patcher.start()
            self.addCleanup(patcher.stop)

    def factory(self, session, service, region, config):
        if service == "rds":
            return self.fake.client(region)
        if service == "route53" and self.route53_down or service == "cloudwatch" and region in self.cw_down:
            return _Unreachable()
        return session.client(service, region_name=region, config=config)

    # -- helpers ---------------------------------------------------------------
    def invoke(self, event, seconds=300.0):
        with contextlib.redirect_stdout(io.StringIO()):  # the function's JSON log lines
            return aurora.handler(event, Context(self.clock, seconds))

    def set_alarm(self, name, value, region=LOCAL):
        self.cw[region].set_alarm_state(AlarmName=name, StateValue=value, StateReason="test")

    def alarm_state(self, name, region=LOCAL):
        return self.cw[region].describe_alarms(AlarmNames=[name])["MetricAlarms"][0]["StateValue"]

    def write_state(self, **value):
        self.ssm.put_parameter(Name=STATE, Value=json.dumps(value), Type="String", Overwrite=True)

    def state(self):
        try:
            return json.loads(self.ssm.get_parameter(Name=STATE)["Parameter"]["Value"])
        except self.ssm.exceptions.ParameterNotFound:
            return {"state": None}

    def arm(self):
        self.write_state(state="armed", since=T0)

    def lose_remote_region(self):
        self.fake.unreachable.add(REMOTE)
        self.cw_down.add(REMOTE)
        self.set_alarm(HOLD, "ALARM")

    def records(self):
        out = {}
        for rrs in self.r53.list_resource_record_sets(HostedZoneId=self.zone)["ResourceRecordSets"]:
            if rrs["Type"] == "CNAME":
                out[rrs["SetIdentifier"]] = (rrs["Weight"], rrs["ResourceRecords"][0]["Value"], rrs.get("HealthCheckId"))
        return out

    def assert_weights(self, local, remote):
        records = self.records()
        self.assertEqual(records[LOCAL_SET], (local, self.endpoint[LOCAL_SET], self.hc[LOCAL_SET]))
        self.assertEqual(records[REMOTE_SET], (remote, self.endpoint[REMOTE_SET], self.hc[REMOTE_SET]))

    def calls(self, operation):
        return [(region, kwargs) for op, region, kwargs in self.fake.calls if op == operation]

    def mutations(self):
        return [op for op, _, _ in self.fake.calls if not op.startswith("Describe")]

    def notes(self):
        out = []
        while True:
            msgs = self.sqs.receive_message(QueueUrl=self.queue, MaxNumberOfMessages=10).get("Messages", [])
            if not msgs:
                return out
            for m in msgs:
                body = json.loads(m["Body"])
                out.append((body["Subject"], json.loads(body["Message"])))
                self.sqs.delete_message(QueueUrl=self.queue, ReceiptHandle=m["ReceiptHandle"])

    def publish_rpo_lag(self, ms):
        self.cw[LOCAL].put_metric_data(Namespace="AWS/RDS", MetricData=[{
            "MetricName": "AuroraGlobalDBRPOLag", "Dimensions": [{"Name": "DBClusterIdentifier", "Value": LOCAL_ID}],
            "Value": ms, "Unit": "Milliseconds",
            "Timestamp": datetime.datetime.fromtimestamp(self.clock.t - 90, datetime.timezone.utc)}])

    def publish_healthy(self, minutes, gaps=()):
        now_min = self.clock.t // 60 * 60
        data = [{"MetricName": "PrimaryHealthy", "Dimensions": [{"Name": "System", "Value": DIM}], "Value": 1.0,
                 "Timestamp": datetime.datetime.fromtimestamp(now_min - 60 * k + 5, datetime.timezone.utc)}
                for k in range(1, minutes + 1) if k not in gaps]
        self.cw[LOCAL].put_metric_data(Namespace="drsynth", MetricData=data)
