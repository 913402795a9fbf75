"""Templates of the DR kit written by hand from the design
(/work/plan/issue20-design.md, sections 1 and 4, and the kit's name table in
src/patterns/dr_kit_names.hpp), in the shape ``drsynth synth`` writes:
one CloudFormation template per stack, its region in
``Metadata.cfn-lint.config.regions``, cross-stack values as
``Fn::GetStackOutput``.  The simulator reads these exactly as it reads
synthesized templates (templates.py); they exist to run the simulator before
(or without) a built ``drsynth``, and to try settings the pattern does not
emit (``fixture_templates(engine, witness=False, **settings)``).
"""

import json

DEFAULTS = {"health_alarm_periods": 2, "hold_minutes": 3, "arm_after_healthy_minutes": 5,
            "promotion_deadline_minutes": 30, "max_promotion_lag_seconds": 300, "dns_lag_guard_seconds": 60,
            "second_signal_timeout_seconds": 5, "failover_reserved_concurrency": 5, "record_ttl_seconds": 30,
            "probe_timeout_seconds": 5, "expected_promotion_seconds": 300, "lease_expiry_seconds": 240,
            "self_fence_after_seconds": 90}

SYSTEMS = {
    "rds": {"sys": "rds", "regions": ("us-east-1", "eu-west-1"), "witness": "us-west-2",
            "words": ("primary", "replica"), "ids": ("primary", "replica"),
            "db": ("postgres-primary-dev", "postgres-replica-dev"), "dimension": "drsynth-rds-dev",
            "zone": "rds-dev.internal", "record": "postgres.rds-dev.internal"},
    "aurora": {"sys": "aurora", "regions": ("us-east-1", "us-west-2"), "witness": "us-east-2",
               "words": ("primary", "secondary"), "ids": ("aurora-use1-dev", "aurora-usw2-dev"),
               "db": ("aurora-use1-dev", "aurora-usw2-dev"), "dimension": "drsynth-aurora-dev",
               "zone": "aurora-dev.internal", "record": "postgres.aurora-dev.internal", "global": "aurora-global-dev"},
}


def _cap(word):
    return word[:1].upper() + word[1:]


class _Stack:
    def __init__(self, name, region):
        self.name, self.region = name, region
        self.resources, self.outputs = {}, {}

    def add(self, logical, rtype, props, **extra):
        self.resources[logical] = dict({"Type": rtype, "Properties": props}, **extra)
        return {"Ref": logical}

    def output(self, name, value):
        self.outputs[name] = {"Value": value}

    def template(self):
        return {"AWSTemplateFormatVersion": "2010-09-09", "Metadata": {"cfn-lint": {"config": {
            "regions": [self.region]}}}, "Resources": self.resources, "Outputs": self.outputs}


def _from(stack, output):
    return {"Fn::GetStackOutput": {"StackName": stack.name, "OutputName": output, "Region": stack.region}}


