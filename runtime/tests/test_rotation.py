"""Rotation handler against a REAL PostgreSQL 15 server (log_statement=all);
Secrets Manager served by moto, driven step by step as Secrets Manager does.
Run from the repository root with ``python3 -m unittest discover -s runtime/tests -t runtime -v``."""

import contextlib
import io
import json
import os
import shutil
import string
import time
import unittest
import uuid
from unittest import mock

import boto3
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.secretsmanager.models import secretsmanager_backends

from tests import support

rotation = support.load_handler("rotation")

REGION = "us-east-1"
SECRET_ID = "drsynth/dev/aurora-master"
SUPERUSER_PW = "Sup3r-Secret-pw"
MASTER_PW = "Master-initial-pw-1"
EXCLUDE = " \"'/@\\"

HAVE_PG = all(support.find_pg_bin(b) for b in ("initdb", "pg_ctl", "postgres")) and shutil.which("psql")


class PasswordsAndVerifiers(unittest.TestCase):
    def test_generated_passwords_have_every_class_and_no_excluded_character(self):
        for _ in range(200):
            pw = rotation.generate_password(32, EXCLUDE)
            self.assertEqual(len(pw), 32)
            self.assertFalse(set(pw) & set(EXCLUDE), pw)
            for cls in (string.ascii_lowercase, string.ascii_uppercase, string.digits):
                self.assertTrue(set(pw) & set(cls))
            self.assertTrue(set(pw) & (set(string.punctuation) - set(EXCLUDE)))
            self.assertTrue(all(33 <= ord(c) <= 126 for c in pw))

    def test_impossible_password_settings_are_refused(self):
        with self.assertRaises(rotation.RotationError):
            rotation.generate_password(2, EXCLUDE)
        with self.assertRaises(rotation.RotationError):
            rotation.generate_password(32, string.printable)

    def test_verifier_has_postgres_format(self):
        v = rotation.scram_sha_256_verifier("pencil", salt=b"\x00" * 16)
        head, keys = v.split("$", 1)[1].split("$")
        self.assertTrue(v.startswith("SCRAM-SHA-256$4096:"))
        self.assertEqual(head, "4096:AAAAAAAAAAAAAAAAAAAAAA==")
        stored, server = keys.split(":")
        self.assertEqual(len(stored), 44)
        self.assertEqual(len(server), 44)
        self.assertNotEqual(rotation.scram_sha_256_verifier("pencil"), rotation.scram_sha_256_verifier("pencil"))

    def test_identifiers_are_quoted(self):
        self.assertEqual(rotation.quote_ident('we"ird'), '"we""ird"')


