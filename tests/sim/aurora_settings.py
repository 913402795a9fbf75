"""The settings the Aurora simulator needs, in one shape whether they come from
the synthesized templates (``aurora_settings_from_templates(dir)``, the default)
or from the hand-written FIXTURE below (the shape the simulator was first
written against; kept for experiments with settings the pattern does not emit).

The switch: the environment variable ``DRSYNTH_AURORA_SIM_TEMPLATES``
* unset or ``synth``: run ``drsynth synth -c variant=aurora-global -o <tmp>`` (DRSYNTH_BIN) and read it;
* ``fixture``: FIXTURE;
* a directory: read the templates already synthesized there.

Shape (a dict): ``functions`` {region: {"env": Environment.Variables, "timeout"}}
of the AWS::Lambda::Function resources whose environment has GLOBAL_CLUSTER_ID;
``probes`` {region: Environment.Variables of the probe whose METRIC_DIMENSION_VALUE
is the failover function's}; ``alarms`` {AlarmName: {"region", "props": the
AWS::CloudWatch::Alarm Properties}} of namespace drsynth; ``records`` {set id:
{"ttl", "health_check": {"threshold", "children": [{"alarm", "region",
"insufficient"}]}}}; ``probe_interval`` and ``reconcile_interval`` (seconds).
"""

import copy
import glob
import json
import os
import tempfile

from sim import template_settings

SETTINGS_SOURCE_ENV = "DRSYNTH_AURORA_SIM_TEMPLATES"

PRIMARY, SECONDARY = "us-east-1", "us-west-2"
SHORT = {PRIMARY: "use1", SECONDARY: "usw2"}
FENCE_REGION = SECONDARY


def _alarm(name, metric, dimension, periods, function=None):
    fence = metric == "Fenced"
    props = {"AlarmName": name, "Namespace": "drsynth", "MetricName": metric,
             "Dimensions": [{"Name": "System", "Value": dimension}], "Statistic": "Maximum" if fence else "Minimum",
             "Period": 60, "EvaluationPeriods": periods, "DatapointsToAlarm": periods, "Threshold": 1,
             "ComparisonOperator": "GreaterThanOrEqualToThreshold" if fence else "LessThanThreshold",
             "TreatMissingData": "ignore" if fence else "breaching"}
    if function:
        props["AlarmActions"] = [{"Fn::GetAtt": [function, "Arn"]}]
    return props


def _fixture():
    alarms, functions, probes, records = {}, {}, {}, {}
    for region, other in ((PRIMARY, SECONDARY), (SECONDARY, PRIMARY)):
        r, o = SHORT[region], SHORT[other]
        dim = f"aurora-{r}-dev"
        alarms[f"writer-down-{r}-dev"] = {"region": region, "props": _alarm(f"writer-down-{r}-dev", "PrimaryHealthy",
                                                                             dim, 1)}
        alarms[f"writer-down-held-{r}-dev"] = {"region": region, "props": _alarm(
            f"writer-down-held-{r}-dev", "PrimaryHealthy", dim, 3, function=f"Failover{r}")}
        alarms[f"fenced-{r}-dev"] = {"region": FENCE_REGION, "props": _alarm(f"fenced-{r}-dev", "Fenced", region, 1)}
        functions[region] = {"timeout": 300, "env": {
            "GLOBAL_CLUSTER_ID": "aurora-global-dev", "LOCAL_REGION": region,
            "LOCAL_CLUSTER_ID": f"aurora-{r}-dev", "LOCAL_CLUSTER_ARN": {"Fn::GetAtt": [f"Cluster{r}", "DBClusterArn"]},
            "REMOTE_REGION": other, "REMOTE_CLUSTER_ID": f"aurora-{o}-dev",
            "REMOTE_CLUSTER_ARN": {"Fn::GetStackOutput": f"Cluster{o}"}, "HOSTED_ZONE_ID": {"Ref": "Zone"},
            "RECORD_NAME": "postgres.aurora-dev.internal", "RECORD_TTL": "60",
            "LOCAL_SET_IDENTIFIER": region, "REMOTE_SET_IDENTIFIER": other,
            "LOCAL_ENDPOINT": {"Fn::GetAtt": [f"Cluster{r}", "Endpoint.Address"]},
            "REMOTE_ENDPOINT": {"Fn::GetStackOutput": f"Endpoint{o}"},
            "LOCAL_HEALTH_CHECK_ID": {"Ref": f"Health{r}"}, "REMOTE_HEALTH_CHECK_ID": {"Ref": f"Health{o}"},
            "TOPIC_ARN": {"Ref": f"Topic{r}"}, "HOLD_ALARM_NAME": f"writer-down-held-{r}-dev",
            "REMOTE_VIEW_ALARM_NAME": f"writer-down-{o}-dev", "LOCAL_FENCE_ALARM_NAME": f"fenced-{r}-dev",
            "REMOTE_FENCE_ALARM_NAME": f"fenced-{o}-dev", "FENCE_REGION": FENCE_REGION,
            "LOCK_PARAMETER": f"/drsynth/dev/aurora-failover-lock-{r}",
            "STATE_PARAMETER": f"/drsynth/dev/aurora-failover-state-{r}", "ARM_AFTER_HEALTHY_DATAPOINTS": "5",
            "METRIC_NAMESPACE": "drsynth", "METRIC_DIMENSION_NAME": "System", "METRIC_DIMENSION_VALUE": dim,
            "PROMOTION_DEADLINE_SECONDS": "1800", "DETECTION_BUDGET_SECONDS": "60", "ALLOW_DETACH": "false"}}
        probes[region] = {"DB_HOST": {"Fn::GetAtt": ["Global", "Endpoint"]}, "DB_PORT": "5432",
                          "DB_SECRET_ID": {"Ref": "Secret"}, "PROBE_TIMEOUT_SECONDS": "5",
                          "METRIC_NAMESPACE": "drsynth", "METRIC_DIMENSION_NAME": "System",
                          "METRIC_DIMENSION_VALUE": dim}
        records[region] = {"ttl": 60, "health_check": {"threshold": 3, "children": [
            {"alarm": f"fenced-{r}-dev", "region": FENCE_REGION, "insufficient": "Healthy"},
            {"alarm": f"fenced-{r}-dev", "region": FENCE_REGION, "insufficient": "Healthy"},
            {"alarm": "writer-down-use1-dev", "region": PRIMARY, "insufficient": "Unhealthy"},
            {"alarm": "writer-down-usw2-dev", "region": SECONDARY, "insufficient": "Unhealthy"}]}}
    return {"primary_region": PRIMARY, "functions": functions, "probes": probes, "alarms": alarms,
            "records": records, "probe_interval": 60, "reconcile_interval": 60}


