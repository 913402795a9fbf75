"""The failover function's behaviours that do not depend on the engine, run
for both: ``test_failover.RdsCore`` and ``test_aurora_failover.AuroraCore``
mix this class into a TestCase with ``engine = "rds"`` / ``"aurora"``.  Each
test names the behaviour; the world is tests/failover_world.py."""

import contextlib
import io
import json
import threading
from typing import ClassVar
from unittest import mock

from drsynth_failover import handler as failover
from drsynth_failover import state as st
from tests.failover_world import ERROR_KINDS, TIMEOUT_KINDS, World

RECONCILE = {"action": "reconcile", "source": "schedule"}


class CoreCases:
    engine = None
    world_options: ClassVar[dict] = {}

    def setUp(self):
        self.w = World(self, self.engine, **self.world_options)

    # -- helpers --------------------------------------------------------------------------
    def approve(self):
        return self.w.invoke({"action": "approve", "confirm": self.w.fx.x_id})

    def assert_untouched(self):
        self.assertEqual(self.w.fx.promotions(), 0)
        self.assertTrue(self.w.fx.x_is_standby())
        self.assertEqual(self.w.designated(), self.w.y)
        self.assertFalse(any(hi >= 1 for _, hi in self.w.fenced()), "Y must not be fenced")

    def assert_failed_over(self):
        self.assertTrue(self.w.fx.x_is_writer())
        self.assertEqual(self.w.state()["state"], "failed_over")
        self.assertEqual(self.w.designated(), self.w.x)
        self.assertEqual(self.w.fenced()[-1][1], 1.0)
        self.assertFalse(self.w.lock_exists(), "the lock must be released")

    def assert_fence_confirmed_before_promotion(self):
        """The first promotion call comes after Fenced=1 was published and read back."""
        calls = [c for c in self.w.calls if c[0] == "failover"]
        promote = next(i for i, c in enumerate(calls) if c[3] == self.w.fx.promote_operation)
        published = [i for i, c in enumerate(calls[:promote]) if c[3] == "put_metric_data" and
                     c[4]["MetricData"][0]["MetricName"] == "Fenced" and c[4]["MetricData"][0]["Value"] == 1.0]
        read_back = [i for i, c in enumerate(calls[:promote]) if c[3] == "get_metric_statistics" and
                     c[4]["MetricName"] == "Fenced"]
        self.assertTrue(published and read_back and published[0] < read_back[-1], "no promotion before the fence")

    # -- arming ---------------------------------------------------------------------------
    def test_fresh_deploy_is_not_armed_and_never_promotes(self):
        self.w.y_fails(apis_answer=True)
        summary = self.w.invoke(self.w.alarm_event())
        self.assertEqual(summary["decision"], "not_armed", summary)
        self.assertIsNone(self.w.state()["state"])
        self.assert_untouched()
        self.assertEqual(self.w.decisions_paged(), ["not_armed"])
        self.assertEqual(self.w.decisions_paged(self.w.y), ["not_armed"])  # pages in both regions

    def test_reconcile_arms_after_k_consecutive_minutes_with_y_a_writer(self):
        self.w.healthy(minutes=2)
        summary = self.w.invoke(RECONCILE)
        self.assertEqual((summary["decision"], summary["healthy_streak"]), ("not_armed", 2))
        self.assertEqual(self.w.pages(), [])  # a quiet reconcile pages nobody
        self.w.healthy(minutes=3)
        summary = self.w.invoke(RECONCILE)
        self.assertEqual(summary["decision"], "armed", summary)
        self.assertEqual(self.w.state()["state"], "armed")
        self.assertEqual(self.w.decisions_paged(), ["armed"])

    def test_a_missing_minute_breaks_the_streak(self):
        self.w.healthy(minutes=5, gaps=(2,))
        summary = self.w.invoke(RECONCILE)
        self.assertEqual((summary["decision"], summary["healthy_streak"]), ("not_armed", 1))

    def test_an_unhealthy_minute_does_not_arm(self):
        self.w.healthy(minutes=4)
        self.w.publish(self.w.x_region, "Writer", self.w.y, 0.0, self.w.minutes(1)[0] + 30)
        self.assertEqual(self.w.invoke(RECONCILE)["decision"], "not_armed")
        self.assertIsNone(self.w.state()["state"])

    def test_arming_needs_x_to_be_a_standby_of_y(self):
        self.w.healthy()
        self.w.fx.make_x_not_standby()
        summary = self.w.invoke(RECONCILE)
        if summary["decision"] == "weights_follow_writer":  # an engine that sees the writer moves the records first
            summary = self.w.invoke(RECONCILE)
        self.assertEqual((summary["decision"], summary["standby"]), ("not_armed", "local_writer"), summary)
        self.assertIsNone(self.w.state()["state"])

    def test_arming_needs_the_lag_within_the_bound(self):
        self.w.healthy(lag=900.0)
        summary = self.w.invoke(RECONCILE)
        self.assertEqual(summary["decision"], "not_armed")
        self.assertIn("lag 900.0 s", summary["reason"])
        self.w.healthy(lag=None)  # no lag datapoint at all: unknown is not within the bound
        self.w.clock.sleep(600)
        self.w.healthy(lag=None)
        self.assertEqual(self.w.invoke(RECONCILE)["decision"], "not_armed")

    # -- the decision ---------------------------------------------------------------------
    def test_y_lost_with_its_region_answering_promotes_fenced_first(self):
        self.w.arm()
        self.w.y_fails(apis_answer=True)
        summary = self.w.invoke(self.w.alarm_event())
        self.assertEqual(summary["decision"], "promoted", summary)
        self.assertEqual(summary["direct"]["verdict"], "lost")
        self.assertEqual(self.w.state()["claim"], "witness")
        self.assertEqual(self.w.grant()["claimant"], self.w.x)
        self.assertEqual(self.w.peer_state()["state"], "disarmed")  # one region's decision disarms the other
        self.assertEqual(self.w.fx.promotions(), 1)
        self.assert_fence_confirmed_before_promotion()
        self.assert_failed_over()
        self.assertEqual(summary["rpo"]["seconds"], 2.0)
        for site in (self.w.x, self.w.y):
            (subject, body), = self.w.pages(site)
            self.assertEqual(subject, f"drsynth failover promoted: {self.w.fx.x_id}")
            self.assertEqual(body["rpo"]["seconds"], 2.0)

    def test_y_lost_without_a_witness_the_peer_is_disarmed_then_promotion(self):
        self.w = World(self, self.engine, with_witness=False, **self.world_options)
        self.w.arm()
        self.w.y_fails(apis_answer=True)
        summary = self.w.invoke(self.w.alarm_event())
        self.assertEqual(summary["decision"], "promoted", summary)
        self.assertEqual(self.w.state()["claim"], "peer")
        self.assertEqual(self.w.peer_state()["state"], "disarmed")
        self.assert_failed_over()

    def test_peer_that_disarmed_x_first_wins_the_claim(self):
        self.w = World(self, self.engine, with_witness=False, **self.world_options)
        self.w.arm()
        self.w.y_fails(apis_answer=True)

        def y_claims_first(service, region, operation, kwargs):
            if operation == "put_parameter" and kwargs.get("Name") == self.w.names["peer_state"]:
                self.w.hook = None
                self.w.write_state(state="disarmed", by=self.w.y, reason="test: Y claimed first")
        self.w.hook = y_claims_first
        summary = self.w.invoke(self.w.alarm_event())
        self.assertEqual(summary["decision"], "awaiting_approval", summary)
        self.assertEqual(self.w.fx.promotions(), 0)

    def test_region_unreachable_from_everywhere_waits_for_approval(self):
        self.w.arm()
        self.w.y_fails(apis_answer=False)
        summary = self.w.invoke(self.w.alarm_event())
        self.assertEqual(summary["decision"], "awaiting_approval", summary)
        self.assertEqual(summary["direct"]["verdict"], "unreachable")
        self.assertEqual(summary["witness"]["verdict"], "unreachable")
        self.assertIsNone(self.w.grant())
        self.assert_untouched()
        (_, body), = self.w.pages()
        self.assertIn(json.dumps({"action": "approve", "confirm": self.w.fx.x_id}), body["reason"])
        self.assertIn("aws lambda invoke", body["approve_command"])
        # the reconcile asks again, quietly while nothing changes
        summary = self.w.invoke(RECONCILE)
        self.assertEqual(summary["decision"], "awaiting_approval")
        self.assertEqual(self.w.pages(), [])
        summary = self.approve()
        self.assertEqual(summary["decision"], "promoted", summary)
        self.assertEqual(self.w.state()["claim"], "approval")
        self.assert_fence_confirmed_before_promotion()
        if self.w.y_region == "us-east-1":  # Route 53's control plane was lost with us-east-1 ...
            self.assertFalse(summary["flipped"])
            self.w.clear_faults()            # ... and comes back with it: the reconcile flips
            self.assertEqual(self.w.invoke(RECONCILE)["decision"], "flipped")
        self.assert_failed_over()

    def test_approval_needs_the_confirm_and_a_state_awaiting_it(self):
        self.w.arm()
        self.assertEqual(self.approve()["decision"], "refused")  # nothing awaits approval
        self.w.y_fails(apis_answer=False)
        self.w.invoke(self.w.alarm_event())
        summary = self.w.invoke({"action": "approve", "confirm": self.w.fx.y_id})
        self.assertEqual(summary["decision"], "refused")
        self.assertIn(self.w.fx.x_id, summary["reason"])
        self.assert_untouched()

    def test_approval_is_withdrawn_when_y_recovers(self):
        self.w.arm()
        self.w.y_fails(apis_answer=False)
        self.assertEqual(self.w.invoke(self.w.alarm_event())["decision"], "awaiting_approval")
        self.w.clear_faults()
        self.w.set_alarm("hold", "OK")
        summary = self.w.invoke(RECONCILE)
        self.assertEqual(summary["decision"], "approval_withdrawn", summary)
        self.assertEqual(self.w.state()["state"], "armed")
        self.assertEqual(self.approve()["decision"], "refused")
        self.assert_untouched()

    def test_partition_never_promotes_the_witness_sees_y_serving(self):
        self.w.arm()
        self.w.partition()
        summary = self.w.invoke(self.w.alarm_event())
        self.assertEqual(summary["decision"], "no_promotion", summary)
        self.assertEqual(summary["direct"]["verdict"], "unreachable")
        self.assertEqual(summary["witness"]["verdict"], "serving")
        self.assertIn("serving", summary["reason"])
        self.assertEqual(self.w.state()["state"], "armed")
        self.assert_untouched()

    def test_partition_without_a_witness_waits_for_approval(self):
        self.w = World(self, self.engine, with_witness=False, **self.world_options)
        self.w.arm()
        self.w.partition()
        summary = self.w.invoke(self.w.alarm_event())
        self.assertEqual(summary["decision"], "awaiting_approval", summary)
        self.assert_untouched()

    def test_witness_unreachable_waits_for_approval(self):
        self.w.arm()
        self.w.y_fails(apis_answer=False)
        self.w.fault("connect_timeout", service="lambda")
        summary = self.w.invoke(self.w.alarm_event())
        self.assertEqual(summary["decision"], "awaiting_approval", summary)
        self.assertEqual(summary["witness"]["kind"], "unreachable")
        self.assert_untouched()

    def test_witness_error_is_unknown_not_agreement(self):
        self.w.arm()
        self.w.y_fails(apis_answer=False)
        self.w.witness_env["GRANT_PARAMETER"] = ""  # its environment is broken: a FunctionError
        summary = self.w.invoke(self.w.alarm_event())
        self.assertEqual(summary["decision"], "awaiting_approval", summary)
        self.assertEqual(summary["witness"]["kind"], "error")
        self.assert_untouched()

    def test_witness_sees_y_serving_while_x_reads_errors(self):
        self.w.arm()
        self.w.partition()
        self.w.clear_faults()
        self.w.fault("access_denied", region=self.w.y_region, caller="failover")
        summary = self.w.invoke(self.w.alarm_event())
        self.assertEqual(summary["direct"]["verdict"], "unknown")
        self.assertEqual(summary["decision"], "no_promotion", summary)
        self.assert_untouched()

    def test_second_signal_errors_are_unknown_and_timeouts_unreachable_never_agreement(self):
        for kinds, verdict in ((ERROR_KINDS, "unknown"), (TIMEOUT_KINDS, "unreachable")):
            for kind in kinds:
                with self.subTest(kind=kind):
                    self.w = World(self, self.engine, with_witness=False, **self.world_options)
                    self.w.arm()
                    self.w.y_fails(apis_answer=True)
                    self.w.fault(kind, region=self.w.y_region)
                    summary = self.w.invoke(self.w.alarm_event())
                    self.assertEqual(summary["direct"]["verdict"], verdict, summary)
                    self.assertEqual(summary["decision"], "awaiting_approval")
                    self.assert_untouched()

    def test_claim_refused_when_the_witness_granted_the_other_region(self):
        self.w.arm()
        self.w.y_fails(apis_answer=True)
        self.w.ssm[self.w.fx.witness_region].put_parameter(
            Name=self.w.names["grant"], Type="String", Value=json.dumps({"claimant": self.w.y, "time": "earlier"}))
        summary = self.w.invoke(self.w.alarm_event())
        self.assertEqual(summary["decision"], "disarmed", summary)
        self.assertEqual(self.w.state()["state"], "disarmed")
        self.assert_untouched()
        self.assertEqual(self.w.decisions_paged(), ["disarmed"])
        # disarmed stays disarmed until the operator re-arms
        self.assertEqual(self.w.invoke(self.w.alarm_event())["decision"], "disarmed")
        self.assertEqual(self.w.invoke({"action": "rearm", "confirm": self.w.fx.x_id})["decision"], "rearmed")
        self.assertEqual(self.w.state()["state"], "unarmed")

    def test_lag_at_the_failure_beyond_the_bound_never_promotes(self):
        self.w.arm()
        self.w.healthy(lag=400.0)
        self.w.y_fails(apis_answer=True)  # history: lag 2 s before, then the last minute ...
        self.w.publish_lag(400.0, self.w.minutes(4)[0] + 30)  # ... with Y still a writer lagged 400 s
        summary = self.w.invoke(self.w.alarm_event())
        self.assertEqual(summary["decision"], "no_promotion", summary)
        self.assertIn("stale", summary["reason"])
        self.assertEqual(summary["rpo"]["seconds"], 400.0)
        self.assert_untouched()

    def test_unknown_lag_at_the_failure_never_promotes(self):
        self.w.arm()
        self.w.healthy(lag=None)
        self.w.pass_minutes(3)
        self.w.set_alarm("hold", "ALARM")
        summary = self.w.invoke(self.w.alarm_event())
        self.assertEqual(summary["decision"], "no_promotion", summary)
        self.assertIsNone(summary["rpo"]["seconds"])
        self.assert_untouched()

    def test_fence_not_confirmed_never_promotes(self):
        self.w.arm()
        self.w.y_fails(apis_answer=True)
        self.w.swallow = lambda service, region, op, kwargs: op == "put_metric_data" and \
            kwargs["MetricData"][0]["MetricName"] == "Fenced"
        summary = self.w.invoke(self.w.alarm_event())
        self.assertEqual(summary["decision"], "fence_unconfirmed", summary)
        self.assertEqual((self.w.state()["state"], self.w.state()["phase"]), ("promoting", "fencing"))
        self.assertEqual(self.w.fx.promotions(), 0)
        self.assertIn("fence_unconfirmed", self.w.decisions_paged())
        self.w.swallow = None
        summary = self.w.invoke(RECONCILE)
        self.assertEqual(summary["decision"], "promoted", summary)
        self.assert_failed_over()

    def test_fence_publication_failing_never_promotes(self):
        self.w.arm()
        self.w.y_fails(apis_answer=True)
        self.w.fault("access_denied", service="cloudwatch", region=self.w.x_region, operation="put_metric_data")
        summary = self.w.invoke(self.w.alarm_event())
        self.assertEqual(summary["decision"], "fence_unconfirmed", summary)
        self.assertEqual(self.w.fx.promotions(), 0)

    def test_force_never_skips_the_fence_confirmation(self):
        self.w.swallow = lambda service, region, op, kwargs: op == "put_metric_data"
        summary = self.w.invoke({"action": "failover", "force": True})
        self.assertEqual(summary["decision"], "fence_unconfirmed", summary)
        self.assertEqual(self.w.fx.promotions(), 0)

    def test_manual_forced_failover_promotes_even_unarmed_without_reading_y(self):
        self.w.healthy()
        summary = self.w.invoke({"action": "failover", "force": True})
        self.assertEqual(summary["decision"], "promoted", summary)
        self.assertNotIn("direct", summary)  # the second signal was not read
        self.assertEqual(self.w.state()["claim"], "force")
        self.assert_failed_over()

    def test_only_json_true_forces_a_failover(self):
        # bool("false") is True in Python: a hand-typed string must not skip the signals.
        self.w.arm()
        for force in ("false", "no", "true", 1, [True], {"force": True}):
            with self.subTest(force=force):
                summary = self.w.invoke({"action": "failover", "force": force})
                self.assertEqual(summary["decision"], "no_promotion", summary)
        self.assert_untouched()

    def test_manual_failover_without_force_respects_the_signals(self):
        self.w.arm()
        self.assertEqual(self.w.invoke({"action": "failover"})["decision"], "no_promotion")
        self.assert_untouched()

    def test_hold_alarm_not_in_alarm_is_not_promoted(self):
        self.w.arm()
        self.w.y_fails(apis_answer=True)
        self.w.set_alarm("hold", "OK")
        summary = self.w.invoke(self.w.alarm_event())  # the event says ALARM; the alarm is OK now
        self.assertEqual((summary["decision"], summary["hold_alarm"]), ("no_promotion", "OK"))
        self.assert_untouched()

    def test_ok_transitions_do_nothing(self):
        self.w.arm()
        for event in (self.w.alarm_event("OK"), self.w.sns_event("OK")):
            self.assertEqual(self.w.invoke(event)["decision"], "no_action")
        self.assert_untouched()

    def test_sns_wrapped_hold_alarm_decides(self):
        self.w.arm()
        self.w.y_fails(apis_answer=True)
        self.assertEqual(self.w.invoke(self.w.sns_event())["decision"], "promoted")

    # -- idempotence, locks ---------------------------------------------------------------
    def test_invoked_twice_promotes_once_and_stays_failed_over(self):
        self.w.arm()
        self.w.y_fails(apis_answer=True)
        self.assertEqual(self.w.invoke(self.w.alarm_event())["decision"], "promoted")
        self.w.fx.set_status(self.w.y, "available")  # Y's region comes back: nothing moves back
        self.w.set_alarm("hold", "OK")
        self.w.set_alarm("view_y", "OK")
        self.assertEqual(self.w.invoke(self.w.alarm_event())["decision"], "failed_over")
        self.assertEqual(self.w.invoke(RECONCILE)["decision"], "failed_over")
        self.assertEqual(self.w.fx.promotions(), 1)
        self.assert_failed_over()

    def test_concurrent_invocations_promote_once(self):
        self.w.arm()
        self.w.y_fails(apis_answer=True)
        barrier = threading.Barrier(2)
        seen = set()

        def meet(service, region, operation, kwargs):
            me = threading.get_ident()
            if operation == "describe_alarms" and me not in seen:
                seen.add(me)
                with contextlib.suppress(threading.BrokenBarrierError):
                    barrier.wait(5)
        self.w.hook = meet
        results = []

        def run(request_id):
            results.append(failover.handler(self.w.alarm_event(), self.w_context(request_id)))
        threads = [threading.Thread(target=run, args=(f"req-{i}",)) for i in range(2)]
        with contextlib.redirect_stdout(io.StringIO()):  # once for both: the redirection is process-wide
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
        self.assertEqual(len(results), 2)
        self.assertEqual(self.w.fx.promotions(), 1)
        self.assertIn(sorted(r["decision"] for r in results), (["in_progress", "promoted"],
                                                                ["failed_over", "promoted"]))
        self.assert_failed_over()

    def w_context(self, request_id):
        from tests.failover_world import Context
        return Context(self.w.clock, 300.0, request_id)

    def put_lock(self, **value):
        self.w.ssm[self.w.x_region].put_parameter(Name=self.w.names["lock"], Type="String", Value=json.dumps(value))

    def test_a_fresh_lock_means_in_progress_quietly_on_reconcile(self):
        self.w.arm()
        self.w.y_fails(apis_answer=True)
        now = self.w.clock.now()
        self.put_lock(request_id="other", acquired=now - 10, progress=now - 10, deadline=now + 280)
        self.assertEqual(self.w.invoke(self.w.alarm_event())["decision"], "in_progress")
        self.assertEqual(self.w.invoke(RECONCILE)["decision"], "in_progress")
        self.assertEqual(self.w.fx.promotions(), 0)
        self.assertTrue(self.w.lock_exists())
        self.assertEqual(self.w.decisions_paged(), ["in_progress"])  # the alarm's run only

    def test_a_lock_held_without_progress_pages(self):
        self.w.arm()
        self.w.y_fails(apis_answer=True)
        now = self.w.clock.now()
        self.put_lock(request_id="stuck", acquired=now - 150, progress=now - 150, deadline=now + 150)
        summary = self.w.invoke(RECONCILE)
        self.assertEqual(summary["decision"], "lock_stuck", summary)
        self.assertEqual(summary["lock_holder"]["request_id"], "stuck")
        self.assertEqual(self.w.decisions_paged(), ["lock_stuck"])
        self.assertEqual(self.w.fx.promotions(), 0)

    def test_a_stale_lock_is_taken_over_after_its_deadline_and_pages(self):
        self.w.arm()
        self.w.y_fails(apis_answer=True)
        now = self.w.clock.now()
        self.put_lock(request_id="dead", acquired=now - 400, progress=now - 400, deadline=now - 29)
        self.assertEqual(self.w.invoke(RECONCILE)["decision"], "lock_stuck")  # deadline + 30 s not yet passed
        self.w.clock.sleep(2)
        summary = self.w.invoke(RECONCILE)
        self.assertEqual(summary["decision"], "promoted", summary)
        self.assertEqual(summary["lock_taken_over"]["request_id"], "dead")
        self.assertEqual([b["lock_taken_over"]["request_id"] for _, b in self.w.pages()
                          if b.get("decision") == "promoted"], ["dead"])
        self.assert_failed_over()

    def test_a_lock_of_an_older_version_is_stale_after_fifteen_minutes(self):
        self.w.arm()
        self.w.y_fails(apis_answer=True)
        self.put_lock(epoch=self.w.clock.now() - 60)
        self.assertEqual(self.w.invoke(self.w.alarm_event())["decision"], "in_progress")
        self.w.clock.sleep(16 * 60)
        summary = self.w.invoke(self.w.alarm_event(), request_id="req-2")
        self.assertEqual(summary["decision"], "promoted", summary)
        self.assertIn("lock_taken_over", summary)

    # -- the fence holds without fresh data -----------------------------------------------
    def test_the_fence_is_published_every_run_outside_the_lock(self):
        self.w.arm()
        self.w.y_fails(apis_answer=True)
        self.w.invoke(self.w.alarm_event())
        for minute in range(3):
            self.w.clock.sleep(60)
            now = self.w.clock.now()
            if minute == 1:  # another run holds the lock: the fence is still published
                self.put_lock(request_id="other", acquired=now, progress=now, deadline=now + 200)
            summary = self.w.invoke(RECONCILE)
            self.assertTrue(summary["fenced"], summary)
            if minute == 1:
                self.assertEqual(summary["decision"], "in_progress")
                self.w.ssm[self.w.x_region].delete_parameter(Name=self.w.names["lock"])
        self.assertEqual([hi for _, hi in self.w.fenced()][-4:], [1.0, 1.0, 1.0, 1.0])

    def test_promotion_failed_keeps_publishing_the_fence(self):
        self.w.arm()
        self.w.y_fails(apis_answer=True)
        self.w.write_state(state="promotion_failed", since=self.w.clock.now())
        self.w.clock.sleep(60)
        summary = self.w.invoke(RECONCILE)
        self.assertEqual(summary["decision"], "promotion_failed")
        self.assertEqual(self.w.fenced()[-1], (1.0, 1.0))

    # -- records --------------------------------------------------------------------------
    def test_route53_down_the_reconcile_flips_weights_and_checks_later(self):
        self.w.arm()
        self.w.y_fails(apis_answer=True)
        self.w.fault("unreachable", service="route53")
        summary = self.w.invoke(self.w.alarm_event(), seconds=150)
        self.assertEqual(summary["decision"], "promoted", summary)
        self.assertFalse(summary["flipped"])
        self.assertGreater(summary["flip_attempts"], 1, "the flip must be retried")
        self.assertEqual(self.w.designated(), self.w.y)  # Route 53 was down ...
        self.assertEqual(self.w.fenced()[-1][1], 1.0)     # ... but Y is fenced
        self.w.clear_faults()
        summary = self.w.invoke(RECONCILE)
        self.assertEqual(summary["decision"], "flipped", summary)
        self.assert_failed_over()
        self.assertEqual(self.w.decisions_paged(), ["promoted", "flipped"])

    # -- paging ---------------------------------------------------------------------------
    def test_a_page_reaches_the_other_region_when_the_local_topic_fails(self):
        self.w.arm()
        self.w.y_fails(apis_answer=True)
        self.w.fault("access_denied", service="sns", region=self.w.x_region)
        summary = self.w.invoke(self.w.alarm_event())
        self.assertEqual(summary["decision"], "promoted")
        self.assertEqual(summary["notified"], [self.w.topics[self.w.y]])
        self.assertTrue(summary["notify_errors"])
        self.assertEqual(self.w.decisions_paged(self.w.y), ["promoted"])

    def test_raises_when_no_topic_accepts_a_page_after_saving_the_state(self):
        self.w.arm()
        self.w.y_fails(apis_answer=True)
        self.w.fault("server_error", service="sns")
        with self.assertRaises(failover.NotificationError):
            self.w.invoke(self.w.alarm_event())
        self.assert_failed_over()  # saved before the page: Lambda's retry finds it done
        self.w.clear_faults()
        self.assertEqual(self.w.invoke(self.w.alarm_event())["decision"], "failed_over")
        self.assertEqual(self.w.fx.promotions(), 1)

    def test_relay_of_another_alarm_goes_to_the_other_region(self):
        self.w.arm()
        self.w.y_fails(apis_answer=True)
        summary = self.w.invoke(self.w.alarm_event(name="sns-failed-notifications"))
        self.assertEqual(summary["decision"], "relayed")
        self.assert_untouched()  # a relay never fails over
        (subject, body), = self.w.pages(self.w.y)
        self.assertIn("sns-failed-notifications", subject)
        self.assertEqual(body["alarmData"]["alarmName"], "sns-failed-notifications")
        self.assertEqual(self.w.pages(), [])
        self.w.fault("unreachable", service="sns", region=self.w.y_region)
        with self.assertRaises(failover.NotificationError):
            self.w.invoke(self.w.sns_event(name="sns-failed-notifications"))

    def test_missing_environment_fails_clearly(self):
        with mock.patch.dict("os.environ", {"STATE_PARAMETER": "", "FENCE_CHECK_IDS": ""}):
            summary = self.w.invoke(self.w.alarm_event())
        self.assertEqual(summary["decision"], "failed")
        self.assertIn("STATE_PARAMETER", summary["reason"])
        self.assertIn("FENCE_CHECK_IDS", summary["reason"])
        self.assertEqual(self.w.decisions_paged(), ["failed"])
        with (mock.patch.dict("os.environ", {"STATE_PARAMETER": "", "LOCAL_TOPIC_ARN": "", "REMOTE_TOPIC_ARN": ""}),
              self.assertRaises(failover.NotificationError)):
            self.w.invoke(self.w.alarm_event())

    # -- operator -------------------------------------------------------------------------
    def test_status_changes_nothing(self):
        self.w.arm()
        self.w.y_fails(apis_answer=True)
        calls = len(self.w.calls)
        summary = self.w.invoke({"action": "status"})
        self.assertEqual((summary["decision"], summary["state"]), ("status", "armed"))
        self.assertEqual(summary["weights"], {self.w.y: 100, self.w.x: 0})
        self.assertEqual(summary["designated"], self.w.y)
        writes = [c for c in self.w.calls[calls:] if c[3].startswith(("put_", "delete_", "change_", "promote",
                                                                          "failover_", "modify_", "publish"))]
        self.assertEqual(writes, [])
        self.assertEqual(self.w.pages(), [])

    def test_a_corrupt_state_moves_nothing_and_pages_until_rearmed(self):
        self.w.ssm[self.w.x_region].put_parameter(Name=self.w.names["state"], Type="String", Value="{not json")
        self.w.y_fails(apis_answer=True)
        self.assertEqual(self.w.invoke(RECONCILE)["decision"], "state_unreadable")
        self.assertEqual(self.w.invoke(self.w.alarm_event())["decision"], "state_unreadable")
        self.assert_untouched()
        self.assertEqual(self.w.decisions_paged(), ["state_unreadable", "state_unreadable"])
        self.assertEqual(self.w.invoke({"action": "rearm", "confirm": self.w.fx.x_id})["decision"], "rearmed")
        self.assertEqual(self.w.state()["state"], "unarmed")

    def fail_over(self):
        self.w.arm()
        self.w.y_fails(apis_answer=True)
        self.assertEqual(self.w.invoke(self.w.alarm_event())["decision"], "promoted")
        self.w.pages()
        self.w.pages(self.w.y)

    def test_failback_confirms_a_clean_fence_lift_before_failed_back(self):
        self.fail_over()
        self.w.set_alarm("fence_y", "ALARM")  # CloudWatch evaluated the Fenced datapoints
        self.w.clock.sleep(600)
        self.w.clear_faults()
        writer = self.w.fx.prepare_failback()
        failback_at = self.w.clock.now() // 60 * 60
        summary = self.w.invoke({"action": "failback", "confirm": self.w.fx.x_id})
        self.assertEqual(summary["decision"], "failback_pending", summary)
        self.assertEqual(self.w.decisions_paged(), ["failback_pending"])
        self.assertEqual(self.w.state()["state"], "failing_back")
        self.assertEqual(self.w.designated(), writer)
        self.assertEqual(self.w.fenced()[-1], (0.0, 0.0))
        # the next minutes: only Fenced=0 (never both), the alarm turns OK, Route 53 still says Failure
        self.w.clock.sleep(60)
        self.w.set_alarm("fence_y", "OK")
        status = {"Status": "Failure: the alarm is in ALARM state"}
        with mock.patch("moto.route53.responses.Route53.get_health_check_status",
                        _health_status(status)):
            summary = self.w.invoke(RECONCILE)
        self.assertEqual(summary["decision"], "failback_pending", summary)
        self.assertEqual(self.w.pages(), [])  # the reconcile waits quietly
        self.w.clock.sleep(60)
        summary = self.w.invoke(RECONCILE)
        self.assertEqual(summary["decision"], "failed_back", summary)
        self.assertEqual(self.w.state()["state"], "unarmed")
        lifted = self.w.fenced(since=failback_at)
        self.assertGreaterEqual(len(lifted), 3)
        self.assertTrue(all(hi == 0.0 for _, hi in lifted), lifted)  # never both in one minute
        self.assertIsNone(self.w.grant())                         # the witness's grant released
        self.assertEqual(self.w.peer_state()["state"], "unarmed")  # the other region re-armed
        self.assertEqual(self.w.designated(), writer)
        self.assertEqual(self.w.decisions_paged(), ["failed_back"])

    def test_failback_is_refused_without_the_confirm_or_while_y_is_not_back(self):
        self.fail_over()
        self.assertEqual(self.w.invoke({"action": "failback"})["decision"], "refused")
        summary = self.w.invoke({"action": "failback", "confirm": self.w.fx.x_id})
        self.assertEqual(summary["decision"], "refused", summary)
        self.assert_failed_over()

    def test_a_witness_that_does_not_answer_pages_before_it_is_needed(self):
        self.w.arm()
        self.w.healthy()
        self.w.fault("connect_timeout", service="lambda")
        self.w.clock.sleep(60)  # T0 + 1 minute: not a minute of the check
        self.assertEqual(self.w.invoke(RECONCILE)["decision"], "no_action")
        self.w.clock.sleep(4 * 60)
        summary = self.w.invoke(RECONCILE)
        self.assertEqual(summary["decision"], "witness_unreachable", summary)
        self.assertEqual(self.w.decisions_paged(), ["witness_unreachable"])
        self.w.clear_faults()
        self.w.clock.sleep(5 * 60)
        self.assertEqual(self.w.invoke(RECONCILE)["witness_ping"], "ok")
        self.assertEqual(self.w.pages(), [])

    def test_rearm_only_leaves_disarmed(self):
        self.w.arm()
        summary = self.w.invoke({"action": "rearm", "confirm": self.w.fx.x_id})
        self.assertEqual(summary["decision"], "refused")
        self.assertEqual(self.w.state()["state"], "armed")


def _health_status(status):
    """moto's GetHealthCheckStatus always says Success: this one says `status`."""
    def get_health_check_status(self):
        from moto.core.responses import ActionResult
        from moto.core.utils import utcnow
        return ActionResult({"HealthCheckObservations": [{"Region": "us-east-1", "IPAddress": "127.0.0.1",
                                                          "StatusReport": dict(status, CheckedTime=utcnow())}]})
    return get_health_check_status


STATES = st.STATES  # re-exported for the engine-specific tests
