"""drsynth failover function (AWS Lambda, Python 3.12, handler ``index.handler``).

Runs in the DR region (no VPC).  On a confirmed primary outage it promotes the
cross-region read replica (PromoteReadReplica) and flips the Route 53 weighted
records (primary 0, replica 100).  Idempotent, protected by an SSM parameter
lock, and the Route 53 flip is best effort (its control plane is in us-east-1).
Only the standard library and boto3 are used.  See runtime/README.md.
"""

import json
import os
import time
from datetime import datetime, timezone

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

LOCK_MAX_AGE_SECONDS = 15 * 60
SAFETY_MARGIN_SECONDS = 20.0
DEFAULT_BUDGET_SECONDS = 120.0  # used when no Lambda context is given
FLIP_MAX_BACKOFF_SECONDS = 16.0

# The primary region may be unreachable: fail fast instead of hanging.
PRIMARY_CONFIG = Config(connect_timeout=3, read_timeout=5, retries={"max_attempts": 2, "mode": "standard"})
# DR region APIs: normal, but bounded.
LOCAL_CONFIG = Config(connect_timeout=5, read_timeout=15, retries={"max_attempts": 3, "mode": "standard"})
# Route 53: one attempt per call, our own backoff loop does the retrying.
ROUTE53_CONFIG = Config(connect_timeout=3, read_timeout=8, retries={"max_attempts": 1, "mode": "standard"})

_sleep = time.sleep  # replaceable in tests


def log(step, **fields):
    print(json.dumps({"event": "failover", "step": step, **fields}, default=str), flush=True)


def _client(session, service, region, config):
    """Client factory (patched in tests to simulate an unreachable region)."""
    return session.client(service, region_name=region, config=config)


class Settings:
    def __init__(self, env):
        self.primary_id = env.get("PRIMARY_INSTANCE_ID", "")
        self.primary_region = env.get("PRIMARY_REGION", "")
        self.replica_id = env.get("REPLICA_INSTANCE_ID", "")
        self.replica_region = env.get("REPLICA_REGION") or env.get("AWS_REGION", "")
        self.zone_id = env.get("HOSTED_ZONE_ID", "")
        self.record_name = env.get("RECORD_NAME", "")
        self.ttl = int(env.get("RECORD_TTL", "60") or "60")
        self.primary_set = env.get("PRIMARY_SET_IDENTIFIER", "")
        self.replica_set = env.get("REPLICA_SET_IDENTIFIER", "")
        self.primary_endpoint = env.get("PRIMARY_ENDPOINT", "")
        self.replica_endpoint = env.get("REPLICA_ENDPOINT", "")
        self.topic_arn = env.get("TOPIC_ARN", "")
        self.alarm_name = env.get("HEALTH_ALARM_NAME", "")
        self.backup_retention = int(env.get("BACKUP_RETENTION_DAYS", "7") or "7")
        self.lock_parameter = env.get("LOCK_PARAMETER", "")
        missing = [name for name, value in (
            ("PRIMARY_INSTANCE_ID", self.primary_id), ("PRIMARY_REGION", self.primary_region),
            ("REPLICA_INSTANCE_ID", self.replica_id), ("REPLICA_REGION", self.replica_region),
            ("HOSTED_ZONE_ID", self.zone_id), ("RECORD_NAME", self.record_name),
            ("PRIMARY_SET_IDENTIFIER", self.primary_set), ("REPLICA_SET_IDENTIFIER", self.replica_set),
            ("PRIMARY_ENDPOINT", self.primary_endpoint), ("REPLICA_ENDPOINT", self.replica_endpoint),
            ("HEALTH_ALARM_NAME", self.alarm_name), ("LOCK_PARAMETER", self.lock_parameter)) if not value]
        if missing:
            raise ValueError("missing environment variables: " + ", ".join(missing))


def parse_event(event):
    """Return (action, trigger, trigger_state, force)."""
    event = event if isinstance(event, dict) else {}
    action = event.get("action")
    if action in ("failover", "status"):
        return action, "manual", None, bool(event.get("force", False))
    if event.get("source") == "aws.cloudwatch" and isinstance(event.get("alarmData"), dict):
        state = ((event["alarmData"].get("state") or {}).get("value"))
        return "failover", "alarm", state, False
    records = event.get("Records")
    if isinstance(records, list) and records and isinstance(records[0], dict) and "Sns" in records[0]:
        try:
            message = json.loads(records[0]["Sns"].get("Message") or "{}")
        except ValueError:
            message = {}
        return "failover", "sns", message.get("NewStateValue"), False
    return None, "unknown", None, False


