"""The simulator's models against the AWS documentation they cite (no handler
runs here, except where a test says so).  From the repository root:
``python3 -m unittest discover -s tests/sim -t tests -p test_world.py``."""

import json
import unittest

import boto3
import botocore.exceptions
from botocore.config import Config

from sim import delays, fixture, functions
from sim.clock import T0
from sim.cloudwatch import evaluate
from sim.functions import Function, Schedule
from sim.world import World


def _world(engine="rds"):
    return World(engine=engine, templates=fixture.fixture_templates(engine))


def _client(service, region, **config):
    return boto3.client(service, region_name=region, config=Config(**config) if config else None)


class AlarmEvaluation(unittest.TestCase):
    """The two tables of "Configuring how CloudWatch alarms treat missing data"."""

    def check(self, points, m, n, expected):
        values = [None if p == "-" else (1.0 if p == "X" else 0.0) for p in points.split()]
        for treatment, want in zip(("missing", "ignore", "breaching", "notBreaching"), expected, strict=True):
            got = evaluate(values, m, n, lambda v: v >= 1.0, treatment, "retained")
            self.assertEqual(got, want, f"{points} M={m} N={n} {treatment}")

    # (data points, Datapoints to Alarm, Evaluation Periods, states for missing/ignore/breaching/notBreaching)
    TABLES = (("0 - X - X", 3, 3, "OK OK OK OK"), ("0 - - - -", 3, 3, "OK OK OK OK"),
              ("- - - - -", 3, 3, "INSUFFICIENT_DATA retained ALARM OK"),
              ("0 X X - X", 3, 3, "ALARM ALARM ALARM ALARM"),
              ("- - X - -", 3, 3, "ALARM retained ALARM OK"), ("0 - X - X", 2, 3, "ALARM ALARM ALARM ALARM"),
              ("0 0 X 0 X", 2, 3, "ALARM ALARM ALARM ALARM"), ("0 - X - -", 2, 3, "OK OK ALARM OK"),
              ("- - - - 0", 2, 3, "OK OK ALARM OK"), ("- - - X -", 2, 3, "ALARM retained ALARM OK"))

    def test_the_documented_tables(self):
        for points, m, n, expected in self.TABLES:
            self.check(points, m, n, expected.split())