FIXTURE = _fixture()


def aurora_settings_from_templates(out_dir):
    """Read the settings from ``drsynth synth -c variant=aurora-global -o DIR``."""
    functions, probes, alarms, records, rates = {}, {}, {}, {}, {"probe": [], "reconcile": []}
    health_checks, record_sets, global_region, other_alarms = {}, [], None, {}
    for path in sorted(glob.glob(os.path.join(out_dir, "*.template.json"))):
        with open(path) as f:
            template = json.load(f)
        region = template.get("Metadata", {}).get("cfn-lint", {}).get("config", {}).get("regions", [None])[0]
        resources = template.get("Resources", {})
        for lid, r in resources.items():
            props = r.get("Properties", {})
            env = props.get("Environment", {}).get("Variables", {})
            if r["Type"] == "AWS::Lambda::Function" and "GLOBAL_CLUSTER_ID" in env:
                functions[env.get("LOCAL_REGION", region)] = {"env": env, "timeout": int(props.get("Timeout", 300))}
            elif r["Type"] == "AWS::Lambda::Function" and "DB_HOST" in env:
                probes.setdefault(region, []).append(env)
            elif r["Type"] == "AWS::RDS::GlobalCluster":
                global_region = region  # the writer starts in the global cluster's region
            elif r["Type"] == "AWS::CloudWatch::Alarm" and props.get("Namespace") == "drsynth":
                alarms[props["AlarmName"]] = {"region": region, "props": props}
            elif r["Type"] == "AWS::CloudWatch::Alarm" and isinstance(props.get("AlarmName"), str):
                other_alarms[props["AlarmName"]] = {"region": region, "props": props}
            elif r["Type"] == "AWS::Route53::HealthCheck":
                health_checks[lid] = (props["HealthCheckConfig"], resources)
            elif r["Type"] == "AWS::Route53::RecordSet" and props.get("SetIdentifier"):
                record_sets.append(props)
            elif r["Type"] == "AWS::Events::Rule" and props.get("ScheduleExpression", "").startswith("rate("):
                target_input = props["Targets"][0].get("Input", "")
                kind = "reconcile" if "reconcile" in target_input else "probe"
                rates[kind].append(template_settings._rate_seconds(props["ScheduleExpression"]))
    for props in record_sets:
        check = None
        if isinstance(props.get("HealthCheckId"), dict) and props["HealthCheckId"].get("Ref") in health_checks:
            config, resources = health_checks[props["HealthCheckId"]["Ref"]]
            children = []
            for child in config.get("ChildHealthChecks", []):
                c = health_checks[child["Ref"]][0]
                name = c["AlarmIdentifier"]["Name"]
                if isinstance(name, dict):
                    name = resources[name["Ref"]]["Properties"]["AlarmName"]
                children.append({"alarm": name, "region": c["AlarmIdentifier"]["Region"],
                                 "insufficient": c["InsufficientDataHealthStatus"]})
                if name not in alarms and name in other_alarms:  # e.g. the DNS lag guard (AWS/RDS)
                    alarms[name] = other_alarms[name]
            check = {"threshold": int(config["HealthThreshold"]), "children": children}
        records[props["SetIdentifier"]] = {"ttl": int(props["TTL"]), "health_check": check}
    chosen = {}
    for region, f in functions.items():
        dim = f["env"]["METRIC_DIMENSION_VALUE"]
        chosen[region] = next(p for p in probes.get(region, []) if p.get("METRIC_DIMENSION_VALUE") == dim)
    return {"primary_region": global_region, "functions": functions, "probes": chosen, "alarms": alarms,
            "records": records, "probe_interval": min(rates["probe"]), "reconcile_interval": min(rates["reconcile"])}


def load(overrides=None):
    """The settings the switch selects, with env overrides per function ({NAME: value})."""
    source = os.environ.get(SETTINGS_SOURCE_ENV, "synth")
    if source == "fixture":
        settings = copy.deepcopy(FIXTURE)
    elif source == "synth":
        with tempfile.TemporaryDirectory(prefix="drsynth-aurora-sim-") as out:
            template_settings.synthesize(out, [("variant", "aurora-global")])
            settings = aurora_settings_from_templates(out)
    else:
        settings = aurora_settings_from_templates(source)
    settings["source"] = source
    for f in settings["functions"].values():
        f["env"].update(overrides or {})
    return settings
