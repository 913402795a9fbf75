"""Synthesized templates into a simulated deployment: a small CloudFormation.

``load(engine, source)`` gives ``{stack name: template}``: from ``drsynth
synth`` (``source="synth"``: DRSYNTH_BIN or build/drsynth, in a temporary
folder; Aurora with ``-c variant=aurora-global``), from a folder of
``*.template.json``, or from the hand-written fixture (``source="fixture"``,
fixture.py).  ``Deployment(world, templates).deploy()`` creates, in the
world's models, every resource the simulator models (alarms, topics,
queues, functions, schedules, health checks, zone and records, databases,
secrets, parameters), resolving ``Ref``, ``Fn::GetAtt``, ``Fn::Sub``,
``Fn::Join``, ``Fn::Select``, ``Fn::Split``, ``Fn::If``, ``Fn::FindInMap``,
``Fn::ImportValue`` and ``Fn::GetStackOutput`` the way CloudFormation would.
Nothing is read by name: a Lambda function is a failover function when its
environment has ENGINE and LOCAL_SITE, the witness when it has
GRANT_PARAMETER, a probe when it has LOCAL_DB_HOST (the environment contract,
runtime/drsynth_failover/contract.json).
"""

import glob
import json
import os
import re
import subprocess
import tempfile
from typing import ClassVar

from sim import fixture

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RUNTIME = os.path.join(REPO, "runtime")
ACCOUNT = "123456789012"
SOURCE_ENV = "DRSYNTH_SIM_TEMPLATES"   # "synth" (default), "fixture" or a folder
SYNTH_OUTPUT = {}   # (engine, context) -> what `drsynth synth` printed (the recovery-time budget among it)


def drsynth_binary():
    return os.environ.get("DRSYNTH_BIN") or os.path.join(REPO, "build", "drsynth")


def synthesize(out_dir, context=()):
    args = [drsynth_binary(), "synth", "-o", out_dir]
    for key, value in context:
        args += ["-c", f"{key}={value}"]
    proc = subprocess.run(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}")
    return proc.stdout


def load_dir(path):
    out = {}
    for f in sorted(glob.glob(os.path.join(path, "**", "*.template.json"), recursive=True)):
        with open(f) as fh:
            out[os.path.basename(f)[:-len(".template.json")]] = json.load(fh)
    return out


def _engine_of(templates):
    for t in templates.values():
        for r in t.get("Resources", {}).values():
            if r.get("Type") == "AWS::RDS::GlobalCluster":
                return "aurora"
    return "rds"


def load(engine="rds", source=None, context=()):
    """{stack: template} of one system, with ``source`` "synth", "fixture" or a folder (default: $DRSYNTH_SIM_TEMPLATES
    or "synth")."""
    source = source or os.environ.get(SOURCE_ENV, "synth")
    if source == "fixture":
        return fixture.fixture_templates(engine)
    if source == "synth":
        ctx = list(context) + ([("variant", "aurora-global")] if engine == "aurora" else [])
        with tempfile.TemporaryDirectory(prefix="drsynth-sim-") as out:
            SYNTH_OUTPUT[(engine, tuple(context))] = synthesize(out, ctx)
            templates = load_dir(out)
    else:
        templates = load_dir(source)
    if templates and _engine_of(templates) != engine:
        raise ValueError(f"the templates from {source} are not the {engine} system")
    return templates


def budget_writable_seconds(engine, context=()):
    """The worst-case seconds from the failure to a writable standby that `drsynth synth` printed."""
    if (engine, tuple(context)) not in SYNTH_OUTPUT:
        load(engine, "synth", context)
    m = re.search(r"(?:is writable|is a writer) after (\d+) s", SYNTH_OUTPUT[(engine, tuple(context))])
    return None if m is None else int(m.group(1))


def is_kit(templates):
    """Do these templates have the DR kit of issue 20 (failover functions with the new contract)?"""
    for t in templates.values():
        for r in t.get("Resources", {}).values():
            env = r.get("Properties", {}).get("Environment", {}).get("Variables", {})
            if r.get("Type") == "AWS::Lambda::Function" and "ENGINE" in env and "LOCAL_SITE" in env:
                return True
    return False


class _Attributes(dict):
    """A resource's attributes: the modelled ones, and a stand-in value for any other (a security group's
    GroupId, a role's Arn: the simulator never reads them)."""

    def __init__(self, logical, values):
        super().__init__(values)
        self.logical = logical

    def __missing__(self, attr):
        return f"{self.logical}.{attr}.sim"


