"""The witness (drsynth_failover.witness), invoked as the failover function
invokes it (tests/failover_world.py runs it in process in its own region):
observe, claim (one grant, only for a lost target), release, status."""

import json
import unittest

from tests.failover_world import World


class Witness(unittest.TestCase):
    def setUp(self):
        self.w = World(self, "rds")
        self.lam = self.w.make_client("lambda", self.w.fx.witness_region, None)

    def ask(self, **payload):
        resp = self.lam.invoke(FunctionName="witness", InvocationType="RequestResponse",
                               Payload=json.dumps(payload).encode())
        body = json.loads(resp["Payload"].read())
        return resp.get("FunctionError"), body

    def claim(self, claimant=None):
        claimant = claimant or self.w.x
        target = self.w.y if claimant == self.w.x else self.w.x
        return self.ask(action="claim", claimant=claimant, target=target, request_id="r")[1]

    def test_observe_reads_the_site_from_its_own_region(self):
        self.w.healthy()
        self.assertEqual(self.ask(action="observe", site=self.w.y)[1]["verdict"], "serving")
        self.w.y_fails(apis_answer=True)
        seen = self.ask(action="observe", site=self.w.y)[1]
        self.assertEqual(seen["verdict"], "lost", seen)
        calls = {(c[2], c[3]) for c in self.w.calls if c[0] == "witness"}
        self.assertEqual(calls, {(self.w.y_region, "describe_db_instances"), (self.w.y_region, "describe_alarms"),
                                 (self.w.y_region, "get_metric_statistics")})

    def test_observe_unreachable_and_unknown(self):
        self.w.y_fails(apis_answer=False)
        self.assertEqual(self.ask(action="observe", site=self.w.y)[1]["verdict"], "unreachable")
        self.w.clear_faults()
        self.w.fault("access_denied", region=self.w.y_region)
        self.assertEqual(self.ask(action="observe", site=self.w.y)[1]["verdict"], "unknown")

    def test_a_claim_is_granted_once_and_only_for_a_lost_target(self):
        self.w.healthy()
        answer = self.claim()
        self.assertEqual((answer["grant"], answer["verdict"]), ("not_lost", "serving"))
        self.assertIsNone(self.w.grant())
        self.w.y_fails(apis_answer=True)
        self.assertEqual(self.claim()["grant"], "granted")
        self.assertEqual(self.w.grant()["claimant"], self.w.x)
        self.assertEqual(self.claim()["grant"], "granted")  # the holder again (a run that died after the grant)
        refused = self.claim(self.w.y)
        self.assertEqual((refused["grant"], refused["holder"]), ("refused", self.w.x))

    def test_release_only_by_the_holder(self):
        self.w.y_fails(apis_answer=True)
        self.claim()
        self.assertEqual(self.ask(action="release", claimant=self.w.y)[1], {"released": False, "holder": self.w.x})
        self.assertIsNotNone(self.w.grant())
        self.assertEqual(self.ask(action="release", claimant=self.w.x)[1]["released"], True)
        self.assertIsNone(self.w.grant())
        self.assertEqual(self.ask(action="release", claimant=self.w.x)[1]["released"], True)  # idempotent

    def test_status_is_read_only(self):
        self.w.healthy()
        answer = self.ask(action="status")[1]
        self.assertIsNone(answer["holder"])
        self.assertEqual(set(answer["sites"]), {self.w.x, self.w.y})
        self.assertFalse([c for c in self.w.calls if c[3].startswith(("put_", "delete_"))])

    def test_ping_answers_the_holder(self):
        self.assertEqual(self.ask(action="ping")[1], {"ok": True, "holder": None})

    def test_errors_are_function_errors(self):
        self.assertEqual(self.ask(action="nonsense")[0], "Unhandled")
        self.assertEqual(self.ask(action="claim", claimant=self.w.x, target=self.w.x)[0], "Unhandled")
        self.w.witness_env["SITE_B_REGION"] = self.w.y_region  # both sites in one region: refused
        self.assertEqual(self.ask(action="status")[0], "Unhandled")


if __name__ == "__main__":
    unittest.main()
