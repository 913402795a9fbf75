"""Aurora failover handler: the decision, the failover steps and their
retries (moto + the documented global-cluster fake, aurora_support.py).  Run
from the repository root with
``python3 -m unittest discover -s runtime/tests -t runtime -p 'test_aurora*.py' -v``."""

import json
import unittest

from tests.aurora_support import (ALARM_EVENT, ARM_AFTER, DIM, GLOBAL, HOLD, LOCAL, LOCAL_ID, LOCK, REMOTE,
                                  REMOTE_FENCE, REMOTE_ID, REMOTE_SET, REMOTE_VIEW, AuroraTestCase, aurora)


class Decision(AuroraTestCase):
    def test_first_deploy_never_fails_over(self):
        self.lose_remote_region()
        result = self.invoke(ALARM_EVENT)
        self.assertEqual(result["decision"], "not_armed")
        self.assertEqual(self.mutations(), [])
        self.assertEqual(self.state()["state"], None)
        self.assertEqual(self.alarm_state(REMOTE_FENCE), "OK")
        subject, body = self.notes()[0]
        self.assertIn("not_armed", subject)
        self.assertIn(f"{ARM_AFTER} consecutive healthy minutes", body["reason"])

    def test_arming_needs_consecutive_healthy_minutes(self):
        self.publish_healthy(ARM_AFTER, gaps=(2,))
        self.assertEqual(self.invoke({"action": "reconcile", "source": "schedule"})["decision"], "not_armed")
        self.assertEqual(self.notes(), [])  # quiet
        self.publish_healthy(ARM_AFTER)
        result = self.invoke({"action": "reconcile", "source": "schedule"})
        self.assertEqual(result["decision"], "armed")
        self.assertEqual(self.state()["state"], "armed")
        self.assertIn("armed", self.notes()[0][0])

    def test_remote_region_lost_fails_over_once_fenced_and_flipped(self):
        self.arm()
        self.publish_rpo_lag(850.0)
        self.lose_remote_region()
        result = self.invoke(ALARM_EVENT)
        self.assertEqual(result["decision"], "failed_over", result)
        self.assertEqual(self.calls("FailoverGlobalCluster"), [(LOCAL, {
            "GlobalClusterIdentifier": GLOBAL, "TargetDbClusterIdentifier": self.local_arn, "AllowDataLoss": True})])
        self.assertEqual(self.calls("RemoveFromGlobalCluster"), [])
        self.assertEqual(self.fake.writer_of(GLOBAL), self.local_arn)
        self.assertEqual(self.alarm_state(REMOTE_FENCE), "ALARM")
        fenced = self.cw[LOCAL].get_metric_statistics(
            Namespace="drsynth", MetricName="Fenced", Dimensions=[{"Name": "System", "Value": REMOTE_SET}],
            StartTime=aurora.st.iso(self.clock.t - 600), EndTime=aurora.st.iso(self.clock.t + 60), Period=60,
            Statistics=["Maximum"])["Datapoints"]
        self.assertEqual([p["Maximum"] for p in fenced], [1.0])
        self.assert_weights(local=100, remote=0)
        state = self.state()
        self.assertEqual((state["state"], state["method"], state["phase"]), ("failed_over", "managed",
                                                                             "failover_requested"))
        subject, body = self.notes()[0]
        self.assertEqual(subject, f"drsynth aurora failover failed_over: {LOCAL_ID}")
        self.assertIn("about 850 ms of writes (AuroraGlobalDBRPOLag 90 s before the failover", body["data_loss_window"])
        self.assertTrue(body["detection_budget"]["met"])
        self.assertLessEqual(body["detection_budget"]["failover_requested_after_seconds"], 60)
        self.assertEqual(body["remote_status"], "unreachable")
        self.assertEqual(body["remote_view"], "UNREACHABLE")
        # a second delivery and the reconcile change nothing, the region's return neither
        self.assertEqual(self.invoke(ALARM_EVENT)["decision"], "failed_over")
        self.fake.unreachable.clear()
        self.cw_down.clear()
        self.assertEqual(self.invoke({"action": "reconcile", "source": "schedule"})["decision"], "failed_over")
        self.assertEqual(len(self.calls("FailoverGlobalCluster")), 1)
        self.assertEqual(self.alarm_state(REMOTE_FENCE), "ALARM")
        self.assert_weights(local=100, remote=0)

    def test_unknown_data_loss_window_is_said(self):
        self.arm()
        self.lose_remote_region()
        result = self.invoke(ALARM_EVENT)
        self.assertIn("unknown", result["data_loss_window"])

    def test_partition_remote_region_sees_the_writer_healthy(self):
        self.arm()
        self.set_alarm(HOLD, "ALARM")
        result = self.invoke(ALARM_EVENT)
        self.assertEqual(result["decision"], "no_failover")
        self.assertIn("partition", result["reason"])
        self.assertEqual(self.mutations(), [])
        self.assertEqual(self.alarm_state(REMOTE_FENCE), "OK")
        self.assertEqual(self.state()["state"], "armed")

    def test_remote_rds_reports_recovering_states(self):
        self.arm()
        self.set_alarm(HOLD, "ALARM")
        self.set_alarm(REMOTE_VIEW, "ALARM", region=REMOTE)
        for status in ("available", "failing-over", "rebooting-does-not-exist"):
            self.fake.clusters[self.remote_arn]["status"] = status
            result = self.invoke(ALARM_EVENT)
            if status == "rebooting-does-not-exist":  # not a recovering state: fails over
                self.assertEqual(result["decision"], "failed_over", result)
            else:
                self.assertEqual(result["decision"], "no_failover", status)
                self.assertIn(f"reports {REMOTE_ID} {status}", result["reason"])
                self.assertEqual(self.mutations(), [])

    def test_writer_crash_with_in_region_failover_never_fails_over(self):
        self.arm()
        self.fake.crash_writer(self.remote_arn, 45)
        self.set_alarm(HOLD, "ALARM")
        self.set_alarm(REMOTE_VIEW, "ALARM", region=REMOTE)
        result = self.invoke(ALARM_EVENT)
        self.assertEqual(result["decision"], "no_failover")
        self.assertIn("failing-over", result["reason"])
        self.assertEqual(self.mutations(), [])

    def test_local_writer_is_not_this_functions_job(self):
        self.arm()
        self.fake.globals[GLOBAL]["writer"] = self.local_arn
        self.lose_remote_region()
        for event in (ALARM_EVENT, {"action": "failover", "force": True}):
            result = self.invoke(event)
            self.assertEqual(result["decision"], "local_writer")
        self.assertEqual(self.mutations(), [])
        self.assertEqual(self.alarm_state(REMOTE_FENCE), "OK")

    def test_waits_for_an_operation_aurora_is_running(self):
        self.arm()
        self.lose_remote_region()
        self.fake.client(LOCAL).failover_global_cluster(GlobalClusterIdentifier=GLOBAL, AllowDataLoss=True,
                                                        TargetDbClusterIdentifier=self.local_arn)
        started = self.clock.t
        result = self.invoke(ALARM_EVENT)
        self.assertEqual(result["decision"], "local_writer")  # the operator's failover finished meanwhile
        self.assertGreaterEqual(self.clock.t - started, self.fake.failover_seconds)
        self.assertEqual(len(self.calls("FailoverGlobalCluster")), 1)  # the operator's own

    def test_only_json_true_forces_a_failover(self):
        # bool("false") is True in Python: a hand-typed string must not skip the signals.
        for force in ("false", "true", 1, [True]):
            with self.subTest(force=force):
                result = self.invoke({"action": "failover", "force": force})  # unarmed, everything healthy
                self.assertNotEqual(result["decision"], "failed_over", result)
        self.assertEqual(self.mutations(), [])

    def test_force_skips_the_signals_not_the_lock(self):
        result = self.invoke({"action": "failover", "force": True})  # unarmed, everything healthy
        self.assertEqual(result["decision"], "failed_over")
        self.assertTrue(self.state()["forced"])
        self.ssm.put_parameter(Name=LOCK, Type="String", Value=json.dumps({"epoch": self.clock.t}))
        self.write_state(state="armed")
        self.fake.globals[GLOBAL]["writer"] = self.remote_arn
        self.assertEqual(self.invoke({"action": "failover", "force": True})["decision"], "in_progress")
        self.assertEqual(len(self.calls("FailoverGlobalCluster")), 1)

    def test_held_lock_means_in_progress(self):
        self.arm()
        self.lose_remote_region()
        self.ssm.put_parameter(Name=LOCK, Type="String", Value=json.dumps({"epoch": self.clock.t - 30}))
        self.assertEqual(self.invoke(ALARM_EVENT)["decision"], "in_progress")
        self.assertEqual(self.mutations(), [])
        self.clock.sleep(16 * 60)  # a stale lock (a crashed run) is taken over
        self.assertEqual(self.invoke(ALARM_EVENT)["decision"], "failed_over")

    def test_ok_transition_does_nothing(self):
        self.arm()
        result = self.invoke({"source": "aws.cloudwatch", "alarmData": {"state": {"value": "OK"}}})
        self.assertEqual(result["decision"], "no_action")
        self.assertEqual(self.fake.calls, [])

    def test_missing_environment(self):
        import os
        del os.environ["REMOTE_VIEW_ALARM_NAME"]
        result = self.invoke(ALARM_EVENT)
        self.assertEqual(result["decision"], "failed")
        self.assertIn("REMOTE_VIEW_ALARM_NAME", result["reason"])
        self.assertEqual(self.fake.calls, [])