def fixture_templates(engine="rds", witness=True, **overrides):
    """{stack name: template} of one system."""
    if engine not in SYSTEMS:
        raise ValueError(f"engine must be one of {sorted(SYSTEMS)}")
    c = SYSTEMS[engine]
    k = dict(DEFAULTS, **overrides)
    if engine == "aurora" and "max_promotion_lag_seconds" not in overrides:
        k["max_promotion_lag_seconds"] = 60
    sys_, suffix = c["sys"], "dev"

    def n(pattern, x=0, s=0):
        return pattern.format(sys=sys_, x=c["words"][x], s=c["words"][s], suffix=suffix)

    names = {
        "probe": "lambda-probe-{sys}-{x}-{suffix}", "view": "alarm-writer-{sys}-{s}-seen-from-{x}-{suffix}",
        "hold": "alarm-writer-held-{sys}-{s}-seen-from-{x}-{suffix}", "fence": "alarm-fence-{sys}-{s}-{suffix}",
        "lag": "alarm-lag-guard-{sys}-{s}-{suffix}", "probe_silent": "alarm-probe-silent-{sys}-{x}-{suffix}",
        "guard_applies": "alarm-lag-guard-applies-{sys}-{s}-{suffix}",
        "unreachable": "alarm-unreachable-{sys}-{s}-from-{x}-{suffix}",
        "probe_fault": "alarm-probe-fault-{sys}-{x}-{suffix}",
        "failover_silent": "alarm-failover-silent-{sys}-{x}-{suffix}",
        "notifications": "alarm-notifications-failed-{sys}-{x}-{suffix}",
        "failover": "lambda-failover-{sys}-{x}-{suffix}", "dlq": "sqs-failover-dlq-{sys}-{x}-{suffix}",
        "dlq_alarm": "alarm-failover-dlq-{sys}-{x}-{suffix}", "lock": "/drsynth/{sys}-{suffix}/failover-lock-{x}",
        "state": "/drsynth/{sys}-{suffix}/failover-state-{x}", "witness": "lambda-witness-{sys}-{suffix}",
        "grant": "/drsynth/{sys}-{suffix}/witness-grant", "topic": "sns-alarms-{sys}-{x}-{suffix}",
        "lease": "/drsynth/{sys}-{suffix}/lease-{x}", "lease_record": "/drsynth/{sys}-{suffix}/lease-record-{x}",
        "params": "params-{sys}-{x}-{suffix}"}
    regions, words, ids, dims = c["regions"], c["words"], c["ids"], c["dimension"]
    data = [_Stack(f"Dr{_cap(sys_)}Data{_cap(words[x])}-{suffix}", regions[x]) for x in (0, 1)]
    view = [_Stack(f"Dr{_cap(sys_)}View{_cap(words[x])}-{suffix}", regions[x]) for x in (0, 1)]
    fail = [_Stack(f"Dr{_cap(sys_)}Failover{_cap(words[x])}-{suffix}", regions[x]) for x in (0, 1)]
    glob = _Stack(f"Dr{_cap(sys_)}Routing-{suffix}", regions[1])
    wit = _Stack(f"Dr{_cap(sys_)}Witness-{suffix}", c["witness"]) if witness else None

    # -- the databases, their secrets and the paging topics -----------------------------------
    for x in (0, 1):
        d = data[x]
        d.add("Secret", "AWS::SecretsManager::Secret", {
            "Name": f"secret-db-{sys_}-{suffix}", "GenerateSecretString": {
                "SecretStringTemplate": json.dumps({"username": "postgres"}), "GenerateStringKey": "password"},
            **({"ReplicaRegions": [{"Region": regions[1]}]} if x == 0 else {})})
        d.add("Topic", "AWS::SNS::Topic", {"TopicName": n(names["topic"], x)})
        d.output("TopicArn", {"Ref": "Topic"})
        if engine == "rds":
            d.add("Params", "AWS::RDS::DBParameterGroup", {"DBParameterGroupName": n(names["params"], x),
                                                          "Family": "postgres15", "Description": "site's own"})
            props = {"DBInstanceIdentifier": c["db"][x], "Engine": "postgres", "EngineVersion": "15.10",
                     "DBInstanceClass": "db.t4g.medium", "AllocatedStorage": "100", "StorageEncrypted": True,
                     "BackupRetentionPeriod": 7, "MultiAZ": True, "DBParameterGroupName": {"Ref": "Params"}}
            if x == 0:
                props.update(MasterUsername="postgres", MasterUserPassword="{{resolve:secretsmanager:secret}}")
            else:
                props.update(SourceDBInstanceIdentifier=_from(data[0], "DatabaseArn"), SourceRegion=regions[0])
                props.pop("StorageEncrypted")
            d.add("Database", "AWS::RDS::DBInstance", props)
            d.output("DatabaseArn", {"Fn::GetAtt": ["Database", "DBInstanceArn"]})
        else:
            if x == 0:
                d.add("Global", "AWS::RDS::GlobalCluster", {"GlobalClusterIdentifier": c["global"],
                                                           "SourceDBClusterIdentifier": {"Ref": "Database"}})
            d.add("Params", "AWS::RDS::DBClusterParameterGroup", {"DBClusterParameterGroupName": n(names["params"], x),
                                                                 "Family": "aurora-postgresql15",
                                                                 "Description": "site's own"})
            props = {"DBClusterIdentifier": c["db"][x], "Engine": "aurora-postgresql", "EngineVersion": "15.10",
                     "GlobalClusterIdentifier": c["global"], "StorageEncrypted": True,
                     "DBClusterParameterGroupName": {"Ref": "Params"}}
            if x == 0:
                props.update(MasterUsername="postgres", MasterUserPassword="{{resolve:secretsmanager:secret}}")
                props.pop("GlobalClusterIdentifier")
            d.add("Database", "AWS::RDS::DBCluster", props)
            d.output("DatabaseArn", {"Fn::GetAtt": ["Database", "DBClusterArn"]})
        d.output("Endpoint", {"Fn::GetAtt": ["Database", "Endpoint.Address"]})

    # -- per site X: probe, view alarms, fence of the other, lag guard, silence -----------------
    for x in (0, 1):
        y, v = 1 - x, view[x]
        v.add("Probe", "AWS::Lambda::Function", {
            "FunctionName": n(names["probe"], x), "Handler": "index.handler", "Runtime": "python3.12",
            "Timeout": 30, "Code": {"ZipFile": "probe"},
            "Environment": {"Variables": {
                "LOCAL_SITE": ids[x], "LOCAL_DB_HOST": _from(data[x], "Endpoint"), "REMOTE_SITE": ids[y],
                "REMOTE_DB_HOST": _from(data[y], "Endpoint"), "DB_PORT": "5432", "DB_NAME": "postgres",
                "DB_SECRET_ID": f"secret-db-{sys_}-{suffix}", "SECRET_REGION": regions[x],
                "PROBE_TIMEOUT_SECONDS": str(k["probe_timeout_seconds"]), "METRIC_NAMESPACE": "drsynth",
                "METRIC_DIMENSION_NAME": "System", "METRIC_DIMENSION_VALUE": dims}}})
        v.add("ProbeSchedule", "AWS::Events::Rule", {
            "ScheduleExpression": "rate(1 minute)", "State": "ENABLED",
            "Targets": [{"Id": "probe", "Arn": {"Fn::GetAtt": ["Probe", "Arn"]}}]})
        topic = _from(data[x], "TopicArn")

        # v and topic bound now: each site's alarms go to its own stack and topic.
        def alarm(logical, name, metric, site, statistic, periods, comparison, missing, dimension="Site", *,
                  v=v, topic=topic):
            """A paging alarm on a metric of the system's namespace, threshold 1."""
            v.add(logical, "AWS::CloudWatch::Alarm", {
                "AlarmName": name, "Namespace": "drsynth", "MetricName": metric,
                "Dimensions": [{"Name": "System", "Value": dims}, {"Name": dimension, "Value": site}],
                "Statistic": statistic, "Period": 60, "EvaluationPeriods": periods, "DatapointsToAlarm": periods,
                "Threshold": 1, "ComparisonOperator": comparison, "TreatMissingData": missing,
                "AlarmActions": [topic], "OKActions": [topic]})

        for s in (0, 1):
            alarm(f"Writer{_cap(words[s])}SeenFrom{_cap(words[x])}", n(names["view"], x, s), "Writer", ids[s],
                  "Minimum", k["health_alarm_periods"], "LessThanThreshold", "breaching")
        alarm(f"Fence{_cap(words[y])}", n(names["fence"], x, y), "Fenced", ids[y], "Maximum", 1,
              "GreaterThanOrEqualToThreshold", "ignore")
        if engine == "rds":
            lag_metric = {"Namespace": "AWS/RDS", "MetricName": "ReplicaLag",
                          "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": c["db"][x]}]}
            threshold = k["dns_lag_guard_seconds"]
        else:
            lag_metric = {"Namespace": "AWS/RDS", "MetricName": "AuroraGlobalDBReplicationLag",
                          "Dimensions": [{"Name": "DBClusterIdentifier", "Value": c["db"][x]}]}
            threshold = k["dns_lag_guard_seconds"] * 1000
        v.add(f"LagGuard{_cap(words[x])}", "AWS::CloudWatch::Alarm", {
            **lag_metric,
            "AlarmName": n(names["lag"], x, x), "Statistic": "Maximum", "Period": 60, "EvaluationPeriods": 1,
            "DatapointsToAlarm": 1, "Threshold": threshold, "ComparisonOperator": "GreaterThanThreshold",
            "TreatMissingData": "notBreaching", "AlarmActions": [topic], "OKActions": [topic]})
        # G(X): OK while X fences Y; Route 53 lifts X's lag guard then (HANDLER-NOTES 8)
        alarm(f"LagGuardApplies{_cap(words[x])}", n(names["guard_applies"], x, x), "Fenced", ids[y], "Maximum", 1,
              "LessThanThreshold", "ignore")
        # U_X(Y): X's probe reaches no server at Y (HANDLER-NOTES 5)
        alarm(f"Unreachable{_cap(words[y])}From{_cap(words[x])}", n(names["unreachable"], x, y), "Reachable", ids[y],
              "Maximum", 2, "LessThanThreshold", "notBreaching")
        # silence: 1 period, CloudWatch's evaluation range of 3 (HANDLER-NOTES 4)
        alarm(f"ProbeSilent{_cap(words[x])}", n(names["probe_silent"], x), "Writer", ids[x], "SampleCount", 1,
              "LessThanThreshold", "breaching")
        alarm(f"ProbeFault{_cap(words[x])}", n(names["probe_fault"], x), "ProbeFault", ids[x], "Maximum", 2,
              "GreaterThanOrEqualToThreshold", "notBreaching", dimension="Probe")

    # -- the zone, the health checks, the records -----------------------------------------------
    g = glob
    g.add("Zone", "AWS::Route53::HostedZone", {"Name": c["zone"], "VPCs": [
        {"VPCId": f"vpc-{x}", "VPCRegion": regions[x]} for x in (0, 1)]})
    writer_checks, fallback_checks = [], []
    for s in (0, 1):
        w = _cap(words[s])

        def follow(logical, alarm, region, status):
            return g.add(logical, "AWS::Route53::HealthCheck", {"HealthCheckConfig": {
                "Type": "CLOUDWATCH_METRIC", "AlarmIdentifier": {"Name": alarm, "Region": region},
                "InsufficientDataHealthStatus": status}})

        fence_alarm, fence_region = n(names["fence"], 1 - s, s), regions[1 - s]
        fa = follow(f"NotFenced{w}A", fence_alarm, fence_region, "LastKnownStatus")
        fb = follow(f"NotFenced{w}B", fence_alarm, fence_region, "LastKnownStatus")
        wa = follow(f"Writer{w}From{_cap(words[0])}", n(names["view"], 0, s), regions[0], "Unhealthy")
        wb = follow(f"Writer{w}From{_cap(words[1])}", n(names["view"], 1, s), regions[1], "Unhealthy")
        lag = follow(f"LagGuard{w}Check", n(names["lag"], s, s), regions[s], "Healthy")
        lifted = follow(f"LagGuardLifted{w}Check", n(names["guard_applies"], s, s), regions[s], "Unhealthy")
        writer_checks.append(g.add(f"WriterCheck{w}", "AWS::Route53::HealthCheck", {"HealthCheckConfig": {
            "Type": "CALCULATED", "ChildHealthChecks": [fa, fb, wa, wb], "HealthThreshold": 3}}))
        fallback_checks.append(g.add(f"FallbackCheck{w}", "AWS::Route53::HealthCheck", {"HealthCheckConfig": {
            "Type": "CALCULATED", "ChildHealthChecks": [fa, fb, lag, lifted], "HealthThreshold": 3}}))
        g.output(f"WriterCheck{w}", writer_checks[s])
        g.output(f"FallbackCheck{w}", fallback_checks[s])
        g.output(f"FenceChecks{w}", {"Fn::Join": [",", [fa, fb]]})
    for s in (0, 1):
        g.add(f"{_cap(words[s])}Record", "AWS::Route53::RecordSet", {
            "HostedZoneId": {"Ref": "Zone"}, "Name": c["record"], "Type": "CNAME", "SetIdentifier": ids[s],
            "Weight": 100 if s == 0 else 0, "TTL": str(k["record_ttl_seconds"]),
            "ResourceRecords": [_from(data[s], "Endpoint")],
            "HealthCheckId": writer_checks[s] if s == 0 else fallback_checks[s]})
    g.output("Zone", {"Ref": "Zone"})

    # -- the witness -------------------------------------------------------------------------------
    if wit is not None:
        env = {"ENGINE": engine, "GRANT_PARAMETER": n(names["grant"]), "METRIC_NAMESPACE": "drsynth",
               "METRIC_DIMENSION_NAME": "System", "METRIC_DIMENSION_VALUE": dims,
               "CALL_TIMEOUT_SECONDS": str(max(1, k["second_signal_timeout_seconds"] - 1))}
        for label, s in (("A", 0), ("B", 1)):
            env.update({f"SITE_{label}": ids[s], f"SITE_{label}_REGION": regions[s], f"SITE_{label}_DB_ID": c["db"][s],
                        f"SITE_{label}_VIEW_ALARM_NAME": n(names["view"], s, s),
                        f"SITE_{label}_LEASE_PARAMETER": n(names["lease"], s)})
        env["LEASE_EXPIRY_SECONDS"] = str(k["lease_expiry_seconds"])
        if engine == "aurora":
            env["GLOBAL_CLUSTER_ID"] = c["global"]
        wit.add("Witness", "AWS::Lambda::Function", {
            "FunctionName": n(names["witness"]), "Handler": "index.handler", "Runtime": "python3.12", "Timeout": 30,
            "Code": {"ZipFile": "witness"}, "Environment": {"Variables": env}})
        wit.output("WitnessArn", {"Fn::GetAtt": ["Witness", "Arn"]})

    # -- per site X: the failover function and its alarms --------------------------------------------
    for x in (0, 1):
        y, f = 1 - x, fail[x]
        topic = _from(data[x], "TopicArn")
        f.add("DeadLetters", "AWS::SQS::Queue", {"QueueName": n(names["dlq"], x)})
        env = {
            "ENGINE": engine, "LOCAL_REGION": regions[x], "REMOTE_REGION": regions[y], "LOCAL_SITE": ids[x],
            "REMOTE_SITE": ids[y], "LOCAL_DB_ID": c["db"][x], "LOCAL_DB_ARN": _from(data[x], "DatabaseArn"),
            "REMOTE_DB_ID": c["db"][y], "REMOTE_DB_ARN": _from(data[y], "DatabaseArn"),
            "HOSTED_ZONE_ID": _from(glob, "Zone"), "RECORD_NAME": c["record"],
            "RECORD_TTL": str(k["record_ttl_seconds"]), "LOCAL_ENDPOINT": _from(data[x], "Endpoint"),
            "REMOTE_ENDPOINT": _from(data[y], "Endpoint"),
            "LOCAL_WRITER_CHECK_ID": _from(glob, f"WriterCheck{_cap(words[x])}"),
            "LOCAL_FALLBACK_CHECK_ID": _from(glob, f"FallbackCheck{_cap(words[x])}"),
            "REMOTE_WRITER_CHECK_ID": _from(glob, f"WriterCheck{_cap(words[y])}"),
            "REMOTE_FALLBACK_CHECK_ID": _from(glob, f"FallbackCheck{_cap(words[y])}"),
            "LOCAL_TOPIC_ARN": topic, "REMOTE_TOPIC_ARN": _from(data[y], "TopicArn"),
            "HOLD_ALARM_NAME": n(names["hold"], x, y), "VIEW_ALARM_NAME": n(names["view"], x, y),
            "REMOTE_VIEW_ALARM_NAME": n(names["view"], y, y), "FENCE_ALARM_NAME": n(names["fence"], x, y),
            "FENCE_CHECK_IDS": _from(glob, f"FenceChecks{_cap(words[y])}"),
            "REMOTE_FENCE_ALARM_NAME": n(names["fence"], y, x), "LOCK_PARAMETER": n(names["lock"], x),
            "STATE_PARAMETER": n(names["state"], x), "REMOTE_STATE_PARAMETER": n(names["state"], y),
            "METRIC_NAMESPACE": "drsynth", "METRIC_DIMENSION_NAME": "System", "METRIC_DIMENSION_VALUE": dims,
            "ARM_AFTER_HEALTHY_MINUTES": str(k["arm_after_healthy_minutes"]), "HOLD_MINUTES": str(k["hold_minutes"]),
            "MAX_PROMOTION_LAG_SECONDS": str(k["max_promotion_lag_seconds"]),
            "PROMOTION_DEADLINE_SECONDS": str(k["promotion_deadline_minutes"] * 60),
            "SECOND_SIGNAL_TIMEOUT_SECONDS": str(k["second_signal_timeout_seconds"]),
            "RECONCILE_INTERVAL_SECONDS": "60",
            "WITNESS_FUNCTION_ARN": _from(wit, "WitnessArn") if wit is not None else ""}
        if wit is not None:
            env.update(LEASE_PARAMETER=n(names["lease"], x), REMOTE_LEASE_PARAMETER=n(names["lease"], y),
                       LEASE_RECORD_PARAMETER=n(names["lease_record"], x), FENCE_PARAMETER_GROUP=n(names["params"], x),
                       LEASE_EXPIRY_SECONDS=str(k["lease_expiry_seconds"]),
                       SELF_FENCE_AFTER_SECONDS=str(k["self_fence_after_seconds"]))
        if engine == "rds":
            env["BACKUP_RETENTION_DAYS"] = "7"
        else:
            env.update(GLOBAL_CLUSTER_ID=c["global"], ALLOW_DETACH="false")
        fn = {"FunctionName": n(names["failover"], x), "Handler": "index.handler", "Runtime": "python3.12",
              "Timeout": 300, "Code": {"ZipFile": "failover"}, "Environment": {"Variables": env},
              "DeadLetterConfig": {"TargetArn": {"Fn::GetAtt": ["DeadLetters", "Arn"]}}}
        if k["failover_reserved_concurrency"]:
            fn["ReservedConcurrentExecutions"] = k["failover_reserved_concurrency"]
        f.add("Failover", "AWS::Lambda::Function", fn)
        function_arn = {"Fn::GetAtt": ["Failover", "Arn"]}
        f.add("Reconcile", "AWS::Events::Rule", {"ScheduleExpression": "rate(1 minute)", "State": "ENABLED",
                                                  "Targets": [{"Id": "reconcile", "Arn": function_arn,
                                                               "Input": json.dumps({"action": "reconcile"})}]})
        f.add("Hold", "AWS::CloudWatch::Alarm", {
            "AlarmName": n(names["hold"], x, y), "Namespace": "drsynth", "MetricName": "Writer",
            "Dimensions": [{"Name": "System", "Value": dims}, {"Name": "Site", "Value": ids[y]}],
            "Statistic": "Minimum", "Period": 60, "EvaluationPeriods": k["hold_minutes"],
            "DatapointsToAlarm": k["hold_minutes"], "Threshold": 1, "ComparisonOperator": "LessThanThreshold",
            "TreatMissingData": "breaching", "AlarmActions": [function_arn, topic], "OKActions": [topic]})
        f.add("DeadLettersAlarm", "AWS::CloudWatch::Alarm", {
            "AlarmName": n(names["dlq_alarm"], x), "Namespace": "AWS/SQS",
            "MetricName": "ApproximateNumberOfMessagesVisible",
            "Dimensions": [{"Name": "QueueName", "Value": n(names["dlq"], x)}], "Statistic": "Maximum", "Period": 60,
            "EvaluationPeriods": 1, "Threshold": 0, "ComparisonOperator": "GreaterThanThreshold",
            "TreatMissingData": "notBreaching", "AlarmActions": [topic], "OKActions": [topic]})
        f.add("Silent", "AWS::CloudWatch::Alarm", {
            "AlarmName": n(names["failover_silent"], x), "Namespace": "AWS/Lambda", "MetricName": "Invocations",
            "Dimensions": [{"Name": "FunctionName", "Value": n(names["failover"], x)}], "Statistic": "Sum",
            "Period": 60, "EvaluationPeriods": 1, "DatapointsToAlarm": 1, "Threshold": 1,
            "ComparisonOperator": "LessThanThreshold", "TreatMissingData": "breaching", "AlarmActions": [topic],
            "OKActions": [topic]})
        f.add("NotificationsFailed", "AWS::CloudWatch::Alarm", {
            "AlarmName": n(names["notifications"], x), "Namespace": "AWS/SNS",
            "MetricName": "NumberOfNotificationsFailed",
            "Dimensions": [{"Name": "TopicName", "Value": n(names["topic"], x)}], "Statistic": "Sum", "Period": 60,
            "EvaluationPeriods": 1, "Threshold": 0, "ComparisonOperator": "GreaterThanThreshold",
            "TreatMissingData": "notBreaching", "AlarmActions": [function_arn]})
    stacks = data + view + [glob] + ([wit] if wit is not None else []) + fail
    return {s.name: s.template() for s in stacks}
