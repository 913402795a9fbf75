"""drsynth PostgreSQL writer probe (AWS Lambda, Python 3.12, handler ``index.handler``).

Runs every minute inside a VPC, one probe in each site's region.  It probes
every site's endpoint, its own site first: connects (PostgreSQL protocol v3,
the package drsynth_pgwire shipped in this asset), authenticates, runs
``SELECT 1`` and ``SELECT pg_is_in_recovery()``, and publishes per site, in
its own region:

* ``Writer`` {System, Site}: 1 when the site is a writable primary
  (authenticated, ``SELECT 1``, not in recovery); 0 when it is not reachable
  or not a writable primary (connection refused, timeout, DNS, connection
  lost, not PostgreSQL, a standby, the server shutting down or starting up:
  SQLSTATE 57P0x);
* ``ProbeLatency`` {System, Site} in milliseconds;
* ``Reachable`` {System, Site}: 1 when a PostgreSQL server answered there at
  all (a writer, a standby, a server that refused the probe), 0 when nothing
  did (refused, timeout, DNS, connection lost, not PostgreSQL): a standby
  publishes Writer=0 every minute, so only this tells a standby that is up
  from one that is gone;

and once per run ``ProbeFault`` {System, Probe=<own site>}: 1 when the probe
itself is at fault.  **A probe fault is not an outage**: when the server
answered the protocol (a refused password, an authentication it will not
use, a TLS verification failure, a query or server error other than 57P0x),
or when the probe could not even try (its secret, its configuration) but a
protocol-level liveness check succeeds (TCP and an SSLRequest answered ``S``
or ``N``), the site's last observed ``Writer`` value (the last 15 minutes) is
published again instead of a 0, and ``ProbeFault`` is 1 (an alarm pages).

TLS is always verified (the Amazon RDS CA bundle next to this file, host name
checked), SCRAM-SHA-256 only unless a setting allows MD5 or cleartext, the
PBKDF2 cost is bounded; during a single-user rotation the ``AWSPENDING``
password is tried before a site is reported refused.  The probe never
writes to the database.  Environment: ``drsynth_failover/contract.json``
("probe"); see runtime/README.md.
"""

import datetime
import json
import os
import time

import boto3
from botocore.config import Config

import drsynth_pgwire as pgwire
from drsynth_pgwire import (  # noqa: F401
    AUTH_PROTOCOL_ERROR,
    AUTH_REFUSED,
    AUTH_UNSUPPORTED,
    BAD_PASSWORD,
    CONFIG_ERROR,
    CONNECTION_LOST,
    DNS,
    INTERNAL_ERROR,
    NOT_POSTGRES,
    QUERY_ERROR,
    REFUSED,
    SECRET_ERROR,
    SERVER_ERROR,
    STANDBY,
    TIMEOUT,
    TLS_ERROR,
    Policy,
    ProbeError,
)

APPLICATION_NAME = "drsynth-probe"
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CA_BUNDLE = pgwire.DEFAULT_CA_BUNDLE
CARRY_FORWARD_MINUTES = 15

# What a site's check tells about the site.
WRITER = "writer"        # a writable primary: Writer = 1
OUTAGE = "outage"        # not reachable or not a writable primary: Writer = 0
ANSWERED = "answered"    # the server answered the protocol; the probe is at fault: carry forward
NOT_TRIED = "not_tried"  # the probe could not try (secret, configuration, a bug): liveness decides

# Reasons that say the server answered the PostgreSQL protocol.
ANSWERED_REASONS = (BAD_PASSWORD, AUTH_REFUSED, AUTH_UNSUPPORTED, AUTH_PROTOCOL_ERROR, TLS_ERROR, QUERY_ERROR)
NOT_TRIED_REASONS = (SECRET_ERROR, CONFIG_ERROR, INTERNAL_ERROR)
# SQLSTATE class 57 "operator intervention", 57P01 admin_shutdown, 57P02
# crash_shutdown, 57P03 cannot_connect_now (starting up, shutting down, in
# recovery): the server is going away or not yet there, so not a writer
# (PostgreSQL 15, Appendix A: https://www.postgresql.org/docs/15/errcodes-appendix.html).
NOT_A_WRITER_SQLSTATE_PREFIX = "57P0"

