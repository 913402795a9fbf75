"""Failover handler against moto (RDS in two regions, Route 53 private zone,
SNS -> SQS, CloudWatch alarm, SSM lock).  Run from the repository root with
``python3 -m unittest discover -s runtime/tests -t runtime -v``."""

import contextlib
import datetime
import io
import json
import os
import threading
import time
import unittest
from unittest import mock

import boto3
from botocore.exceptions import ClientError, EndpointConnectionError
from moto import mock_aws
from moto.rds import models as moto_rds_models
from moto.rds.exceptions import RDSClientError

from tests import support

failover = support.load_handler("failover")

PRIMARY_REGION, REPLICA_REGION = "us-east-1", "eu-west-1"
PRIMARY_ID, REPLICA_ID = "drsynth-dev-primary", "drsynth-dev-replica"
ZONE_NAME, RECORD = "db-dev.internal", "postgres.db-dev.internal"
PRIMARY_SET, REPLICA_SET = "primary", "replica"
ALARM = "primary-down-held-dev"          # the hold alarm (DR view, held for the hold time)
VIEW_ALARM = "primary-down-local-dev"    # the primary region's own probe
FENCE_ALARM = "primary-fenced-dev"
LOCK = "/drsynth/dev/failover-lock"
STATE = "/drsynth/dev/failover-state"
DIM = "postgres-dr-dev"
ARM_AFTER = 3

ALARM_EVENT = {"source": "aws.cloudwatch", "alarmArn": "arn:aws:cloudwatch:eu-west-1:123456789012:alarm:" + ALARM,
               "alarmData": {"alarmName": ALARM, "state": {"value": "ALARM", "reason": "probe failing"},
                             "previousState": {"value": "OK"}}}


def sns_event(state):
    message = {"AlarmName": ALARM, "NewStateValue": state, "OldStateValue": "OK", "Region": "EU (Ireland)"}
    return {"Records": [{"EventSource": "aws:sns", "Sns": {"Subject": "ALARM", "Message": json.dumps(message)}}]}


# --- moto differs from AWS ------------------------------------------------------
# moto 5's promote_read_replica only flips an internal flag: the instance keeps
# ReadReplicaSourceDBInstanceIdentifier, and promoting a non-replica succeeds.
# AWS removes the source identifier and answers InvalidDBInstanceState for an
# instance that is not a replica.  This patch gives moto the AWS behaviour.
_original_promote = moto_rds_models.RDSBackend.promote_read_replica


def _aws_like_promote(self, db_kwargs):
    database = self.databases.get(db_kwargs["db_instance_identifier"])
    if database is not None and not database.source_db_instance_identifier:
        raise RDSClientError("InvalidDBInstanceState", "DB Instance is not a read replica.")
    result = _original_promote(self, db_kwargs)
    result.source_db_instance_identifier = None
    return result


class FakeContext:
    """Lambda context whose clock is advanced by the (patched) sleep."""

    def __init__(self, remaining_seconds, request_id="req-1"):
        self.aws_request_id = request_id
        self.clock = 0.0
        self.budget = remaining_seconds

    def get_remaining_time_in_millis(self):
        return int((self.budget - self.clock) * 1000)

    def sleep(self, seconds):
        self.clock += seconds


class _Unreachable:
    """An RDS client for a region that cannot be reached."""

    def __getattr__(self, name):
        def call(*args, **kwargs):
            raise EndpointConnectionError(endpoint_url=f"https://rds.{PRIMARY_REGION}.amazonaws.com/")
        return call


