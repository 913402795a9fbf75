"""Probe handler against a REAL PostgreSQL 15 server; AWS (Secrets Manager,
CloudWatch) served by moto.  Every case reads the published metrics back:
``Writer`` {System, Site} per site, ``ProbeLatency``, ``ProbeFault`` {System,
Probe}.  A probe fault (the server answered the protocol, or the probe could
not try while the server answers an SSLRequest) is never a 0: it publishes
the site's last Writer value (none without history) and ProbeFault 1.  Run
from the repository root with
``python3 -m unittest discover -s runtime/tests -t runtime -v``."""

import contextlib
import datetime
import io
import json
import os
import shutil
import socket
import tempfile
import threading
import time
import unittest
from unittest import mock

import boto3
from moto import mock_aws

from tests import support

probe = support.load_handler("probe")

REGION = "eu-west-1"
SECRET_ID = "drsynth/dev/db"
SUPERUSER_PW = "Sup3r-Secret-pw"
PROBE_PW = "Pr0be-pw-initial"
MD5_PW = "md5-Secret-pw"
CLEAR_PW = "clear-Secret-pw"
NAMESPACE = "drsynth-test"
DIM_NAME, DIM_VALUE = "System", "dr-test"
SITE, OTHER_SITE = "primary", "replica"

HAVE_PG = all(support.find_pg_bin(b) for b in ("initdb", "pg_ctl", "postgres")) and shutil.which("psql")
RDS_BUNDLE = os.path.join(support.RUNTIME_DIR, "probe", probe.DEFAULT_CA_BUNDLE)


def _metric_values(metric, site=SITE, since_minutes=10):
    """Datapoints of Writer/ProbeLatency {System, Site=site} or ProbeFault {System, Probe=SITE}."""
    cw = boto3.client("cloudwatch", region_name=REGION)
    now = datetime.datetime.now(datetime.UTC)
    key = "Probe" if metric == "ProbeFault" else "Site"
    stats = cw.get_metric_statistics(
        Namespace=NAMESPACE, MetricName=metric, Dimensions=[{"Name": DIM_NAME, "Value": DIM_VALUE},
                                                            {"Name": key, "Value": SITE if key == "Probe" else site}],
        StartTime=now - datetime.timedelta(minutes=since_minutes), EndTime=now + datetime.timedelta(minutes=10),
        Period=60, Statistics=["Minimum", "Maximum", "SampleCount"])
    return stats["Datapoints"]


def _publish_history(value, minutes_ago=5, site=SITE):
    """A Writer datapoint published by an earlier run of this region's probe."""
    boto3.client("cloudwatch", region_name=REGION).put_metric_data(Namespace=NAMESPACE, MetricData=[{
        "MetricName": "Writer", "Value": value, "Unit": "Count",
        "Dimensions": [{"Name": DIM_NAME, "Value": DIM_VALUE}, {"Name": "Site", "Value": site}],
        "Timestamp": datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=minutes_ago)}])


