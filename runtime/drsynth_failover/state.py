"""What the failover function keeps and the AWS objects it moves, apart from
the decision (decision.py): the state parameter, the lock, the weighted
records, the fence, the witness and CloudWatch metric reads."""

import json
from datetime import UTC, datetime

from botocore.exceptions import ClientError

from . import aws

# States of one region's function (its SSM parameter; absent: unarmed).
UNARMED = "unarmed"                    # deployed or failed back: not yet seen Y healthy K minutes as X's source
ARMED = "armed"                        # may promote once the signals and the claim agree
AWAITING_APPROVAL = "awaiting_approval"  # Y's loss could not be confirmed: an operator's approve (or force) decides
PROMOTING = "promoting"                # claimed; phases: fencing -> requesting -> requested
FAILED_OVER = "failed_over"            # X is the writer, Y fenced for good (sticky)
PROMOTION_FAILED = "promotion_failed"  # the deadline passed: the operator decides (Y stays fenced)
FAILING_BACK = "failing_back"          # the operator failed back: fence lift until confirmed
DISARMED = "disarmed"                  # the other region or the witness decided: only `rearm` or a failback re-arms
STATES = (UNARMED, ARMED, AWAITING_APPROVAL, PROMOTING, FAILED_OVER, PROMOTION_FAILED, FAILING_BACK, DISARMED)
CORRUPT = "corrupt"                    # not a state: the parameter cannot be read as one (nothing acts, it pages)
# States in which Fenced{Y}=1 is published by every run, outside the lock
# (Route 53 follows the alarm's data stream, not its state).
FENCING_STATES = (PROMOTING, FAILED_OVER, PROMOTION_FAILED)

STALE_LOCK_MARGIN_SECONDS = 30.0
LEGACY_LOCK_SECONDS = 900.0  # a lock without a deadline: the longest a Lambda invocation can run


def iso(epoch):
    return datetime.fromtimestamp(epoch, UTC).isoformat()


def stamp(epoch):
    return datetime.fromtimestamp(epoch, UTC)


def log(step, **fields):
    print(json.dumps({"event": "failover", "step": step, **fields}, default=str), flush=True)


class StateStore:
    """One region's state parameter (SSM)."""

    def __init__(self, ssm, name):
        self.ssm, self.name = ssm, name

    def read(self):
        try:
            raw = self.ssm.get_parameter(Name=self.name)["Parameter"]["Value"]
        except ClientError as exc:
            if aws.error_code(exc) == "ParameterNotFound":
                return {"state": UNARMED, "since": None}
            raise
        try:
            state = json.loads(raw)
        except ValueError:
            state = {}
        if not isinstance(state, dict) or state.get("state") not in STATES:
            # Never guess: an unreadable state arms, fences and flips nothing; it pages.
            return {"state": CORRUPT, "since": None, "raw": raw}
        return state

    def write(self, state, **fields):
        value = {"state": state, "since": aws.now(), "time": iso(aws.now()), **fields}
        self.ssm.put_parameter(Name=self.name, Value=json.dumps(value, sort_keys=True, default=str), Type="String",
                               Overwrite=True, Description="drsynth failover state (see runtime/README.md)")
        log("state", parameter=self.name, **value)
        return value


def carry(state, **changes):
    """The fields of `state` a new write keeps, with `changes`."""
    kept = {k: v for k, v in state.items() if k not in ("state", "since", "time", "raw")}
    kept.update(changes)
    return kept


