"""The failover function with ENGINE=aurora: an Aurora global database
(writer cluster site Y in us-east-1, secondary site X in us-west-2) on the
documented global-cluster fake (aurora_fake.py), the rest in moto; the
engine-independent behaviours of failover_cases.CoreCases, and the Aurora
decision and promotion below.  Run from the repository root with
``python3 -m unittest discover -s runtime/tests -t runtime -p 'test_aurora*.py' -v``."""

import json
import unittest

from tests.failover_cases import RECONCILE, CoreCases
from tests.failover_world import World


class AuroraCore(CoreCases, unittest.TestCase):
    engine = "aurora"


class AuroraCase(unittest.TestCase):
    allow_detach = "false"

    def setUp(self):
        self.w = World(self, "aurora", allow_detach=self.allow_detach)
        self.fake = self.w.fx.fake

    def lost_y(self):
        self.w.arm()
        self.w.y_fails(apis_answer=True)

    def calls(self, operation):
        return [(region, kwargs) for op, region, kwargs in self.fake.calls if op == operation]

    def mutations(self):
        return [op for op, _, _ in self.fake.calls if not op.startswith("Describe")]


class Decision(AuroraCase):
    def test_y_lost_fails_over_once_with_the_exact_call_and_stays(self):
        self.lost_y()
        summary = self.w.invoke(self.w.alarm_event())
        self.assertEqual(summary["decision"], "promoted", summary)
        self.assertEqual(self.calls("FailoverGlobalCluster"), [(self.w.x_region, {
            "GlobalClusterIdentifier": self.w.fx.global_id, "TargetDbClusterIdentifier": self.w.fx.x_arn,
            "AllowDataLoss": True})])
        self.assertEqual(self.calls("RemoveFromGlobalCluster"), [])
        self.assertEqual(self.fake.writer_of(self.w.fx.global_id), self.w.fx.x_arn)
        self.assertEqual(self.w.state()["state"], "failed_over")
        # a second delivery and the reconcile change nothing, Y's return neither
        self.assertEqual(self.w.invoke(self.w.alarm_event())["decision"], "failed_over")
        self.w.fx.set_status(self.w.y, "available")
        self.w.set_alarm("view_y", "OK")
        self.assertEqual(self.w.invoke(RECONCILE)["decision"], "failed_over")
        self.assertEqual(len(self.calls("FailoverGlobalCluster")), 1)
        self.assertEqual(self.w.fenced()[-1][1], 1.0)
        self.assertEqual(self.w.designated(), self.w.x)

    def test_states_that_recover_by_themselves_never_fail_over(self):
        self.lost_y()
        for status in ("available", "failing-over", "rebooting"):
            with self.subTest(status=status):
                self.w.fx.set_status(self.w.y, status)
                summary = self.w.invoke(self.w.alarm_event())
                self.assertEqual((summary["decision"], summary["direct"]["verdict"]), ("no_promotion", "recovering"))
                self.assertIn(status, summary["reason"])
        self.assertEqual(self.mutations(), [])

    def test_a_status_neither_recovering_nor_terminal_waits_for_approval(self):
        self.lost_y()
        self.w.fx.set_status(self.w.y, "some-new-status")
        summary = self.w.invoke(self.w.alarm_event())
        self.assertEqual((summary["decision"], summary["direct"]["verdict"]), ("awaiting_approval", "unknown"))
        self.assertEqual(self.mutations(), [])

    def test_writer_crash_with_in_region_failover_never_fails_over(self):
        self.lost_y()
        self.fake.crash_writer(self.w.fx.y_arn, 45)
        summary = self.w.invoke(self.w.alarm_event())
        self.assertEqual(summary["decision"], "no_promotion")
        self.assertIn("failing-over", summary["reason"])
        self.assertEqual(self.mutations(), [])

    def test_a_local_writer_is_not_this_functions_job(self):
        self.lost_y()
        self.w.fx.make_x_not_standby()
        for event in (self.w.alarm_event(), {"action": "failover", "force": True}):
            self.assertEqual(self.w.invoke(event)["decision"], "local_writer")
        self.assertEqual(self.mutations(), [])
        self.assertEqual(self.w.fenced(), [])

    def test_waits_for_an_operation_aurora_is_running(self):
        self.lost_y()
        self.fake.client(self.w.x_region).failover_global_cluster(
            GlobalClusterIdentifier=self.w.fx.global_id, AllowDataLoss=True, TargetDbClusterIdentifier=self.w.fx.x_arn)
        started = self.w.clock.now()
        self.assertEqual(self.w.invoke(self.w.alarm_event())["decision"], "local_writer")  # the operator's finished
        self.assertGreaterEqual(self.w.clock.now() - started, self.fake.failover_seconds)
        self.assertEqual(len(self.calls("FailoverGlobalCluster")), 1)  # the operator's own

    def test_force_skips_the_signals_not_the_lock(self):
        self.w.healthy()
        now = self.w.clock.now()
        self.w.ssm[self.w.x_region].put_parameter(Name=self.w.names["lock"], Type="String", Value=json.dumps(
            {"request_id": "other", "acquired": now, "progress": now, "deadline": now + 200}))
        self.assertEqual(self.w.invoke({"action": "failover", "force": True})["decision"], "in_progress")
        self.assertEqual(self.mutations(), [])

    def test_the_local_api_unreachable_never_fails_over(self):
        self.lost_y()
        self.w.fault("unreachable", service="rds", region=self.w.x_region)
        summary = self.w.invoke(self.w.alarm_event())
        self.assertEqual((summary["decision"], summary["standby"]), ("no_promotion", "unknown"))
        self.assertEqual(self.w.state()["state"], "armed")


