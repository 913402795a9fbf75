"""What the failover function remembers and the AWS calls it makes, apart
from the decision itself (index.py): the state parameter, the lock, the
weighted records and the fence.  Standard library and boto3 only."""

import json
import time
from datetime import datetime, timezone

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

LOCK_MAX_AGE_SECONDS = 15 * 60

# The primary region may be unreachable: fail fast instead of hanging.
PRIMARY_CONFIG = Config(connect_timeout=3, read_timeout=5, retries={"max_attempts": 2, "mode": "standard"})
# DR region APIs: normal, but bounded.
LOCAL_CONFIG = Config(connect_timeout=5, read_timeout=15, retries={"max_attempts": 3, "mode": "standard"})
# Route 53: one attempt per call, the caller's loop does the retrying.
ROUTE53_CONFIG = Config(connect_timeout=3, read_timeout=8, retries={"max_attempts": 1, "mode": "standard"})

AWS_ERRORS = (ClientError, BotoCoreError)

# States of the system, kept in the state parameter (absent: unarmed).
UNARMED = "unarmed"          # deployed (or re-armed after failback), not yet seen healthy K times
ARMED = "armed"              # may promote once both signals agree
PROMOTING = "promoting"      # fenced; PromoteReadReplica not yet accepted (retried until the deadline)
FAILED_OVER = "failed_over"  # replica promoted, old primary fenced for good
PROMOTION_FAILED = "promotion_failed"  # deadline passed: the operator decides
STATES = (UNARMED, ARMED, PROMOTING, FAILED_OVER, PROMOTION_FAILED)

_clock = time.time  # replaceable (the simulator's virtual clock)


def now():
    return _clock()


def iso(epoch):
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat()


def log(step, **fields):
    print(json.dumps({"event": "failover", "step": step, **fields}, default=str), flush=True)


def error_code(exc):
    return exc.response.get("Error", {}).get("Code", "") if isinstance(exc, ClientError) else ""


class StateStore:
    """The state parameter (SSM, DR region).  Written only under the lock."""

    def __init__(self, ssm, name):
        self.ssm = ssm
        self.name = name

    def read(self):
        try:
            raw = self.ssm.get_parameter(Name=self.name)["Parameter"]["Value"]
        except ClientError as exc:
            if error_code(exc) == "ParameterNotFound":
                return {"state": UNARMED, "since": None}
            raise
        try:
            state = json.loads(raw)
        except ValueError:
            state = {}
        if state.get("state") not in STATES:
            # Unreadable state must not arm anything: treat it as failed over
            # (fenced) so that an operator looks at it.
            return {"state": FAILED_OVER, "since": None, "corrupt": raw}
        return state

    def write(self, state, **fields):
        value = {"state": state, "since": now(), "time": iso(now()), **fields}
        self.ssm.put_parameter(Name=self.name, Value=json.dumps(value, sort_keys=True), Type="String",
                               Overwrite=True, Description="drsynth failover state (see runtime/README.md)")
        log("state", **value)
        return value


class Lock:
    """An SSM parameter created with Overwrite=False: its absence means unlocked."""

    def __init__(self, ssm, name, request_id):
        self.ssm = ssm
        self.name = name
        self.request_id = request_id
        self.value = None

    def acquire(self):
        self.value = json.dumps({"time": iso(now()), "epoch": now(), "request_id": self.request_id})
        current = None
        for _ in range(3):
            try:
                self.ssm.put_parameter(Name=self.name, Value=self.value, Type="String", Overwrite=False,
                                       Description="drsynth failover lock (deleted when the run finishes)")
                log("lock", acquired=True, parameter=self.name)
                return True
            except ClientError as exc:
                if error_code(exc) != "ParameterAlreadyExists":
                    raise
            try:
                current = self.ssm.get_parameter(Name=self.name)["Parameter"]["Value"]
                break
            except ClientError as exc:
                if error_code(exc) != "ParameterNotFound":
                    raise
        if current is None:
            log("lock", acquired=False, reason="lock keeps changing hands")
            return False
        try:
            holder = json.loads(current)
            age = now() - float(holder.get("epoch", 0))
        except (ValueError, TypeError, AttributeError):
            holder, age = {"raw": current}, LOCK_MAX_AGE_SECONDS + 1
        if age <= LOCK_MAX_AGE_SECONDS:
            log("lock", acquired=False, holder=holder, age_seconds=round(age, 1))
            return False
        self.ssm.put_parameter(Name=self.name, Value=self.value, Type="String", Overwrite=True)
        stored = self.ssm.get_parameter(Name=self.name)["Parameter"]["Value"]
        taken = stored == self.value  # last writer wins
        log("lock", acquired=taken, took_over_stale=True, previous=holder, age_seconds=round(age, 1))
        return taken

    def release(self):
        stored = self.ssm.get_parameter(Name=self.name)["Parameter"]["Value"]
        if stored == self.value:
            self.ssm.delete_parameter(Name=self.name)
            log("lock", released=True)


