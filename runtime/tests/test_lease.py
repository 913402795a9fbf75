"""The writer's lease and its self-fence (drsynth_failover.lease), and the
grant rule it gives the witness: renewal at both holders, expiry, the
self-fence (parameter group + reboot), its lift, and Y's own check.

Site X is made the writer (its replica promoted) for the writer's side; the
world's usual X (the standby) for Y's side of the rule."""

import datetime
import json
import os
import unittest
from unittest import mock

from moto.ssm import models as moto_ssm

from drsynth_failover import contract
from tests.failover_world import World

PG = "postgres-params-x"


class LeaseWorld:
    """A World with the lease configured on both functions and the witness."""

    def __init__(self, test, **env):
        w = World(test, "rds", **env)
        self.lease = {site: f"/drsynth/dev/lease-{site}" for site in (w.x, w.y)}
        w.env.update({"LEASE_PARAMETER": self.lease[w.x], "REMOTE_LEASE_PARAMETER": self.lease[w.y],
                      "LEASE_RECORD_PARAMETER": f"/drsynth/dev/lease-record-{w.x}", "FENCE_PARAMETER_GROUP": PG,
                      "LEASE_EXPIRY_SECONDS": "240", "SELF_FENCE_AFTER_SECONDS": "90"})
        patcher = mock.patch.dict(os.environ, w.env)
        patcher.start()
        test.addCleanup(patcher.stop)
        # SSM's LastModifiedDate on the world's virtual clock (moto stamps the real time).
        stamp = mock.patch.object(moto_ssm, "utcnow", lambda: datetime.datetime.fromtimestamp(
            w.clock.now(), datetime.UTC).replace(tzinfo=None))
        stamp.start()
        test.addCleanup(stamp.stop)
        w.witness_env.update({"SITE_A_LEASE_PARAMETER": self.lease[w.y], "SITE_B_LEASE_PARAMETER": self.lease[w.x],
                              "LEASE_EXPIRY_SECONDS": "240"})
        w.fx.rds[w.x_region].create_db_parameter_group(DBParameterGroupName=PG, DBParameterGroupFamily="postgres15",
                                                       Description="x")
        self.w = w

    def make_x_writer(self):
        self.w.fx.make_x_not_standby()

    def reconcile(self):
        return self.w.invoke({"action": "reconcile", "source": "schedule"})

    def lease_at(self, region, site=None):
        name = self.lease[site or self.w.x]
        return json.loads(self.w.ssm[region].get_parameter(Name=name)["Parameter"]["Value"])

    def put_lease(self, region, site):
        """The site renews its lease at `region` now (its age counts from the put's landing too)."""
        self.w.ssm[region].put_parameter(Name=self.lease[site], Type="String", Overwrite=True,
                                         Value=json.dumps({"site": site, "at": self.w.clock.now()}))

    def read_only(self):
        params = self.w.fx.rds[self.w.x_region].describe_db_parameters(DBParameterGroupName=PG)["Parameters"]
        values = [p.get("ParameterValue") for p in params if p["ParameterName"] == "default_transaction_read_only"]
        return values[0] if values else None

    def fence_by_isolation(self):
        """A renewal, then X cut off from both holders for two reconciles: the second fences."""
        self.reconcile()
        self.isolate_x()
        self.w.clock.sleep(120)
        return self.reconcile()

    def isolate_x(self):
        """X's function cannot reach the witness's region nor Y's region."""
        self.w.fault("connect_timeout", region=self.w.fx.witness_region, caller="failover")
        self.w.fault("connect_timeout", region=self.w.y_region, caller="failover")


