"""CloudWatch as documented: metrics from several publishers, statistics per
period, metric alarms with their missing-data treatment, SetAlarmState, and
alarm actions to SNS and to Lambda.

Sources (quoted in tests/sim/README.md):

* Metric alarm evaluation and missing data: CloudWatch User Guide,
  "Configuring how CloudWatch alarms treat missing data",
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html
  -- the evaluation range (more periods than EvaluationPeriods), "the most
  recent real data points", filling with the treatment only when fewer real
  points than EvaluationPeriods exist, and the premature-alarm rule.  The
  range is not published; its tables use 5 for EvaluationPeriods 3, so the
  model uses EvaluationPeriods + 2 (inference).
* Evaluation cadence: alarms with a period of a minute or more are evaluated
  every minute ("Using Amazon CloudWatch alarms", AlarmThatSendsEmail.html).
  The delay between a period's end and its evaluation is not published:
  ``EVALUATION_DELAY``, the budget's ``alarm_evaluation`` (delays.py).
* SetAlarmState: "Temporarily sets the state of an alarm ... Metric alarms
  returns to their actual state quickly, often within seconds" (API
  reference, API_SetAlarmState.html): here the state holds until the next
  evaluation, and the actions of both transitions run.
* Statistics: every datapoint of the period counts, whoever published it
  (GetMetricStatistics, API_GetMetricStatistics.html; "Statistics",
  cloudwatch_concepts.html#Statistic): Maximum/Minimum over several publishers.
* Lambda alarm actions: the function is invoked asynchronously with the
  documented alarm event (AlarmThatSendsEmail.html#alarms-and-actions-Lambda).
"""

import math

from sim import delays
from sim.aws import ApiError, epoch, utc

EVALUATION_DELAY = delays.seconds("alarm_evaluation")  # after a minute boundary alarms evaluate the periods that ended
ACCOUNT = "123456789012"
STATES = ("OK", "ALARM", "INSUFFICIENT_DATA")


def _dims_key(dimensions):
    return frozenset((d["Name"], d["Value"]) for d in dimensions or [])


def compare(comparison, value, threshold):
    return {"LessThanThreshold": value < threshold,
            "LessThanOrEqualToThreshold": value <= threshold,
            "GreaterThanThreshold": value > threshold,
            "GreaterThanOrEqualToThreshold": value >= threshold}[comparison]


def evaluation_range(evaluation_periods):
    return evaluation_periods + 2


def evaluate(values, datapoints_to_alarm, evaluation_periods, breaching, treatment, current):
    """The documented evaluation of one alarm over its evaluation range.

    ``values``: one statistic per period of the range, oldest first, None when
    missing.  Returns OK, ALARM, INSUFFICIENT_DATA (or ``current`` where the
    documentation says the state is retained)."""
    m, n = datapoints_to_alarm, evaluation_periods
    real = [v for v in values if v is not None]
    if len(real) >= n:
        # "evaluates the alarm state based on the most recent real data points"; the treatment is ignored
        return "ALARM" if sum(1 for v in real[-n:] if breaching(v)) >= m else "OK"
    if not real:
        return {"missing": "INSUFFICIENT_DATA", "ignore": current, "breaching": "ALARM",
                "notBreaching": "OK"}[treatment]
    if treatment in ("missing", "ignore") and len(real) < m:
        # premature alarm state: the oldest breaching point of the last N periods is at least M periods old
        # and every more recent point is breaching or missing
        last = values[-n:]
        breaches = [i for i, v in enumerate(last) if v is not None and breaching(v)]
        if breaches and n - breaches[0] >= m and all(v is None or breaching(v) for v in last[breaches[0]:]):
            return "ALARM" if treatment == "missing" else current
    filled = (n - len(real)) if treatment == "breaching" else 0
    return "ALARM" if sum(1 for v in real if breaching(v)) + filled >= m else "OK"