class _SilentServer:
    """Accepts TCP connections (kernel backlog) and never answers."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.port = self.sock.getsockname()[1]

    def close(self):
        self.sock.close()


class _Listener:
    """A loopback listener answering each connection with `answer(conn)` in a thread."""

    def start(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            with conn:
                conn.settimeout(5)
                with contextlib.suppress(OSError, ValueError):
                    self.answer(conn)

    def close(self):
        self.stopped.set()
        self.thread.join(2)
        self.sock.close()


class _GarbageServer(_Listener):
    """Answers every connection with bytes that are not PostgreSQL."""

    def __init__(self, payload, greet_first=False):
        self.payload = payload
        self.greet_first = greet_first
        self.start()

    def answer(self, conn):
        if self.greet_first:
            conn.sendall(self.payload)
            time.sleep(0.3)
        conn.recv(1024)
        if not self.greet_first:
            conn.sendall(self.payload)
        time.sleep(0.3)


@unittest.skipUnless(HAVE_PG, "PostgreSQL 15 binaries (initdb, pg_ctl, postgres, psql) not found")
@unittest.skipUnless(support.have_cryptography(), "Python package cryptography not found")
class ProbeAgainstRealPostgres(unittest.TestCase):
    server = None

    @classmethod
    def setUpClass(cls):
        support.fake_aws_env(REGION)
        cls.server = support.PostgresServer(SUPERUSER_PW)

        def roles(server):
            server.psql(f"CREATE ROLE probe_user LOGIN PASSWORD '{PROBE_PW}'")
            server.psql("CREATE ROLE rotuser LOGIN PASSWORD 'rot-old-pw'")
            server.psql(f"CREATE ROLE clearuser LOGIN PASSWORD '{CLEAR_PW}'")
            # Store an MD5 verifier for md5user (password_encryption is scram by default).
            server.psql(f"SET password_encryption = 'md5'; CREATE ROLE md5user LOGIN PASSWORD '{MD5_PW}'")

        cls.pki = cls.server.start_with_tls(
            [
                "host all md5user 127.0.0.1/32 md5",
                "host all clearuser 127.0.0.1/32 password",
                "host all all 127.0.0.1/32 scram-sha-256",
            ],
            extra_conf="log_connections = on\n",
            prepare=roles,
        )

    @classmethod
    def tearDownClass(cls):
        if cls.server:
            cls.server.cleanup()

    def setUp(self):
        self.aws = mock_aws()
        self.aws.start()
        self.addCleanup(self.aws.stop)
        probe._CREDENTIALS_CACHE = None
        self.env = {
            "LOCAL_SITE": SITE, "LOCAL_DB_HOST": "127.0.0.1", "DB_PORT": str(self.server.port),
            "DB_NAME": "postgres",
            "DB_SECRET_ID": SECRET_ID, "METRIC_NAMESPACE": NAMESPACE, "METRIC_DIMENSION_NAME": DIM_NAME,
            "METRIC_DIMENSION_VALUE": DIM_VALUE, "PROBE_TIMEOUT_SECONDS": "5",
            "DB_CA_BUNDLE": self.pki.ca,
        }
        patcher = mock.patch.dict(os.environ, self.env)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.sm = boto3.client("secretsmanager", region_name=REGION)

    # -- helpers -------------------------------------------------------------
    def put_secret(self, username, password):
        payload = json.dumps({"username": username, "password": password, "engine": "postgres"})
        try:
            self.sm.create_secret(Name=SECRET_ID, SecretString=payload)
        except self.sm.exceptions.ResourceExistsException:
            self.sm.put_secret_value(SecretId=SECRET_ID, SecretString=payload)

    def invoke(self, **env):
        out = io.StringIO()
        with mock.patch.dict(os.environ, env), contextlib.redirect_stdout(out):
            result = probe.handler({}, None)
        lines = [line for line in out.getvalue().splitlines() if line.strip()]
        self.assertEqual(len(lines), 1, f"exactly one log line expected, got {lines}")
        logged = json.loads(lines[0])
        self.assertEqual(logged["event"], "probe")
        self.assertEqual(logged["healthy"], result["healthy"])
        self.assertEqual(logged["reason"], result["reason"])
        return result, logged

    def assert_metric(self, expected, fault=0.0):
        """Exactly one Writer datapoint for the site, with this value, and ProbeFault `fault`."""
        healthy = _metric_values("Writer")
        self.assertEqual(len(healthy), 1, healthy)
        self.assertEqual(healthy[0]["Minimum"], expected)
        self.assertEqual(healthy[0]["Maximum"], expected)
        self.assertEqual(healthy[0]["Unit"], "Count")
        latency = _metric_values("ProbeLatency")
        self.assertEqual(len(latency), 1, latency)
        self.assertEqual(latency[0]["Unit"], "Milliseconds")
        self.assertGreaterEqual(latency[0]["Minimum"], 0)
        self.assert_fault(fault)

    def assert_fault(self, expected):
        faults = _metric_values("ProbeFault")
        self.assertEqual(len(faults), 1, faults)
        self.assertEqual((faults[0]["Minimum"], faults[0]["Maximum"]), (expected, expected))

    def assert_probe_fault_not_outage(self, result):
        """The server answered (or the probe could not try while it answers):
        no Writer 0, no Writer at all without history, ProbeFault 1."""
        self.assertFalse(result["healthy"])
        self.assertEqual(_metric_values("Writer"), [], "a probe fault must not publish Writer=0")
        self.assertIsNone(result["writer"])
        self.assertTrue(result["fault"])
        self.assert_fault(1.0)
        self.assertEqual(len(_metric_values("ProbeLatency")), 1)

    # -- cases ---------------------------------------------------------------
    def test_healthy_scram(self):
        self.put_secret("probe_user", PROBE_PW)
        result, logged = self.invoke()
        self.assertTrue(result["healthy"], result)
        self.assertEqual(result["reason"], "ok")
        self.assertIs(result["standby"], False)
        self.assertEqual(result["auth"], "scram-sha-256")
        self.assertTrue(result["tls"])  # verified against the bundle, host name checked
        self.assertEqual(logged["host"], "127.0.0.1")
        self.assertEqual(logged["port"], self.server.port)
        self.assertIsInstance(logged["latency_ms"], (int, float))
        self.assertTrue(result["metrics_published"])
        self.assert_metric(1.0)
        # the server really saw our session (application_name=drsynth-probe)
        self.assertRegex(self.server.log(),
                         r"connection authorized: user=probe_user database=postgres application_name=drsynth-probe")

    def test_wrong_password(self):
        self.put_secret("probe_user", "not-the-password")
        result, _ = self.invoke()
        self.assertFalse(result["healthy"])
        self.assertEqual(result["reason"], "bad_password")
        self.assertEqual(result["sqlstate"], "28P01")
        self.assertTrue(result["credentials_refreshed"])
        self.assertEqual(result["attempts"], 1)  # refetched secret unchanged: no useless retry
        self.assert_probe_fault_not_outage(result)

    def test_unknown_user_is_bad_password(self):
        self.put_secret("nobody_here", "x")
        result, _ = self.invoke()
        self.assertEqual(result["reason"], "bad_password")
        self.assert_probe_fault_not_outage(result)

    def test_a_rotation_between_set_and_finish_is_healthy(self):
        # Single-user rotation: setSecret has given the database the AWSPENDING
        # password, finishSecret has not yet made it AWSCURRENT. The primary is fine.
        self.server.psql("ALTER ROLE rotuser PASSWORD 'rot-old-pw'")
        self.put_secret("rotuser", "rot-old-pw")
        self.sm.put_secret_value(SecretId=SECRET_ID, VersionStages=["AWSPENDING"],
                                 SecretString=json.dumps({"username": "rotuser", "password": "rot-mid-pw"}))
        self.server.psql("ALTER ROLE rotuser PASSWORD 'rot-mid-pw'")
        self.addCleanup(self.server.psql, "ALTER ROLE rotuser PASSWORD 'rot-old-pw'")
        result, _ = self.invoke()
        self.assertTrue(result["healthy"], result)
        self.assertTrue(result["credentials_pending"])
        self.assertEqual(result["attempts"], 2)
        self.assertEqual(probe._CREDENTIALS_CACHE["password"], "rot-old-pw")  # the cache keeps AWSCURRENT
        self.assert_metric(1.0)

    def test_rotated_password_refetched(self):
        self.put_secret("rotuser", "rot-old-pw")
        first, _ = self.invoke()
        self.assertTrue(first["healthy"], first)
        self.assertFalse(first["credentials_cached"])
        # Rotation: the server and the secret change; the cache still holds the old one.
        self.server.psql("ALTER ROLE rotuser PASSWORD 'rot-new-pw'")
        self.put_secret("rotuser", "rot-new-pw")
        self.assertEqual(probe._CREDENTIALS_CACHE["password"], "rot-old-pw")
        second, _ = self.invoke()
        self.assertTrue(second["healthy"], second)
        self.assertTrue(second["credentials_cached"])
        self.assertTrue(second["credentials_refreshed"])
        self.assertEqual(second["attempts"], 2)
        self.assertEqual(probe._CREDENTIALS_CACHE["password"], "rot-new-pw")
        # third run uses the refreshed cache directly
        third, _ = self.invoke()
        self.assertTrue(third["healthy"])
        self.assertEqual(third["attempts"], 1)
        datapoints = _metric_values("Writer")
        self.assertEqual(datapoints[0]["Minimum"], 1.0)
        self.assertEqual(datapoints[0]["SampleCount"], 3.0)

    def test_md5_refused_by_default(self):
        self.put_secret("md5user", MD5_PW)
        result, _ = self.invoke()
        self.assertFalse(result["healthy"])
        self.assertEqual(result["reason"], "auth_refused")
        self.assertIn("MD5", result["detail"])
        self.assert_probe_fault_not_outage(result)

    def test_md5_allowed_by_setting(self):
        self.put_secret("md5user", MD5_PW)
        result, _ = self.invoke(DB_ALLOW_MD5="true")
        self.assertTrue(result["healthy"], result)
        self.assertEqual(result["auth"], "md5")
        self.assert_metric(1.0)

    def test_md5_wrong_password(self):
        self.put_secret("md5user", "wrong")
        result, _ = self.invoke(DB_ALLOW_MD5="true")
        self.assertEqual(result["reason"], "bad_password")
        self.assert_probe_fault_not_outage(result)

    def test_cleartext_refused_by_default(self):
        self.put_secret("clearuser", CLEAR_PW)
        result, _ = self.invoke()
        self.assertFalse(result["healthy"])
        self.assertEqual(result["reason"], "auth_refused")
        self.assertIn("cleartext", result["detail"])
        self.assert_probe_fault_not_outage(result)

    def test_cleartext_allowed_by_setting_inside_verified_tls(self):
        self.put_secret("clearuser", CLEAR_PW)
        result, _ = self.invoke(DB_ALLOW_CLEARTEXT="true")
        self.assertTrue(result["healthy"], result)
        self.assertEqual(result["auth"], "password")
        self.assertTrue(result["tls"])

    def test_untrusted_certificate_is_refused_before_the_password_is_sent(self):
        self.put_secret("clearuser", CLEAR_PW)
        log_before = len(self.server.log())
        result, _ = self.invoke(DB_CA_BUNDLE=self.pki.other_ca, DB_ALLOW_CLEARTEXT="true")
        self.assertFalse(result["healthy"])
        self.assertEqual(result["reason"], "tls_error")
        self.assertIn("CERTIFICATE_VERIFY_FAILED", result["detail"])
        self.assertIsNone(result["auth"])
        # the server never got as far as authentication
        new_log = self.server.log()[log_before:]
        self.assertIn("could not accept SSL connection", new_log)
        self.assertNotIn("clearuser", new_log)
        self.assert_probe_fault_not_outage(result)

    def test_default_bundle_is_the_rds_bundle_and_refuses_this_server(self):
        # No DB_CA_BUNDLE: the probe uses the Amazon RDS bundle next to index.py
        # (scripts/rds_ca_bundle.sh makes it; scripts/bootstrap.sh runs that).
        self.assertTrue(os.path.isfile(RDS_BUNDLE), f"{RDS_BUNDLE} missing: run scripts/rds_ca_bundle.sh")
        with open(RDS_BUNDLE) as f:
            self.assertEqual(f.read().count("BEGIN CERTIFICATE"), 115)
        self.put_secret("probe_user", PROBE_PW)
        with mock.patch.dict(os.environ):
            del os.environ["DB_CA_BUNDLE"]
            result, _ = self.invoke()
        self.assertEqual(result["reason"], "tls_error")
        self.assertIn("CERTIFICATE_VERIFY_FAILED", result["detail"])

    def test_missing_bundle_never_means_unverified(self):
        self.put_secret("probe_user", PROBE_PW)
        result, _ = self.invoke(DB_CA_BUNDLE=os.path.join(self.server.base, "no-such-bundle.pem"))
        self.assertFalse(result["healthy"])
        self.assertEqual(result["reason"], "config_error")
        self.assertIn("cannot be turned off", result["detail"])
        self.assert_probe_fault_not_outage(result)

    def test_host_name_is_checked(self):
        # The certificate names 127.0.0.1 only; "localhost" reaches the same server.
        self.put_secret("probe_user", PROBE_PW)
        result, _ = self.invoke(LOCAL_DB_HOST="localhost")
        self.assertEqual(result["reason"], "tls_error", result)
        self.assertRegex(result["detail"], "(?i)hostname|IP address mismatch|doesn't match")

    def test_plaintext_server_is_refused(self):
        self.server.psql("ALTER SYSTEM SET ssl = off")
        self.server.psql("SELECT pg_reload_conf()")
        time.sleep(0.5)
        try:
            self.put_secret("probe_user", PROBE_PW)
            result, _ = self.invoke()
            self.assertEqual(result["reason"], "tls_error")
            self.assertIn("does not offer TLS", result["detail"])
            self.assert_probe_fault_not_outage(result)
        finally:
            self.server.psql("ALTER SYSTEM RESET ssl")
            self.server.psql("SELECT pg_reload_conf()")
            time.sleep(0.5)
        self.assertEqual(self.server.psql("SHOW ssl"), "on")

    def test_unknown_database_is_server_error(self):
        self.put_secret("probe_user", PROBE_PW)
        result, _ = self.invoke(DB_NAME="no_such_db")
        self.assertEqual(result["reason"], "server_error")
        self.assertEqual(result["sqlstate"], "3D000")
        self.assert_probe_fault_not_outage(result)

    def test_not_postgres_http(self):
        garbage = _GarbageServer(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        self.addCleanup(garbage.close)
        self.put_secret("probe_user", PROBE_PW)
        result, _ = self.invoke(DB_PORT=str(garbage.port))
        self.assertFalse(result["healthy"])
        self.assertEqual(result["reason"], "not_postgres")
        self.assert_metric(0.0)

    def test_not_postgres_ssh_banner(self):
        # starts with 'S' like an SSLRequest acceptance: must not be mistaken for PostgreSQL
        garbage = _GarbageServer(b"SSH-2.0-OpenSSH_9.2\r\n", greet_first=True)
        self.addCleanup(garbage.close)
        self.put_secret("probe_user", PROBE_PW)
        result, _ = self.invoke(DB_PORT=str(garbage.port))
        self.assertEqual(result["reason"], "not_postgres")
        self.assert_metric(0.0)

    def test_timeout_when_peer_never_answers(self):
        silent = _SilentServer()
        self.addCleanup(silent.close)
        self.put_secret("probe_user", PROBE_PW)
        started = time.monotonic()
        result, _ = self.invoke(DB_PORT=str(silent.port), PROBE_TIMEOUT_SECONDS="1.5")
        elapsed = time.monotonic() - started
        self.assertEqual(result["reason"], "timeout")
        # The connection attempt itself respects the budget (the probe measures it) ...
        self.assertLess(result["latency_ms"], (1.5 + 0.5) * 1000)
        # ... and the whole invocation, moto calls included, never hangs. The
        # slack absorbs a loaded CI machine; a hang would be unbounded.
        self.assertLess(elapsed, 1.5 + 5.0)
        self.assert_metric(0.0)

    def test_dns_failure(self):
        self.put_secret("probe_user", PROBE_PW)
        result, _ = self.invoke(LOCAL_DB_HOST="no-such-host.invalid", PROBE_TIMEOUT_SECONDS="2")
        self.assertIn(result["reason"], ("dns", "timeout"))  # a broken resolver may hang instead
        self.assert_metric(0.0)

    def test_every_site_is_probed_own_first(self):
        # The first site does not answer (its region is gone), the second is a
        # writable primary: each site gets its own Writer value.
        self.put_secret("probe_user", PROBE_PW)
        result, logged = self.invoke(LOCAL_DB_HOST="no-such-host.invalid", REMOTE_SITE=OTHER_SITE,
                                     REMOTE_DB_HOST="127.0.0.1", PROBE_TIMEOUT_SECONDS="2")
        self.assertFalse(result["healthy"])  # the top level is the own site's check
        self.assertIn(result["reason"], ("dns", "timeout"))
        self.assertEqual([s["site"] for s in logged["sites"]], [SITE, OTHER_SITE])
        self.assertEqual([s["writer"] for s in logged["sites"]], [0.0, 1.0])
        self.assertEqual(_metric_values("Writer")[0]["Maximum"], 0.0)
        self.assertEqual(_metric_values("Writer", site=OTHER_SITE)[0]["Minimum"], 1.0)
        self.assertEqual(len(_metric_values("ProbeLatency", site=OTHER_SITE)), 1)
        self.assert_fault(0.0)

    def test_every_site_unhealthy_when_none_is(self):
        self.put_secret("probe_user", PROBE_PW)
        result, logged = self.invoke(LOCAL_DB_HOST="no-such-host.invalid", REMOTE_SITE=OTHER_SITE,
                                     REMOTE_DB_HOST="localhost", PROBE_TIMEOUT_SECONDS="2")
        self.assertFalse(result["healthy"])
        self.assertIn(result["reason"], ("dns", "timeout"))  # the own site's reason
        self.assertEqual([s["host"] for s in logged["sites"]], ["no-such-host.invalid", "localhost"])
        self.assertEqual(logged["sites"][1]["reason"], "tls_error")  # localhost is not in the certificate
        self.assertEqual(_metric_values("Writer")[0]["Maximum"], 0.0)
        # the other site answered the protocol: a fault of the probe, not an outage
        self.assertEqual(_metric_values("Writer", site=OTHER_SITE), [])
        self.assert_fault(1.0)

    def test_secret_error(self):
        result, _ = self.invoke(DB_SECRET_ID="does/not/exist")
        self.assertEqual(result["reason"], "secret_error")
        self.assertEqual(result["sites"][0]["liveness"], "answered_S")
        self.assert_probe_fault_not_outage(result)

    def test_probe_fault_carries_the_last_writer_value_forward(self):
        # The server answered (here: it refused the password): the database is
        # alive, so the site keeps the value this region last observed.
        for history in (1.0, 0.0):
            with self.subTest(history=history), mock.patch.object(probe, "last_writer",
                                                                  wraps=probe.last_writer) as last:
                self.aws.stop()
                self.aws.start()
                probe._CREDENTIALS_CACHE = None
                _publish_history(history)
                self.put_secret("probe_user", "not-the-password")
                result, logged = self.invoke()
                last.assert_called_once_with(SITE)
                self.assertEqual(result["reason"], "bad_password")
                self.assertEqual((result["writer"], logged["sites"][0]["carried"]), (history, history))
                points = sorted(_metric_values("Writer"), key=lambda p: p["Timestamp"])
                self.assertEqual([p["Minimum"] for p in points], [history, history])  # history, then carried
                self.assert_fault(1.0)

    def test_reachable_tells_a_site_that_answers_from_one_that_is_gone(self):
        # a writer, a server that refused the probe: reachable; nothing answering: not
        self.put_secret("probe_user", PROBE_PW)
        _, logged = self.invoke(REMOTE_SITE=OTHER_SITE, REMOTE_DB_HOST="127.0.0.1")
        self.assertEqual([s["reachable"] for s in logged["sites"]], [1.0, 1.0])
        self.put_secret("probe_user", "not-the-password")
        closed = support.free_port()
        _, logged = self.invoke(DB_PORT=str(closed))
        self.assertEqual(logged["sites"][0]["reachable"], 0.0)
        points = sorted(_metric_values("Reachable"), key=lambda p: p["Timestamp"])
        self.assertEqual((points[-1]["Minimum"], points[-1]["Maximum"]), (0.0, 1.0))  # this minute: 1 then 0
        self.assertEqual(_metric_values("Reachable", site=OTHER_SITE)[0]["Minimum"], 1.0)

    def test_probe_fault_history_older_than_fifteen_minutes_is_not_carried(self):
        _publish_history(1.0, minutes_ago=20)
        self.put_secret("probe_user", "not-the-password")
        result, _ = self.invoke()
        self.assertIsNone(result["writer"])
        self.assertEqual(_metric_values("Writer", since_minutes=10), [])
        self.assert_fault(1.0)

    def test_secret_error_with_nothing_answering_is_an_outage(self):
        # The probe could not try AND no PostgreSQL answers the SSLRequest
        # there: as far as anyone can tell the site is down (and the probe at fault).
        closed = support.free_port()
        result, logged = self.invoke(DB_SECRET_ID="does/not/exist", DB_PORT=str(closed))
        self.assertEqual(result["reason"], "secret_error")
        self.assertEqual(logged["sites"][0]["liveness"], "refused")
        self.assertEqual(result["writer"], 0.0)
        self.assert_metric(0.0, fault=1.0)

    def test_configuration_error_with_the_server_answering_is_a_probe_fault(self):
        _publish_history(1.0)
        self.put_secret("probe_user", PROBE_PW)
        result, logged = self.invoke(DB_SCRAM_MAX_ITERATIONS="12")  # below 4096: config_error
        self.assertEqual(result["reason"], "config_error")
        self.assertEqual(logged["sites"][0]["liveness"], "answered_S")
        self.assertEqual(result["writer"], 1.0)
        self.assert_fault(1.0)

    def test_metric_publish_failure_is_logged_not_fatal(self):
        self.put_secret("probe_user", PROBE_PW)
        with mock.patch.object(probe, "publish_metrics", side_effect=RuntimeError("monitoring endpoint down")):
            result, logged = self.invoke()
        self.assertTrue(result["healthy"])
        self.assertFalse(logged["metrics_published"])
        self.assertIn("monitoring endpoint down", logged["metrics_error"])
        self.assertEqual(_metric_values("Writer"), [])
        self.assertEqual(_metric_values("ProbeFault"), [])


class _FakeScramServer:
    """Speaks just enough PostgreSQL (over TLS) to run SCRAM with the given
    iteration count, then sends a forged server signature."""

    def __init__(self, pki, iterations=4096):
        self.context = pki.server_context()
        self.iterations = iterations
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.got_client_final = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @staticmethod
    def _recv(conn, n):
        data = b""
        while len(data) < n:
            chunk = conn.recv(n - len(data))
            if not chunk:
                raise OSError("closed")
            data += chunk
        return data

    def _msg(self, conn):
        mtype = self._recv(conn, 1)
        length = int.from_bytes(self._recv(conn, 4), "big")
        return mtype, self._recv(conn, length - 4)

    def _serve(self):
        import base64
        try:
            raw, _ = self.sock.accept()
        except OSError:
            return
        with raw:
            raw.settimeout(5)
            try:
                self._recv(raw, 8)  # SSLRequest
                raw.sendall(b"S")
                conn = self.context.wrap_socket(raw, server_side=True)
                self.conn = conn  # closed by close()
                length = int.from_bytes(self._recv(conn, 4), "big")
                self._recv(conn, length - 4)  # StartupMessage
                sasl = (10).to_bytes(4, "big") + b"SCRAM-SHA-256\x00\x00"
                conn.sendall(b"R" + (len(sasl) + 4).to_bytes(4, "big") + sasl)
                _, body = self._msg(conn)
                client_first = body[body.index(b"n,,"):].decode()
                cnonce = client_first.split("r=", 1)[1]
                salt = base64.b64encode(b"saltsalt").decode()
                server_first = f"r={cnonce}SERVERNONCE,s={salt},i={self.iterations}".encode()
                payload = (11).to_bytes(4, "big") + server_first
                conn.sendall(b"R" + (len(payload) + 4).to_bytes(4, "big") + payload)
                mtype, _ = self._msg(conn)
                if mtype != b"p":  # e.g. Terminate: the client gave up before its proof
                    return
                self.got_client_final.set()
                forged = b"v=" + base64.b64encode(b"\x00" * 32)
                payload = (12).to_bytes(4, "big") + forged
                conn.sendall(b"R" + (len(payload) + 4).to_bytes(4, "big") + payload)
                ok = (0).to_bytes(4, "big")
                conn.sendall(b"R" + (8).to_bytes(4, "big") + ok)
                time.sleep(0.5)
            except (OSError, ValueError):
                pass

    def close(self):
        self.sock.close()
        self.thread.join(2)
        conn = getattr(self, "conn", None)
        if conn is not None:
            conn.close()


@unittest.skipUnless(support.have_cryptography(), "Python package cryptography not found")
class ProbeScramHostileServer(unittest.TestCase):
    """A server that cannot prove it knows the password, or asks for a key
    derivation that would eat the budget, must not pass."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="drsynth-pki-")
        cls.pki = support.TestPki(cls.tmp)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def run_against(self, fake, **env_extra):
        support.fake_aws_env(REGION)
        self.addCleanup(fake.close)
        with mock_aws():
            probe._CREDENTIALS_CACHE = None
            boto3.client("secretsmanager", region_name=REGION).create_secret(
                Name=SECRET_ID, SecretString=json.dumps({"username": "u", "password": "p"}))
            env = {"LOCAL_SITE": SITE, "LOCAL_DB_HOST": "127.0.0.1", "DB_PORT": str(fake.port),
                   "DB_SECRET_ID": SECRET_ID,
                   "METRIC_NAMESPACE": NAMESPACE, "METRIC_DIMENSION_NAME": DIM_NAME,
                   "METRIC_DIMENSION_VALUE": DIM_VALUE, "PROBE_TIMEOUT_SECONDS": "5",
                   "DB_CA_BUNDLE": self.pki.ca, **env_extra}
            started = time.monotonic()
            with mock.patch.dict(os.environ, env), contextlib.redirect_stdout(io.StringIO()):
                result = probe.handler({}, None)
            result["elapsed"] = time.monotonic() - started
            # A hostile server never makes the site a writer: 0 (timeout) or, when it
            # answered the protocol, no Writer at all (a fault of the probe, paged).
            writer = _metric_values("Writer")
            self.assertTrue(all(p["Maximum"] == 0.0 for p in writer), writer)
            result["fault_published"] = _metric_values("ProbeFault")[0]["Maximum"]
        return result

    def test_forged_server_signature_is_rejected(self):
        fake = _FakeScramServer(self.pki)
        result = self.run_against(fake)
        self.assertTrue(fake.got_client_final.is_set())
        self.assertFalse(result["healthy"])
        self.assertEqual(result["reason"], "auth_protocol_error")
        self.assertIn("signature", result["detail"])
        self.assertEqual(result["fault_published"], 1.0)

    def test_iteration_count_above_the_bound_is_refused(self):
        fake = _FakeScramServer(self.pki, iterations=2_000_000_000)
        result = self.run_against(fake)
        self.assertEqual(result["reason"], "auth_protocol_error")
        self.assertIn("iteration count 2000000000", result["detail"])
        self.assertFalse(fake.got_client_final.is_set())
        self.assertLess(result["elapsed"], 5)
        self.assertEqual(result["fault_published"], 1.0)

    def test_iteration_count_below_4096_is_refused(self):
        fake = _FakeScramServer(self.pki, iterations=1)
        result = self.run_against(fake)
        self.assertEqual(result["reason"], "auth_protocol_error")
        self.assertFalse(fake.got_client_final.is_set())
        self.assertEqual(result["fault_published"], 1.0)

    def test_key_derivation_that_does_not_fit_the_budget_is_not_started(self):
        # Allowed by the (raised) bound, but ~minutes of PBKDF2: refused as a
        # timeout within the 1 s budget instead of hanging the probe.
        fake = _FakeScramServer(self.pki, iterations=500_000_000)
        result = self.run_against(fake, DB_SCRAM_MAX_ITERATIONS="1000000000", PROBE_TIMEOUT_SECONDS="1")
        self.assertEqual(result["reason"], "timeout")
        self.assertIn("key derivation", result["detail"])
        self.assertFalse(fake.got_client_final.is_set())
        self.assertLess(result["elapsed"], 4)


    def test_server_shutting_down_or_starting_up_is_not_a_writer(self):
        # 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now:
        # the server is going away or not there yet: Writer 0, not a probe fault.
        for sqlstate in ("57P01", "57P02", "57P03"):
            with self.subTest(sqlstate=sqlstate):
                result = self.run_against(_FakeErrorServer(self.pki, sqlstate))
                self.assertEqual((result["reason"], result["sqlstate"]), ("server_error", sqlstate))
                self.assertEqual(result["writer"], 0.0)
                self.assertEqual(result["fault_published"], 0.0)

    def test_too_many_connections_is_a_probe_fault_not_an_outage(self):
        # 53300: the server is alive and busy; the probe could not get in.
        result = self.run_against(_FakeErrorServer(self.pki, "53300"))
        self.assertEqual((result["reason"], result["sqlstate"]), ("server_error", "53300"))
        self.assertIsNone(result["writer"])
        self.assertEqual(result["fault_published"], 1.0)