class WriterSide(unittest.TestCase):
    def setUp(self):
        self.l = LeaseWorld(self)
        self.w = self.l.w
        self.l.make_x_writer()

    def test_renews_at_both_holders_and_records_it(self):
        before = self.w.clock.now()
        summary = self.l.reconcile()
        for region in (self.w.fx.witness_region, self.w.y_region):
            lease = self.l.lease_at(region)
            self.assertEqual(lease["site"], self.w.x)
            self.assertGreaterEqual(lease["at"], before)
        self.assertEqual(sorted(summary["lease_renewal"]), sorted([self.w.fx.witness_region, self.w.y_region]))
        self.assertIsNone(self.l.read_only())
        self.assertFalse(self.w.calls_of("rds", "reboot_db_instance"))

    def test_one_holder_is_enough(self):
        self.l.reconcile()
        self.w.fault("connect_timeout", region=self.w.y_region, caller="failover")
        for _ in range(4):
            self.w.clock.sleep(60)
            summary = self.l.reconcile()
        self.assertNotIn(summary["decision"], ("self_fenced",))
        self.assertIsNone(self.l.read_only())

    def test_fences_itself_when_no_renewal_succeeds_for_self_fence_after(self):
        self.l.reconcile()
        self.l.isolate_x()
        self.w.clock.sleep(60)
        first = self.l.reconcile()
        self.assertNotEqual(first["decision"], "self_fenced")  # 60 s < 90 s
        self.assertIsNone(self.l.read_only())
        self.w.clock.sleep(60)
        fenced = self.l.reconcile()
        self.assertEqual(fenced["decision"], "self_fenced", fenced)
        self.assertEqual(self.l.read_only(), "1")
        reboots = self.w.calls_of("rds", "reboot_db_instance")
        self.assertEqual([c[4]["DBInstanceIdentifier"] for c in reboots], [self.w.fx.x_id])
        self.assertEqual([c[2] for c in self.w.calls_of("rds", "modify_db_parameter_group")], [self.w.x_region])
        self.assertIn(self.w.topics[self.w.x], fenced["notified"])  # paged (the local topic)
        kept = (self.w.clock.sleep(60), self.l.reconcile())[1]
        self.assertEqual(kept["decision"], "self_fenced_kept")
        self.assertEqual(len(self.w.calls_of("rds", "reboot_db_instance")), 1)  # fenced once

    def test_access_denied_renewals_page_and_fence(self):
        self.l.reconcile()
        self.w.fault("access_denied", service="ssm", region=self.w.fx.witness_region, caller="failover")
        self.w.fault("access_denied", service="ssm", region=self.w.y_region, caller="failover")
        self.w.clock.sleep(60)
        early = self.l.reconcile()
        self.assertEqual(early["decision"], "lease_not_renewed")
        self.assertTrue(early.get("notified"), "an AccessDenied renewal pages at once")
        self.w.clock.sleep(60)
        self.assertEqual(self.l.reconcile()["decision"], "self_fenced")

    def test_lifts_itself_when_renewals_succeed_and_nobody_claimed(self):
        self.assertEqual(self.l.fence_by_isolation()["decision"], "self_fenced")
        self.w.clear_faults()
        self.w.clock.sleep(60)
        lifted = self.l.reconcile()
        self.assertEqual(lifted["decision"], "fence_lifted", lifted)
        self.assertEqual(self.l.read_only(), "0")
        self.assertTrue(lifted.get("notified"))

    def test_keeps_the_fence_while_the_witness_holds_a_grant(self):
        self.l.fence_by_isolation()
        self.w.clear_faults()
        self.w.ssm[self.w.fx.witness_region].put_parameter(
            Name=self.w.names["grant"], Type="String", Value=json.dumps({"claimant": self.w.y, "time": "t"}))
        self.w.clock.sleep(60)
        kept = self.l.reconcile()
        self.assertEqual(kept["decision"], "self_fenced_kept", kept)
        self.assertIn("granted the failover", kept["reason"])
        self.assertEqual(self.l.read_only(), "1")

    def test_keeps_the_fence_while_the_peer_promotes(self):
        self.l.fence_by_isolation()
        self.w.clear_faults()
        self.w.write_state(self.w.y_region, state="promoting", since=self.w.clock.now())
        self.w.clock.sleep(60)
        self.assertEqual(self.l.reconcile()["decision"], "self_fenced_kept")

    def test_a_gap_longer_than_self_fence_after_checks_the_peer_first(self):
        """X's region (and its function) was away: the first renewal after the gap finds Y promoted."""
        self.l.reconcile()
        self.w.clock.sleep(600)
        self.w.write_state(self.w.y_region, state="failed_over", since=self.w.clock.now())
        back = self.l.reconcile()
        self.assertEqual(back["decision"], "self_fenced", back)
        self.assertEqual(self.l.read_only(), "1")

    def test_the_operator_lifts_with_confirm(self):
        self.l.fence_by_isolation()
        refused = self.w.invoke({"action": "lift_fence"})
        self.assertEqual(refused["decision"], "refused")
        lifted = self.w.invoke({"action": "lift_fence", "confirm": self.w.fx.x_id})
        self.assertEqual(lifted["decision"], "fence_lifted", lifted)
        self.assertEqual(self.l.read_only(), "0")

    def test_a_standby_renews_nothing(self):
        w = World(self, "rds")  # X the replica again, no lease
        summary = w.invoke({"action": "reconcile", "source": "schedule"})
        self.assertNotIn("lease_renewal", summary)