class CloudWatchAndRoute53(unittest.TestCase):
    def setUp(self):
        self.w = _world()
        self.w.start()
        self.b = self.w.site("B")["region"]
        env = self.w.site("B")["function"].env
        self.fence_alarm = env["FENCE_ALARM_NAME"]
        self.fence_checks = env["FENCE_CHECK_IDS"].split(",")
        self.dims = [{"Name": "System", "Value": env["METRIC_DIMENSION_VALUE"]},
                     {"Name": "Site", "Value": self.w.site("A")["id"]}]

    def fenced(self, value):
        _client("cloudwatch", self.b).put_metric_data(Namespace="drsynth", MetricData=[
            {"MetricName": "Fenced", "Value": value, "Dimensions": self.dims}])

    def healthy(self, hc):
        return self.w.route53.healthy_at(hc, self.w.clock.now)

    def test_health_check_follows_the_data_not_set_alarm_state(self):
        self.w.clock.run_until(T0 + 300)
        cw = _client("cloudwatch", self.b)
        cw.set_alarm_state(AlarmName=self.fence_alarm, StateValue="ALARM", StateReason="manual")
        self.assertEqual(self.w.cloudwatch.alarm(self.fence_alarm).state, "ALARM")
        self.w.clock.run_until(T0 + 330)
        self.assertTrue(all(self.healthy(hc) for hc in self.fence_checks), "SetAlarmState moves no health check")
        self.w.clock.run_until(T0 + 400)
        self.assertEqual(self.w.cloudwatch.alarm(self.fence_alarm).state, "INSUFFICIENT_DATA",
                         "the next evaluation sets the actual state back ('ignore' keeps INSUFFICIENT_DATA here)")

    def test_a_datapoint_fences_and_last_known_status_holds_it(self):
        self.w.clock.run_until(T0 + 300)
        self.fenced(1.0)
        self.w.clock.run_until(T0 + 430)   # evaluated at :20 after the period, checked at :15 and :45
        self.assertFalse(any(self.healthy(hc) for hc in self.fence_checks))
        self.w.clock.run_until(T0 + 1800)   # no more datapoints: LastKnownStatus keeps the checks unhealthy
        self.assertFalse(any(self.healthy(hc) for hc in self.fence_checks))
        self.fenced(0.0)
        self.w.clock.run_until(T0 + 1930)
        self.assertTrue(all(self.healthy(hc) for hc in self.fence_checks))

    def test_maximum_of_two_publishers_in_one_minute(self):
        self.w.clock.run_until(T0 + 300)
        self.fenced(0.0)
        self.fenced(1.0)
        self.w.clock.run_until(T0 + 400)
        self.assertEqual(self.w.cloudwatch.alarm(self.fence_alarm).state, "ALARM")

    def test_weighted_answer_when_every_record_is_unhealthy(self):
        r53 = self.w.route53
        zone = self.w.zone_id
        for hc in r53.checks.values():
            hc.history.append((self.w.clock.now, False))
        answer = r53.answer(zone, self.w.record_name, self.w.clock.now)
        self.assertEqual(answer, {self.w.site("A")["endpoint"]: 1.0}, "all unhealthy: the non-zero weights")

    def test_get_health_check_status_refuses_calculated_checks(self):
        r53 = _client("route53", "us-east-1")
        writer = self.w.site("A")["function"].env["LOCAL_WRITER_CHECK_ID"]
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            r53.get_health_check_status(HealthCheckId=writer)
        self.assertEqual(caught.exception.response["Error"]["Code"], "InvalidInput")
        self.assertTrue(r53.get_health_check_status(HealthCheckId=self.fence_checks[0])["HealthCheckObservations"])

    def test_route53_control_plane_down_keeps_the_data_plane(self):
        self.w.route53_control_plane(False)
        with self.assertRaises(botocore.exceptions.ConnectTimeoutError):
            _client("route53", "us-east-1", retries={"max_attempts": 1}).list_health_checks()
        self.w.clock.run_until(T0 + 120)
        self.assertTrue(self.w.route53_answer(self.w.clock.now))


class ApiFaults(unittest.TestCase):
    def setUp(self):
        self.w = _world()
        self.a, self.b = self.w.site("A")["region"], self.w.site("B")["region"]

    def test_throttling_is_retried_by_botocore(self):
        self.w.fault("ssm", "GetParameters", kind="throttle", times=2)
        out = _client("ssm", self.a, retries={"mode": "standard", "max_attempts": 3}).get_parameters(Names=["x"])
        self.assertEqual(out["InvalidParameters"], ["x"])
        self.assertEqual(out["ResponseMetadata"]["RetryAttempts"], 2)

    def test_access_denied_and_5xx(self):
        self.w.fault("rds", kind="access_denied", region=self.a)
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            _client("rds", self.a).describe_db_instances()
        self.assertEqual(caught.exception.response["Error"]["Code"], "AccessDenied")
        self.w.fault("sns", kind="server_error", times=1)
        with self.assertRaises(botocore.exceptions.ClientError):
            _client("sns", self.a, retries={"max_attempts": 1}).publish(TopicArn="arn:aws:sns:x:1:y", Message="m")

    def test_region_loss_and_partition_are_connect_timeouts(self):
        self.w.lose_region(self.a)
        with self.assertRaises(botocore.exceptions.ConnectTimeoutError):
            _client("rds", self.a, retries={"max_attempts": 1}).describe_db_instances()
        self.w.restore_region(self.a)
        self.w.partition(self.a, self.b, network=False, apis=True)
        self.assertTrue(self.w.api_reachable("rds", self.a, None), "the operator's laptop is not partitioned")
        self.assertFalse(self.w.api_reachable("rds", self.a, self.b))
        self.assertTrue(self.w.network_up(self.a, self.b), "the peering is not cut")


    def test_a_hang_is_a_read_timeout_after_the_clients_timeout_and_a_lost_response_is_executed(self):
        w = self.w
        w.fault("ssm", "PutParameter", kind="lost_response", times=1, caller="test-caller")
        w.fault("ssm", "GetParameter", kind="hang", times=1, caller="test-caller")
        done = {}

        def target():
            ssm = _client("ssm", self.b, read_timeout=7, retries={"mode": "standard", "total_max_attempts": 1})
            try:
                ssm.put_parameter(Name="/x", Value="1", Type="String")
            except botocore.exceptions.ReadTimeoutError:
                done["put"] = w.clock.now - T0
            try:
                ssm.get_parameter(Name="/x")
            except botocore.exceptions.ReadTimeoutError:
                done["get"] = w.clock.now - T0
        from sim.clock import Task
        w.clock.spawn(Task("test-caller", region=self.b), target)
        w.run(60)
        self.assertAlmostEqual(done["put"], 7, delta=0.5)
        self.assertAlmostEqual(done["get"], 14, delta=0.5)
        self.assertEqual(w.ssm.value(self.b, "/x"), "1", "the lost response's request was executed")