class Lock:
    """An SSM parameter created with Overwrite=False (PutParameter fails with
    ParameterAlreadyExists otherwise:
    https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html).
    The value names the holder and its deadline (its start plus the time its
    invocation had left); a lock is stale only STALE_LOCK_MARGIN_SECONDS after
    that deadline (a Lambda timeout kills the run: it cannot hold on longer).
    The holder records its progress; another run pages when the lock has not
    moved for two reconcile intervals."""

    def __init__(self, ssm, name, request_id, deadline):
        self.ssm, self.name, self.request_id, self.deadline = ssm, name, request_id, deadline
        self.value = None
        self.holder = None          # what a refused or taken-over acquire found
        self.taken_over = False

    def _encode(self, progress):
        return json.dumps({"request_id": self.request_id, "acquired": self.acquired, "deadline": self.deadline,
                           "progress": progress, "time": iso(progress)}, sort_keys=True)

    def acquire(self):
        self.acquired = aws.now()
        self.value = self._encode(self.acquired)
        current = None
        for _ in range(3):
            try:
                self.ssm.put_parameter(Name=self.name, Value=self.value, Type="String", Overwrite=False,
                                       Description="drsynth failover lock (deleted when the run finishes)")
                log("lock", acquired=True, parameter=self.name, deadline=iso(self.deadline))
                return True
            except ClientError as exc:
                if aws.error_code(exc) != "ParameterAlreadyExists":
                    raise
            try:
                current = self.ssm.get_parameter(Name=self.name)["Parameter"]["Value"]
                break
            except ClientError as exc:
                if aws.error_code(exc) != "ParameterNotFound":
                    raise
        if current is None:
            self.holder = {"raw": None, "reason": "the lock keeps changing hands"}
            return False
        self.holder = self.describe_holder(current)
        if aws.now() <= self.holder["stale_after"]:
            log("lock", acquired=False, holder=self.holder)
            return False
        self.ssm.put_parameter(Name=self.name, Value=self.value, Type="String", Overwrite=True)
        self.taken_over = self.ssm.get_parameter(Name=self.name)["Parameter"]["Value"] == self.value  # last writer wins
        log("lock", acquired=self.taken_over, took_over_stale=True, previous=self.holder)
        return self.taken_over

    @staticmethod
    def describe_holder(raw):
        """{request_id, deadline, progress, stale_after, idle_seconds} of a lock value."""
        try:
            held = json.loads(raw)
            if "deadline" in held:
                deadline = float(held["deadline"])
                progress = float(held.get("progress") or held.get("acquired") or 0)
            else:  # a lock of an older version: {"epoch": ...}
                progress = float(held["epoch"])
                deadline = progress + LEGACY_LOCK_SECONDS
        except (ValueError, TypeError, KeyError, AttributeError):
            return {"raw": raw, "request_id": None, "deadline": None, "progress": None, "stale_after": 0.0,
                    "idle_seconds": None}
        return {"request_id": held.get("request_id"), "deadline": iso(deadline), "progress": iso(progress),
                "stale_after": deadline + STALE_LOCK_MARGIN_SECONDS, "idle_seconds": round(aws.now() - progress, 1)}

    def progress(self):
        """Record progress (the holder is alive and moving); best effort."""
        try:
            if self.ssm.get_parameter(Name=self.name)["Parameter"]["Value"] != self.value:
                return
            self.value = self._encode(aws.now())
            self.ssm.put_parameter(Name=self.name, Value=self.value, Type="String", Overwrite=True)
        except aws.AWS_ERRORS as exc:
            log("lock", progress_error=aws.describe(exc))

    def release(self):
        stored = self.ssm.get_parameter(Name=self.name)["Parameter"]["Value"]
        if stored == self.value:
            self.ssm.delete_parameter(Name=self.name)
            log("lock", released=True)


class Records:
    """The two weighted CNAMEs.  The designated writer's record has weight 100
    and its site's writer check; the other weight 0 and its site's fallback
    check.  Both are changed in one ChangeBatch (Route 53 applies a batch as
    a whole: https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html),
    and every UPSERT carries a health check (an UPSERT replaces the whole
    record set)."""

    def __init__(self, route53, s):
        self.r53, self.s = route53, s
        self.sites = {s.local_site: (s.local_endpoint, s.local_writer_check_id, s.local_fallback_check_id),
                      s.remote_site: (s.remote_endpoint, s.remote_writer_check_id, s.remote_fallback_check_id)}

    def wanted(self, writer_site):
        out = {}
        for site, (endpoint, writer_check, fallback_check) in self.sites.items():
            is_writer = site == writer_site
            out[site] = {"weight": 100 if is_writer else 0, "value": endpoint,
                         "health_check": writer_check if is_writer else fallback_check}
        return out

    def designate(self, writer_site, comment):
        changes = [{"Action": "UPSERT", "ResourceRecordSet": {
            "Name": self.s.record_name, "Type": "CNAME", "SetIdentifier": site, "Weight": want["weight"],
            "TTL": self.s.record_ttl, "ResourceRecords": [{"Value": want["value"]}],
            "HealthCheckId": want["health_check"]}} for site, want in self.wanted(writer_site).items()]
        change = self.r53.change_resource_record_sets(HostedZoneId=self.s.hosted_zone_id,
                                                      ChangeBatch={"Comment": comment[:256], "Changes": changes})
        return change.get("ChangeInfo", {}).get("Id")

    def read(self):
        """{site: {"weight", "value", "health_check"}} of the two records."""
        name = self.s.record_name.rstrip(".").lower()
        found = {}
        resp = self.r53.list_resource_record_sets(HostedZoneId=self.s.hosted_zone_id,
                                                  StartRecordName=self.s.record_name, StartRecordType="CNAME",
                                                  MaxItems="20")
        for rrs in resp.get("ResourceRecordSets", []):
            if rrs["Name"].rstrip(".").lower() == name and rrs.get("Type") == "CNAME" and \
                    rrs.get("SetIdentifier") in self.sites:
                found[rrs["SetIdentifier"]] = {"weight": rrs.get("Weight"),
                                               "value": ((rrs.get("ResourceRecords") or [{}])[0].get("Value") or
                                                         "").rstrip("."),
                                               "health_check": rrs.get("HealthCheckId")}
        return found

    def matches(self, writer_site, current=None):
        current = self.read() if current is None else current
        for site, want in self.wanted(writer_site).items():
            have = current.get(site)
            if not have or (have["weight"], have["value"], have["health_check"] or "") != \
                    (want["weight"], want["value"].rstrip("."), want["health_check"]):
                return False
        return True

    def designated(self, current=None):
        """The site whose record has weight 100 now (None when neither or both)."""
        current = self.read() if current is None else current
        writers = [site for site, have in current.items() if have["weight"]]
        return writers[0] if len(writers) == 1 else None