class Alarm:
    def __init__(self, region, props):
        self.region = region
        self.name = props["AlarmName"]
        self.namespace = props["Namespace"]
        self.metric = props["MetricName"]
        self.dimensions = [{"Name": d["Name"], "Value": d["Value"]} for d in props.get("Dimensions", [])]
        self.statistic = props["Statistic"]
        self.period = int(props["Period"])
        self.evaluation_periods = int(props["EvaluationPeriods"])
        self.datapoints_to_alarm = int(props.get("DatapointsToAlarm") or self.evaluation_periods)
        self.threshold = float(props["Threshold"])
        self.comparison = props["ComparisonOperator"]
        self.treat_missing = props.get("TreatMissingData") or "missing"
        self.actions = {"ALARM": list(props.get("AlarmActions", [])), "OK": list(props.get("OKActions", [])),
                        "INSUFFICIENT_DATA": list(props.get("InsufficientDataActions", []))}
        self.actions_enabled = props.get("ActionsEnabled", True) not in (False, "false")
        self.arn = f"arn:aws:cloudwatch:{region}:{ACCOUNT}:alarm:{self.name}"
        self.state = "INSUFFICIENT_DATA"
        self.actual = "INSUFFICIENT_DATA"   # the evaluated state (SetAlarmState changes only ``state``)
        self.reason = "Unchecked: Initial alarm creation"
        self.updated = None
        self.history = []     # (time, state, by)

    def breaching(self, value):
        return compare(self.comparison, value, self.threshold)

    def describe(self):
        return {"AlarmName": self.name, "AlarmArn": self.arn, "ActionsEnabled": self.actions_enabled,
                "AlarmActions": self.actions["ALARM"], "OKActions": self.actions["OK"],
                "InsufficientDataActions": self.actions["INSUFFICIENT_DATA"], "StateValue": self.state,
                "StateReason": self.reason, "StateUpdatedTimestamp": utc(self.updated or 0),
                "StateTransitionedTimestamp": utc(self.updated or 0), "MetricName": self.metric,
                "Namespace": self.namespace, "Statistic": self.statistic, "Dimensions": self.dimensions,
                "Period": self.period, "EvaluationPeriods": self.evaluation_periods,
                "DatapointsToAlarm": self.datapoints_to_alarm, "Threshold": self.threshold,
                "ComparisonOperator": self.comparison, "TreatMissingData": self.treat_missing}


class RegionMetrics:
    """The metric data of one region: every datapoint, with the time it was put."""

    def __init__(self):
        self.data = {}   # (namespace, name, dims) -> [(timestamp, count, sum, min, max, put_time)]

    def put(self, namespace, name, dimensions, timestamp, count, total, low, high, now):
        key = (namespace, name, _dims_key(dimensions))
        self.data.setdefault(key, []).append((timestamp, count, total, low, high, now))

    def series(self, namespace, name, dimensions):
        return self.data.get((namespace, name, _dims_key(dimensions)), [])

    def statistics(self, namespace, name, dimensions, start, end, period, visible_at):
        """{period start: {SampleCount, Sum, Minimum, Maximum, Average}} over [start, end)."""
        buckets = {}
        for ts, count, total, low, high, put in self.series(namespace, name, dimensions):
            if put > visible_at or not start <= ts < end:
                continue
            b = start + math.floor((ts - start) / period) * period
            s = buckets.setdefault(b, {"SampleCount": 0.0, "Sum": 0.0, "Minimum": math.inf, "Maximum": -math.inf})
            s["SampleCount"] += count
            s["Sum"] += total
            s["Minimum"] = min(s["Minimum"], low)
            s["Maximum"] = max(s["Maximum"], high)
        for s in buckets.values():
            s["Average"] = s["Sum"] / s["SampleCount"] if s["SampleCount"] else 0.0
        return buckets


def period_values(metrics, namespace, name, dimensions, statistic, period, periods, now):
    """The statistic of each of the last ``periods`` complete periods before the evaluation at ``now``."""
    end = math.floor((now - EVALUATION_DELAY) / 60.0) * 60.0
    end = math.floor(end / period) * period
    start = end - periods * period
    buckets = metrics.statistics(namespace, name, dimensions, start, end, period, now)
    return [buckets.get(start + k * period, {}).get(statistic) for k in range(periods)]