class _FakeErrorServer(_Listener):
    """TLS, then an ErrorResponse with the given SQLSTATE to the StartupMessage."""

    def __init__(self, pki, sqlstate):
        self.context = pki.server_context()
        self.sqlstate = sqlstate
        self.start()

    def answer(self, raw):
        raw.recv(8)  # SSLRequest
        raw.sendall(b"S")
        conn = self.context.wrap_socket(raw, server_side=True)
        conn.recv(4096)  # StartupMessage
        fields = b"SFATAL\x00C" + self.sqlstate.encode() + b"\x00Mmodelled\x00\x00"
        conn.sendall(b"E" + (len(fields) + 4).to_bytes(4, "big") + fields)
        time.sleep(0.2)
        conn.close()


@unittest.skipUnless(HAVE_PG, "PostgreSQL 15 binaries not found")
@unittest.skipUnless(support.have_cryptography(), "Python package cryptography not found")
class ProbeServerStopped(unittest.TestCase):
    """A separate cluster that is stopped during the test: healthy then refused."""

    def setUp(self):
        support.fake_aws_env(REGION)
        self.server = support.PostgresServer(SUPERUSER_PW)
        self.addCleanup(self.server.cleanup)
        pki = self.server.start_with_tls(["host all all 127.0.0.1/32 scram-sha-256"])
        self.aws = mock_aws()
        self.aws.start()
        self.addCleanup(self.aws.stop)
        probe._CREDENTIALS_CACHE = None
        boto3.client("secretsmanager", region_name=REGION).create_secret(
            Name=SECRET_ID, SecretString=json.dumps({"username": "postgres", "password": SUPERUSER_PW}))
        patcher = mock.patch.dict(os.environ, {
            "LOCAL_SITE": SITE, "LOCAL_DB_HOST": "127.0.0.1", "DB_PORT": str(self.server.port),
            "DB_SECRET_ID": SECRET_ID,
            "METRIC_NAMESPACE": NAMESPACE, "METRIC_DIMENSION_NAME": DIM_NAME, "METRIC_DIMENSION_VALUE": DIM_VALUE,
            "DB_CA_BUNDLE": pki.ca})
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_server_stopped_is_refused(self):
        with contextlib.redirect_stdout(io.StringIO()):
            up = probe.handler({}, None)
        self.assertTrue(up["healthy"], up)
        self.server.stop()
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            down = probe.handler({}, None)
        self.assertFalse(down["healthy"])
        self.assertEqual(down["reason"], "refused")
        self.assertEqual(down["sites"][0]["reachable"], 0.0)
        self.assertEqual(json.loads(out.getvalue().strip())["reason"], "refused")
        points = _metric_values("Writer")
        self.assertEqual(points[0]["SampleCount"], 2.0)
        self.assertEqual(points[0]["Minimum"], 0.0)
        self.assertEqual(points[0]["Maximum"], 1.0)

    def test_standby_is_not_a_healthy_primary(self):
        with contextlib.redirect_stdout(io.StringIO()):
            up = probe.handler({}, None)
        self.assertTrue(up["healthy"], up)
        self.assertIs(up["standby"], False)
        self.server.make_standby()
        with contextlib.redirect_stdout(io.StringIO()):
            down = probe.handler({}, None)
        self.assertFalse(down["healthy"], down)
        self.assertEqual(down["reason"], "standby")
        self.assertIs(down["standby"], True)
        self.assertEqual(_metric_values("Writer")[0]["Minimum"], 0.0)
        self.assertEqual(down["sites"][0]["reachable"], 1.0)  # a standby is up: Reachable tells it from a lost one


if __name__ == "__main__":
    unittest.main()