class PartialFailure(AuroraTestCase):
    def test_crash_after_the_failover_was_accepted_reconcile_finishes(self):
        self.arm()
        self.lose_remote_region()
        # the invocation runs out of time while Aurora promotes (60 s): state says how far it got
        result = self.invoke(ALARM_EVENT, seconds=45)
        self.assertEqual(result["decision"], "failing_over", result)
        self.assertEqual((self.state()["state"], self.state()["phase"]), ("promoting", "failover_requested"))
        self.assert_weights(local=0, remote=100)  # not yet: the fence already keeps DNS off the remote record
        self.assertEqual(self.alarm_state(REMOTE_FENCE), "ALARM")
        self.clock.sleep(60)
        result = self.invoke({"action": "reconcile", "source": "schedule"})
        self.assertEqual(result["decision"], "failed_over", result)
        self.assertEqual(len(self.calls("FailoverGlobalCluster")), 1)
        self.assert_weights(local=100, remote=0)

    def test_crash_between_the_request_and_the_state_write(self):
        self.arm()
        self.lose_remote_region()
        self.write_state(state="promoting", phase="requesting", method="managed", deadline=self.clock.t + 900)
        self.fake.client(LOCAL).failover_global_cluster(GlobalClusterIdentifier=GLOBAL, AllowDataLoss=True,
                                                        TargetDbClusterIdentifier=self.local_arn)
        result = self.invoke({"action": "reconcile", "source": "schedule"})
        self.assertEqual(result["decision"], "failed_over", result)
        self.assertEqual(len(self.calls("FailoverGlobalCluster")), 1)  # the lost run's, not a second one

    def test_throttling_is_retried_within_the_budget(self):
        self.arm()
        self.lose_remote_region()
        self.fake.inject("FailoverGlobalCluster", "Throttling", times=3)
        result = self.invoke(ALARM_EVENT)
        self.assertEqual(result["decision"], "failed_over", result)
        self.assertEqual(result["throttled"], 3)
        self.assertEqual(len(self.calls("FailoverGlobalCluster")), 4)
        self.assertTrue(result["detection_budget"]["met"])

    def test_refused_without_detach_stays_pending_then_fails_loudly(self):
        self.arm()
        self.lose_remote_region()
        self.fake.inject("FailoverGlobalCluster", "InvalidGlobalClusterStateFault")
        result = self.invoke(ALARM_EVENT)
        self.assertEqual(result["decision"], "failover_pending")
        self.assertIn("ALLOW_DETACH is false", result["reason"])
        self.assertGreaterEqual(len(self.calls("FailoverGlobalCluster")), 3)
        self.assertEqual(self.calls("RemoveFromGlobalCluster"), [])
        self.assertEqual(self.state()["state"], "promoting")
        self.clock.sleep(901)
        result = self.invoke({"action": "reconcile", "source": "schedule"})
        self.assertEqual(result["decision"], "promotion_failed")
        self.assertEqual(self.state()["state"], "promotion_failed")
        self.assertIn("promotion_failed", self.notes()[-1][0])

    def test_route53_down_the_reconcile_flips_later(self):
        self.arm()
        self.lose_remote_region()
        self.route53_down = True
        result = self.invoke(ALARM_EVENT)
        self.assertEqual(result["decision"], "failed_over")
        self.assertFalse(result["flipped"])
        self.assertEqual(self.state()["state"], "failed_over")
        self.route53_down = False
        result = self.invoke({"action": "reconcile", "source": "schedule"})
        self.assertEqual(result["decision"], "flipped")
        self.assert_weights(local=100, remote=0)

    def test_fence_region_unreachable_does_not_block_the_failover(self):
        self.arm()
        self.lose_remote_region()
        self.cw_down.add(LOCAL)  # FENCE_REGION (and the hold alarm): force, as an operator would
        result = self.invoke({"action": "failover", "force": True})
        self.assertEqual(result["decision"], "failed_over")
        self.assertTrue(any(e.startswith("fence") for e in result["errors"]), result["errors"])