class CloudWatch:
    """The CloudWatch API of every region (operations named as in the API reference)."""

    def __init__(self, world):
        self.world = world
        self.metrics = {}    # region -> RegionMetrics
        self.alarms = {}     # region -> {name: Alarm}
        # seconds before a datapoint is readable with GetMetricData / GetMetricStatistics: AWS gives figures only for
        # old timestamps ("between 3 and 24 hours ago can take as much as 2 hours", API_PutMetricData), none for
        # current ones (inference: 0; a scenario may set it)
        self.read_delay = delays.seconds("metric_readable")  # PutMetricData until GetMetricStatistics returns it

    def region_metrics(self, region):
        return self.metrics.setdefault(region, RegionMetrics())

    def add_alarm(self, region, props):
        alarm = Alarm(region, props)
        self.alarms.setdefault(region, {})[alarm.name] = alarm
        alarm.updated = self.world.clock.now
        alarm.history.append((self.world.clock.now, alarm.state, "created"))
        return alarm

    def alarm(self, name, region=None):
        for r, alarms in self.alarms.items():
            if name in alarms and (region is None or region == r):
                return alarms[name]
        return None

    def publish(self, region, namespace, name, dimensions, value, timestamp=None):
        """A datapoint published by AWS itself (AWS/Lambda, AWS/RDS, ...) or by the simulator."""
        now = self.world.clock.now
        self.region_metrics(region).put(namespace, name, dimensions, now if timestamp is None else timestamp,
                                        1.0, value, value, value, now)

    # -- evaluation ----------------------------------------------------------------
    def evaluate_region(self, region):
        for alarm in list(self.alarms.get(region, {}).values()):
            values = period_values(self.region_metrics(region), alarm.namespace, alarm.metric, alarm.dimensions,
                                   alarm.statistic, alarm.period, evaluation_range(alarm.evaluation_periods),
                                   self.world.clock.now)
            state = evaluate(values, alarm.datapoints_to_alarm, alarm.evaluation_periods, alarm.breaching,
                             alarm.treat_missing, alarm.actual)
            alarm.actual = state
            self._set_state(alarm, state, "evaluation", "Threshold Crossed (simulated evaluation)")

    def _set_state(self, alarm, state, by, reason):
        if state == alarm.state:
            return
        previous, alarm.state, alarm.reason, alarm.updated = alarm.state, state, reason, self.world.clock.now
        alarm.history.append((self.world.clock.now, state, by))
        self.world.event(f"alarm {alarm.name} ({alarm.region}) -> {state} ({by})")
        if alarm.actions_enabled:
            for arn in alarm.actions[state]:
                self.world.alarm_action(alarm, arn, previous, state, reason)

    # -- the API -------------------------------------------------------------------
    def PutMetricData(self, params, region, **_):
        now = self.world.clock.now
        for datum in params["MetricData"]:
            ts = epoch(datum["Timestamp"]) if "Timestamp" in datum else now
            if ts < now - 14 * 86400 or ts > now + 2 * 3600:
                raise ApiError("InvalidParameterValue", "The parameter MetricData.member.Timestamp must be within "
                               "two weeks in the past and two hours in the future")
            dims = datum.get("Dimensions", [])
            metrics = self.region_metrics(region)
            if "StatisticValues" in datum:
                sv = datum["StatisticValues"]
                metrics.put(params["Namespace"], datum["MetricName"], dims, ts, sv["SampleCount"], sv["Sum"],
                            sv["Minimum"], sv["Maximum"], now)
            elif "Values" in datum:
                counts = datum.get("Counts") or [1.0] * len(datum["Values"])
                for v, c in zip(datum["Values"], counts, strict=True):
                    metrics.put(params["Namespace"], datum["MetricName"], dims, ts, c, v * c, v, v, now)
            else:
                v = float(datum["Value"])
                metrics.put(params["Namespace"], datum["MetricName"], dims, ts, 1.0, v, v, v, now)
        return {}

    def GetMetricStatistics(self, params, region, **_):
        period = int(params["Period"])
        start = math.floor(epoch(params["StartTime"]) / 60.0) * 60.0
        end = epoch(params["EndTime"])
        buckets = self.region_metrics(region).statistics(params["Namespace"], params["MetricName"],
                                                         params.get("Dimensions", []), start, end, period,
                                                         self.world.clock.now - self.read_delay)
        points = []
        for b in sorted(buckets):
            point = {"Timestamp": utc(b), "Unit": params.get("Unit", "None")}
            for stat in params.get("Statistics", []):
                point[stat] = buckets[b][stat]
            points.append(point)
        return {"Label": params["MetricName"], "Datapoints": points}

    def GetMetricData(self, params, region, **_):
        start = math.floor(epoch(params["StartTime"]) / 60.0) * 60.0
        end = epoch(params["EndTime"])
        results = []
        for query in params["MetricDataQueries"]:
            if "MetricStat" not in query:
                raise ApiError("SimulatorNotModelled", "metric math expressions are not modelled")
            stat = query["MetricStat"]
            metric = stat["Metric"]
            name = {"Maximum": "Maximum", "Minimum": "Minimum", "Sum": "Sum", "SampleCount": "SampleCount",
                    "Average": "Average"}.get(stat["Stat"])
            if name is None:
                raise ApiError("SimulatorNotModelled", f"statistic {stat['Stat']} is not modelled")
            period = int(stat["Period"])
            buckets = self.region_metrics(region).statistics(metric["Namespace"], metric["MetricName"],
                                                             metric.get("Dimensions", []), start, end, period,
                                                             self.world.clock.now - self.read_delay)
            order = sorted(buckets, reverse=params.get("ScanBy", "TimestampDescending") == "TimestampDescending")
            if query.get("ReturnData", True):
                results.append({"Id": query["Id"], "Label": query.get("Label", metric["MetricName"]),
                                "Timestamps": [utc(b) for b in order], "Values": [buckets[b][name] for b in order],
                                "StatusCode": "Complete"})
        return {"MetricDataResults": results, "Messages": []}

    def DescribeAlarms(self, params, region, **_):
        names = params.get("AlarmNames")
        prefix = params.get("AlarmNamePrefix")
        state = params.get("StateValue")
        found = []
        for alarm in self.alarms.get(region, {}).values():
            if names is not None and alarm.name not in names:
                continue
            if prefix and not alarm.name.startswith(prefix):
                continue
            if state and alarm.state != state:
                continue
            found.append(alarm.describe())
        return {"MetricAlarms": found, "CompositeAlarms": []}

    def SetAlarmState(self, params, region, **_):
        alarm = self.alarms.get(region, {}).get(params["AlarmName"])
        if alarm is None:
            raise ApiError("ResourceNotFound", f"Alarm {params['AlarmName']} not found", 404)
        if params["StateValue"] not in STATES:
            raise ApiError("InvalidParameterValue", "StateValue")
        self._set_state(alarm, params["StateValue"], "SetAlarmState", params["StateReason"])
        return {}

    def DescribeAlarmHistory(self, params, region, **_):
        items = []
        for alarm in self.alarms.get(region, {}).values():
            if params.get("AlarmName") and alarm.name != params["AlarmName"]:
                continue
            for when, state, by in alarm.history:
                items.append({"AlarmName": alarm.name, "AlarmType": "MetricAlarm", "Timestamp": utc(when),
                              "HistoryItemType": "StateUpdate", "HistorySummary": f"Alarm updated to {state} ({by})"})
        items.sort(key=lambda i: i["Timestamp"], reverse=True)
        return {"AlarmHistoryItems": items}

    def ListMetrics(self, params, region, **_):
        out = []
        for (ns, name, dims) in self.region_metrics(region).data:
            if params.get("Namespace") and ns != params["Namespace"]:
                continue
            if params.get("MetricName") and name != params["MetricName"]:
                continue
            out.append({"Namespace": ns, "MetricName": name,
                        "Dimensions": [{"Name": k, "Value": v} for k, v in sorted(dims)]})
        return {"Metrics": out}
