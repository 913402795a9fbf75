"""The safety properties of the Aurora Global Database system, shown by the
failure-scenario simulator with the REAL probe and Aurora failover handlers
(moto + the documented global-cluster fake).  Settings: aurora_settings.load()
(the FIXTURE until ``drsynth synth -c variant=aurora-global`` exists; set
DRSYNTH_AURORA_SIM_TEMPLATES=synth or =<dir> to read the synthesized templates).
Run from the repository root:
``python3 -m unittest discover -s tests/sim -t tests -p 'test_aurora*.py' -v``."""

import unittest

from sim import aurora_scenarios, aurora_settings

NO_FAILOVER = ("fresh deploy", "fresh deploy, writer never healthy", "one failed probe",
               "writer crash, Aurora's in-region failover (45 s)",
               "writer crash (120 s), primary region's API unreachable", "network partition between the regions",
               "secondary region's probe silent", "secondary region lost", "planned switchover")
REGION_LOST = ("primary region lost", "primary region lost, Route 53 API down during the flip, region returns",
               "primary region lost, FailoverGlobalCluster throttled 3 times",
               "primary region lost, the function dies after FailoverGlobalCluster", "two alarm invocations at once")


class AuroraScenarios(unittest.TestCase):
    reports = {}

    @classmethod
    def setUpClass(cls):
        for scenario in aurora_scenarios.SCENARIOS:
            _, cls.reports[scenario.scenario_name] = scenario()

    def explain(self, r):
        return "\n".join([f"{r.name}:"] + [f"  t={t:+}s {text}" for t, text in r.log[-40:]] +
                         [f"  t={t:+}s {region} {label}: {d}" for t, region, label, d in r.decisions[-30:]])

    def test_settings_have_the_contract(self):
        s = aurora_settings.load()
        self.assertEqual(len(s["functions"]), 2)
        for region, f in s["functions"].items():
            env = f["env"]
            self.assertEqual(env["LOCAL_REGION"], region)
            hold = s["alarms"][env["HOLD_ALARM_NAME"]]
            self.assertEqual(hold["region"], region)
            self.assertGreaterEqual(hold["props"]["EvaluationPeriods"], 3)
            self.assertEqual(s["alarms"][env["REMOTE_VIEW_ALARM_NAME"]]["region"], env["REMOTE_REGION"])
            for fence in ("LOCAL_FENCE_ALARM_NAME", "REMOTE_FENCE_ALARM_NAME"):
                self.assertEqual(s["alarms"][env[fence]]["region"], env["FENCE_REGION"])
            self.assertEqual(env["ALLOW_DETACH"], "false")

    def test_never_split_brain(self):
        for r in self.reports.values():
            self.assertEqual(r.split_brain, [], self.explain(r))

    def test_no_cross_region_failover_where_the_writer_recovers_or_is_fine(self):
        for name in NO_FAILOVER:
            r = self.reports[name]
            self.assertEqual((r.failovers, r.detaches), (0, 0), self.explain(r))
            self.assertNotIn("failed_over", r.final_state.values(), self.explain(r))

    def test_fresh_deploys(self):
        r = self.reports["fresh deploy"]
        self.assertEqual(set(r.final_state.values()), {"armed"}, self.explain(r))
        never = self.reports["fresh deploy, writer never healthy"]
        self.assertEqual(set(never.final_state.values()), {None}, self.explain(never))
        self.assertTrue(never.paged)

    def test_partition_keeps_dns_on_the_writer(self):
        r = self.reports["network partition between the regions"]
        self.assertIsNone(r.time_to_dns, self.explain(r))
        self.assertIn("no_failover", [d[3] for d in r.decisions], self.explain(r))

    def test_region_loss_fails_over_exactly_once(self):
        for name in REGION_LOST:
            r = self.reports[name]
            throttled = 3 if "throttled" in name else 0  # refused before Aurora did anything
            self.assertEqual(r.failovers - throttled, 1, self.explain(r))
            self.assertEqual(r.detaches, 0)
            self.assertIsNotNone(r.time_to_writable, self.explain(r))
            self.assertEqual(r.final_answer, r.final_writer, self.explain(r))
            self.assertEqual(sorted(r.final_state.values(), key=str), ["armed", "failed_over"], self.explain(r))
            self.assertTrue(r.data_loss_reported)

    def test_detection_budget_is_reported_and_met(self):
        r = self.reports["primary region lost"]
        budget = [x["detection_budget"] for x in r.summaries if "detection_budget" in x]
        self.assertEqual(len(budget), 1, self.explain(r))
        self.assertTrue(budget[0]["met"], budget)
        self.assertLessEqual(r.time_to_writable, 155 + 120 + 60 + 60, self.explain(r))

    def test_throttling_is_retried_not_detached(self):
        r = self.reports["primary region lost, FailoverGlobalCluster throttled 3 times"]
        self.assertEqual(r.failovers, 4, self.explain(r))

    def test_reconcile_finishes_after_the_function_died(self):
        r = self.reports["primary region lost, the function dies after FailoverGlobalCluster"]
        self.assertEqual(r.failovers, 1, self.explain(r))
        self.assertIn("failed_over", r.final_state.values())

    def test_detach_only_when_allowed_and_refused_and_the_fence_holds(self):
        r = self.reports["primary region lost, failover refused, detach allowed, region returns"]
        self.assertEqual(r.detaches, 1, self.explain(r))
        self.assertGreaterEqual(r.failovers, 2)
        self.assertEqual(r.final_writer, "us-east-1")  # the old primary is back, writable ...
        self.assertEqual(r.final_answer, "us-west-2", self.explain(r))  # ... and fenced: DNS never answers with it

    def test_switchover_moves_writer_and_dns_without_failover(self):
        r = self.reports["planned switchover"]
        self.assertEqual((r.switchovers, r.failovers), (1, 0), self.explain(r))
        self.assertEqual((r.final_writer, r.final_answer), ("us-west-2", "us-west-2"), self.explain(r))

    def test_failback_by_the_runbook(self):
        r = self.reports["failback by the runbook"]
        self.assertIn("failed_back", [d[3] for d in r.decisions], self.explain(r))
        self.assertEqual((r.final_writer, r.final_answer), ("us-east-1", "us-east-1"), self.explain(r))
        self.assertEqual(set(r.final_state.values()), {"armed"}, self.explain(r))


if __name__ == "__main__":
    unittest.main()