class Engines(unittest.TestCase):
    def test_rds_promotion_is_multi_minute_and_refuses_a_non_replica(self):
        w = _world()
        a, b = w.site("A"), w.site("B")
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            _client("rds", a["region"]).promote_read_replica(DBInstanceIdentifier=a["db_id"])
        self.assertEqual(caught.exception.response["Error"]["Code"], "InvalidDBInstanceState")
        w.copy("B").status = "backing-up"
        with self.assertRaises(botocore.exceptions.ClientError):
            _client("rds", b["region"]).promote_read_replica(DBInstanceIdentifier=b["db_id"])
        w.copy("B").status = "available"
        _client("rds", b["region"]).promote_read_replica(DBInstanceIdentifier=b["db_id"])
        w.start()
        w.clock.run_until(T0 + 200)
        self.assertFalse(w.copy("B").takes_writes(), "writable only at the end")
        w.clock.run_until(T0 + 301)
        self.assertTrue(w.copy("B").takes_writes())

    def test_rds_replica_lag_grows_when_the_source_region_is_lost(self):
        w = _world()
        w.start()
        w.clock.run_until(T0 + 120)
        w.lose_region(w.site("A")["region"])
        w.clock.run_until(T0 + 400)
        self.assertGreater(w.copy("B").replica_lag(), 250)

    def test_aurora_cannot_demote_an_unreachable_writer_until_its_region_returns(self):
        w = _world("aurora")
        w.start()
        a, b = w.site("A"), w.site("B")
        w.partition(a["region"], b["region"], network=True, apis=True, replication=True)
        w.clock.run_until(T0 + 10)
        _client("rds", b["region"]).failover_global_cluster(GlobalClusterIdentifier=b["function"].env[
            "GLOBAL_CLUSTER_ID"], TargetDbClusterIdentifier=w.copy("B").arn, AllowDataLoss=True)
        w.clock.run_until(T0 + 200)
        self.assertTrue(w.copy("A").takes_writes() and w.copy("B").takes_writes(), "two writers: split brain")
        w.heal(a["region"], b["region"])
        w.clock.run_until(T0 + 210)
        self.assertFalse(w.copy("A").takes_writes(), "demoted once reachable")

    def test_the_self_fence_holds_from_the_reboot_and_lifts_at_once(self):
        """default_transaction_read_only, immediate: new transactions only; the reboot ends the open sessions."""
        for engine, group_call, group_key in (("rds", "modify_db_parameter_group", "DBParameterGroupName"),
                                              ("aurora", "modify_db_cluster_parameter_group",
                                               "DBClusterParameterGroupName")):
            with self.subTest(engine=engine):
                self._check_self_fence(engine, group_call, group_key)

    def _check_self_fence(self, engine, group_call, group_key):
        w = _world(engine)
        w.start()
        a = w.site("A")
        rds = _client("rds", a["region"])
        group = w.copy("A").parameter_group
        self.assertTrue(group, "the template names the copy's own parameter group")

        def set_read_only(value):
            getattr(rds, group_call)(**{group_key: group, "Parameters": [{
                "ParameterName": "default_transaction_read_only", "ParameterValue": value,
                "ApplyMethod": "immediate"}]})
        set_read_only("1")
        self.assertTrue(w.copy("A").takes_writes(), "open sessions go on writing until a reboot")
        writer = "postgres-primary-dev" if engine == "rds" else f"{w.copy('A').id}-1"
        rds.reboot_db_instance(DBInstanceIdentifier=writer)
        w.clock.run_until(T0 + 120)
        self.assertFalse(w.copy("A").takes_writes(), "after the reboot every session is read-only")
        self.assertFalse(w.copy("A").in_recovery(), "pg_is_in_recovery() stays false: no standby")
        set_read_only("0")
        self.assertTrue(w.copy("A").takes_writes())
        with self.assertRaises(botocore.exceptions.ClientError):
            getattr(rds, group_call)(**{group_key: group, "Parameters": [{
                "ParameterName": "work_mem", "ParameterValue": "1", "ApplyMethod": "immediate"}]})


