"""The environment contract (drsynth_failover/contract.json) and the shape of
the runtime tree: every variable a handler reads is in the contract, the
contract's rules are enforced, nothing under runtime/ is a link, no shipped
code edits sys.path."""

import ast
import json
import os
import re
import unittest

from drsynth_failover import contract
from tests import support
from tests.failover_world import World

RUNTIME = support.RUNTIME_DIR


def shipped_python():
    for root, dirs, files in os.walk(RUNTIME):
        dirs[:] = [d for d in dirs if d not in ("tests", "__pycache__")]
        for name in files:
            if name.endswith(".py"):
                yield os.path.join(root, name)


class Contract(unittest.TestCase):
    def test_the_file_is_well_formed(self):
        with open(contract.PATH) as f:
            data = json.load(f)
        self.assertEqual(set(data["functions"]), {"failover", "witness", "probe"})
        for function, entries in data["functions"].items():
            names = [e["name"] for e in entries]
            self.assertEqual(len(names), len(set(names)), function)
            for e in entries:
                with self.subTest(function=function, name=e["name"]):
                    self.assertRegex(e["name"], r"^[A-Z][A-Z0-9_]*$")
                    self.assertIn(e["required"], ("always", "optional", "rds", "aurora"))
                    self.assertTrue(e["doc"])
                    self.assertIn(e.get("type", "string"), ("string", "int", "number", "bool"))
                    if e["required"] == "optional":
                        self.assertIsInstance(e["default"], str)

    def test_the_probe_reads_only_contract_variables(self):
        allowed = set(contract.names("probe")) | {"AWS_REGION", "AWS_DEFAULT_REGION"}
        read = set()
        for path in (os.path.join(RUNTIME, "probe", "index.py"), os.path.join(RUNTIME, "drsynth_pgwire",
                                                                              "__init__.py")):
            with open(path) as f:
                read |= set(re.findall(r'(?:env|environ)\.get\("([A-Z][A-Z0-9_]*)"', f.read()))
        self.assertTrue(read)
        self.assertEqual(read - allowed, set())

    def test_the_failover_package_reads_the_environment_only_through_the_contract(self):
        for path in shipped_python():
            if os.sep + "drsynth_failover" + os.sep not in path:
                continue
            with open(path) as f:
                names = set(re.findall(r'environ(?:\.get\(|\[)"([A-Z][A-Z0-9_]*)"', f.read()))
            self.assertLessEqual(names, {"AWS_REGION", "AWS_DEFAULT_REGION"}, path)

    def test_a_full_environment_loads_with_types(self):
        w = World(self, "aurora")
        s = contract.failover_settings(w.env)
        self.assertEqual((s.engine, s.record_ttl, s.allow_detach, s.hold_minutes), ("aurora", 60, False, 3))
        self.assertEqual(s.witness_region, "us-east-2")
        self.assertEqual(s.topics, [w.topics[w.x], w.topics[w.y]])
        self.assertTrue(contract.witness_settings(w.witness_env).grant_parameter)

    def test_every_missing_variable_is_named(self):
        w = World(self, "aurora")
        env = dict(w.env, GLOBAL_CLUSTER_ID="", HOLD_ALARM_NAME="", RECORD_TTL="sixty")
        with self.assertRaises(contract.ContractError) as caught:
            contract.failover_settings(env)
        text = str(caught.exception)
        for name in ("GLOBAL_CLUSTER_ID", "HOLD_ALARM_NAME", "RECORD_TTL"):
            self.assertIn(name, text)
        rds_env = dict(w.env, ENGINE="rds", GLOBAL_CLUSTER_ID="")  # required for aurora only
        self.assertEqual(contract.failover_settings(rds_env).engine, "rds")

    def test_rules_no_single_variable_says(self):
        w = World(self, "rds")
        for change, text in (({"ENGINE": "mysql"}, "ENGINE must be one of"),
                             ({"REMOTE_REGION": w.x_region}, "different regions"),
                             ({"ALLOW_DETACH": "yes"}, "true or false"),
                             ({"ARM_AFTER_HEALTHY_MINUTES": "0"}, ">= 1"),
                             ({"WITNESS_FUNCTION_ARN": f"arn:aws:lambda:{w.x_region}:1:function:w"}, "third region")):
            with self.subTest(change=change), self.assertRaises(contract.ContractError) as caught:
                contract.failover_settings(dict(w.env, **change))
            self.assertIn(text, str(caught.exception))
        self.assertTrue(contract.failover_settings(dict(w.env, ALLOW_DETACH="TRUE")).allow_detach)

    def test_unknown_names_are_reported_reserved_ones_are_not(self):
        self.assertEqual(contract.unknown("failover", ["ENGINE", "AWS_REGION", "_HANDLER", "PRIMARY_REGION", "TZ"]),
                         ["PRIMARY_REGION"])


class RuntimeTree(unittest.TestCase):
    def test_no_links_under_runtime(self):
        links = [os.path.join(root, n) for root, dirs, files in os.walk(RUNTIME) for n in dirs + files
                 if os.path.islink(os.path.join(root, n))]
        self.assertEqual(links, [])

    def test_no_sys_path_edits_in_shipped_code(self):
        for path in shipped_python():
            with open(path) as f:
                tree = ast.parse(f.read())
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and node.attr == "path" and \
                        isinstance(node.value, ast.Name) and node.value.id == "sys":
                    self.fail(f"{path} touches sys.path")

    def test_the_entry_points_only_import_the_packages_handlers(self):
        for handler, module in (("failover", "drsynth_failover.handler"), ("witness", "drsynth_failover.witness")):
            with open(os.path.join(RUNTIME, handler, "index.py")) as f:
                tree = ast.parse(f.read())
            imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
            self.assertEqual([(n.module, [a.name for a in n.names]) for n in imports], [(module, ["handler"])])
            self.assertEqual(len([n for n in tree.body if not isinstance(n, ast.Expr)]), 1)


if __name__ == "__main__":
    unittest.main()
