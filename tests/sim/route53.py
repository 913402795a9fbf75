"""Route 53 as documented: health checks that follow CloudWatch data streams,
calculated health checks, weighted answers, and a control plane apart from
the data plane.

Sources (quoted in tests/sim/README.md):

* "How Amazon Route 53 determines whether a health check is healthy"
  (Route 53 Developer Guide, dns-failover-determining-health-of-endpoints.html):
  a CloudWatch-alarm check "monitors the data stream for the corresponding
  alarm instead of monitoring the alarm state"; when the stream "doesn't
  provide enough information", InsufficientDataHealthStatus applies; "you
  can't force the status of a health check to change by using the CloudWatch
  SetAlarmState API operation"; "Route 53 considers a new health check to be
  healthy until there's enough data"; a calculated check adds up its healthy
  children and compares with HealthThreshold.  Here the data stream is
  evaluated with the alarm's metric, statistic, period, EvaluationPeriods,
  DatapointsToAlarm, threshold and comparison, the missing-data treatment
  being ``missing`` whatever the alarm says (inference: the page says the
  stream is followed, not how; TreatMissingData is a property of the alarm
  state, which Route 53 does not read).  A stream in a lost region cannot be
  read: insufficient data (inference).
* InsufficientDataHealthStatus ``LastKnownStatus``: "Route 53 uses the status
  of the health check from the last time that CloudWatch had sufficient data
  ... For new health checks that have no last known status, the default
  status for the health check is healthy" (API_HealthCheckConfig).
* Weighted records ("Weighted routing", routing-policy-weighted.html and
  dns-failover-complex-configs): only healthy records with weight > 0; if
  they are all unhealthy, the zero-weight records; "If none of the records in
  the group of weighted records are healthy, ... Route 53 considers all of the
  records in the group to be healthy and selects one based on their assigned
  weights, omitting the records that have a weight of 0."
* Control plane in us-east-1, data plane (DNS answers, health checks)
  global (AWS Fault Isolation Boundaries, "Global services").
* ChangeResourceRecordSets: atomic batch; DELETE must match the current
  values; UPSERT replaces the whole record set; "changes generally propagate
  to all Route 53 name servers within 60 seconds" (API reference): answers use
  a change ``PROPAGATION`` seconds after it was accepted, GetChange says
  INSYNC from then on.
* GetHealthCheckStatus: "You can't use GetHealthCheckStatus to get the status
  of a calculated health check" (API reference): InvalidInput here (the error
  code is an inference).
* The evaluation cadence of CloudWatch-alarm checks is not published: every
  ``HEALTH_CHECK_INTERVAL`` seconds, the budget's ``health_check_follow``
  (delays.py; the default request interval of endpoint checks).
"""

import math

from sim import delays
from sim.aws import ApiError, utc
from sim.clock import value_at
from sim.cloudwatch import evaluate, evaluation_range, period_values

PROPAGATION = 60.0
HEALTH_CHECK_INTERVAL = delays.seconds("health_check_follow")
CHECKER_REGIONS = ("us-east-1", "us-west-1", "us-west-2", "eu-west-1", "ap-southeast-1", "ap-southeast-2",
                   "ap-northeast-1", "sa-east-1")


def _zone_id(value):
    return value.split("/")[-1]


def _norm(name):
    return name if name.endswith(".") else name + "."


class HealthCheck:
    def __init__(self, hc_id, config, reference, created):
        self.id = hc_id
        self.config = config
        self.reference = reference
        self.created = created
        self.last_known = None   # True/False once the data stream said something (LastKnownStatus)
        self.status = True       # "a new health check is healthy until there's enough data"
        self.history = [(created, True)]


