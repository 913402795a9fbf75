"""What an AWS error means, and every AWS call the failover function makes
under every kind of fault, for both engines.

``aws.classify``: only connect timeouts, read timeouts and unreachable
endpoints are "unreachable"; throttling, AccessDenied, 5xx and anything else
are "error" (unknown, never agreement).

The sweep: a baseline decision (site Y lost, its region answering, a witness)
promotes; then, for each distinct (service, region, operation) the failover
function called in it, the same scenario runs again with that call failing
for good with throttling, AccessDenied, a 5xx, a connect timeout or a read
timeout.  Whatever happens, the safety rules hold:

* a promotion only after Fenced{Y}=1 was published and read back, and after a claim;
* a failing read of Y's region is never agreement: no promotion;
* someone is paged, or the invocation raises (Lambda retries, the DLQ alarm pages).
"""

import unittest

from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
    SSLError,
)

from drsynth_failover import aws
from drsynth_failover import handler as failover
from tests.failover_world import World, make_fault

SWEEP_KINDS = ("throttling", "access_denied", "server_error", "connect_timeout", "read_timeout")
URL = "https://rds.us-east-1.amazonaws.com/"


class Classify(unittest.TestCase):
    def test_only_timeouts_and_unreachable_endpoints_are_unreachable(self):
        for exc in (ConnectTimeoutError(endpoint_url=URL), ReadTimeoutError(endpoint_url=URL),
                    EndpointConnectionError(endpoint_url=URL)):
            self.assertEqual(aws.classify(exc), aws.UNREACHABLE, exc)

    def test_throttling_access_denied_5xx_and_anything_else_are_errors(self):
        for kind in ("throttling", "access_denied", "server_error"):
            self.assertEqual(aws.classify(make_fault(kind, "DescribeDBInstances", URL)), aws.ERROR, kind)
        for exc in (ClientError({"Error": {"Code": "ServiceUnavailable"}, "ResponseMetadata": {"HTTPStatusCode": 503}},
                                "DescribeAlarms"),
                    ConnectionClosedError(endpoint_url=URL), SSLError(endpoint_url=URL, error="bad"),
                    NoCredentialsError(), RuntimeError("anything")):
            self.assertEqual(aws.classify(exc), aws.ERROR, exc)
        self.assertEqual(aws.classify(None), aws.OK)

    def test_attempt_never_raises_and_unknown_exceptions_are_errors(self):
        def boom():
            raise ValueError("not an AWS error")
        self.assertEqual(aws.attempt(boom).kind, aws.ERROR)
        self.assertEqual(aws.attempt(lambda: 42).as_dict(), {"kind": "ok", "value": 42, "error": None})
        outcome = aws.attempt(lambda: (_ for _ in ()).throw(ReadTimeoutError(endpoint_url=URL)))
        self.assertEqual(outcome.kind, aws.UNREACHABLE)


class Sweep:
    engine = None

    def scenario(self):
        self.w = World(self, self.engine)
        self.w.arm()
        self.w.y_fails(apis_answer=True)

    def run_once(self):
        try:
            return self.w.invoke(self.w.alarm_event()), None
        except failover.NotificationError as exc:
            return None, exc

    def test_every_call_under_every_fault(self):
        self.scenario()
        summary, _ = self.run_once()
        self.assertEqual(summary["decision"], "promoted", summary)
        calls = sorted({(c[1], c[2], c[3]) for c in self.w.calls if c[0] == "failover"})
        self.assertGreater(len(calls), 10)
        # the second signal's reads of Y's region (the peer's state parameter there is not one: best effort)
        y_reads = {c for c in calls if c[1] == self.w.y_region and c[2] in (
            "describe_db_instances", "describe_db_clusters", "describe_alarms", "get_metric_statistics")}
        self.assertTrue(y_reads)
        for service, region, operation in calls:
            for kind in SWEEP_KINDS:
                with self.subTest(call=f"{service} {region} {operation}", kind=kind):
                    self.scenario()
                    self.w.fault(kind, service=service, region=region, operation=operation)
                    summary, raised = self.run_once()
                    self.check(summary, raised, (service, region, operation) in y_reads)

    def check(self, summary, raised, y_read):
        promoted = self.w.fx.x_is_writer()
        if promoted:
            self.assertFalse(y_read, "a failing read of Y's region counted as agreement")
            self.assertIn(self.w.state().get("claim"), ("witness", "peer"))
            calls = [c for c in self.w.calls if c[0] == "failover"]
            first = next(i for i, c in enumerate(calls) if c[3] == self.w.fx.promote_operation)
            fence = [i for i, c in enumerate(calls[:first]) if c[3] == "put_metric_data" and
                     c[4]["MetricData"][0]["MetricName"] == "Fenced"]
            read_back = [i for i, c in enumerate(calls[:first]) if c[3] == "get_metric_statistics" and
                         c[4]["MetricName"] == "Fenced"]
            self.assertTrue(fence and read_back and fence[0] < read_back[-1], "promoted without a confirmed fence")
        paged = self.w.pages() or self.w.pages(self.w.y)
        self.assertTrue(paged or raised, f"nobody paged and nothing raised: {summary}")


class RdsSweep(Sweep, unittest.TestCase):
    engine = "rds"


class AuroraSweep(Sweep, unittest.TestCase):
    engine = "aurora"


if __name__ == "__main__":
    unittest.main()