class FailoverTests(unittest.TestCase):
    def setUp(self):
        support.fake_aws_env(REPLICA_REGION)
        self.aws = mock_aws()
        self.aws.start()
        self.addCleanup(self.aws.stop)
        patcher = mock.patch.object(moto_rds_models.RDSBackend, "promote_read_replica", _aws_like_promote)
        patcher.start()
        self.addCleanup(patcher.stop)

        self.rds_p = boto3.client("rds", region_name=PRIMARY_REGION)
        self.rds_r = boto3.client("rds", region_name=REPLICA_REGION)
        primary = self.rds_p.create_db_instance(
            DBInstanceIdentifier=PRIMARY_ID, Engine="postgres", EngineVersion="15.10", DBInstanceClass="db.t4g.micro",
            MasterUsername="drsynth", MasterUserPassword="not-used-1234", AllocatedStorage=20,
            StorageEncrypted=True, BackupRetentionPeriod=7)["DBInstance"]
        replica = self.rds_r.create_db_instance_read_replica(
            DBInstanceIdentifier=REPLICA_ID, SourceDBInstanceIdentifier=primary["DBInstanceArn"],
            SourceRegion=PRIMARY_REGION, KmsKeyId="alias/aws/rds", DBInstanceClass="db.t4g.micro")["DBInstance"]
        # make the retention change by the promotion observable
        self.rds_r.modify_db_instance(DBInstanceIdentifier=REPLICA_ID, BackupRetentionPeriod=1, ApplyImmediately=True)
        self.primary_endpoint = primary["Endpoint"]["Address"]
        self.replica_endpoint = replica["Endpoint"]["Address"]

        vpc = boto3.client("ec2", region_name=REPLICA_REGION).create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
        self.r53 = boto3.client("route53", region_name="us-east-1")
        self.zone_id = self.r53.create_hosted_zone(
            Name=ZONE_NAME, CallerReference=str(time.time()), VPC={"VPCRegion": REPLICA_REGION, "VPCId": vpc},
            HostedZoneConfig={"Comment": "drsynth", "PrivateZone": True})["HostedZone"]["Id"].split("/")[-1]
        self.health_check = self.r53.create_health_check(CallerReference="hc", HealthCheckConfig={
            "Type": "CALCULATED", "ChildHealthChecks": [], "HealthThreshold": 1})["HealthCheck"]["Id"]
        primary_record = self._record(PRIMARY_SET, self.primary_endpoint, 100)
        primary_record["ResourceRecordSet"]["HealthCheckId"] = self.health_check
        self.r53.change_resource_record_sets(HostedZoneId=self.zone_id, ChangeBatch={"Changes": [
            primary_record, self._record(REPLICA_SET, self.replica_endpoint, 0)]})

        self.sns = boto3.client("sns", region_name=REPLICA_REGION)
        self.sqs = boto3.client("sqs", region_name=REPLICA_REGION)
        self.topic = self.sns.create_topic(Name="drsynth-dev-failover")["TopicArn"]
        self.queue = self.sqs.create_queue(QueueName="failover-notes")["QueueUrl"]
        queue_arn = self.sqs.get_queue_attributes(QueueUrl=self.queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.sns.subscribe(TopicArn=self.topic, Protocol="sqs", Endpoint=queue_arn)

        self.cw = boto3.client("cloudwatch", region_name=REPLICA_REGION)
        self.cw.put_metric_alarm(
            AlarmName=ALARM, Namespace="drsynth", MetricName="PrimaryHealthy",
            Dimensions=[{"Name": "System", "Value": "dr-dev"}], Statistic="Minimum", Period=60,
            EvaluationPeriods=3, DatapointsToAlarm=3, Threshold=1, ComparisonOperator="LessThanThreshold",
            TreatMissingData="breaching")
        self.set_alarm("OK")
        self.cw_primary = boto3.client("cloudwatch", region_name=PRIMARY_REGION)
        self.cw_primary.put_metric_alarm(
            AlarmName=VIEW_ALARM, Namespace="drsynth", MetricName="PrimaryHealthy",
            Dimensions=[{"Name": "System", "Value": DIM}], Statistic="Minimum", Period=60,
            EvaluationPeriods=1, DatapointsToAlarm=1, Threshold=1, ComparisonOperator="LessThanThreshold",
            TreatMissingData="breaching")
        self.cw.put_metric_alarm(
            AlarmName=FENCE_ALARM, Namespace="drsynth", MetricName="Fenced",
            Dimensions=[{"Name": "System", "Value": DIM}], Statistic="Maximum", Period=60,
            EvaluationPeriods=1, DatapointsToAlarm=1, Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold",
            TreatMissingData="ignore")
        self.ssm = boto3.client("ssm", region_name=REPLICA_REGION)

        env = {
            "PRIMARY_INSTANCE_ID": PRIMARY_ID, "PRIMARY_REGION": PRIMARY_REGION,
            "REPLICA_INSTANCE_ID": REPLICA_ID, "REPLICA_REGION": REPLICA_REGION,
            "HOSTED_ZONE_ID": self.zone_id, "RECORD_NAME": RECORD, "RECORD_TTL": "60",
            "PRIMARY_SET_IDENTIFIER": PRIMARY_SET, "REPLICA_SET_IDENTIFIER": REPLICA_SET,
            "PRIMARY_ENDPOINT": self.primary_endpoint, "REPLICA_ENDPOINT": self.replica_endpoint,
            "TOPIC_ARN": self.topic, "HOLD_ALARM_NAME": ALARM, "LOCK_PARAMETER": LOCK,
            "STATE_PARAMETER": STATE, "PRIMARY_VIEW_ALARM_NAME": VIEW_ALARM, "FENCE_ALARM_NAME": FENCE_ALARM,
            "PRIMARY_HEALTH_CHECK_ID": self.health_check, "METRIC_NAMESPACE": "drsynth",
            "METRIC_DIMENSION_NAME": "System", "METRIC_DIMENSION_VALUE": DIM,
            "ARM_AFTER_HEALTHY_DATAPOINTS": str(ARM_AFTER), "PROMOTION_DEADLINE_SECONDS": "600",
        }
        env_patch = mock.patch.dict(os.environ, env)
        env_patch.start()
        self.addCleanup(env_patch.stop)
        os.environ.pop("BACKUP_RETENTION_DAYS", None)

        # Spy on the clients the handler creates.
        self.promote_calls = 0
        self.flip_calls = 0
        self.spy_lock = threading.Lock()
        self.primary_unreachable = False
        self.primary_status = None       # e.g. "rebooting": what RDS reports for the primary
        self.promote_refusals = 0        # PromoteReadReplica answers InvalidDBInstanceState this often
        self.promote_error = None        # or always answers this error code
        self.route53_down = False
        self.describe_barrier = None
        real_factory = failover._client

        def factory(session, service, region, config):
            if region == PRIMARY_REGION and service in ("rds", "cloudwatch") and self.primary_unreachable:
                return _Unreachable()
            client = real_factory(session, service, region, config)
            if service == "rds" and region == PRIMARY_REGION:
                real_primary = client.describe_db_instances

                def describe_primary(**kwargs):
                    result = real_primary(**kwargs)
                    if self.primary_status:
                        result["DBInstances"][0]["DBInstanceStatus"] = self.primary_status
                    return result
                client.describe_db_instances = describe_primary
            if service == "rds" and region == REPLICA_REGION:
                real_promote = client.promote_read_replica
                real_describe = client.describe_db_instances
                first = {"done": False}

                def promote(**kwargs):
                    with self.spy_lock:
                        self.promote_calls += 1
                        if self.promote_error:
                            raise ClientError({"Error": {"Code": self.promote_error, "Message": "test"}},
                                              "PromoteReadReplica")
                        if self.promote_refusals > 0:
                            self.promote_refusals -= 1
                            raise ClientError({"Error": {"Code": "InvalidDBInstanceState", "Message":
                                               "Instance is in backing-up status"}}, "PromoteReadReplica")
                    return real_promote(**kwargs)

                def describe(**kwargs):
                    result = real_describe(**kwargs)
                    if self.describe_barrier is not None and not first["done"]:
                        first["done"] = True
                        with contextlib.suppress(threading.BrokenBarrierError):
                            self.describe_barrier.wait(5)
                    return result
                client.promote_read_replica = promote
                client.describe_db_instances = describe
            if service == "route53":
                real_change = client.change_resource_record_sets

                def change(**kwargs):
                    with self.spy_lock:
                        self.flip_calls += 1
                    if self.route53_down:
                        raise EndpointConnectionError(endpoint_url="https://route53.amazonaws.com/")
                    return real_change(**kwargs)
                client.change_resource_record_sets = change
            return client

        factory_patch = mock.patch.object(failover, "_client", factory)
        factory_patch.start()
        self.addCleanup(factory_patch.stop)

    # -- helpers ---------------------------------------------------------------
    @staticmethod
    def _record(set_id, value, weight):
        return {"Action": "UPSERT", "ResourceRecordSet": {
            "Name": RECORD, "Type": "CNAME", "SetIdentifier": set_id, "Weight": weight, "TTL": 60,
            "ResourceRecords": [{"Value": value}]}}

    def set_alarm(self, state):
        self.cw.set_alarm_state(AlarmName=ALARM, StateValue=state, StateReason="test")

    def set_view(self, state):
        self.cw_primary.set_alarm_state(AlarmName=VIEW_ALARM, StateValue=state, StateReason="test")

    def arm(self):
        self.ssm.put_parameter(Name=STATE, Type="String", Value=json.dumps({"state": "armed", "since": 0}))

    def state(self):
        try:
            return json.loads(self.ssm.get_parameter(Name=STATE)["Parameter"]["Value"])["state"]
        except ClientError:
            return None

    def fence_state(self):
        return self.cw.describe_alarms(AlarmNames=[FENCE_ALARM])["MetricAlarms"][0]["StateValue"]

    def lose_primary_region(self):
        self.arm()
        self.set_alarm("ALARM")
        self.primary_unreachable = True

    def publish_healthy(self, minutes, value=1.0, gap_at=None):
        # The function counts complete minutes up to its own clock: publish early
        # in a minute, so that the invocation right after sees the same minute
        # (a minute boundary in between made the last datapoint "in progress").
        if time.time() % 60 > 45:
            time.sleep(60 - time.time() % 60 + 0.2)
        now = int(time.time()) // 60 * 60
        for k in range(minutes, 0, -1):
            if gap_at == k:
                continue
            self.cw.put_metric_data(Namespace="drsynth", MetricData=[{
                "MetricName": "PrimaryHealthy", "Dimensions": [{"Name": "System", "Value": DIM}], "Value": value,
                "Unit": "Count", "Timestamp": datetime.datetime.fromtimestamp(now - 60 * k + 5, datetime.timezone.utc)}])

    def invoke(self, event, context=None):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            summary = failover.handler(event, context)
        for line in out.getvalue().splitlines():
            self.assertEqual(json.loads(line)["event"], "failover")  # every log line is structured JSON
        json.dumps(summary)  # JSON-serialisable
        return summary

    def weights(self):
        out = {}
        for rrs in self.r53.list_resource_record_sets(HostedZoneId=self.zone_id)["ResourceRecordSets"]:
            if rrs["Type"] == "CNAME":
                out[rrs["SetIdentifier"]] = (rrs["Weight"], rrs["ResourceRecords"][0]["Value"], rrs["TTL"])
        return out

    def replica(self):
        return self.rds_r.describe_db_instances(DBInstanceIdentifier=REPLICA_ID)["DBInstances"][0]

    def messages(self):
        found = []
        while True:
            batch = self.sqs.receive_message(QueueUrl=self.queue, MaxNumberOfMessages=10).get("Messages", [])
            if not batch:
                return found
            for msg in batch:
                envelope = json.loads(msg["Body"])
                found.append((envelope.get("Subject"), json.loads(envelope["Message"])))
                self.sqs.delete_message(QueueUrl=self.queue, ReceiptHandle=msg["ReceiptHandle"])

    def lock_exists(self):
        try:
            self.ssm.get_parameter(Name=LOCK)
            return True
        except ClientError:
            return False

    def assert_untouched(self):
        self.assertTrue(self.replica().get("ReadReplicaSourceDBInstanceIdentifier"))
        self.assertEqual(self.weights()[PRIMARY_SET][0], 100)
        self.assertEqual(self.weights()[REPLICA_SET][0], 0)
        self.assertEqual(self.promote_calls, 0)

    def health_checks(self):
        return {rrs["SetIdentifier"]: rrs.get("HealthCheckId")
                for rrs in self.r53.list_resource_record_sets(HostedZoneId=self.zone_id)["ResourceRecordSets"]
                if rrs["Type"] == "CNAME"}

    def assert_failed_over(self):
        replica = self.replica()
        self.assertIsNone(replica.get("ReadReplicaSourceDBInstanceIdentifier"))
        self.assertEqual(replica["BackupRetentionPeriod"], 7)
        self.assertEqual(self.state(), "failed_over")
        self.assertEqual(self.fence_state(), "ALARM")
        self.assertEqual(self.health_checks()[PRIMARY_SET], self.health_check, "the UPSERT dropped the health check")
        w = self.weights()
        self.assertEqual(w[PRIMARY_SET], (0, self.primary_endpoint, 60))
        self.assertEqual(w[REPLICA_SET], (100, self.replica_endpoint, 60))
        self.assertFalse(self.lock_exists(), "the lock must be released")

    # -- cases -----------------------------------------------------------------
    def test_fresh_deploy_is_not_armed_and_never_promotes(self):
        self.set_alarm("ALARM")
        self.primary_unreachable = True  # even with both signals
        summary = self.invoke(ALARM_EVENT)
        self.assertEqual(summary["decision"], "not_armed", summary)
        self.assertIsNone(self.state())
        self.assert_untouched()
        self.assertEqual([n[1]["decision"] for n in self.messages()], ["not_armed"])  # paged

    def test_reconcile_arms_after_k_consecutive_healthy_minutes(self):
        self.publish_healthy(ARM_AFTER - 1)
        summary = self.invoke({"action": "reconcile", "source": "schedule"})
        self.assertEqual(summary["decision"], "not_armed")
        self.assertEqual(summary["healthy_streak"], ARM_AFTER - 1)
        self.assertEqual(self.messages(), [])  # a quiet reconcile pages nobody
        self.publish_healthy(ARM_AFTER)
        summary = self.invoke({"action": "reconcile", "source": "schedule"})
        self.assertEqual(summary["decision"], "armed", summary)
        self.assertEqual(self.state(), "armed")
        self.assertEqual([n[1]["decision"] for n in self.messages()], ["armed"])

    def test_reconcile_sets_the_replica_backup_window(self):
        with mock.patch.dict(os.environ, {"REPLICA_BACKUP_WINDOW": "04:00-04:30"}):
            self.invoke({"action": "reconcile", "source": "schedule"})
        self.assertEqual(self.replica()["PreferredBackupWindow"], "04:00-04:30")

    def test_missing_minute_breaks_the_streak(self):
        self.publish_healthy(ARM_AFTER + 2, gap_at=2)
        summary = self.invoke({"action": "reconcile"})
        self.assertEqual(summary["healthy_streak"], 1)
        self.assertEqual(summary["decision"], "not_armed")

    def test_unhealthy_minute_does_not_arm(self):
        self.publish_healthy(ARM_AFTER + 1)
        self.publish_healthy(1, value=0.0)  # the last minute also saw a failure
        self.assertEqual(self.invoke({"action": "reconcile"})["decision"], "not_armed")
        self.assertIsNone(self.state())

    def test_primary_region_unreachable_promotes_fences_and_flips(self):
        self.lose_primary_region()
        summary = self.invoke(ALARM_EVENT, FakeContext(280))
        self.assertEqual(summary["decision"], "promoted", summary)
        self.assertTrue(summary["promoted"])
        self.assertTrue(summary["flipped"])
        self.assertTrue(summary["fenced"])
        self.assertEqual(summary["primary_status"], "unreachable")
        self.assertEqual(summary["primary_view"], "UNREACHABLE")
        self.assertEqual(self.promote_calls, 1)
        self.assert_failed_over()
        notes = self.messages()
        self.assertEqual([n[1]["decision"] for n in notes], ["promoted"])

    def test_primary_available_is_not_promoted(self):
        # The probe fails (e.g. a DR-side problem) but RDS reports the primary available.
        self.arm()
        self.set_alarm("ALARM")
        self.set_view("ALARM")
        summary = self.invoke(ALARM_EVENT)
        self.assertEqual(summary["decision"], "no_promotion", summary)
        self.assertIn("available", summary["reason"])
        self.assert_untouched()
        self.assertNotEqual(self.fence_state(), "ALARM")
        self.assertEqual([n[1]["decision"] for n in self.messages()], ["no_promotion"])

    def test_states_that_recover_by_themselves_are_not_promoted(self):
        self.arm()
        self.set_alarm("ALARM")
        self.set_view("ALARM")
        for status in ("rebooting", "modifying", "backing-up", "maintenance", "upgrading"):
            self.primary_status = status
            summary = self.invoke(ALARM_EVENT)
            self.assertEqual(summary["decision"], "no_promotion", status)
            self.assertIn(status, summary["reason"])
        self.assert_untouched()

    def test_states_that_do_not_recover_promote(self):
        for status in ("failed", "storage-full", "inaccessible-encryption-credentials", "stopped"):
            with self.subTest(status=status):
                self.assertNotIn(status, failover.RECOVERING)
        self.arm()
        self.set_alarm("ALARM")
        self.set_view("ALARM")
        self.primary_status = "failed"
        self.assertEqual(self.invoke(ALARM_EVENT, FakeContext(280))["decision"], "promoted")
        self.assert_failed_over()

    def test_partition_primary_region_sees_primary_healthy(self):
        self.arm()
        self.set_alarm("ALARM")
        self.set_view("OK")
        self.primary_status = "failed"  # even a bad RDS answer does not beat the local probe
        summary = self.invoke(ALARM_EVENT)
        self.assertEqual(summary["decision"], "no_promotion")
        self.assertIn("partition", summary["reason"])
        self.assert_untouched()

    def test_hold_alarm_not_in_alarm_is_not_promoted(self):
        self.arm()
        self.primary_unreachable = True
        summary = self.invoke(ALARM_EVENT)  # event says ALARM; the hold alarm is OK now
        self.assertEqual(summary["decision"], "no_promotion")
        self.assertEqual(summary["hold_alarm"], "OK")
        self.assert_untouched()

    def test_sns_wrapped_ok_transition_no_action(self):
        self.arm()
        self.set_alarm("ALARM")
        summary = self.invoke(sns_event("OK"))
        self.assertEqual(summary["decision"], "no_action")
        self.assert_untouched()

    def test_invoked_twice_promotes_once_and_stays_failed_over(self):
        self.lose_primary_region()
        first = self.invoke(ALARM_EVENT)
        # the primary region comes back, the alarms clear: nothing moves back
        self.primary_unreachable = False
        self.set_alarm("OK")
        self.set_view("OK")
        second = self.invoke(ALARM_EVENT)
        third = self.invoke({"action": "reconcile", "source": "schedule"})
        self.assertEqual(first["decision"], "promoted")
        self.assertEqual(second["decision"], "failed_over")
        self.assertEqual(third["decision"], "failed_over")
        self.assertEqual(self.promote_calls, 1)
        self.assert_failed_over()

    def test_concurrent_invocations_promote_once(self):
        self.lose_primary_region()
        self.describe_barrier = threading.Barrier(2)
        results = []

        def run(request_id):
            with contextlib.redirect_stdout(io.StringIO()):
                results.append(failover.handler(ALARM_EVENT, FakeContext(280, request_id)))

        threads = [threading.Thread(target=run, args=(f"req-{i}",)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertEqual(len(results), 2)
        self.assertEqual(self.promote_calls, 1)
        decisions = sorted(r["decision"] for r in results)
        self.assertIn(decisions, (["in_progress", "promoted"], ["failed_over", "promoted"]))
        self.assert_failed_over()

    def test_backing_up_replica_is_retried_until_promoted(self):
        self.lose_primary_region()
        self.promote_refusals = 3
        context = FakeContext(280)
        with mock.patch.object(failover, "_sleep", context.sleep):
            summary = self.invoke(ALARM_EVENT, context)
        self.assertEqual(summary["decision"], "promoted", summary)
        self.assertEqual(summary["promote_refusals"], 3)
        self.assertEqual(self.promote_calls, 4)
        self.assert_failed_over()

    def test_refusals_beyond_the_invocation_are_continued_by_the_reconcile(self):
        self.lose_primary_region()
        self.promote_refusals = 1000
        context = FakeContext(60)
        with mock.patch.object(failover, "_sleep", context.sleep):
            summary = self.invoke(ALARM_EVENT, context)
        self.assertEqual(summary["decision"], "promoting", summary)
        self.assertEqual(self.state(), "promoting")
        self.assertEqual(self.fence_state(), "ALARM")  # fenced before the first attempt
        self.assertFalse(self.lock_exists())
        self.promote_refusals = 0
        summary = self.invoke({"action": "reconcile", "source": "schedule"}, FakeContext(280))
        self.assertEqual(summary["decision"], "promoted", summary)
        self.assert_failed_over()

    def test_promotion_deadline_gives_up_loudly(self):
        self.lose_primary_region()
        self.promote_refusals = 10_000
        with mock.patch.dict(os.environ, {"PROMOTION_DEADLINE_SECONDS": "30"}):
            context = FakeContext(280)
            clock = [time.time()]
            with mock.patch.object(failover, "_sleep", lambda s: (context.sleep(s), clock.__setitem__(0, clock[0] + s))), \
                    mock.patch.object(failover.st, "_clock", lambda: clock[0]):
                summary = self.invoke(ALARM_EVENT, context)
        self.assertEqual(summary["decision"], "promotion_failed", summary)
        self.assertEqual(self.state(), "promotion_failed")
        self.assertEqual(self.fence_state(), "ALARM")
        self.assertEqual([n[1]["decision"] for n in self.messages()], ["promotion_failed"])
        # the reconcile does not retry on its own; the operator's force does
        self.promote_refusals = 0
        self.assertEqual(self.invoke({"action": "reconcile"})["decision"], "promotion_failed")
        self.assertEqual(self.invoke({"action": "failover", "force": True})["decision"], "promoted")
        self.assert_failed_over()

    def test_non_transient_promote_error_fails_without_retry(self):
        self.lose_primary_region()
        self.promote_error = "AccessDenied"
        summary = self.invoke(ALARM_EVENT, FakeContext(280))
        self.assertEqual(summary["decision"], "promotion_failed", summary)
        self.assertEqual(self.promote_calls, 1)
        self.assertTrue(any("AccessDenied" in e for e in summary["errors"]), summary)

    def test_route53_down_then_reconcile_flips_with_health_check(self):
        self.lose_primary_region()
        self.route53_down = True
        context = FakeContext(60)
        with mock.patch.object(failover, "_sleep", context.sleep):
            summary = self.invoke(ALARM_EVENT, context)
        self.assertEqual(summary["decision"], "promoted")
        self.assertFalse(summary["flipped"])
        self.assertGreater(self.flip_calls, 1, "the flip must be retried")
        self.assertGreaterEqual(context.get_remaining_time_in_millis() / 1000.0, failover.SAFETY_MARGIN_SECONDS)
        self.assertEqual(self.weights()[PRIMARY_SET][0], 100)  # Route 53 was down ...
        self.assertEqual(self.fence_state(), "ALARM")           # ... but the old primary is fenced
        # the primary region returns; the records still say primary 100: the reconcile fixes them
        self.primary_unreachable = False
        self.route53_down = False
        summary = self.invoke({"action": "reconcile", "source": "schedule"}, FakeContext(280))
        self.assertEqual(summary["decision"], "flipped", summary)
        self.assert_failed_over()
        self.assertEqual([n[1]["decision"] for n in self.messages()], ["promoted", "flipped"])

    def test_manual_failover_without_force_respects_signals(self):
        self.arm()
        summary = self.invoke({"action": "failover"})
        self.assertEqual(summary["decision"], "no_promotion")
        self.assert_untouched()

    def test_only_json_true_forces_a_failover(self):
        # bool("false") is True in Python: a hand-typed string must not skip the two signals.
        self.arm()
        for force in ("false", "no", "true", 1, [True], {"force": True}):
            with self.subTest(force=force):
                summary = self.invoke({"action": "failover", "force": force})
                self.assertEqual(summary["decision"], "no_promotion", summary)
                self.assert_untouched()

    def test_manual_forced_failover_promotes_even_unarmed(self):
        summary = self.invoke({"action": "failover", "force": True}, FakeContext(280))
        self.assertEqual(summary["decision"], "promoted", summary)
        self.assertEqual(summary["primary_status"], None)  # the signals were not even read
        self.assert_failed_over()

    def test_fresh_lock_held_reports_in_progress(self):
        self.lose_primary_region()
        self.ssm.put_parameter(Name=LOCK, Type="String",
                               Value=json.dumps({"epoch": time.time() - 60, "request_id": "other"}))
        summary = self.invoke(ALARM_EVENT)
        self.assertEqual(summary["decision"], "in_progress")
        self.assertEqual(self.promote_calls, 0)
        self.assertTrue(self.lock_exists())

    def test_stale_lock_is_taken_over(self):
        self.lose_primary_region()
        self.ssm.put_parameter(Name=LOCK, Type="String",
                               Value=json.dumps({"epoch": time.time() - 3600, "request_id": "dead"}))
        self.assertEqual(self.invoke(ALARM_EVENT)["decision"], "promoted")
        self.assert_failed_over()

    def test_failback_refused_while_the_dr_instance_is_writable(self):
        self.lose_primary_region()
        self.invoke(ALARM_EVENT)
        self.primary_unreachable = False
        self.assertEqual(self.invoke({"action": "failback"})["decision"], "refused")  # no confirm
        summary = self.invoke({"action": "failback", "confirm": REPLICA_ID})
        self.assertEqual(summary["decision"], "refused")
        self.assertIn("two writable", summary["reason"])
        self.assert_failed_over()

    def test_failback_after_the_runbook(self):
        self.lose_primary_region()
        self.invoke(ALARM_EVENT)
        self.primary_unreachable = False
        # runbook: the DR instance becomes a replica of the (re-seeded) primary again
        self.rds_r.delete_db_instance(DBInstanceIdentifier=REPLICA_ID, SkipFinalSnapshot=True)
        arn = self.rds_p.describe_db_instances(DBInstanceIdentifier=PRIMARY_ID)["DBInstances"][0]["DBInstanceArn"]
        self.rds_r.create_db_instance_read_replica(
            DBInstanceIdentifier=REPLICA_ID, SourceDBInstanceIdentifier=arn, SourceRegion=PRIMARY_REGION,
            KmsKeyId="alias/aws/rds", DBInstanceClass="db.t4g.micro")
        summary = self.invoke({"action": "failback", "confirm": REPLICA_ID})
        self.assertEqual(summary["decision"], "failed_back", summary)
        self.assertEqual(self.weights()[PRIMARY_SET][0], 100)
        self.assertEqual(self.weights()[REPLICA_SET][0], 0)
        self.assertEqual(self.health_checks()[PRIMARY_SET], self.health_check)
        self.assertEqual(self.fence_state(), "OK")
        self.assertEqual(self.state(), "unarmed")  # re-arms after K healthy minutes
        self.publish_healthy(ARM_AFTER)
        self.assertEqual(self.invoke({"action": "reconcile"})["decision"], "armed")

    def test_status_changes_nothing(self):
        self.lose_primary_region()
        summary = self.invoke({"action": "status"})
        self.assertEqual(summary["decision"], "status")
        self.assertEqual(summary["state"], "armed")
        self.assertEqual(summary["weights"], {PRIMARY_SET: 100, REPLICA_SET: 0})
        self.assertFalse(summary["fenced"])
        self.assert_untouched()
        self.assertEqual(self.messages(), [])

    def test_sns_publish_failure_is_not_fatal(self):
        self.lose_primary_region()
        with mock.patch.dict(os.environ, {"TOPIC_ARN": "arn:aws:sns:eu-west-1:123456789012:no-such-topic"}):
            summary = self.invoke(ALARM_EVENT)
        self.assertEqual(summary["decision"], "promoted")
        self.assertTrue(summary["notify_errors"])

    def test_missing_environment_fails_clearly(self):
        with mock.patch.dict(os.environ, {"STATE_PARAMETER": ""}):
            summary = self.invoke(ALARM_EVENT)
        self.assertEqual(summary["decision"], "failed")
        self.assertIn("STATE_PARAMETER", summary["reason"])


if __name__ == "__main__":
    unittest.main()