class GrantRule(unittest.TestCase):
    """Y's side (the world's X is the standby, Y the writer whose region is lost)."""

    def setUp(self):
        self.l = LeaseWorld(self)
        self.w = self.l.w

    def ask_witness(self, **payload):
        lam = self.w.make_client("lambda", self.w.fx.witness_region, None)
        resp = lam.invoke(FunctionName="witness", InvocationType="RequestResponse",
                          Payload=json.dumps(payload).encode())
        return json.loads(resp["Payload"].read())

    def claim(self):
        return self.ask_witness(action="claim", claimant=self.w.x, target=self.w.y, request_id="r")

    def test_witness_grants_an_unreachable_site_only_on_an_expired_lease(self):
        self.w.y_fails(apis_answer=False)
        self.assertEqual(self.claim()["grant"], "not_lost")  # no lease at all: never expired
        self.l.put_lease(self.w.fx.witness_region, self.w.y)
        self.w.clock.sleep(100)
        held = self.claim()
        self.assertEqual((held["grant"], held["verdict"]), ("not_lost", "unreachable"))
        self.assertIn("held", held["lease"])
        self.w.clock.sleep(150)
        self.assertEqual(self.claim()["grant"], "granted")

    def test_an_error_reaching_the_site_never_counts_even_with_an_expired_lease(self):
        self.l.put_lease(self.w.fx.witness_region, self.w.y)
        self.w.clock.sleep(300)
        self.w.healthy()
        self.w.fault("access_denied", region=self.w.y_region)
        answer = self.claim()
        self.assertEqual((answer["grant"], answer["verdict"]), ("not_lost", "unknown"))

    def test_y_does_not_claim_while_the_lease_in_its_region_is_held(self):
        self.w.arm()
        self.l.put_lease(self.w.fx.witness_region, self.w.y)
        self.w.clock.sleep(300)
        self.l.put_lease(self.w.x_region, self.w.y)  # Y still renews in X's region: not isolated from it
        self.w.y_fails(apis_answer=False)
        # 60 s left of a 240 s lease: an invocation with 90 s left cannot wait for it.
        summary = self.w.invoke(self.w.alarm_event(), seconds=90.0)
        self.assertEqual(summary["decision"], "lease_held", summary)
        self.assertIsNone(self.w.grant())
        self.assertFalse(self.w.calls_of("lambda", "invoke"))
        # One with its full 300 s waits for the expiry and claims at once (not at the next reconcile).
        start = self.w.clock.now()
        claimed = self.w.invoke(self.w.alarm_event())
        self.assertIn("waited", claimed["peer_lease"])
        self.assertIn(claimed["decision"], ("promoted", "promoting"), claimed)
        self.assertLess(self.w.clock.now() - start, 300)

    def test_y_promotes_once_both_leases_expired(self):
        self.w.arm()
        self.l.put_lease(self.w.fx.witness_region, self.w.y)
        self.l.put_lease(self.w.x_region, self.w.y)
        self.w.clock.sleep(120)
        self.w.y_fails(apis_answer=False)  # 3 more minutes: both leases 300 s old
        summary = self.w.invoke(self.w.alarm_event())
        self.assertIn(summary["decision"], ("promoted", "promoting"), summary)
        self.assertEqual(self.w.grant()["claimant"], self.w.x)



class ApprovalMode(unittest.TestCase):
    def test_without_a_witness_nothing_changes(self):
        w = World(self, "rds", with_witness=False)
        w.arm()
        w.y_fails(apis_answer=False)
        self.assertEqual(w.invoke(w.alarm_event())["decision"], "awaiting_approval")


class Settings(unittest.TestCase):
    def test_the_inequality_is_checked(self):
        w = World(self, "rds")
        env = dict(w.env, LEASE_PARAMETER="/l-x", REMOTE_LEASE_PARAMETER="/l-y", LEASE_RECORD_PARAMETER="/r-x",
                   FENCE_PARAMETER_GROUP=PG, LEASE_EXPIRY_SECONDS="200", SELF_FENCE_AFTER_SECONDS="90")
        with self.assertRaisesRegex(contract.ContractError, "must exceed SELF_FENCE_AFTER_SECONDS 90"):
            contract.failover_settings(env)
        env["LEASE_EXPIRY_SECONDS"] = "240"
        self.assertEqual(contract.failover_settings(env).lease_expiry_seconds, 240)
        env["WITNESS_FUNCTION_ARN"] = ""
        with self.assertRaisesRegex(contract.ContractError, "only with a witness"):
            contract.failover_settings(env)


if __name__ == "__main__":
    unittest.main()