# Small timeouts / few retries so an AWS API problem cannot hang the probe.
# (retries: "total_max_attempts" counts every attempt; "max_attempts" would count the retries only)
_AWS_CONFIG = Config(connect_timeout=3, read_timeout=5, retries={"total_max_attempts": 2, "mode": "standard"})

_clock = time.time  # the metric timestamp (replaced by the failure-scenario simulator)

# Credentials cached for the life of the execution environment.
_CREDENTIALS_CACHE = None  # {"secret_id": ..., "username": ..., "password": ...}

# The simulator replaces these module functions (each looked up when called):
# check_database(host, port, database, user, password, timeout, policy),
# liveness(host, port, timeout), fetch_credentials(secret_id, region, stage),
# policy_from_env(env), aws_client(service, region), last_writer(site).
check_database = pgwire.check_database
liveness = pgwire.liveness


def policy_from_env(env):
    return pgwire.policy_from_env(env, HERE, APPLICATION_NAME)


def aws_client(service, region):
    return boto3.client(service, region_name=region, config=_AWS_CONFIG)


def _lambda_region():
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"


def fetch_credentials(secret_id, region, stage=None):
    try:
        client = aws_client("secretsmanager", region)
        if stage:
            value = client.get_secret_value(SecretId=secret_id, VersionStage=stage)
        else:
            value = client.get_secret_value(SecretId=secret_id)
        secret = json.loads(value["SecretString"])
        creds = {"secret_id": secret_id, "username": secret["username"], "password": secret["password"]}
    except Exception as exc:  # every failure is a secret_error
        raise ProbeError(SECRET_ERROR, f"cannot read secret {secret_id}: {type(exc).__name__}: {exc}") from exc
    return creds


def get_credentials(secret_id, region, refresh=False):
    global _CREDENTIALS_CACHE
    cached = _CREDENTIALS_CACHE
    if not refresh and cached and cached["secret_id"] == secret_id:
        return cached, True
    creds = fetch_credentials(secret_id, region)
    _CREDENTIALS_CACHE = creds
    return creds, False


def _check_with_pending(site, creds_ctx, tried, budget_end, original):
    """check_database with the AWSPENDING version of the secret; raises `original`
    when there is none, or it is a password already tried."""
    try:
        pending = fetch_credentials(creds_ctx["secret_id"], creds_ctx["region"], stage="AWSPENDING")
    except ProbeError:
        pending = None  # no pending version to read: the original failure stands
    if pending is None or (pending["username"], pending["password"]) in tried:
        raise original
    site["attempts"] += 1
    site["credentials_pending"] = True
    return check_database(site["host"], site["port"], site["database"], pending["username"], pending["password"],
                          max(budget_end - time.monotonic(), 0.001), creds_ctx["policy"])


def _check_host(site, creds, creds_ctx, timeout):
    """check_database on one site, with the rotation retries below. Raises ProbeError."""
    policy = creds_ctx["policy"]
    # One total budget for connect+auth+query, shared by the retry below.
    budget_end = time.monotonic() + timeout
    try:
        site["attempts"] += 1
        return check_database(site["host"], site["port"], site["database"], creds["username"], creds["password"],
                              timeout, policy)
    except ProbeError as exc:
        if exc.reason != BAD_PASSWORD:
            raise
        # The password may have been rotated: refetch the secret once and retry
        # if it changed (retrying with identical credentials cannot succeed).
        fresh, _ = get_credentials(creds_ctx["secret_id"], creds_ctx["region"], refresh=True)
        site["credentials_refreshed"] = True
        tried = {(creds["username"], creds["password"])}
        if (fresh["username"], fresh["password"]) not in tried:
            tried.add((fresh["username"], fresh["password"]))
            site["attempts"] += 1
            try:
                return check_database(site["host"], site["port"], site["database"], fresh["username"],
                                      fresh["password"], max(budget_end - time.monotonic(), 0.001), policy)
            except ProbeError as again:
                if again.reason != BAD_PASSWORD:
                    raise
        # A single-user rotation between setSecret and finishSecret: the
        # database already has the AWSPENDING password while AWSCURRENT
        # still holds the old one. That is not an unhealthy primary.
        return _check_with_pending(site, creds_ctx, tried, budget_end, exc)