class Failover:
    def __init__(self, settings, context=None):
        self.s = settings
        self.context = context
        self.started = time.monotonic()
        self.request_id = getattr(context, "aws_request_id", None) or f"local-{int(time.time() * 1000)}"
        # One session per invocation: boto3 sessions are not thread safe.
        self.session = boto3.session.Session()
        self._clients = {}
        self.summary = {
            "decision": None, "reason": None, "promoted": False, "flipped": False,
            "replica_status": None, "primary_status": None, "alarm_state": None,
            "is_replica": None, "weights": None, "errors": [], "request_id": self.request_id,
        }

    # -- helpers ---------------------------------------------------------------
    def client(self, service, region, config=LOCAL_CONFIG):
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = _client(self.session, service, region, config)
        return self._clients[key]

    def remaining_seconds(self):
        if self.context is not None and hasattr(self.context, "get_remaining_time_in_millis"):
            return self.context.get_remaining_time_in_millis() / 1000.0
        return DEFAULT_BUDGET_SECONDS - (time.monotonic() - self.started)

    def error(self, step, exc):
        text = f"{step}: {type(exc).__name__}: {exc}"
        self.summary["errors"].append(text)
        log("error", where=step, error=text)
        return text

    # -- observations ----------------------------------------------------------
    def alarm_state(self):
        try:
            cw = self.client("cloudwatch", self.s.replica_region)
            alarms = cw.describe_alarms(AlarmNames=[self.s.alarm_name]).get("MetricAlarms", [])
            state = alarms[0]["StateValue"] if alarms else "MISSING"
            if not alarms:
                self.summary["errors"].append(f"describe_alarms: alarm {self.s.alarm_name} not found")
        except (ClientError, BotoCoreError) as exc:
            self.error("describe_alarms", exc)
            state = "UNKNOWN"
        self.summary["alarm_state"] = state
        return state

    def primary_status(self):
        try:
            rds = self.client("rds", self.s.primary_region, PRIMARY_CONFIG)
            db = rds.describe_db_instances(DBInstanceIdentifier=self.s.primary_id)["DBInstances"][0]
            status = db.get("DBInstanceStatus", "unknown")
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            status = "not_found" if code == "DBInstanceNotFound" else "unreachable"
            self.error("describe_primary", exc)
        except BotoCoreError as exc:  # EndpointConnectionError, timeouts: region unreachable
            status = "unreachable"
            self.error("describe_primary", exc)
        self.summary["primary_status"] = status
        return status

    def replica(self):
        rds = self.client("rds", self.s.replica_region)
        db = rds.describe_db_instances(DBInstanceIdentifier=self.s.replica_id)["DBInstances"][0]
        source = db.get("ReadReplicaSourceDBInstanceIdentifier")
        self.summary["replica_status"] = db.get("DBInstanceStatus")
        self.summary["is_replica"] = bool(source)
        return db

    def read_weights(self):
        r53 = self.client("route53", "us-east-1", ROUTE53_CONFIG)
        wanted = self.s.record_name.rstrip(".").lower()
        weights = {}
        resp = r53.list_resource_record_sets(HostedZoneId=self.s.zone_id, StartRecordName=self.s.record_name,
                                             StartRecordType="CNAME", MaxItems="20")
        for rrs in resp.get("ResourceRecordSets", []):
            if rrs["Name"].rstrip(".").lower() != wanted or rrs.get("Type") != "CNAME":
                continue
            if rrs.get("SetIdentifier") in (self.s.primary_set, self.s.replica_set):
                weights[rrs["SetIdentifier"]] = rrs.get("Weight")
        return weights

    # -- lock --------------------------------------------------------------------
    def acquire_lock(self):
        """True when we hold the lock; False when another invocation holds a fresh one."""
        ssm = self.client("ssm", self.s.replica_region)
        self.lock_value = json.dumps({"time": datetime.now(timezone.utc).isoformat(), "epoch": time.time(),
                                      "request_id": self.request_id})
        current = None
        for _ in range(3):
            try:
                ssm.put_parameter(Name=self.s.lock_parameter, Value=self.lock_value, Type="String", Overwrite=False,
                                  Description="drsynth failover lock (deleted when the failover finishes)")
                log("lock", acquired=True, parameter=self.s.lock_parameter)
                return True
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "ParameterAlreadyExists":
                    raise
            try:
                current = ssm.get_parameter(Name=self.s.lock_parameter)["Parameter"]["Value"]
                break
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "ParameterNotFound":
                    raise
                # The holder released it between our two calls: try again.
        if current is None:
            log("lock", acquired=False, reason="lock keeps changing hands")
            return False
        # Held by someone: take it over only when it is stale (> 15 minutes).
        try:
            holder = json.loads(current)
            age = time.time() - float(holder.get("epoch", 0))
        except (ValueError, TypeError, AttributeError):
            holder, age = {"raw": current}, LOCK_MAX_AGE_SECONDS + 1
        if age <= LOCK_MAX_AGE_SECONDS:
            log("lock", acquired=False, holder=holder, age_seconds=round(age, 1))
            return False
        ssm.put_parameter(Name=self.s.lock_parameter, Value=self.lock_value, Type="String", Overwrite=True)
        # Last writer wins: confirm that our value is the one stored.
        stored = ssm.get_parameter(Name=self.s.lock_parameter)["Parameter"]["Value"]
        taken = stored == self.lock_value
        log("lock", acquired=taken, took_over_stale=True, previous=holder, age_seconds=round(age, 1))
        return taken

    def release_lock(self):
        try:
            ssm = self.client("ssm", self.s.replica_region)
            stored = ssm.get_parameter(Name=self.s.lock_parameter)["Parameter"]["Value"]
            if stored == self.lock_value:
                ssm.delete_parameter(Name=self.s.lock_parameter)
                log("lock", released=True)
        except (ClientError, BotoCoreError) as exc:
            self.error("release_lock", exc)

    # -- actions -------------------------------------------------------------------
    def promote(self):
        """Returns 'promoted', 'already_promoted' or 'in_progress'; raises on failure."""
        rds = self.client("rds", self.s.replica_region)
        try:
            rds.promote_read_replica(DBInstanceIdentifier=self.s.replica_id,
                                     BackupRetentionPeriod=self.s.backup_retention)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "InvalidDBInstanceState":
                log("promote", result="already_being_promoted", error=str(exc))
                return "in_progress"
            raise
        log("promote", result="requested", replica=self.s.replica_id, backup_retention=self.s.backup_retention)
        return "promoted"

    def flip(self):
        """UPSERT primary weight 0 / replica weight 100, retried with backoff within the time budget."""
        batch = {"Comment": f"drsynth failover {self.request_id}", "Changes": [
            self._upsert(self.s.primary_set, self.s.primary_endpoint, 0),
            self._upsert(self.s.replica_set, self.s.replica_endpoint, 100)]}
        attempt, delay, last = 0, 1.0, None
        while True:
            attempt += 1
            try:
                r53 = self.client("route53", "us-east-1", ROUTE53_CONFIG)
                change = r53.change_resource_record_sets(HostedZoneId=self.s.zone_id, ChangeBatch=batch)
                log("flip", result="ok", attempt=attempt, change_id=change.get("ChangeInfo", {}).get("Id"))
                self.summary["flipped"] = True
                self.summary["weights"] = {self.s.primary_set: 0, self.s.replica_set: 100}
                return True
            except (ClientError, BotoCoreError) as exc:
                last = exc
                log("flip", result="error", attempt=attempt, error=f"{type(exc).__name__}: {exc}")
            # Next attempt only when sleep + one call (connect+read timeout) fit
            # before the safety margin.
            call_budget = ROUTE53_CONFIG.connect_timeout + ROUTE53_CONFIG.read_timeout
            if self.remaining_seconds() - delay - call_budget < SAFETY_MARGIN_SECONDS:
                break
            _sleep(delay)
            delay = min(delay * 2, FLIP_MAX_BACKOFF_SECONDS)
        self.summary["flipped"] = False
        self.summary["flip_attempts"] = attempt
        self.error("flip", last)
        return False

    def _upsert(self, set_id, endpoint, weight):
        return {"Action": "UPSERT", "ResourceRecordSet": {
            "Name": self.s.record_name, "Type": "CNAME", "SetIdentifier": set_id, "Weight": weight,
            "TTL": self.s.ttl, "ResourceRecords": [{"Value": endpoint}]}}

    # -- flows ---------------------------------------------------------------------
    def status(self):
        self.summary["decision"] = "status"
        self.alarm_state()
        self.primary_status()
        try:
            db = self.replica()
            self.summary["replica_source"] = db.get("ReadReplicaSourceDBInstanceIdentifier")
        except (ClientError, BotoCoreError) as exc:
            self.error("describe_replica", exc)
        try:
            self.summary["weights"] = self.read_weights()
        except (ClientError, BotoCoreError) as exc:
            self.error("list_resource_record_sets", exc)
        return self.summary

    def failover(self, trigger_state, force):
        s = self.summary
        if trigger_state is not None and trigger_state != "ALARM":
            return self.decide("no_action", f"trigger state is {trigger_state}, not ALARM")
        alarm = self.alarm_state()
        primary = self.primary_status()
        if not force:
            if alarm in ("OK", "INSUFFICIENT_DATA", "MISSING"):
                return self.decide("no_action", f"alarm {self.s.alarm_name} is {alarm} now (flapping or recovered)")
            if alarm == "UNKNOWN" and primary == "available":
                return self.decide("no_action", "alarm state unknown and the primary reports available")
        try:
            db = self.replica()
        except (ClientError, BotoCoreError) as exc:
            self.error("describe_replica", exc)
            return self.decide("failed", "cannot describe the replica")

        if not db.get("ReadReplicaSourceDBInstanceIdentifier"):
            flipped = self.flip()
            return self.decide("flipped" if flipped else "failed",
                               "replica already promoted; weights " + ("flipped" if flipped else "NOT flipped"))
        try:
            locked = self.acquire_lock()
        except (ClientError, BotoCoreError) as exc:
            self.error("acquire_lock", exc)
            return self.decide("failed", "cannot take the failover lock")
        if not locked:
            return self.decide("in_progress", "another invocation holds the failover lock")
        try:
            # Double check under the lock: a concurrent invocation may have just promoted.
            db = self.replica()
            if not db.get("ReadReplicaSourceDBInstanceIdentifier"):
                flipped = self.flip()
                return self.decide("flipped" if flipped else "failed",
                                   "replica was promoted concurrently; weights " + ("flipped" if flipped else "NOT flipped"))
            try:
                outcome = self.promote()
            except (ClientError, BotoCoreError) as exc:
                self.error("promote_read_replica", exc)
                return self.decide("failed", "PromoteReadReplica failed")
            if outcome == "in_progress":
                return self.decide("in_progress", "PromoteReadReplica: InvalidDBInstanceState (already being "
                                   f"promoted; replica status {s['replica_status']})")
            s["promoted"] = True
            flipped = self.flip()
            return self.decide("promoted", "replica promoted; weights " + ("flipped" if flipped else "NOT flipped (Route 53 unavailable)"))
        finally:
            self.release_lock()

    def decide(self, decision, reason):
        self.summary["decision"] = decision
        self.summary["reason"] = reason
        return self.summary

    def notify(self):
        s = self.summary
        if not self.s.topic_arn:
            return
        subject = f"drsynth failover {s['decision']}: {self.s.replica_id}"[:100]
        message = json.dumps({"source": "drsynth-failover", "time": datetime.now(timezone.utc).isoformat(),
                              "replica": self.s.replica_id, "primary": self.s.primary_id, **s}, default=str, indent=2)
        region = self.s.topic_arn.split(":")[3] if self.s.topic_arn.count(":") >= 5 else self.s.replica_region
        try:
            self.client("sns", region).publish(TopicArn=self.s.topic_arn, Subject=subject, Message=message)
            log("notify", decision=s["decision"], topic=self.s.topic_arn)
        except (ClientError, BotoCoreError) as exc:
            log("error", where="sns_publish", error=f"{type(exc).__name__}: {exc}")
            s.setdefault("notify_errors", []).append(f"{type(exc).__name__}: {exc}")


def handler(event, context=None):
    action, trigger, trigger_state, force = parse_event(event)
    try:
        settings = Settings(os.environ)
    except ValueError as exc:
        summary = {"decision": "failed", "reason": str(exc), "promoted": False, "flipped": False,
                   "replica_status": None, "primary_status": None, "alarm_state": None, "errors": [str(exc)]}
        log("summary", **summary)
        return summary
    run = Failover(settings, context)
    run.summary.update({"action": action, "trigger": trigger, "trigger_state": trigger_state, "force": force})
    log("start", action=action, trigger=trigger, trigger_state=trigger_state, force=force)
    if action == "status":
        summary = run.status()
        log("summary", **summary)
        return summary
    if action is None:
        run.decide("no_action", "unrecognised event")
    else:
        try:
            run.failover(trigger_state, force)
        except Exception as exc:  # noqa: BLE001 - always report
            run.error("unexpected", exc)
            run.decide("failed", "unexpected error")
    run.notify()
    log("summary", **run.summary)
    return run.summary