class UnpublishedDelays(unittest.TestCase):
    """The simulator runs on the budget's assumptions, read from their one declaration."""

    def test_every_delay_is_read_from_the_declaration_the_budget_counts(self):
        self.assertEqual(set(delays.DELAYS), {"alarm_evaluation", "health_check_follow", "async_invocation",
                                              "cold_start", "metric_readable"})
        for name, (seconds, what, source) in delays.DELAYS.items():
            with self.subTest(name=name):
                self.assertGreater(seconds, 0)
                self.assertTrue(what)
                self.assertTrue(source.startswith("https://docs.aws.amazon.com/"), source)
        from sim import cloudwatch, route53
        self.assertEqual(cloudwatch.EVALUATION_DELAY, delays.seconds("alarm_evaluation"))
        self.assertEqual(route53.HEALTH_CHECK_INTERVAL, delays.seconds("health_check_follow"))
        self.assertEqual((functions.ASYNC_START, functions.COLD_START),
                         (delays.seconds("async_invocation"), delays.seconds("cold_start")))
        self.assertEqual(_world().cloudwatch.read_delay, delays.seconds("metric_readable"))

    def test_a_datapoint_is_readable_within_the_handlers_read_back(self):
        import os
        path = os.path.join(os.path.dirname(delays.DEF_FILE), "..", "..", "runtime", "drsynth_failover", "state.py")
        with open(path, encoding="utf-8") as f:
            source = f.read()
        attempts = int(source.split("READ_BACK_ATTEMPTS = ", 1)[1].split()[0])
        pause = float(source.split("READ_BACK_PAUSE = ", 1)[1].split()[0])
        window = (attempts - 1) * pause
        self.assertLessEqual(delays.seconds("metric_readable"), window,
                             "the fence's read-back would give up before the datapoint is readable")

    def test_a_malformed_entry_is_refused(self):
        import os
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "bad.def")
            with open(path, "w", encoding="utf-8") as f:
                f.write('DRSYNTH_UNPUBLISHED_DELAY(alarm_evaluation, thirty, "x", "y")\n')
            with self.assertRaisesRegex(ValueError, "not one DRSYNTH_UNPUBLISHED_DELAY"):
                delays.read(path)


