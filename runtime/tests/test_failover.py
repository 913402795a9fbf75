"""Failover handler against moto (RDS in two regions, Route 53 private zone,
SNS -> SQS, CloudWatch alarm, SSM lock).  Run from the repository root with
``python3 -m unittest discover -s runtime/tests -t runtime -v``."""

import contextlib
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
ALARM = "drsynth-dev-primary-unhealthy"
LOCK = "/drsynth/dev/failover-lock"

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
        self.r53.change_resource_record_sets(HostedZoneId=self.zone_id, ChangeBatch={"Changes": [
            self._record(PRIMARY_SET, self.primary_endpoint, 100), self._record(REPLICA_SET, self.replica_endpoint, 0)]})

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
        self.ssm = boto3.client("ssm", region_name=REPLICA_REGION)

        env = {
            "PRIMARY_INSTANCE_ID": PRIMARY_ID, "PRIMARY_REGION": PRIMARY_REGION,
            "REPLICA_INSTANCE_ID": REPLICA_ID, "REPLICA_REGION": REPLICA_REGION,
            "HOSTED_ZONE_ID": self.zone_id, "RECORD_NAME": RECORD, "RECORD_TTL": "60",
            "PRIMARY_SET_IDENTIFIER": PRIMARY_SET, "REPLICA_SET_IDENTIFIER": REPLICA_SET,
            "PRIMARY_ENDPOINT": self.primary_endpoint, "REPLICA_ENDPOINT": self.replica_endpoint,
            "TOPIC_ARN": self.topic, "HEALTH_ALARM_NAME": ALARM, "LOCK_PARAMETER": LOCK,
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
        self.route53_down = False
        self.describe_barrier = None
        real_factory = failover._client

        def factory(session, service, region, config):
            if service == "rds" and region == PRIMARY_REGION and self.primary_unreachable:
                return _Unreachable()
            client = real_factory(session, service, region, config)
            if service == "rds" and region == REPLICA_REGION:
                real_promote = client.promote_read_replica
                real_describe = client.describe_db_instances
                first = {"done": False}

                def promote(**kwargs):
                    with self.spy_lock:
                        self.promote_calls += 1
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

    def assert_failed_over(self):
        replica = self.replica()
        self.assertIsNone(replica.get("ReadReplicaSourceDBInstanceIdentifier"))
        self.assertEqual(replica["BackupRetentionPeriod"], 7)
        w = self.weights()
        self.assertEqual(w[PRIMARY_SET], (0, self.primary_endpoint, 60))
        self.assertEqual(w[REPLICA_SET], (100, self.replica_endpoint, 60))
        self.assertFalse(self.lock_exists(), "the lock must be released")

    # -- cases -----------------------------------------------------------------
    def test_primary_healthy_alarm_ok_no_action(self):
        summary = self.invoke(ALARM_EVENT)  # event claims ALARM, the alarm is OK now
        self.assertEqual(summary["decision"], "no_action")
        self.assertEqual(summary["alarm_state"], "OK")
        self.assertEqual(summary["primary_status"], "available")
        self.assert_untouched()
        notes = self.messages()
        self.assertEqual(len(notes), 1)
        self.assertIn("no_action", notes[0][0])
        self.assertEqual(notes[0][1]["decision"], "no_action")

    def test_primary_region_unreachable_promotes_and_flips(self):
        self.set_alarm("ALARM")
        self.primary_unreachable = True
        summary = self.invoke(ALARM_EVENT, FakeContext(280))
        self.assertEqual(summary["decision"], "promoted", summary)
        self.assertTrue(summary["promoted"])
        self.assertTrue(summary["flipped"])
        self.assertEqual(summary["primary_status"], "unreachable")
        self.assertEqual(summary["alarm_state"], "ALARM")
        self.assertEqual(self.promote_calls, 1)
        self.assert_failed_over()
        notes = self.messages()
        self.assertEqual([n[1]["decision"] for n in notes], ["promoted"])
        self.assertTrue(notes[0][1]["flipped"])

    def test_sns_wrapped_alarm_with_primary_available_still_promotes(self):
        # The probe says the database does not work although RDS reports it available.
        self.set_alarm("ALARM")
        summary = self.invoke(sns_event("ALARM"))
        self.assertEqual(summary["trigger"], "sns")
        self.assertEqual(summary["primary_status"], "available")
        self.assertEqual(summary["decision"], "promoted", summary)
        self.assert_failed_over()

    def test_sns_wrapped_ok_transition_no_action(self):
        self.set_alarm("ALARM")
        summary = self.invoke(sns_event("OK"))
        self.assertEqual(summary["decision"], "no_action")
        self.assert_untouched()
        self.assertEqual([n[1]["decision"] for n in self.messages()], ["no_action"])

    def test_invoked_twice_promotes_once(self):
        self.set_alarm("ALARM")
        self.primary_unreachable = True
        first = self.invoke(ALARM_EVENT)
        second = self.invoke(ALARM_EVENT)
        self.assertEqual(first["decision"], "promoted")
        self.assertEqual(second["decision"], "flipped")
        self.assertFalse(second["promoted"])
        self.assertEqual(self.promote_calls, 1)
        self.assert_failed_over()
        self.assertEqual([n[1]["decision"] for n in self.messages()], ["promoted", "flipped"])

    def test_concurrent_invocations_promote_once(self):
        self.set_alarm("ALARM")
        self.primary_unreachable = True
        self.describe_barrier = threading.Barrier(2)  # both see "still a replica" before racing for the lock
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
        self.assertIn("promoted", decisions)
        self.assertIn(decisions, (["in_progress", "promoted"], ["flipped", "promoted"]))
        self.assert_failed_over()

    def test_replica_already_promoted_only_flips(self):
        self.rds_r.promote_read_replica(DBInstanceIdentifier=REPLICA_ID, BackupRetentionPeriod=7)
        self.set_alarm("ALARM")
        self.primary_unreachable = True
        summary = self.invoke(ALARM_EVENT)
        self.assertEqual(summary["decision"], "flipped")
        self.assertFalse(summary["promoted"])
        self.assertEqual(self.promote_calls, 0)
        self.assertFalse(summary["is_replica"])
        self.assert_failed_over()

    def test_route53_down_promotes_anyway_within_budget(self):
        self.set_alarm("ALARM")
        self.primary_unreachable = True
        self.route53_down = True
        context = FakeContext(60)
        with mock.patch.object(failover, "_sleep", context.sleep):
            summary = self.invoke(ALARM_EVENT, context)
        self.assertEqual(summary["decision"], "promoted")
        self.assertTrue(summary["promoted"])
        self.assertFalse(summary["flipped"])
        self.assertTrue(any("flip" in e and "EndpointConnectionError" in e for e in summary["errors"]), summary)
        self.assertIsNone(self.replica().get("ReadReplicaSourceDBInstanceIdentifier"))
        self.assertEqual(self.weights()[PRIMARY_SET][0], 100)  # unchanged: Route 53 was down
        self.assertGreater(self.flip_calls, 1, "the flip must be retried")
        self.assertEqual(summary["flip_attempts"], self.flip_calls)
        # the retry loop stopped before eating into the 20 s safety margin
        self.assertGreaterEqual(context.get_remaining_time_in_millis() / 1000.0, failover.SAFETY_MARGIN_SECONDS)
        notes = self.messages()
        self.assertEqual(len(notes), 1)
        self.assertEqual(notes[0][1]["decision"], "promoted")
        self.assertFalse(notes[0][1]["flipped"])
        self.assertTrue(any("flip" in e for e in notes[0][1]["errors"]))

    def test_route53_down_with_tiny_budget_tries_once(self):
        self.set_alarm("ALARM")
        self.route53_down = True
        context = FakeContext(25)
        started = time.monotonic()
        with mock.patch.object(failover, "_sleep", context.sleep):
            summary = self.invoke(ALARM_EVENT, context)
        self.assertLess(time.monotonic() - started, 5)
        self.assertEqual(self.flip_calls, 1)
        self.assertTrue(summary["promoted"])
        self.assertFalse(summary["flipped"])

    def test_alarm_back_to_ok_before_run_no_action(self):
        self.primary_unreachable = True  # even with the primary unreachable: the alarm decides
        self.set_alarm("ALARM")
        self.set_alarm("OK")
        summary = self.invoke(ALARM_EVENT)
        self.assertEqual(summary["decision"], "no_action")
        self.assert_untouched()
        self.assertFalse(self.lock_exists())

    def test_manual_failover_without_force_respects_alarm(self):
        summary = self.invoke({"action": "failover"})
        self.assertEqual(summary["decision"], "no_action")
        self.assert_untouched()

    def test_manual_forced_failover(self):
        summary = self.invoke({"action": "failover", "force": True})
        self.assertEqual(summary["decision"], "promoted")
        self.assertTrue(summary["force"])
        self.assert_failed_over()

    def test_fresh_lock_held_reports_in_progress(self):
        self.set_alarm("ALARM")
        holder = json.dumps({"time": "now", "epoch": time.time(), "request_id": "other"})
        self.ssm.put_parameter(Name=LOCK, Value=holder, Type="String")
        summary = self.invoke(ALARM_EVENT)
        self.assertEqual(summary["decision"], "in_progress")
        self.assert_untouched()
        self.assertEqual(self.ssm.get_parameter(Name=LOCK)["Parameter"]["Value"], holder)  # not ours to delete
        self.assertEqual([n[1]["decision"] for n in self.messages()], ["in_progress"])

    def test_stale_lock_is_taken_over(self):
        self.set_alarm("ALARM")
        stale = json.dumps({"time": "long ago", "epoch": time.time() - 16 * 60, "request_id": "dead"})
        self.ssm.put_parameter(Name=LOCK, Value=stale, Type="String")
        summary = self.invoke(ALARM_EVENT)
        self.assertEqual(summary["decision"], "promoted")
        self.assert_failed_over()

    def test_status_changes_nothing(self):
        self.set_alarm("ALARM")
        self.primary_unreachable = True
        summary = self.invoke({"action": "status"})
        self.assertEqual(summary["decision"], "status")
        self.assertEqual(summary["alarm_state"], "ALARM")
        self.assertEqual(summary["primary_status"], "unreachable")
        self.assertEqual(summary["replica_status"], "available")
        self.assertTrue(summary["is_replica"])
        self.assertEqual(summary["weights"], {PRIMARY_SET: 100, REPLICA_SET: 0})
        self.assertFalse(summary["promoted"])
        self.assertFalse(summary["flipped"])
        self.assert_untouched()
        self.assertEqual(self.flip_calls, 0)
        self.assertFalse(self.lock_exists())
        self.assertEqual(self.messages(), [])

    def test_sns_publish_failure_is_not_fatal(self):
        self.set_alarm("ALARM")
        self.sns.delete_topic(TopicArn=self.topic)
        with mock.patch.dict(os.environ, {"TOPIC_ARN": self.topic.replace("drsynth-dev-failover", "gone")}):
            summary = self.invoke(ALARM_EVENT)
        self.assertEqual(summary["decision"], "promoted")
        self.assertTrue(summary.get("notify_errors"), summary)
        self.assert_failed_over()


if __name__ == "__main__":
    unittest.main()