class Metrics:
    """CloudWatch reads and writes of one region."""

    def __init__(self, cloudwatch, s):
        self.cw, self.s = cloudwatch, s

    def dims(self, key, value):
        return [{"Name": self.s.metric_dimension_name, "Value": self.s.metric_dimension_value},
                {"Name": key, "Value": value}]

    def per_minute(self, namespace, metric, dimensions, start, end, statistic):
        """{minute epoch: value} of one statistic over [start, end)."""
        resp = self.cw.get_metric_statistics(Namespace=namespace, MetricName=metric, Dimensions=dimensions,
                                             StartTime=stamp(start), EndTime=stamp(end), Period=60,
                                             Statistics=[statistic])
        out = {}
        for point in resp.get("Datapoints", []):
            minute = int(point["Timestamp"].timestamp() // 60 * 60)
            value = point[statistic]
            out[minute] = value if minute not in out else (min if statistic == "Minimum" else max)(out[minute], value)
        return out

    def writer(self, site, start, end, statistic="Minimum"):
        return self.per_minute(self.s.metric_namespace, "Writer", self.dims("Site", site), start, end, statistic)

    def alarm_state(self, name):
        alarms = self.cw.describe_alarms(AlarmNames=[name]).get("MetricAlarms", [])
        return alarms[0]["StateValue"] if alarms else "MISSING"


class Fence:
    """Fenced{System, Site=Y} in X's region, the data stream of the fence alarm
    F(Y) that Y's health checks follow.  Route 53 evaluates a CLOUDWATCH_METRIC
    check from the alarm's metric data, never from SetAlarmState, and with
    InsufficientDataHealthStatus when data is missing ("How Amazon Route 53
    determines whether a health check is healthy":
    https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html).
    So the fence is a datapoint every run while it must hold, confirmed by
    reading it back; the fence checks use LastKnownStatus so that a gap in
    the data keeps the last status."""

    READ_BACK_ATTEMPTS = 4
    READ_BACK_PAUSE = 2.0

    def __init__(self, metrics):
        self.m = metrics
        self.s = metrics.s

    def publish(self, value):
        self.m.cw.put_metric_data(Namespace=self.s.metric_namespace, MetricData=[{
            "MetricName": "Fenced", "Dimensions": self.m.dims("Site", self.s.remote_site), "Value": float(value),
            "Unit": "Count", "Timestamp": stamp(aws.now())}])
        log("fence", site=self.s.remote_site, value=value)

    def confirmed(self):
        """Is Fenced >= 1 readable back for the current or the previous minute?
        (GetMetricStatistics: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricStatistics.html;
        newly published data can take a moment to be readable: a few reads.)"""
        for attempt in range(self.READ_BACK_ATTEMPTS):
            t = aws.now()
            values = self.m.per_minute(self.s.metric_namespace, "Fenced", self.m.dims("Site", self.s.remote_site),
                                       t // 60 * 60 - 60, t // 60 * 60 + 60, "Maximum")
            if any(v >= 1 for v in values.values()):
                return True
            if attempt + 1 < self.READ_BACK_ATTEMPTS:
                aws.pause(self.READ_BACK_PAUSE)
        return False

    def alarm(self):
        return self.m.alarm_state(self.s.fence_alarm_name)


def health_checks_healthy(route53, check_ids):
    """(True, detail) when every Route 53 checker reports Success for every
    check (GetHealthCheckStatus; it cannot read CALCULATED checks:
    https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetHealthCheckStatus.html).
    A status that does not start with "Success" (Failure, or an unknown
    format: an inference for CLOUDWATCH_METRIC checks) is not healthy."""
    detail = {}
    for check_id in check_ids:
        observations = route53.get_health_check_status(HealthCheckId=check_id).get("HealthCheckObservations", [])
        statuses = [(o.get("StatusReport") or {}).get("Status", "") for o in observations]
        detail[check_id] = sorted({s.split(":")[0] for s in statuses}) or ["no observations"]
        if not statuses or not all(s.startswith("Success") for s in statuses):
            return False, detail
    return bool(check_ids), detail


class WitnessClient:
    """The witness in a third region (Lambda Invoke, RequestResponse:
    https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html).  A
    FunctionError (Handled/Unhandled, e.g. its timeout) or an answer that is not
    JSON is an ERROR: unknown, never agreement."""

    def __init__(self, lambda_client, arn):
        self.client, self.arn = lambda_client, arn

    def call(self, payload):
        def invoke():
            resp = self.client.invoke(FunctionName=self.arn, InvocationType="RequestResponse",
                                      Payload=json.dumps(payload).encode("utf-8"))
            body = resp["Payload"].read()
            if resp.get("FunctionError"):
                raise RuntimeError(f"witness FunctionError {resp['FunctionError']}: {body[:300]!r}")
            answer = json.loads(body or b"null")
            if not isinstance(answer, dict):
                raise RuntimeError(f"witness answered {answer!r}")
            return answer
        return aws.attempt(invoke)