def _rate_seconds(expression):
    m = re.fullmatch(r"rate\((\d+) (minute|minutes|hour|hours)\)", expression.strip())
    if not m:
        raise ValueError(f"unsupported schedule {expression!r}")
    return int(m.group(1)) * (60 if m.group(2).startswith("minute") else 3600)


class Deployment:
    """Creates the templates' resources in a world's models."""

    CODE: ClassVar[dict] = {"failover": "failover", "witness": "witness", "probe": "probe"}
    # the second of the minute each kind's schedule fires (inference)
    OFFSETS: ClassVar[dict] = {"probe": 10.0, "failover": 40.0}

    def __init__(self, world, templates):
        self.world = world
        self.templates = templates
        self.regions = {}
        for name, t in templates.items():
            regions = t.get("Metadata", {}).get("cfn-lint", {}).get("config", {}).get("regions", [])
            if not regions:
                raise ValueError(f"template {name} names no region (Metadata.cfn-lint.config.regions)")
            self.regions[name] = regions[0]
        self._physical = {}
        self._busy = set()
        self.functions = {}      # (stack, logical) -> Function
        self._schedule_count = {}

    # -- references --------------------------------------------------------------------------
    def resolve(self, stack, value):
        if isinstance(value, list):
            return [self.resolve(stack, v) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, arg), = value.items()
            if key == "Ref":
                return self.ref(stack, arg)
            if key == "Fn::GetAtt":
                logical, attr = (arg if isinstance(arg, list) else arg.split(".", 1))
                return self.attribute(stack, logical, self.resolve(stack, attr))
            if key == "Fn::Sub":
                return self._sub(stack, arg)
            if key == "Fn::Join":
                sep, parts = arg
                parts = self.resolve(stack, parts)
                return self.resolve(stack, sep).join(str(p) for p in parts)
            if key == "Fn::Select":
                index, items = arg
                return self.resolve(stack, items)[int(self.resolve(stack, index))]
            if key == "Fn::Split":
                sep, text = arg
                return str(self.resolve(stack, text)).split(sep)
            if key == "Fn::GetStackOutput":
                return self.output(self.resolve(stack, arg["StackName"]), self.resolve(stack, arg["OutputName"]))
            if key == "Fn::ImportValue":
                return self._import(self.resolve(stack, arg))
            if key == "Fn::If":
                cond, yes, no = arg
                return self.resolve(stack, yes if self._condition(stack, cond) else no)
            if key == "Fn::FindInMap":
                name, top, second = (self.resolve(stack, a) for a in arg)
                return self.templates[stack]["Mappings"][name][top][second]
            if key == "Fn::Base64":
                return self.resolve(stack, arg)
            if key == "Fn::GetAZs":
                region = self.resolve(stack, arg) or self.regions[stack]
                return [f"{region}a", f"{region}b", f"{region}c"]
            if key == "Fn::Cidr":
                block, count, _bits = (self.resolve(stack, a) for a in arg)
                return [f"{block}#{i}" for i in range(int(count))]
            if key == "Fn::ToJsonString":
                return json.dumps(self.resolve(stack, arg))
            if key == "Fn::Length":
                return len(self.resolve(stack, arg))
            if key.startswith("Fn::"):
                raise ValueError(f"{stack}: intrinsic {key} is not modelled")
        return {k: self.resolve(stack, v) for k, v in value.items()}

    def _condition(self, stack, name):
        cond = self.templates[stack].get("Conditions", {})[name]
        return self._truth(stack, cond)

    def _truth(self, stack, expr):
        (key, arg), = expr.items()
        if key == "Fn::Equals":
            return self.resolve(stack, arg[0]) == self.resolve(stack, arg[1])
        if key == "Fn::Not":
            return not self._truth(stack, arg[0])
        if key == "Fn::And":
            return all(self._truth(stack, a) for a in arg)
        if key == "Fn::Or":
            return any(self._truth(stack, a) for a in arg)
        if key == "Condition":
            return self._condition(stack, arg)
        raise ValueError(f"condition {key} is not modelled")

    def _sub(self, stack, arg):
        text, variables = (arg, {}) if isinstance(arg, str) else (arg[0], arg[1])
        variables = {k: self.resolve(stack, v) for k, v in variables.items()}

        def one(m):
            name = m.group(1)
            if name in variables:
                return str(variables[name])
            if "." in name:
                logical, attr = name.split(".", 1)
                return str(self.attribute(stack, logical, attr))
            return str(self.ref(stack, name))
        return re.sub(r"\$\{([^}!]+)\}", one, text)

    def _import(self, export):
        for stack, t in self.templates.items():
            for out in t.get("Outputs", {}).values():
                if "Export" in out and self.resolve(stack, out["Export"]["Name"]) == export:
                    return self.resolve(stack, out["Value"])
        raise ValueError(f"no export named {export}")

    def output(self, stack, name):
        if stack not in self.templates:
            raise ValueError(f"Fn::GetStackOutput: no stack {stack}")
        return self.resolve(stack, self.templates[stack]["Outputs"][name]["Value"])

    def ref(self, stack, name):
        region = self.regions[stack]
        pseudo = {"AWS::Region": region, "AWS::AccountId": ACCOUNT, "AWS::Partition": "aws", "AWS::StackName": stack,
                  "AWS::URLSuffix": "amazonaws.com", "AWS::NoValue": None, "AWS::StackId": f"arn:aws:cloudformation:"
                  f"{region}:{ACCOUNT}:stack/{stack}/sim"}
        if name in pseudo:
            return pseudo[name]
        t = self.templates[stack]
        if name in t.get("Parameters", {}):
            return t["Parameters"][name].get("Default")
        return self.physical(stack, name)["ref"]

    def attribute(self, stack, logical, attr):
        return _Attributes(logical, self.physical(stack, logical)["attrs"])[attr]

    # -- resources -----------------------------------------------------------------------------
    def deploy(self):
        for stack, t in self.templates.items():
            for logical in t.get("Resources", {}):
                self.physical(stack, logical)
        self._sites()

    def physical(self, stack, logical):
        key = (stack, logical)
        if key in self._physical:
            return self._physical[key]
        if key in self._busy:
            raise ValueError(f"circular reference at {stack}.{logical}")
        self._busy.add(key)
        resource = self.templates[stack]["Resources"][logical]
        if "Condition" in resource and not self._condition(stack, resource["Condition"]):
            result = {"ref": None, "attrs": {}}
        else:
            make = getattr(self, "_" + resource["Type"].replace("::", "_"), None)
            result = make(stack, logical, resource.get("Properties", {})) if make else \
                {"ref": f"{logical}-sim", "attrs": {"Arn": f"arn:aws:sim:{self.regions[stack]}:{ACCOUNT}:{logical}"}}
        self._busy.discard(key)
        self._physical[key] = result
        return result

    def _props(self, stack, props):
        return {k: v for k, v in self.resolve(stack, props).items() if v is not None}

    def _AWS_SecretsManager_Secret(self, stack, logical, props):
        props = self._props(stack, props)
        name = props.get("Name", f"{stack}-{logical}")
        value = json.loads(props.get("GenerateSecretString", {}).get("SecretStringTemplate", "{}") or "{}")
        value.setdefault("username", "postgres")
        value[props.get("GenerateSecretString", {}).get("GenerateStringKey", "password")] = self.world.db_password
        region = self.regions[stack]
        arn = self.world.secrets.add_secret(region, name, value)
        for replica in props.get("ReplicaRegions", []):
            self.world.secrets.add_secret(replica["Region"], name, value)
        return {"ref": arn, "attrs": {"Id": arn}}

    def _AWS_SNS_Topic(self, stack, logical, props):
        props = self._props(stack, props)
        name = props.get("TopicName", f"{stack}-{logical}")
        arn = self.world.sns.add_topic(self.regions[stack], name)
        return {"ref": arn, "attrs": {"TopicArn": arn, "TopicName": name}}

    def _AWS_SQS_Queue(self, stack, logical, props):
        props = self._props(stack, props)
        region = self.regions[stack]
        name = props.get("QueueName", f"{stack}-{logical}")
        return {"ref": f"https://sqs.{region}.amazonaws.com/{ACCOUNT}/{name}",
                "attrs": {"Arn": f"arn:aws:sqs:{region}:{ACCOUNT}:{name}", "QueueName": name,
                          "QueueUrl": f"https://sqs.{region}.amazonaws.com/{ACCOUNT}/{name}"}}

    def _AWS_SSM_Parameter(self, stack, logical, props):
        props = self._props(stack, props)
        self.world.ssm.parameters[(self.regions[stack], props["Name"])] = {
            "Value": props["Value"], "Type": props.get("Type", "String"), "Version": 1,
            "LastModifiedDate": self.world.clock.now}
        return {"ref": props["Name"], "attrs": {"Type": props.get("Type", "String"), "Value": props["Value"]}}

    def _AWS_CloudWatch_Alarm(self, stack, logical, props):
        props = self._props(stack, props)
        if "Metrics" in props:
            raise ValueError(f"{stack}.{logical}: metric math alarms are not modelled")
        alarm = self.world.cloudwatch.add_alarm(self.regions[stack], props)
        return {"ref": alarm.name, "attrs": {"Arn": alarm.arn}}

    def _AWS_Route53_HostedZone(self, stack, logical, props):
        props = self._props(stack, props)
        zone_id = self.world.route53.add_zone(props["Name"], private=bool(props.get("VPCs")))
        return {"ref": zone_id, "attrs": {"Id": zone_id}}

    def _AWS_Route53_HealthCheck(self, stack, logical, props):
        props = self._props(stack, props)
        config = dict(props["HealthCheckConfig"])
        hc_id = self.world.route53.add_health_check(config, reference=f"{stack}-{logical}")
        return {"ref": hc_id, "attrs": {"HealthCheckId": hc_id}}

    def _AWS_Route53_RecordSet(self, stack, logical, props):
        props = self._props(stack, props)
        zone_id = props.pop("HostedZoneId", None) or self._zone_by_name(props.pop("HostedZoneName"))
        rrs = {k: props[k] for k in ("Name", "Type", "SetIdentifier", "Weight", "TTL", "HealthCheckId") if k in props}
        rrs["TTL"] = int(rrs["TTL"])
        if "Weight" in rrs:
            rrs["Weight"] = int(rrs["Weight"])
        rrs["ResourceRecords"] = [{"Value": v} for v in props["ResourceRecords"]]
        self.world.route53.add_records(zone_id, [rrs])
        return {"ref": props["Name"], "attrs": {}}

    def _zone_by_name(self, name):
        for zone_id, z in self.world.route53.zones.items():
            if z["name"].rstrip(".") == name.rstrip("."):
                return zone_id
        raise ValueError(f"no hosted zone {name}")

    def _AWS_RDS_DBInstance(self, stack, logical, props):
        props = self._props(stack, props)
        region = self.regions[stack]
        if "DBClusterIdentifier" in props:   # an Aurora cluster member: part of its cluster
            ident = props.get("DBInstanceIdentifier", f"{logical}-sim").lower()
            return {"ref": ident, "attrs": {"Endpoint.Address": f"{ident}.sim.{region}.rds.amazonaws.com",
                                            "Endpoint.Port": "5432"}}
        ident = props.get("DBInstanceIdentifier", f"{stack}-{logical}").lower()
        source = None
        if props.get("SourceDBInstanceIdentifier"):
            wanted = props["SourceDBInstanceIdentifier"]
            source = next((i for i in self.world.engine.instances.values() if wanted in (i.id, i.arn)), None)
            if source is None:
                raise ValueError(f"{stack}.{logical}: source {wanted} is not deployed")
        endpoint = self.world.engine.endpoint_for(ident, region)
        inst = self.world.engine.add(ident, region, ident, endpoint, int(props.get("AllocatedStorage", 100)), source)
        inst.parameter_group = props.get("DBParameterGroupName")
        return {"ref": ident, "attrs": {"Endpoint.Address": endpoint, "Endpoint.Port": "5432",
                                        "DBInstanceArn": inst.arn, "DbiResourceId": f"db-{ident}"}}

    def _AWS_RDS_DBParameterGroup(self, stack, logical, props):
        props = self._props(stack, props)
        return {"ref": props.get("DBParameterGroupName", f"{stack}-{logical}").lower(), "attrs": {}}

    def _AWS_RDS_DBClusterParameterGroup(self, stack, logical, props):
        props = self._props(stack, props)
        return {"ref": props.get("DBClusterParameterGroupName", f"{stack}-{logical}").lower(), "attrs": {}}

    def _AWS_RDS_GlobalCluster(self, stack, logical, props):
        ident = self.resolve(stack, props["GlobalClusterIdentifier"])
        if ident not in self.world.engine.globals:
            self.world.engine.add_global(ident)
        return {"ref": ident, "attrs": {"GlobalClusterArn": self.world.engine.globals[ident]["arn"]}}

    def _AWS_RDS_DBCluster(self, stack, logical, props):
        region = self.regions[stack]
        global_id, primary = None, False
        if "GlobalClusterIdentifier" in props:
            global_id = self.resolve(stack, props["GlobalClusterIdentifier"])
            primary = any(k in props for k in ("MasterUsername", "MasterUserPassword", "ManageMasterUserPassword"))
        for r in self.templates[stack]["Resources"].values():
            if r["Type"] == "AWS::RDS::GlobalCluster" and \
                    r.get("Properties", {}).get("SourceDBClusterIdentifier") in ({"Ref": logical},):
                global_id, primary = self.resolve(stack, r["Properties"]["GlobalClusterIdentifier"]), True
        props = self._props(stack, props)
        ident = props.get("DBClusterIdentifier", f"{stack}-{logical}").lower()
        if global_id is None:
            raise ValueError(f"{stack}.{logical}: a cluster outside a global database is not modelled")
        if global_id not in self.world.engine.globals:
            self.world.engine.add_global(global_id)
        endpoint = f"{ident}.cluster-c0sim.{region}.rds.amazonaws.com"
        cluster = self.world.engine.add(ident, region, ident, endpoint, global_id, primary)
        cluster.parameter_group = props.get("DBClusterParameterGroupName")
        return {"ref": ident, "attrs": {"Endpoint.Address": endpoint, "Endpoint.Port": "5432",
                                        "ReadEndpoint.Address": endpoint.replace(".cluster-", ".cluster-ro-"),
                                        "DBClusterArn": cluster.arn, "DBClusterResourceId": f"cluster-{ident}"}}

    def _AWS_Lambda_Function(self, stack, logical, props):
        props = self._props(stack, props)
        region = self.regions[stack]
        name = props.get("FunctionName", f"{stack}-{logical}")
        env = {k: str(v) for k, v in props.get("Environment", {}).get("Variables", {}).items()}
        kind = "failover" if "ENGINE" in env and "LOCAL_SITE" in env else "witness" if "GRANT_PARAMETER" in env \
            else "probe" if "LOCAL_DB_HOST" in env else None
        arn = f"arn:aws:lambda:{region}:{ACCOUNT}:function:{name}"
        if kind is not None:
            dlq = None
            target = props.get("DeadLetterConfig", {}).get("TargetArn")
            if target:
                dlq = target.split(":")[-1]
            reserved = props.get("ReservedConcurrentExecutions")
            from sim.functions import Function
            fn = Function(name, region, kind, env, props.get("Timeout", 3),
                          None if reserved is None else int(reserved), os.path.join(RUNTIME, self.CODE[kind]),
                          entry=props.get("Handler", "index.handler"), dlq=dlq, logical_id=logical)
            self.world.functions.add(fn)
            self.functions[(stack, logical)] = fn
        return {"ref": name, "attrs": {"Arn": arn}}

    def _AWS_Events_Rule(self, stack, logical, props):
        props = self._props(stack, props)
        expression = props.get("ScheduleExpression")
        region = self.regions[stack]
        name = props.get("Name", f"{stack}-{logical}")
        if expression and props.get("State", "ENABLED") == "ENABLED":
            for target in props.get("Targets", []):
                fn = self.world.functions.find(target["Arn"])
                if fn is None:
                    continue
                event = json.loads(target["Input"]) if target.get("Input") else None
                count = self._schedule_count.get(fn.kind, 0)
                self._schedule_count[fn.kind] = count + 1
                offset = self.OFFSETS.get(fn.kind, 30.0) + 2.0 * count
                from sim.functions import Schedule
                self.world.schedules.add(Schedule(name, region, _rate_seconds(expression), fn, event, offset))
        return {"ref": name, "attrs": {"Arn": f"arn:aws:events:{region}:{ACCOUNT}:rule/{name}"}}

    # -- sites -------------------------------------------------------------------------------------
    def _sites(self):
        """The two sites, from the failover functions' environment; A is the one DNS answers with at deploy."""
        sites = {}
        for fn in self.world.functions.all:
            if fn.kind == "failover":
                sites[fn.env["LOCAL_SITE"]] = {"id": fn.env["LOCAL_SITE"], "region": fn.env["LOCAL_REGION"],
                                               "db_id": fn.env["LOCAL_DB_ID"], "endpoint": fn.env["LOCAL_ENDPOINT"],
                                               "function": fn}
        self.world.set_sites(sites)
