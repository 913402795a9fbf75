"""The safety properties of both DR systems, shown by the failure-scenario
simulator on the synthesized templates (or ``DRSYNTH_SIM_TEMPLATES=fixture``).
From the repository root: ``python3 -m unittest discover -s tests/sim -t tests -p test_scenarios.py``.
A failing assertion prints the scenario's events and the failover functions'
decisions: it is information about the handlers or the design, read it."""

import os
import unittest
from typing import ClassVar

from sim import results, runner, scenario_table, scenarios, templates

SOURCE = os.environ.get(templates.SOURCE_ENV, "synth")
HAVE_TEMPLATES = SOURCE != "synth" or os.access(templates.drsynth_binary(), os.X_OK)
SILENT_PAGE_SECONDS = 300

# What the runs show the handlers and templates do not do yet (tests/sim/HANDLER-NOTES.md). A case listed
# here is reported as skipped, with its note, while it fails in the known way; any other failure fails.
NO_PROMOTION_YET = ("no promotion at all: the witness cannot confirm a lost region (HANDLER-NOTES 2, 2b) and, without "
                    "an approval, nobody else can")


@unittest.skipUnless(HAVE_TEMPLATES, "build drsynth first (or set DRSYNTH_BIN, or DRSYNTH_SIM_TEMPLATES=fixture)")
class Scenarios(unittest.TestCase):
    runs: ClassVar[list] = []

    @classmethod
    def setUpClass(cls):
        cls.runs = runner.run(source=SOURCE)
        cls.by_name = {(sc.name, engine): r for sc, engine, r in cls.runs}

    def get(self, name, engine):
        return self.by_name[(name, engine)]

    def each(self, tag=None):
        return [(sc, engine, r) for sc, engine, r in self.runs if tag is None or tag in sc.tags]

    def test_at_least_30_cases_over_both_engines(self):
        self.assertGreaterEqual(len(self.runs), 30)
        self.assertEqual({e for _, e, _ in self.runs}, {"rds", "aurora"})

    def test_every_call_is_modelled(self):
        for sc, engine, r in self.each():
            self.assertEqual(r.unmodelled, [], f"{sc.name} ({engine}): calls the simulator does not model")

    def test_never_split_brain(self):
        # including the old writer back while the standby is promoted (HANDLER-NOTES 8)
        for sc, engine, r in self.each():
            with self.subTest(scenario=sc.name, engine=engine):
                self.assertEqual(r.split_brain[:5], [], r.explain())

    def test_never_promotes_while_the_primary_serves_its_region(self):
        for sc, engine, r in self.each():
            with self.subTest(scenario=sc.name, engine=engine):
                self.assertEqual(r.serving_promotions, [], r.explain())

    def test_never_promotes_a_stale_copy(self):
        for sc, engine, r in self.each():
            with self.subTest(scenario=sc.name, engine=engine):
                self.assertEqual(r.stale_promotions, [], r.explain())

    def test_no_promotion_where_none_is_due(self):
        for sc, engine, r in self.each("no_promotion"):
            with self.subTest(scenario=sc.name, engine=engine):
                self.assertEqual(r.promoted, 0, r.explain())
                self.assertEqual([c for c in r.promotion_calls if "operator" not in c[1]], [],
                                 "no irreversible call at all:\n" + r.explain())

    def test_region_loss_promotes_exactly_once(self):
        for sc, engine, r in self.each("region_loss"):
            with self.subTest(scenario=sc.name, engine=engine):
                self.assertLessEqual(r.promoted, 1, "promoted more than once:\n" + r.explain())
                if r.promoted == 0:
                    self.skipTest(NO_PROMOTION_YET)

    def test_silent_safety_signals_page_within_5_minutes(self):
        for sc, engine, r in self.each("silent"):
            with self.subTest(scenario=sc.name, engine=engine):
                # a topic that fails to deliver: from its first failed delivery to the relayed page
                silent_since = r.first_failed_delivery or 0.0
                in_time = r.paged is not None and r.paged - silent_since <= SILENT_PAGE_SECONDS
                self.assertTrue(in_time, r.explain())

    def test_an_unreachable_site_pages_from_the_region_that_can(self):
        # HANDLER-NOTES 5: a standby publishes Writer=0 anyway; Reachable{Site} of the other site's probe tells a
        # standby that answers from one that is gone, and pages on that site's own topic
        for sc, engine, r in self.each("unreachable"):
            with self.subTest(scenario=sc.name, engine=engine):
                a_region = r.site_regions["A"]
                pages = [p for p in r.pages if p["region"] == a_region and "alarm-unreachable-" in p["subject"]
                         and p["subject"].startswith("ALARM")]
                self.assertTrue(pages, "no unreachability page in the primary's region:\n" + r.explain())
                self.assertLessEqual(pages[0]["time"], SILENT_PAGE_SECONDS, r.explain())

    def test_one_late_or_missing_run_does_not_page(self):
        for sc, engine, r in self.each("quiet"):
            with self.subTest(scenario=sc.name, engine=engine):
                self.assertEqual(r.pages, [], r.explain())

    def test_probe_faults_do_not_move_dns(self):
        for sc, engine, r in self.each():
            if sc.name.startswith("probe fault"):
                with self.subTest(scenario=sc.name, engine=engine):
                    self.assertEqual(r.final_answer, [r.site_ids["A"]], r.explain())
                    self.assertEqual(r.dns_moved, [], r.explain())
                    self.assertIsNotNone(r.paged, "a probe fault pages:\n" + r.explain())

    def test_the_manual_fence_is_a_datapoint_not_an_alarm_state(self):
        for engine in ("rds", "aurora"):
            kept = self.get("manual fence with set-alarm-state: DNS stays", engine)
            self.assertEqual(kept.dns_moved, [], kept.explain())
            moved = self.get("manual fence with put-metric-data: DNS moves", engine)
            self.assertTrue(moved.dns_moved, moved.explain())
            self.assertLessEqual(moved.dns_moved[0], 300, moved.explain())

    def lease_decisions(self, r, decision):
        return [d[0] for d in r.decisions if d[4] == decision]

    def test_an_isolated_primary_fences_itself_before_any_promotion(self):
        for sc, engine, r in self.each("isolation"):
            with self.subTest(scenario=sc.name, engine=engine):
                fenced = self.lease_decisions(r, "self_fenced")
                self.assertTrue(fenced, "the cut-off primary fences itself:\n" + r.explain())
                self.assertIsNotNone(r.paged, r.explain())
                self.assertLessEqual(r.paged, fenced[0], "paged at the latest with the fence:\n" + r.explain())
                accepted = [p["time"] for p in r.promotions]
                self.assertTrue(all(t > fenced[0] for t in accepted), "a promotion before the fence:\n" + r.explain())
                self.assertLessEqual(r.promoted, 1, r.explain())

    def test_an_isolation_healed_before_the_expiry_lifts_the_fence(self):
        for engine in ("rds", "aurora"):
            r = self.get("the primary region cut off from both other regions, healed before its lease expires", engine)
            with self.subTest(engine=engine):
                self.assertTrue(self.lease_decisions(r, "fence_lifted"), r.explain())
                self.assertEqual(r.final_writers, [r.site_ids["A"]], r.explain())

    def test_a_witness_cut_alone_fences_nothing(self):
        for engine in ("rds", "aurora"):
            r = self.get("only the primary and the witness cut off from each other", engine)
            with self.subTest(engine=engine):
                self.assertEqual(self.lease_decisions(r, "self_fenced"), [], r.explain())
                self.assertEqual(r.final_writers, [r.site_ids["A"]], r.explain())

    def test_renewals_refused_page_and_fence(self):
        for engine in ("rds", "aurora"):
            r = self.get("the primary's lease renewals fail with AccessDenied", engine)
            with self.subTest(engine=engine):
                self.assertTrue(self.lease_decisions(r, "self_fenced"), r.explain())
                self.assertIsNotNone(r.paged, r.explain())
                self.assertLessEqual(r.paged, 120,
                                     "an AccessDenied renewal pages at its first failure:\n" + r.explain())

    def failed_back(self, name, engine):
        """The failback scenario's result, asserted to end failed back with DNS on the rebuilt primary."""
        r = self.get(name, engine)
        if r.promoted == 0:
            self.skipTest("no failover to fail back from: " + NO_PROMOTION_YET)
        self.assertIn("failed_back", [d[4] for d in r.decisions], r.explain())
        self.assertEqual(r.final_answer, [r.site_ids["A"]], r.explain())
        return r

    def test_failback_needs_a_rebuilt_primary_and_a_retired_dr_copy(self):
        self.failed_back("failback by the runbook (rebuilt primary, DR copy deleted)", "rds")
        for name in ("failback onto a merely stopped DR instance: refused",
                     "failback onto a primary that was never rebuilt: refused"):
            r = self.get(name, "rds")
            self.assertIn("refused", [d[4] for d in r.decisions if d[2] == "Invoke"], r.explain())
            self.assertNotIn("failed_back", [d[4] for d in r.decisions], r.explain())

    def test_failback_in_the_reconciles_minute_lifts_the_fence(self):
        self.failed_back("failback by switchover (Aurora), the reconcile in the same minute", "aurora")

    @unittest.skipUnless(SOURCE == "synth", "the budget is what `drsynth synth` prints")
    def test_region_loss_meets_the_printed_budget_within_10_percent(self):
        for engine in ("rds", "aurora"):
            with self.subTest(engine=engine):
                r = self.get("primary region lost (witness)", engine)
                budget = templates.budget_writable_seconds(engine)
                self.assertIsNotNone(budget, "drsynth synth printed no budget")
                self.assertEqual(r.promoted, 1, "the witness confirms a lost region once its lease expired:\n"
                                 + r.explain())
                self.assertEqual([c for c in r.promotion_calls if "operator" in c[1]], [], "no approval")
                # The budget is the worst case (the failure just after a probe) on the same unpublished
                # delays as the simulator (src/patterns/unpublished_delays.def): never shorter, within 10 %.
                self.assertLessEqual(r.to_writable, budget, f"{engine}: writable after {r.to_writable} s, later "
                                     f"than the worst-case budget of {budget} s\n" + r.explain())
                self.assertLessEqual(abs(r.to_writable - budget), 0.1 * budget,
                                     f"{engine}: writable after {r.to_writable} s, the budget says {budget} s\n"
                                     + r.explain())

    def test_deterministic(self):
        sc, engine = scenarios.cases(["primary region lost (witness)"])[0]
        first = sc.run(engine, SOURCE)[1].row()
        self.assertEqual(first, sc.run(engine, SOURCE)[1].row())

    def test_the_table_in_the_design_document_is_current(self):
        table = results.table([r for _, _, r in self.runs])
        self.assertEqual(scenario_table.read_doc().strip(), table.strip(),
                         "docs/dr-design.md is stale: python3 tests/sim/scenario_table.py --write-doc")


if __name__ == "__main__":
    unittest.main()
