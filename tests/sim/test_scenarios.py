"""The safety properties of the DR system, shown by the failure-scenario
simulator on the settings of the synthesized templates.  Run from the
repository root (after building drsynth):
``python3 -m unittest discover -s tests/sim -t tests -v``."""

import os
import unittest

from sim import scenarios, template_settings

HAVE_DRSYNTH = os.access(template_settings.drsynth_binary(), os.X_OK)


@unittest.skipUnless(HAVE_DRSYNTH, "build drsynth first (or set DRSYNTH_BIN)")
class Scenarios(unittest.TestCase):
    reports = {}

    @classmethod
    def setUpClass(cls):
        template_settings_obj = template_settings.synthesized_settings()
        cls.settings = template_settings_obj
        for scenario in scenarios.SCENARIOS:
            _, report = scenario(template_settings_obj)
            cls.reports[scenario.scenario_name] = report

    def report(self, name):
        r = self.reports[name]
        # every failure is shown with its event log when an assertion fails
        self.addTypeEqualityFunc(str, None)
        return r

    def explain(self, r):
        return "\n".join([f"{r.name}:"] + [f"  t={t:+}s {text}" for t, text in r.log[-40:]] +
                         [f"  t={t:+}s {label}: {d}" for t, label, d in r.decisions[-20:]])

    def test_settings_come_from_the_templates(self):
        s = self.settings
        self.assertIn(s.hold_alarm, s.alarms)
        hold = s.alarms[s.hold_alarm]
        self.assertGreaterEqual(hold.evaluation_periods, 3)
        self.assertEqual(hold.evaluation_periods, hold.datapoints_to_alarm)
        self.assertTrue(hold.invokes_function())
        self.assertFalse(s.alarms[s.dr_alarm].invokes_function(), "no failover function on the 1-period alarm")
        self.assertEqual(len(s.child_checks), 4)

    def test_never_split_brain(self):
        for name, r in self.reports.items():
            self.assertEqual(r.split_brain, [], self.explain(r))

    def test_no_promotion_where_the_primary_recovers_or_is_fine(self):
        for name in ("fresh deploy", "fresh deploy, primary never healthy", "one failed probe",
                     "three failed probes, then recovery", "Multi-AZ failover (120 s)", "maintenance reboot",
                     "peering broken, both databases fine",
                     "Multi-AZ failover (120 s), primary region's API unreachable"):
            r = self.reports[name]
            self.assertEqual(r.promotions, 0, self.explain(r))
            self.assertIsNone(r.time_to_writable, self.explain(r))

    def test_fresh_deploy_arms_and_never_moves(self):
        r = self.reports["fresh deploy"]
        self.assertEqual(r.final_state, "armed", self.explain(r))
        self.assertIsNone(r.time_to_dns, self.explain(r))
        never = self.reports["fresh deploy, primary never healthy"]
        self.assertEqual(never.final_state, None, self.explain(never))  # never armed
        self.assertTrue(never.paged)

    def test_dns_stays_on_the_primary_when_only_the_peering_is_broken(self):
        r = self.reports["peering broken, both databases fine"]
        self.assertIsNone(r.time_to_dns, self.explain(r))
        self.assertEqual(r.final_answer, "primary")
        self.assertTrue(r.paged)

    def test_region_loss_promotes_exactly_once_and_moves_dns(self):
        for name in ("primary region lost", "primary region lost, Route 53 API down during the flip, region returns",
                     "replica backing-up when promotion starts", "two alarm invocations at once",
                     "failback by the runbook"):
            r = self.reports[name]
            self.assertEqual(r.promotions, 1, self.explain(r))
            self.assertIsNotNone(r.time_to_dns, self.explain(r))
            self.assertIsNotNone(r.time_to_writable, self.explain(r))
            self.assertTrue(r.paged)
        for name in ("primary region lost", "primary region lost, Route 53 API down during the flip, region returns",
                     "replica backing-up when promotion starts", "two alarm invocations at once"):
            r = self.reports[name]
            self.assertEqual(r.final_answer, "replica", self.explain(r))
            self.assertEqual(r.final_state, "failed_over", self.explain(r))

    def test_region_loss_meets_the_objective_from_detection(self):
        r = self.reports["primary region lost"]
        budget = 300 + 155  # objective from detection + worst-case detection (docs/dr-design.md)
        self.assertLessEqual(r.time_to_writable, budget, self.explain(r))
        self.assertLessEqual(r.time_to_dns, 215 + 60, self.explain(r))

    def test_backing_up_replica_is_promoted_eventually(self):
        r = self.reports["replica backing-up when promotion starts"]
        refused = [d for d in r.decisions if d[2] == "promoting"]
        self.assertTrue(refused, self.explain(r))  # the first attempt could not promote
        self.assertGreater(r.time_to_writable, 480)

    def test_failback_returns_to_the_primary_and_rearms(self):
        r = self.reports["failback by the runbook"]
        self.assertEqual(r.final_answer, "primary", self.explain(r))
        self.assertEqual(r.final_state, "armed", self.explain(r))
        self.assertIn("failed_back", [d[2] for d in r.decisions])


if __name__ == "__main__":
    unittest.main()