def kind_of(reason, sqlstate):
    """WRITER, OUTAGE, ANSWERED or NOT_TRIED for a check's reason."""
    if reason == "ok":
        return WRITER
    if reason == SERVER_ERROR:
        return OUTAGE if (sqlstate or "").startswith(NOT_A_WRITER_SQLSTATE_PREFIX) else ANSWERED
    if reason in ANSWERED_REASONS:
        return ANSWERED
    if reason in NOT_TRIED_REASONS:
        return NOT_TRIED
    return OUTAGE  # refused, timeout, dns, connection_lost, not_postgres, standby


def _sites(env):
    sites = [(env.get("LOCAL_SITE") or "unknown", env.get("LOCAL_DB_HOST", ""))]
    if env.get("REMOTE_DB_HOST"):
        sites.append((env.get("REMOTE_SITE") or "unknown-remote", env.get("REMOTE_DB_HOST", "")))
    return sites


def run_probe():
    """Check every site; returns (the local site's result with the run's fields, [site results])."""
    env = os.environ
    database = env.get("DB_NAME", "postgres") or "postgres"
    secret_id = env.get("DB_SECRET_ID", "")
    secret_region = env.get("SECRET_REGION") or _lambda_region()
    results = []
    setup_error, creds, creds_ctx, timeout, port = None, None, None, 5.0, None
    run = {"credentials_cached": None}
    try:
        try:
            port = int(env.get("DB_PORT", "5432") or "5432")
            timeout = float(env.get("PROBE_TIMEOUT_SECONDS", "5") or "5")
        except ValueError as exc:
            raise ProbeError(CONFIG_ERROR, f"bad DB_PORT/PROBE_TIMEOUT_SECONDS: {exc}") from exc
        missing = [name for name in ("LOCAL_SITE", "LOCAL_DB_HOST", "DB_SECRET_ID", "METRIC_DIMENSION_VALUE")
                   if not env.get(name)] + (["REMOTE_SITE"] if env.get("REMOTE_DB_HOST") and
                                            not env.get("REMOTE_SITE") else [])
        if missing:
            raise ProbeError(CONFIG_ERROR, "missing environment variables: " + ", ".join(missing))
        policy = policy_from_env(env)
        creds, run["credentials_cached"] = get_credentials(secret_id, secret_region)
        creds_ctx = {"secret_id": secret_id, "region": secret_region, "policy": policy}
    except ProbeError as exc:
        setup_error = exc
    except Exception as exc:  # noqa: BLE001 - the probe must always report
        setup_error = ProbeError(INTERNAL_ERROR, f"{type(exc).__name__}: {exc}")
    for site_id, host in _sites(env):
        site = {"site": site_id, "host": host, "port": port, "database": database, "healthy": False,
                "reason": None, "detail": None, "latency_ms": None, "standby": None, "tls": None, "auth": None,
                "sqlstate": None, "attempts": 0, "credentials_refreshed": False}
        start = time.monotonic()
        try:
            if setup_error is not None:
                raise setup_error
            site.update(_check_host(site, creds, creds_ctx, timeout))
            site["healthy"], site["reason"] = True, "ok"
        except ProbeError as exc:
            site.update(getattr(exc, "info", {}))
            site["reason"], site["detail"], site["sqlstate"] = exc.reason, exc.detail, exc.sqlstate
        except Exception as exc:  # noqa: BLE001 - the probe must always report
            site["reason"], site["detail"] = INTERNAL_ERROR, f"{type(exc).__name__}: {exc}"
        site["latency_ms"] = round((time.monotonic() - start) * 1000.0, 1)
        site["kind"] = kind_of(site["reason"], site["sqlstate"])
        if creds is not None:
            creds = _CREDENTIALS_CACHE or creds  # a refreshed secret serves the next site
        if site["kind"] == NOT_TRIED:
            site["liveness"] = _liveness(host, port, timeout)
        results.append(site)
    return dict(results[0], **run), results


def _liveness(host, port, timeout):
    if not host or port is None:
        return "not_checked"
    try:
        return "answered_" + liveness(host, port, timeout)
    except ProbeError as exc:
        return exc.reason
    except Exception as exc:  # noqa: BLE001
        return f"{INTERNAL_ERROR}: {type(exc).__name__}"


def _dimensions(env, name, value):
    return [{"Name": env.get("METRIC_DIMENSION_NAME", "System") or "System",
             "Value": env.get("METRIC_DIMENSION_VALUE", "default") or "default"}, {"Name": name, "Value": value}]


