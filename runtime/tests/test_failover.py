"""The failover function with ENGINE=rds: an RDS PostgreSQL primary (site Y,
us-east-1) and its cross-region read replica (site X, eu-west-1) in moto,
with the engine-independent behaviours of failover_cases.CoreCases and the
RDS ones below.  Run from the repository root with
``python3 -m unittest discover -s runtime/tests -t runtime -v``.

moto differences worked around (failover_world.py): PromoteReadReplica keeps
the source identifier and promotes non-replicas in moto 5 (AWS clears it and
answers InvalidDBInstanceState: ``_aws_like_promote``); moto stamps instances
with the real time (the world restamps them on its virtual clock); moto
promotes synchronously (AWS takes minutes: the function's wait for a writable
instance, continued by the reconcile, is tested with statuses below)."""

import unittest
from unittest import mock

from drsynth_failover.engines import rds
from tests.failover_cases import RECONCILE, CoreCases


class RdsCore(CoreCases, unittest.TestCase):
    engine = "rds"


class RdsEngine(unittest.TestCase):
    def setUp(self):
        from tests.failover_world import World
        self.w = World(self, "rds")

    def lost_y(self, status="failed"):
        self.w.arm()
        self.w.y_fails(apis_answer=True)
        self.w.fx.set_status(self.w.y, status)

    def replica(self):
        return self.w.fx.rds[self.w.x_region].describe_db_instances(DBInstanceIdentifier=self.w.fx.x_id)[
            "DBInstances"][0]

    def test_promotion_sets_the_backup_retention(self):
        self.lost_y()
        self.assertEqual(self.w.invoke(self.w.alarm_event())["decision"], "promoted")
        self.assertEqual(self.replica()["BackupRetentionPeriod"], 7)
        self.assertIsNone(self.replica().get("ReadReplicaSourceDBInstanceIdentifier"))

    def test_reconcile_keeps_the_replica_backup_window(self):
        with mock.patch.dict("os.environ", {"LOCAL_BACKUP_WINDOW": "04:00-04:30"}):
            self.w.invoke(RECONCILE)
        self.assertEqual(self.replica()["PreferredBackupWindow"], "04:00-04:30")

    def test_states_that_recover_by_themselves_are_not_promoted(self):
        self.lost_y()
        for status in ("available", "rebooting", "modifying", "backing-up", "maintenance", "upgrading"):
            with self.subTest(status=status):
                self.w.fx.set_status(self.w.y, status)
                summary = self.w.invoke(self.w.alarm_event())
                self.assertEqual((summary["decision"], summary["direct"]["verdict"]), ("no_promotion", "recovering"))
                self.assertIn(status, summary["reason"])
        self.assertEqual(self.w.fx.promotions(), 0)

    def test_states_that_do_not_recover_promote(self):
        for status in ("failed", "inaccessible-encryption-credentials", "stopped", "incompatible-parameters"):
            self.assertIn(status, rds.TERMINAL)
            self.assertNotIn(status, rds.RECOVERING)
        self.lost_y("incompatible-parameters")
        self.assertEqual(self.w.invoke(self.w.alarm_event())["decision"], "promoted")

    def test_a_status_neither_recovering_nor_terminal_is_unknown(self):
        self.lost_y("some-new-status")
        summary = self.w.invoke(self.w.alarm_event())
        self.assertEqual((summary["direct"]["verdict"], summary["decision"]), ("unknown", "awaiting_approval"))
        self.assertEqual(self.w.fx.promotions(), 0)

    def test_storage_full_never_promotes(self):
        self.lost_y("storage-full")
        summary = self.w.invoke(self.w.alarm_event())
        self.assertEqual((summary["decision"], summary["direct"]["verdict"]), ("no_promotion", "storage_full"))
        self.assertIn("grow the storage", summary["reason"])
        self.assertEqual(self.w.fx.promotions(), 0)

    def test_the_own_view_of_y_ok_is_a_partition(self):
        self.lost_y()
        self.w.set_alarm("view_y", "OK")  # even a terminal RDS status does not beat Y's own probe
        summary = self.w.invoke(self.w.alarm_event())
        self.assertEqual((summary["decision"], summary["direct"]["verdict"]), ("no_promotion", "serving"))
        self.assertIn("partition", summary["reason"])

    def test_a_replication_error_from_the_lost_source_still_promotes_but_never_arms(self):
        real = rds.RdsInstanceEngine.describe_db

        def with_error(client, db_id):
            out = real(client, db_id)
            if db_id == self.w.fx.x_id and out.get("source"):
                out["replication"] = "error"  # what a replica shows when its source region is gone
            return out
        with mock.patch.object(rds.RdsInstanceEngine, "describe_db", staticmethod(with_error)):
            self.w.healthy()
            summary = self.w.invoke(RECONCILE)
            self.assertEqual((summary["decision"], summary["standby"]), ("not_armed", "not_standby"))
            self.lost_y()
            summary = self.w.invoke(self.w.alarm_event())
        self.assertEqual(summary["decision"], "promoted", summary)

    def test_a_replica_of_another_source_is_never_promoted(self):
        self.lost_y()
        with mock.patch.dict("os.environ", {"REMOTE_DB_ARN": "arn:aws:rds:us-east-1:123456789012:db:someone-else"}):
            summary = self.w.invoke(self.w.alarm_event())
        self.assertEqual((summary["decision"], summary["standby"]), ("no_promotion", "not_standby"))
        self.assertIn("not from the current writer", summary["reason"])
        self.assertEqual(self.w.fx.promotions(), 0)

    def test_a_backing_up_replica_is_retried_until_promoted(self):
        self.lost_y()
        self.w.fault("invalid_state", service="rds", operation="promote_read_replica", times=3)
        summary = self.w.invoke(self.w.alarm_event())
        self.assertEqual(summary["decision"], "promoted", summary)
        self.assertEqual((summary["promote_refusals"], self.w.fx.promotions()), (3, 4))

    def test_refusals_beyond_the_invocation_are_continued_by_the_reconcile(self):
        self.lost_y()
        fault = self.w.fault("invalid_state", service="rds", operation="promote_read_replica")
        summary = self.w.invoke(self.w.alarm_event(), seconds=60)
        self.assertEqual(summary["decision"], "promoting", summary)
        self.assertEqual((self.w.state()["state"], self.w.state()["phase"]), ("promoting", "requesting"))
        self.assertEqual(self.w.fenced()[-1][1], 1.0)  # fenced before the first attempt
        self.assertFalse(self.w.lock_exists())
        fault["times"] = 0
        self.w.clock.sleep(60)
        summary = self.w.invoke(RECONCILE)
        self.assertEqual(summary["decision"], "promoted", summary)
        self.assertEqual(self.w.state()["state"], "failed_over")

    def test_a_promotion_that_takes_minutes_is_waited_for_by_the_reconcile(self):
        self.lost_y()
        self.w.swallow = lambda service, region, op, kwargs: False
        real_writable = rds.RdsInstanceEngine.writable
        with mock.patch.object(rds.RdsInstanceEngine, "writable", lambda self, state: False):
            summary = self.w.invoke(self.w.alarm_event(), seconds=60)
        self.assertEqual(summary["decision"], "promoting", summary)
        self.assertEqual(self.w.state()["phase"], "requested")
        self.assertEqual(self.w.designated(), self.w.y)  # records move once X is writable
        self.assertEqual(self.w.fx.promotions(), 1)
        self.w.clock.sleep(120)
        with mock.patch.object(rds.RdsInstanceEngine, "writable", real_writable):
            summary = self.w.invoke(RECONCILE)
        self.assertEqual(summary["decision"], "promoted", summary)
        self.assertEqual(self.w.fx.promotions(), 1)  # no second request
        self.assertEqual(self.w.designated(), self.w.x)

    def test_the_promotion_deadline_gives_up_loudly_then_force(self):
        self.lost_y()
        self.w.fault("invalid_state", service="rds", operation="promote_read_replica")
        with mock.patch.dict("os.environ", {"PROMOTION_DEADLINE_SECONDS": "30"}):
            summary = self.w.invoke(self.w.alarm_event())
        self.assertEqual(summary["decision"], "promotion_failed", summary)
        self.assertEqual(self.w.state()["state"], "promotion_failed")
        self.assertEqual(self.w.fenced()[-1][1], 1.0)
        self.assertEqual(self.w.decisions_paged(), ["promotion_failed"])
        self.w.clear_faults()
        self.assertEqual(self.w.invoke(RECONCILE)["decision"], "promotion_failed")  # no retry on its own
        self.assertEqual(self.w.invoke({"action": "failover", "force": True})["decision"], "promoted")

    def test_a_permanent_refusal_fails_without_retry(self):
        self.lost_y()
        self.w.fault("access_denied", service="rds", operation="promote_read_replica")
        summary = self.w.invoke(self.w.alarm_event())
        self.assertEqual(summary["decision"], "promotion_failed", summary)
        self.assertEqual(self.w.fx.promotions(), 1)
        self.assertTrue(any("AccessDenied" in e for e in summary["errors"]), summary)

    def test_an_earlier_request_whose_answer_was_lost_is_not_repeated(self):
        self.lost_y()
        self.w.write_state(state="promoting", phase="requesting", deadline=self.w.clock.now() + 900)
        self.w.fx.rds[self.w.x_region].promote_read_replica(DBInstanceIdentifier=self.w.fx.x_id)
        summary = self.w.invoke(RECONCILE)
        self.assertEqual(summary["decision"], "promoted", summary)
        self.assertEqual(self.w.fx.promotions(), 0)  # the lost run's request, not a second one

    # -- failback -------------------------------------------------------------------------
    def fail_over(self):
        self.lost_y()
        self.assertEqual(self.w.invoke(self.w.alarm_event())["decision"], "promoted")
        self.w.set_alarm("fence_y", "ALARM")  # CloudWatch evaluated the Fenced datapoints
        self.w.clock.sleep(600)
        self.w.fx.set_status(self.w.y, "available")

    def failback(self):
        return self.w.invoke({"action": "failback", "confirm": self.w.fx.x_id})

    def test_failback_refused_while_the_dr_instance_is_writable(self):
        self.fail_over()
        self.w.fx.rebuild_y_from_x()
        summary = self.failback()
        self.assertEqual(summary["decision"], "refused")
        self.assertIn("WRITABLE", summary["reason"])
        self.assertEqual(self.w.state()["state"], "failed_over")

    def test_failback_refused_when_the_dr_instance_is_merely_stopped(self):
        self.fail_over()
        self.w.fx.rebuild_y_from_x()
        self.w.fx.set_status(self.w.x, "stopped")
        summary = self.failback()
        self.assertEqual(summary["decision"], "refused")
        self.assertIn("7 days", summary["reason"])

    def test_failback_refused_when_the_primary_was_not_rebuilt(self):
        self.fail_over()
        self.w.fx.delete_x()  # the DR copy is gone, but the old primary is the one from before the failover
        summary = self.failback()
        self.assertEqual(summary["decision"], "refused")
        self.assertIn("was not rebuilt", summary["reason"])

    def test_failback_accepted_with_the_dr_instance_deleted(self):
        self.fail_over()
        self.w.fx.rebuild_y_from_x()
        self.w.fx.delete_x()
        summary = self.failback()
        self.assertEqual(summary["decision"], "failback_pending", summary)
        self.assertEqual(self.w.designated(), self.w.y)

    def test_after_failback_the_replica_of_the_rebuilt_primary_re_arms(self):
        self.fail_over()
        self.w.fx.prepare_failback()
        self.assertEqual(self.failback()["decision"], "failback_pending")
        self.w.clock.sleep(60)
        self.w.set_alarm("fence_y", "OK")
        self.assertEqual(self.w.invoke(RECONCILE)["decision"], "failed_back")
        self.w.healthy(minutes=3)
        self.assertEqual(self.w.invoke(RECONCILE)["decision"], "armed")


if __name__ == "__main__":
    unittest.main()