class Records:
    """The two weighted CNAMEs; every UPSERT carries the record's health check."""

    def __init__(self, route53, settings):
        self.r53 = route53
        self.s = settings

    def wanted(self, primary_weight, replica_weight):
        return {self.s.primary_set: (self.s.primary_endpoint, primary_weight, self.s.primary_health_check),
                self.s.replica_set: (self.s.replica_endpoint, replica_weight, self.s.replica_health_check)}

    def upsert(self, primary_weight, replica_weight, comment):
        changes = []
        for set_id, (endpoint, weight, health_check) in self.wanted(primary_weight, replica_weight).items():
            rrs = {"Name": self.s.record_name, "Type": "CNAME", "SetIdentifier": set_id, "Weight": weight,
                   "TTL": self.s.ttl, "ResourceRecords": [{"Value": endpoint}]}
            if health_check:
                rrs["HealthCheckId"] = health_check
            changes.append({"Action": "UPSERT", "ResourceRecordSet": rrs})
        change = self.r53.change_resource_record_sets(HostedZoneId=self.s.zone_id,
                                                      ChangeBatch={"Comment": comment, "Changes": changes})
        return change.get("ChangeInfo", {}).get("Id")

    def read(self):
        """{set_id: {"weight", "value", "health_check"}} of the two records."""
        wanted = self.s.record_name.rstrip(".").lower()
        found = {}
        resp = self.r53.list_resource_record_sets(HostedZoneId=self.s.zone_id, StartRecordName=self.s.record_name,
                                                  StartRecordType="CNAME", MaxItems="20")
        for rrs in resp.get("ResourceRecordSets", []):
            if rrs["Name"].rstrip(".").lower() != wanted or rrs.get("Type") != "CNAME":
                continue
            if rrs.get("SetIdentifier") in (self.s.primary_set, self.s.replica_set):
                found[rrs["SetIdentifier"]] = {"weight": rrs.get("Weight"),
                                               "value": (rrs.get("ResourceRecords") or [{}])[0].get("Value"),
                                               "health_check": rrs.get("HealthCheckId")}
        return found

    def match(self, primary_weight, replica_weight):
        current = self.read()
        for set_id, (endpoint, weight, health_check) in self.wanted(primary_weight, replica_weight).items():
            have = current.get(set_id)
            if not have or have["weight"] != weight or (have["value"] or "").rstrip(".") != endpoint.rstrip("."):
                return False
            if (have["health_check"] or "") != (health_check or ""):
                return False
        return True


class Fence:
    """Keeps the old primary out of DNS without Route 53's control plane: the
    primary record's calculated health check needs the fence alarm (DR region)
    to be OK.  Fencing sets it to ALARM and publishes Fenced=1 every run while
    failed over (the alarm treats missing data as 'ignore': it stays)."""

    def __init__(self, cloudwatch, settings):
        self.cw = cloudwatch
        self.s = settings

    def set(self, fenced, reason):
        if not self.s.fence_alarm:
            return
        dims = [{"Name": self.s.metric_dimension_name, "Value": self.s.metric_dimension_value}]
        self.cw.put_metric_data(Namespace=self.s.metric_namespace, MetricData=[
            {"MetricName": "Fenced", "Dimensions": dims, "Value": 1.0 if fenced else 0.0, "Unit": "Count",
             "Timestamp": datetime.fromtimestamp(now(), timezone.utc)}])
        self.cw.set_alarm_state(AlarmName=self.s.fence_alarm, StateValue="ALARM" if fenced else "OK",
                                StateReason=reason[:1023])

    def is_set(self):
        if not self.s.fence_alarm:
            return None
        alarms = self.cw.describe_alarms(AlarmNames=[self.s.fence_alarm]).get("MetricAlarms", [])
        return bool(alarms) and alarms[0]["StateValue"] == "ALARM"


def healthy_streak(cloudwatch, settings, minutes):
    """Number of consecutive one-minute periods, ending with the last complete
    one, in which the probe published PrimaryHealthy and every value was 1."""
    end = now() // 60 * 60
    start = end - 60 * (minutes + 1)
    resp = cloudwatch.get_metric_statistics(
        Namespace=settings.metric_namespace, MetricName="PrimaryHealthy",
        Dimensions=[{"Name": settings.metric_dimension_name, "Value": settings.metric_dimension_value}],
        StartTime=datetime.fromtimestamp(start, timezone.utc), EndTime=datetime.fromtimestamp(end, timezone.utc),
        Period=60, Statistics=["Minimum"])
    by_minute = {}
    for point in resp.get("Datapoints", []):
        minute = int(point["Timestamp"].timestamp() // 60 * 60)
        by_minute[minute] = min(by_minute.get(minute, 1.0), point["Minimum"])
    streak = 0
    minute = end - 60
    while minute >= start and by_minute.get(minute) == 1.0:
        streak += 1
        minute -= 60
    return streak