class LambdaAndEventBridge(unittest.TestCase):
    def setUp(self):
        self.w = _world()
        self.calls = []

        def failing(event, context):
            self.calls.append(self.w.clock.now - T0)
            raise RuntimeError("boom")
        self.fn = self.w.functions.add(Function("sim-test", self.w.site("B")["region"], "test", {}, 30, 1, "/none"))
        self.fn.override = failing

    def test_async_retries_twice_then_the_dead_letter_queue(self):
        self.w.start()
        self.w.functions.invoke_async(self.fn, {}, source="test", delay=0)
        self.w.clock.run_until(T0 + 600)
        self.assertEqual(len(self.calls), 3)
        self.assertAlmostEqual(self.calls[1] - self.calls[0], 60, delta=2)
        self.assertAlmostEqual(self.calls[2] - self.calls[1], 120, delta=2)
        self.assertEqual(len(self.fn.dlq_messages), 1)

    def test_reserved_concurrency_throttles(self):
        def slow(event, context):
            self.w.clock.sleep(20)
            return "ok"
        self.fn.override = slow
        self.w.start()
        first = self.w.functions.start(self.fn, {}, "test")
        self.assertEqual(self.w.functions.start(self.fn, {}, "test"), "throttled")
        self.w.clock.run_until(T0 + 30)
        self.assertEqual(first["outcome"], "ok")

    def test_timeout_kills_mid_step(self):
        self.fn.timeout = 5

        def slow(event, context):
            self.w.clock.sleep(60)
            self.calls.append("after")
        self.fn.override = slow
        self.w.start()
        run = self.w.functions.start(self.fn, {}, "test")
        self.w.clock.run_until(T0 + 120)
        self.assertEqual(run["outcome"], "timeout")
        self.assertEqual(self.calls, [], "a killed run never resumes")

    def test_schedules_late_twice_missing(self):
        self.fn.override = lambda event, context: self.calls.append(self.w.clock.now - T0)
        self.w.schedules.all = [Schedule("rule", self.fn.region, 60, self.fn, {"action": "x"}, 30.0)]
        self.w.schedule(function="sim-test", late=20, start=0, end=100)
        self.w.schedule(function="sim-test", twice=True, start=100, end=160)
        self.w.schedule(function="sim-test", missing=True, start=160, end=220)
        self.w.run(300)
        # fires at :30 of each minute; +1 s to the queue (+ the cold start the first time); late +20 s; twice;
        # missing at 210
        self.assertEqual([round(c) for c in self.calls], [round(51 + functions.COLD_START), 111, 151, 152, 271])


class Tasks(unittest.TestCase):
    def test_parallel_reads_interleave_and_a_crash_runs_no_finally(self):
        w = _world()
        log = []

        def read(name, seconds):
            def f():
                w.clock.sleep(seconds)
                log.append((name, w.clock.now - T0))
                return name
            return f

        def target():
            try:
                log.append(("parallel", w.run_parallel([read("a", 5), read("b", 3)])))
                log.append(("after", w.clock.now - T0))
                w.after_call("ssm", "PutParameter")   # the crash rule below kills the run here
            finally:
                log.append("finally")
        from sim.clock import Task
        fn = w.site("B")["function"]
        w.crash_after("ssm", "PutParameter", function="B")
        w.clock.spawn(Task("caller", region=fn.region, function=fn), target)
        w.run(30)
        self.assertEqual(log[:3], [("b", 3.0), ("a", 5.0), ("parallel", ["a", "b"])])
        self.assertNotIn("finally", log, "a crashed run is frozen, not unwound")


class Handlers(unittest.TestCase):
    def test_the_real_handlers_run_and_arm(self):
        for engine in ("rds", "aurora"):
            w = _world(engine)
            w.run(600)
            self.assertEqual((w.state("B") or {}).get("state"), "armed", engine)
            self.assertEqual(w.api.unmodelled, [], engine)
            probes = [r for r in w.functions.runs if r["kind"] == "probe" and r["region"] == w.site("A")["region"]]
            self.assertTrue(probes and all(r["outcome"] == "ok" for r in probes))
            self.assertEqual(json.loads(json.dumps(probes[-1]["summary"], default=str))["writer"], 1.0)


if __name__ == "__main__":
    unittest.main()