class Detach(AuroraTestCase):
    allow_detach = "true"

    def test_refused_managed_failover_detaches_as_last_resort(self):
        self.arm()
        self.lose_remote_region()
        self.fake.inject("FailoverGlobalCluster", "InvalidGlobalClusterStateFault")
        result = self.invoke(ALARM_EVENT)
        self.assertEqual(result["decision"], "failed_over", result)
        self.assertGreaterEqual(len(self.calls("FailoverGlobalCluster")), 2)
        self.assertEqual(self.calls("RemoveFromGlobalCluster"), [(LOCAL, {
            "GlobalClusterIdentifier": GLOBAL, "DbClusterIdentifier": self.local_arn})])
        state = self.state()
        self.assertEqual((state["state"], state["method"], state["irreversible"]), ("failed_over", "detach", True))
        self.assertIn("detached and promoted (irreversible)", result["reason"])
        self.assertTrue(self.fake.writable(self.local_arn))
        self.assert_weights(local=100, remote=0)

    def test_throttling_never_leads_to_a_detach(self):
        self.arm()
        self.lose_remote_region()
        self.fake.inject("FailoverGlobalCluster", "Throttling")
        result = self.invoke(ALARM_EVENT)
        self.assertEqual(result["decision"], "failover_pending")
        self.assertEqual(self.calls("RemoveFromGlobalCluster"), [])

    def test_api_unreachable_never_leads_to_a_detach(self):
        self.arm()
        self.lose_remote_region()
        self.fake.inject("FailoverGlobalCluster", "InternalFailure")  # answered: counts as refused
        self.fake.unreachable.add(LOCAL)  # ... but the local RDS API does not answer at all
        result = self.invoke(ALARM_EVENT)
        self.assertEqual(result["decision"], "no_failover")  # cannot even read the global cluster
        self.assertEqual(self.state()["state"], "armed")
        self.assertEqual(self.calls("RemoveFromGlobalCluster"), [])


class MetricsDimension(AuroraTestCase):
    def test_probe_dimension_is_this_regions(self):
        self.assertEqual(aurora.Settings(dict(self.env)).metric_dimension_value, DIM)
        with self.assertRaises(ValueError):
            aurora.Settings(dict(self.env, REMOTE_REGION=LOCAL))
        self.assertFalse(aurora.Settings(dict(self.env, ALLOW_DETACH="yes")).allow_detach)
        self.assertTrue(aurora.Settings(dict(self.env, ALLOW_DETACH="TRUE")).allow_detach)
        self.assertEqual(aurora.Settings({k: v for k, v in self.env.items() if k != "LOCAL_REGION"} |
                                         {"AWS_REGION": LOCAL}).local_region, LOCAL)
        self.assertEqual(REMOTE, aurora.Settings(dict(self.env)).remote_region)
        self.assertEqual(REMOTE_ID, aurora.Settings(dict(self.env)).remote_cluster_id)


if __name__ == "__main__":
    unittest.main()