@unittest.skipUnless(HAVE_PG, "PostgreSQL 15 binaries (initdb, pg_ctl, postgres, psql) not found")
@unittest.skipUnless(support.have_cryptography(), "Python package cryptography not found")
class RotationAgainstRealPostgres(unittest.TestCase):
    server = None

    @classmethod
    def setUpClass(cls):
        support.fake_aws_env(REGION)
        cls.server = support.PostgresServer(SUPERUSER_PW)
        cls.pki = cls.server.start_with_tls(["host all all 127.0.0.1/32 scram-sha-256"],
                                            extra_conf="log_statement = 'all'\n")

    @classmethod
    def tearDownClass(cls):
        if cls.server:
            cls.server.cleanup()

    def setUp(self):
        self.server.psql("DROP ROLE IF EXISTS master")
        self.server.psql(f"CREATE ROLE master LOGIN PASSWORD '{MASTER_PW}'")
        self.aws = mock_aws()
        self.aws.start()
        self.addCleanup(self.aws.stop)
        patcher = mock.patch.dict(os.environ, {"EXCLUDE_CHARACTERS": EXCLUDE, "PASSWORD_LENGTH": "32",
                                               "CONNECT_TIMEOUT_SECONDS": "5", "DB_CA_BUNDLE": self.pki.ca})
        patcher.start()
        self.addCleanup(patcher.stop)
        self.sm = boto3.client("secretsmanager", region_name=REGION)
        self.secret = {"username": "master", "password": MASTER_PW, "engine": "aurora-postgresql",
                       "host": "127.0.0.1", "port": self.server.port, "dbname": "postgres"}
        self.arn = self.sm.create_secret(Name=SECRET_ID, SecretString=json.dumps(self.secret))["ARN"]

    # -- helpers -------------------------------------------------------------
    def start_rotation(self):
        """What Secrets Manager's RotateSecret does before it invokes the function: rotation
        enabled, a new version without a value staged AWSPENDING (moto's own rotate_secret,
        without a function, would make that empty version AWSCURRENT instead)."""
        secret = secretsmanager_backends[DEFAULT_ACCOUNT_ID][REGION].secrets[self.arn]
        token = str(uuid.uuid4())
        secret.remove_version_stages_from_old_versions(["AWSPENDING"])
        secret.versions[token] = {"createdate": int(time.time()), "version_id": token, "version_stages": ["AWSPENDING"]}
        secret.rotation_requested = secret.rotation_enabled = True
        secret.auto_rotate_after_days = 30
        return token

    def step(self, name, token):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            result = rotation.handler({"SecretId": self.arn, "ClientRequestToken": token, "Step": name})
        return result, out.getvalue()

    def rotate(self, token):
        return [self.step(s, token)[0]["outcome"] for s in ("createSecret", "setSecret", "testSecret", "finishSecret")]

    def logs_in(self, password, user="master"):
        conn = rotation.connect({"host": "127.0.0.1", "port": self.server.port, "dbname": "postgres",
                                 "username": user, "password": password})
        if conn is None:
            return False
        conn.close()
        return True

    def current(self):
        return json.loads(self.sm.get_secret_value(SecretId=self.arn, VersionStage="AWSCURRENT")["SecretString"])

    # -- tests ---------------------------------------------------------------
    def test_full_rotation_changes_the_password_and_the_log_never_holds_it(self):
        token = self.start_rotation()
        outcomes = self.rotate(token)
        self.assertEqual(outcomes, ["pending version created", "password set", "pending password works",
                                    "pending version is current"])
        new = self.current()
        self.assertNotEqual(new["password"], MASTER_PW)
        self.assertEqual({k: v for k, v in new.items() if k != "password"},
                         {k: v for k, v in self.secret.items() if k != "password"})
        self.assertTrue(self.logs_in(new["password"]))
        self.assertFalse(self.logs_in(MASTER_PW))
        stages = self.sm.describe_secret(SecretId=self.arn)["VersionIdsToStages"]
        # Secrets Manager removes AWSPENDING from the version once the function returns.
        self.assertIn("AWSCURRENT", stages[token])
        self.assertIn(["AWSPREVIOUS"], stages.values())
        log = self.server.log()
        self.assertIn('ALTER ROLE "master" WITH PASSWORD \'SCRAM-SHA-256$4096:', log)
        self.assertNotIn(new["password"], log)
        stored = self.server.psql("SELECT rolpassword FROM pg_authid WHERE rolname = 'master'")
        self.assertTrue(stored.startswith("SCRAM-SHA-256$4096:"))

    def test_secrets_manager_drives_the_four_steps_through_rotate_secret(self):
        # moto's RotateSecret invokes the function for each step; its Lambda backend
        # is replaced by one that runs the handler in this process.
        calls = []

        class InProcessLambda:
            def get_function(self, arn):
                return arn

            def invoke(self, arn, qualifier, body, headers, response_headers):
                calls.append(json.loads(body)["Step"])
                with contextlib.redirect_stdout(io.StringIO()):
                    return json.dumps(rotation.handler(json.loads(body)))

        arn = f"arn:aws:lambda:{REGION}:{DEFAULT_ACCOUNT_ID}:function:rotate-db-test"
        with mock.patch("moto.awslambda.utils.get_backend", return_value=InProcessLambda()):
            self.sm.rotate_secret(SecretId=self.arn, RotationLambdaARN=arn,
                                  RotationRules={"AutomaticallyAfterDays": 30})
        self.assertEqual(calls, ["createSecret", "setSecret", "testSecret", "finishSecret"])
        new = self.current()["password"]
        self.assertNotEqual(new, MASTER_PW)
        self.assertTrue(self.logs_in(new))
        self.assertFalse(self.logs_in(MASTER_PW))

    def test_every_step_can_run_again(self):
        token = self.start_rotation()
        first = [self.step(s, token)[0]["outcome"] for s in ("createSecret", "createSecret", "setSecret", "setSecret")]
        self.assertEqual(first, ["pending version created", "pending version exists", "password set",
                                 "pending password already set"])
        self.assertEqual(self.step("testSecret", token)[0]["outcome"], "pending password works")
        self.assertEqual(self.step("finishSecret", token)[0]["outcome"], "pending version is current")
        self.assertEqual(self.step("finishSecret", token)[0]["outcome"], "already current")
        self.assertTrue(self.logs_in(self.current()["password"]))

    def test_two_rotations_in_a_row(self):
        self.rotate(self.start_rotation())
        second = self.current()["password"]
        self.rotate(self.start_rotation())
        third = self.current()["password"]
        self.assertNotEqual(second, third)
        self.assertTrue(self.logs_in(third))
        self.assertFalse(self.logs_in(second))

    def test_set_secret_falls_back_to_the_previous_password(self):
        # The database still has the previous password while AWSCURRENT holds another
        # (a rotation that was interrupted and restarted): AWSPREVIOUS logs in.
        self.rotate(self.start_rotation())
        rotated = self.current()["password"]
        self.server.psql(f"ALTER ROLE master PASSWORD '{MASTER_PW}'")
        self.assertFalse(self.logs_in(rotated))
        token = self.start_rotation()
        self.step("createSecret", token)
        self.assertEqual(self.step("setSecret", token)[0]["outcome"], "password set")
        pending = json.loads(self.sm.get_secret_value(SecretId=self.arn, VersionId=token,
                                                      VersionStage="AWSPENDING")["SecretString"])
        self.assertTrue(self.logs_in(pending["password"]))

    def test_no_working_password_fails_set_secret_and_leaves_the_database_alone(self):
        self.server.psql("ALTER ROLE master PASSWORD 'somebody-else-changed-it'")
        token = self.start_rotation()
        self.step("createSecret", token)
        with self.assertRaises(rotation.RotationError):
            self.step("setSecret", token)
        self.assertTrue(self.logs_in("somebody-else-changed-it"))
        with self.assertRaises(rotation.RotationError):
            self.step("testSecret", token)

    def test_unreachable_database_is_an_error_not_a_wrong_password(self):
        self.secret["port"] = support.free_port()
        self.sm.put_secret_value(SecretId=self.arn, SecretString=json.dumps(self.secret))
        token = self.start_rotation()
        self.step("createSecret", token)
        with self.assertRaises(rotation.RotationError) as ctx:
            self.step("setSecret", token)
        self.assertIn("cannot reach", str(ctx.exception))

    def test_a_server_whose_certificate_the_bundle_does_not_trust_never_gets_a_password(self):
        token = self.start_rotation()
        self.step("createSecret", token)
        with (mock.patch.dict(os.environ, {"DB_CA_BUNDLE": self.pki.other_ca}),
              self.assertRaises(rotation.RotationError) as ctx):
            self.step("setSecret", token)
        self.assertIn("tls_error", str(ctx.exception))
        self.assertTrue(self.logs_in(MASTER_PW))  # nothing changed

    def test_a_pending_secret_for_another_user_is_refused(self):
        token = self.start_rotation()
        other = dict(self.secret, username="postgres", password="x" * 20)
        self.sm.put_secret_value(SecretId=self.arn, ClientRequestToken=token, SecretString=json.dumps(other),
                                 VersionStages=["AWSPENDING"])
        with self.assertRaises(rotation.RotationError) as ctx:
            self.step("setSecret", token)
        self.assertIn("'username'", str(ctx.exception))
        self.assertTrue(self.logs_in(SUPERUSER_PW, user="postgres"))

    def test_events_for_versions_that_are_not_pending_are_refused(self):
        token = self.start_rotation()
        with self.assertRaises(rotation.RotationError):
            self.step("createSecret", "00000000-0000-0000-0000-000000000000")
        with self.assertRaises(rotation.RotationError):
            self.step("rebootSecret", token)

    def test_output_never_contains_a_password(self):
        token = self.start_rotation()
        printed = "".join(self.step(s, token)[1] for s in ("createSecret", "setSecret", "testSecret", "finishSecret"))
        self.assertNotIn(MASTER_PW, printed)
        self.assertNotIn(self.current()["password"], printed)
        for line in printed.splitlines():
            self.assertEqual(json.loads(line)["event"], "rotation")


if __name__ == "__main__":
    unittest.main()