class Route53:
    def __init__(self, world):
        self.world = world
        self.zones = {}          # zone id -> {"name", "records": {(name, type, set id): rrs}}
        self.visible = {}        # zone id -> [(time from which answers use it, {(name,type,set): rrs})]
        self.checks = {}         # id -> HealthCheck
        self.changes = {}        # change id -> time it is INSYNC
        self.checker_delay = 0.0  # seconds the health checkers' view of the data lags behind (inference: unpublished)
        self._n = 0

    # -- setup (what CloudFormation creates) ---------------------------------------------
    def _id(self, prefix):
        self._n += 1
        return f"{prefix}{self._n:013d}"

    def add_zone(self, name, private=True):
        zone_id = self._id("Z")
        self.zones[zone_id] = {"name": _norm(name), "private": private, "records": {}}
        self.visible[zone_id] = [(self.world.clock.now, {})]
        return zone_id

    def add_health_check(self, config, reference=None):
        hc_id = f"{self._id('')}-sim-hc"
        self.checks[hc_id] = HealthCheck(hc_id, config, reference or hc_id, self.world.clock.now)
        return hc_id

    def add_records(self, zone_id, record_sets):
        self.ChangeResourceRecordSets({"HostedZoneId": zone_id, "ChangeBatch": {"Changes": [
            {"Action": "CREATE", "ResourceRecordSet": rrs} for rrs in record_sets]}}, region=None, immediate=True)

    # -- the data plane ------------------------------------------------------------------
    def evaluate_checks(self):
        now = self.world.clock.now
        done = {}

        def status(hc):
            if hc.id in done:
                return done[hc.id]
            cfg = hc.config
            if cfg.get("Disabled"):
                healthy = True  # "Route 53 considers the status of a disabled health check to be healthy"
            elif cfg["Type"] == "CALCULATED":
                children = [self.checks[c] for c in cfg.get("ChildHealthChecks", []) if c in self.checks]
                healthy = sum(1 for c in children if status(c)) >= int(cfg.get("HealthThreshold", 0))
            elif cfg["Type"] == "CLOUDWATCH_METRIC":
                healthy = self._metric_status(hc, now)
            else:
                raise ValueError(f"health check type {cfg['Type']} is not modelled")
            if cfg.get("Inverted"):
                healthy = not healthy
            done[hc.id] = healthy
            return healthy

        for hc in self.checks.values():
            healthy = status(hc)
            if healthy != hc.status:
                hc.status = healthy
                hc.history.append((now, healthy))

    def _metric_status(self, hc, now):
        ident = hc.config["AlarmIdentifier"]
        region = ident["Region"]
        alarm = self.world.cloudwatch.alarm(ident["Name"], region)
        state = "INSUFFICIENT_DATA"
        if alarm is not None and self.world.region_up(region):
            values = period_values(self.world.cloudwatch.region_metrics(region), alarm.namespace, alarm.metric,
                                   alarm.dimensions, alarm.statistic, alarm.period,
                                   evaluation_range(alarm.evaluation_periods), now - self.checker_delay)
            state = evaluate(values, alarm.datapoints_to_alarm, alarm.evaluation_periods, alarm.breaching,
                             "missing", "INSUFFICIENT_DATA")
        if state in ("OK", "ALARM"):
            hc.last_known = state == "OK"
            return hc.last_known
        rule = hc.config.get("InsufficientDataHealthStatus", "LastKnownStatus")
        if rule == "Healthy":
            return True
        if rule == "Unhealthy":
            return False
        return True if hc.last_known is None else hc.last_known

    def healthy_at(self, hc_id, t):
        return value_at(self.checks[hc_id].history, t)

    def records_at(self, zone_id, t):
        return value_at(self.visible[zone_id], t, {}) if self.visible[zone_id][0][0] <= t else {}

    def answer(self, zone_id, name, t, rtype="CNAME"):
        """{value: probability} of the answer a resolver gets at ``t`` for a weighted name."""
        group = [r for (n, ty, _), r in self.records_at(zone_id, t).items() if n == _norm(name) and ty == rtype]
        if not group:
            return {}
        if len(group) == 1 and "Weight" not in group[0]:
            return {group[0]["ResourceRecords"][0]["Value"]: 1.0}

        def healthy(r):
            return "HealthCheckId" not in r or r["HealthCheckId"] not in self.checks or \
                self.healthy_at(r["HealthCheckId"], t)

        def by_weight(records):
            total = sum(int(r["Weight"]) for r in records)
            out = {}
            for r in records:
                value = r["ResourceRecords"][0]["Value"]
                share = int(r["Weight"]) / total if total else 1.0 / len(records)
                out[value] = out.get(value, 0.0) + share
            return {v: p for v, p in out.items() if p > 0}

        nonzero = [r for r in group if int(r["Weight"]) > 0 and healthy(r)]
        if nonzero:
            return by_weight(nonzero)
        zero = [r for r in group if int(r["Weight"]) == 0 and healthy(r)]
        if zero:
            return by_weight([dict(r, Weight=1) for r in zero])
        weighted = [r for r in group if int(r["Weight"]) > 0]   # "omitting the records that have a weight of 0"
        return by_weight(weighted or [dict(r, Weight=1) for r in group])

    # -- the API (control plane) ---------------------------------------------------------
    def _zone(self, params):
        zone_id = _zone_id(params["HostedZoneId"])
        if zone_id not in self.zones:
            raise ApiError("NoSuchHostedZone", f"No hosted zone found with ID: {zone_id}", 404)
        return zone_id

    def ChangeResourceRecordSets(self, params, region, immediate=False, **_):
        zone_id = self._zone(params)
        records = dict(self.zones[zone_id]["records"])
        for change in params["ChangeBatch"]["Changes"]:
            rrs = dict(change["ResourceRecordSet"])
            rrs["Name"] = _norm(rrs["Name"])
            key = (rrs["Name"], rrs["Type"], rrs.get("SetIdentifier"))
            if "HealthCheckId" in rrs and rrs["HealthCheckId"] not in self.checks:
                raise ApiError("NoSuchHealthCheck", f"No health check found with id {rrs['HealthCheckId']}", 404)
            action = change["Action"]
            if action == "CREATE":
                if key in records:
                    raise ApiError("InvalidChangeBatch", f"Tried to create resource record set [name='{key[0]}', "
                                   f"type='{key[1]}', set-identifier='{key[2]}'] but it already exists")
                records[key] = rrs
            elif action == "DELETE":
                if records.get(key) != rrs:
                    raise ApiError("InvalidChangeBatch", f"Tried to delete resource record set [name='{key[0]}', "
                                   f"type='{key[1]}', set-identifier='{key[2]}'] but the values provided do not "
                                   "match the current values")
                del records[key]
            elif action == "UPSERT":
                records[key] = rrs
            else:
                raise ApiError("InvalidInput", f"unknown action {action}")
            group_ttls = {r.get("TTL") for (n, t, _), r in records.items() if n == key[0] and t == key[1]}
            if len(group_ttls) > 1:
                raise ApiError("InvalidChangeBatch", "all records of a weighted group must have the same TTL")
        self.zones[zone_id]["records"] = records
        now = self.world.clock.now
        visible_at = now if immediate else now + PROPAGATION
        self.visible[zone_id].append((visible_at, dict(records)))
        self.visible[zone_id].sort(key=lambda x: x[0])
        change_id = self._id("C")
        self.changes[change_id] = visible_at
        self.world.records_changed(zone_id, visible_at)
        return {"ChangeInfo": {"Id": f"/change/{change_id}", "Status": "PENDING" if visible_at > now else "INSYNC",
                               "SubmittedAt": utc(now)}}

    def GetChange(self, params, region, **_):
        change_id = _zone_id(params["Id"])
        if change_id not in self.changes:
            raise ApiError("NoSuchChange", f"No change found with id {change_id}", 404)
        insync = self.changes[change_id] <= self.world.clock.now
        return {"ChangeInfo": {"Id": f"/change/{change_id}", "Status": "INSYNC" if insync else "PENDING",
                               "SubmittedAt": utc(self.changes[change_id] - PROPAGATION)}}

    def ListResourceRecordSets(self, params, region, **_):
        zone_id = self._zone(params)
        items = sorted(self.zones[zone_id]["records"].values(),
                       key=lambda r: (r["Name"], r["Type"], r.get("SetIdentifier") or ""))
        start = params.get("StartRecordName")
        if start:
            start_key = (_norm(start), params.get("StartRecordType", ""), params.get("StartRecordIdentifier", ""))
            items = [r for r in items if (r["Name"], r["Type"], r.get("SetIdentifier") or "") >= start_key]
        limit = int(params.get("MaxItems", 300))
        out = {"ResourceRecordSets": [dict(r) for r in items[:limit]], "IsTruncated": len(items) > limit,
               "MaxItems": str(limit)}
        if len(items) > limit:
            nxt = items[limit]
            out.update(NextRecordName=nxt["Name"], NextRecordType=nxt["Type"])
            if nxt.get("SetIdentifier"):
                out["NextRecordIdentifier"] = nxt["SetIdentifier"]
        return out

    def _check(self, params):
        hc = self.checks.get(params["HealthCheckId"])
        if hc is None:
            raise ApiError("NoSuchHealthCheck", f"No health check found with id {params['HealthCheckId']}", 404)
        return hc

    def GetHealthCheck(self, params, region, **_):
        hc = self._check(params)
        out = {"Id": hc.id, "CallerReference": hc.reference, "HealthCheckConfig": dict(hc.config),
               "HealthCheckVersion": 1}
        return {"HealthCheck": out}

    def ListHealthChecks(self, params, region, **_):
        return {"HealthChecks": [self.GetHealthCheck({"HealthCheckId": i}, region)["HealthCheck"]
                                 for i in sorted(self.checks)], "IsTruncated": False, "Marker": "",
                "MaxItems": "100"}

    def GetHealthCheckStatus(self, params, region, **_):
        hc = self._check(params)
        if hc.config["Type"] == "CALCULATED":
            raise ApiError("InvalidInput", "You can't use GetHealthCheckStatus to get the status of a calculated "
                           "health check")
        now = self.world.clock.now
        checked = math.floor(now / HEALTH_CHECK_INTERVAL) * HEALTH_CHECK_INTERVAL
        healthy = self.healthy_at(hc.id, now)
        text = "Success: the CloudWatch alarm's data says OK" if healthy else \
            "Failure: the CloudWatch alarm's data says ALARM or is insufficient"
        return {"HealthCheckObservations": [{"Region": r, "IPAddress": "15.177.0.1", "StatusReport": {
            "Status": text, "CheckedTime": utc(checked)}} for r in CHECKER_REGIONS]}