class PartialFailure(AuroraCase):
    def test_a_run_out_of_time_after_the_request_is_continued_by_the_reconcile(self):
        self.lost_y()
        summary = self.w.invoke(self.w.alarm_event(), seconds=45)
        self.assertEqual(summary["decision"], "promoting", summary)
        self.assertEqual((self.w.state()["state"], self.w.state()["phase"]), ("promoting", "requested"))
        self.assertEqual(self.w.designated(), self.w.y)  # not yet: the fence already keeps DNS off Y
        self.assertEqual(self.w.fenced()[-1][1], 1.0)
        self.w.clock.sleep(60)
        summary = self.w.invoke(RECONCILE)
        self.assertEqual(summary["decision"], "promoted", summary)
        self.assertEqual(len(self.calls("FailoverGlobalCluster")), 1)
        self.assertEqual(self.w.designated(), self.w.x)

    def test_a_crash_between_the_request_and_the_state_write_requests_nothing_again(self):
        self.lost_y()
        self.w.write_state(state="promoting", phase="requesting", method="managed",
                           deadline=self.w.clock.now() + 900)
        self.fake.client(self.w.x_region).failover_global_cluster(
            GlobalClusterIdentifier=self.w.fx.global_id, AllowDataLoss=True, TargetDbClusterIdentifier=self.w.fx.x_arn)
        summary = self.w.invoke(RECONCILE)
        self.assertEqual(summary["decision"], "promoted", summary)
        self.assertEqual(len(self.calls("FailoverGlobalCluster")), 1)  # the lost run's, not a second one

    def test_throttling_is_retried(self):
        self.lost_y()
        self.w.fault("throttling", service="rds", operation="failover_global_cluster", times=3)
        summary = self.w.invoke(self.w.alarm_event())
        self.assertEqual(summary["decision"], "promoted", summary)
        self.assertEqual(summary["throttled"], 3)
        self.assertEqual(len(self.w.calls_of("rds", "failover_global_cluster")), 4)

    def test_refused_without_detach_stays_promoting_then_fails_loudly(self):
        self.lost_y()
        self.w.fault("invalid_global_state", service="rds", operation="failover_global_cluster")
        summary = self.w.invoke(self.w.alarm_event())
        self.assertEqual(summary["decision"], "promoting", summary)
        self.assertGreaterEqual(len(self.w.calls_of("rds", "failover_global_cluster")), 3)
        self.assertEqual(self.calls("RemoveFromGlobalCluster"), [])
        self.assertEqual(self.w.state()["state"], "promoting")
        self.w.clock.sleep(901)
        summary = self.w.invoke(RECONCILE)
        self.assertEqual(summary["decision"], "promotion_failed")
        self.assertEqual(self.w.state()["state"], "promotion_failed")
        self.assertEqual(self.w.decisions_paged()[-1], "promotion_failed")

    def test_the_fence_region_unreachable_blocks_even_a_forced_failover(self):
        self.lost_y()
        self.w.fault("unreachable", service="cloudwatch", region=self.w.x_region)
        summary = self.w.invoke({"action": "failover", "force": True})
        self.assertEqual(summary["decision"], "fence_unconfirmed", summary)
        self.assertEqual(self.calls("FailoverGlobalCluster"), [])


class Detach(AuroraCase):
    allow_detach = "true"

    def test_a_refused_managed_failover_detaches_as_the_last_resort(self):
        self.lost_y()
        self.w.fault("invalid_global_state", service="rds", operation="failover_global_cluster")
        summary = self.w.invoke(self.w.alarm_event())
        self.assertEqual(summary["decision"], "promoted", summary)
        self.assertEqual(len(self.w.calls_of("rds", "failover_global_cluster")), 3)
        self.assertEqual(self.calls("RemoveFromGlobalCluster"), [(self.w.x_region, {
            "GlobalClusterIdentifier": self.w.fx.global_id, "DbClusterIdentifier": self.w.fx.x_arn})])
        state = self.w.state()
        self.assertEqual((state["state"], state["method"], state["irreversible"]), ("failed_over", "detach", True))
        self.assertTrue(self.fake.writable(self.w.fx.x_arn))
        self.assertEqual(self.w.designated(), self.w.x)

    def test_throttling_or_an_unreachable_api_never_leads_to_a_detach(self):
        for kind in ("throttling", "read_timeout"):
            with self.subTest(kind=kind):
                self.setUp()
                self.lost_y()
                self.w.fault(kind, service="rds", operation="failover_global_cluster")
                self.assertEqual(self.w.invoke(self.w.alarm_event())["decision"], "promoting")
                self.assertEqual(self.calls("RemoveFromGlobalCluster"), [])


if __name__ == "__main__":
    unittest.main()