def last_writer(site_id):
    """The last Writer value this region holds for the site (CARRY_FORWARD_MINUTES), or None.
    The minute's Minimum: a minute that saw both 0 and 1 counts as 0."""
    env = os.environ
    end = _clock()
    stats = aws_client("cloudwatch", _lambda_region()).get_metric_statistics(
        Namespace=env.get("METRIC_NAMESPACE", "drsynth") or "drsynth", MetricName="Writer",
        Dimensions=_dimensions(env, "Site", site_id),
        StartTime=datetime.datetime.fromtimestamp(end - 60 * CARRY_FORWARD_MINUTES, datetime.UTC),
        EndTime=datetime.datetime.fromtimestamp(end + 60, datetime.UTC), Period=60, Statistics=["Minimum"])
    points = sorted(stats.get("Datapoints", []), key=lambda p: p["Timestamp"])
    return points[-1]["Minimum"] if points else None


def writer_value(site):
    """The Writer value to publish for a site (None: publish none) and whether the probe is at fault."""
    kind = site["kind"]
    if kind == WRITER:
        return 1.0, False
    if kind == OUTAGE:
        return 0.0, False
    if kind == NOT_TRIED and not str(site.get("liveness", "")).startswith("answered_"):
        # The probe could not try, and nothing answers there either: an outage
        # as far as anyone can tell (and still the probe's fault).
        return (0.0 if site.get("liveness") != "not_checked" else None), True
    try:
        carried = last_writer(site["site"])
    except Exception as exc:  # noqa: BLE001 - without history nothing is published for the site
        site["carry_error"] = f"{type(exc).__name__}: {exc}"
        carried = None
    site["carried"] = carried
    return carried, True


def reachable_value(site):
    """1.0 when a PostgreSQL server answered at the site this run, else 0.0."""
    kind, reason = site["kind"], site["reason"]
    if kind == NOT_TRIED:
        return 1.0 if str(site.get("liveness", "")).startswith("answered_") else 0.0
    return 1.0 if kind in (WRITER, ANSWERED) or reason in (STANDBY, SERVER_ERROR) else 0.0


def publish_metrics(results):
    env = os.environ
    stamp = datetime.datetime.fromtimestamp(_clock(), datetime.UTC)
    data, fault = [], False
    for site in results:
        value, site_fault = writer_value(site)
        fault = fault or site_fault
        site["writer"] = value
        dims = _dimensions(env, "Site", site["site"])
        if value is not None:
            data.append({"MetricName": "Writer", "Dimensions": dims, "Value": value, "Unit": "Count",
                         "Timestamp": stamp})
        data.append({"MetricName": "ProbeLatency", "Dimensions": dims, "Value": float(site["latency_ms"] or 0.0),
                     "Unit": "Milliseconds", "Timestamp": stamp})
        site["reachable"] = reachable_value(site)
        if site["kind"] != NOT_TRIED or site.get("liveness") != "not_checked":
            data.append({"MetricName": "Reachable", "Dimensions": dims, "Value": site["reachable"], "Unit": "Count",
                         "Timestamp": stamp})
    data.append({"MetricName": "ProbeFault", "Dimensions": _dimensions(env, "Probe", env.get("LOCAL_SITE") or "local"),
                 "Value": 1.0 if fault else 0.0, "Unit": "Count", "Timestamp": stamp})
    aws_client("cloudwatch", _lambda_region()).put_metric_data(
        Namespace=env.get("METRIC_NAMESPACE", "drsynth") or "drsynth", MetricData=data)
    return fault


def handler(event=None, context=None):
    result, sites = run_probe()
    try:
        result["fault"] = publish_metrics(sites)
        result["metrics_published"] = True
    except Exception as exc:  # noqa: BLE001 - must not fail the probe
        result["fault"] = any(s["kind"] in (ANSWERED, NOT_TRIED) for s in sites)
        result["metrics_published"] = False
        result["metrics_error"] = f"{type(exc).__name__}: {exc}"
    result["writer"] = sites[0].get("writer")
    result["sites"] = [{k: s.get(k) for k in ("site", "host", "healthy", "kind", "reason", "detail", "sqlstate",
                                              "latency_ms", "writer", "reachable", "carried", "liveness")}
                       for s in sites]
    result["event"] = "probe"
    print(json.dumps(result, default=str), flush=True)
    return result
