"""The settings the simulator needs, read from the synthesized templates
(``drsynth synth -o DIR``), never from a copy of the defaults."""

import json
import os
import re
import subprocess
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def drsynth_binary():
    return os.environ.get("DRSYNTH_BIN") or os.path.join(REPO, "build", "drsynth")


def synthesize(out_dir, context=()):
    args = [drsynth_binary(), "synth", "-o", out_dir]
    for key, value in context:
        args += ["-c", f"{key}={value}"]
    proc = subprocess.run(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}")
    return proc.stdout


def _rate_seconds(expression):
    m = re.fullmatch(r"rate\((\d+) (minute|minutes|hour|hours)\)", expression)
    if not m:
        raise ValueError(f"unsupported schedule {expression!r}")
    return int(m.group(1)) * (60 if m.group(2).startswith("minute") else 3600)


class Alarm:
    def __init__(self, props, region):
        self.name = props["AlarmName"]
        self.region = region
        self.metric = props["MetricName"]
        self.namespace = props["Namespace"]
        self.dimensions = [{"Name": d["Name"], "Value": d["Value"]} for d in props.get("Dimensions", [])]
        self.statistic = props["Statistic"]
        self.period = int(props["Period"])
        self.evaluation_periods = int(props["EvaluationPeriods"])
        self.datapoints_to_alarm = int(props.get("DatapointsToAlarm", props["EvaluationPeriods"]))
        self.treat_missing = props.get("TreatMissingData", "missing")
        self.threshold = float(props["Threshold"])
        self.comparison = props["ComparisonOperator"]
        self.actions = props.get("AlarmActions", [])

    def breaching(self, value):
        return {"LessThanThreshold": value < self.threshold,
                "LessThanOrEqualToThreshold": value <= self.threshold,
                "GreaterThanThreshold": value > self.threshold,
                "GreaterThanOrEqualToThreshold": value >= self.threshold}[self.comparison]

    def invokes_function(self):
        return any(isinstance(a, dict) and "Fn::GetAtt" in a and a["Fn::GetAtt"][1] == "Arn" for a in self.actions)


class SystemSettings:
    """Alarms, health checks, TTL, schedules and function environments of the
    synthesized DR system."""

    def __init__(self, out_dir, suffix="dev"):
        def load(stack):
            with open(os.path.join(out_dir, f"{stack}-{suffix}.template.json")) as f:
                return json.load(f)["Resources"]

        self.failover_stack = load("DrFailover")
        self.primary_stack = load("DrPrimary")
        regions = {}
        for stack in ("DrFailover", "DrPrimary"):
            with open(os.path.join(out_dir, f"{stack}-{suffix}.template.json")) as f:
                meta = json.load(f).get("Metadata", {})
            regions[stack] = meta["cfn-lint"]["config"]["regions"][0]
        self.dr_region, self.primary_region = regions["DrFailover"], regions["DrPrimary"]

        self.alarms = {}
        for resources, region in ((self.failover_stack, self.dr_region), (self.primary_stack, self.primary_region)):
            for r in resources.values():
                if r["Type"] == "AWS::CloudWatch::Alarm" and r["Properties"].get("Namespace") == "drsynth":
                    alarm = Alarm(r["Properties"], region)
                    self.alarms[alarm.name] = alarm

        by_id = {lid: r for lid, r in self.failover_stack.items()}
        record = next(r for r in by_id.values() if r["Type"] == "AWS::Route53::RecordSet"
                      and r["Properties"].get("SetIdentifier") == "primary")
        self.ttl = int(record["Properties"]["TTL"])
        calculated = by_id[record["Properties"]["HealthCheckId"]["Ref"]]["Properties"]["HealthCheckConfig"]
        if calculated["Type"] != "CALCULATED":
            raise ValueError("the primary record's health check is not CALCULATED")
        self.health_threshold = int(calculated["HealthThreshold"])
        self.child_checks = []
        for child in calculated["ChildHealthChecks"]:
            config = by_id[child["Ref"]]["Properties"]["HealthCheckConfig"]
            name = config["AlarmIdentifier"]["Name"]
            if isinstance(name, dict):  # Ref to an alarm of this stack
                name = by_id[name["Ref"]]["Properties"]["AlarmName"]
            self.child_checks.append({"alarm": name, "region": config["AlarmIdentifier"]["Region"],
                                      "insufficient": config["InsufficientDataHealthStatus"]})

        functions = {r["Properties"]["FunctionName"]: r for r in self.failover_stack.values()
                     if r["Type"] == "AWS::Lambda::Function"}
        functions.update({r["Properties"]["FunctionName"]: r for r in self.primary_stack.values()
                          if r["Type"] == "AWS::Lambda::Function"})
        self.failover_function = functions[f"failover-{suffix}"]["Properties"]
        self.failover_env = self.failover_function["Environment"]["Variables"]
        self.failover_timeout = int(self.failover_function["Timeout"])
        self.probe_env = functions[f"probe-{suffix}"]["Properties"]["Environment"]["Variables"]
        self.local_probe_env = functions[f"probe-local-{suffix}"]["Properties"]["Environment"]["Variables"]
        self.probe_timeout = float(self.probe_env["PROBE_TIMEOUT_SECONDS"])

        rules = [r["Properties"] for res in (self.failover_stack, self.primary_stack) for r in res.values()
                 if r["Type"] == "AWS::Events::Rule"]
        self.reconcile_interval = next(_rate_seconds(r["ScheduleExpression"]) for r in rules
                                       if "Input" in r["Targets"][0] and "reconcile" in r["Targets"][0]["Input"])
        self.probe_interval = next(_rate_seconds(r["ScheduleExpression"]) for r in rules
                                   if "Input" not in r["Targets"][0])
        self.hold_alarm = self.failover_env["HOLD_ALARM_NAME"]
        self.fence_alarm = self.failover_env["FENCE_ALARM_NAME"]
        self.local_alarm = self.failover_env["PRIMARY_VIEW_ALARM_NAME"]
        self.dr_alarm = next(c["alarm"] for c in self.child_checks
                             if c["region"] == self.dr_region and c["alarm"] != self.fence_alarm)

    def function_environment(self, zone_id, primary_endpoint, replica_endpoint, topic_arn, health_check_id):
        """The failover function's environment with the references resolved."""
        env = {}
        for key, value in self.failover_env.items():
            env[key] = value if isinstance(value, str) else None
        env.update({"HOSTED_ZONE_ID": zone_id, "PRIMARY_ENDPOINT": primary_endpoint,
                    "REPLICA_ENDPOINT": replica_endpoint, "TOPIC_ARN": topic_arn,
                    "PRIMARY_HEALTH_CHECK_ID": health_check_id})
        missing = [k for k, v in env.items() if v is None]
        if missing:
            raise ValueError(f"unresolved references in the failover environment: {missing}")
        return env


def synthesized_settings(context=()):
    with tempfile.TemporaryDirectory(prefix="drsynth-sim-") as out:
        synthesize(out, context)
        return SystemSettings(out)
