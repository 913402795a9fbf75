#!/usr/bin/env python3
"""destroy.sh after a failover, a switchover and a failback, against the fake aws
(tests/tools/fake_aws.py), for both systems.

The world is built from the assembly's templates as CloudFormation would have created it
(physical ids, the weighted records with the template's values, the global cluster with
the primary stack's cluster as writer), then moved as the failover functions move it: the
records' weights and health checks swapped, the standby's function still running its
reconcile (it would swap them back after any change), the run-time SSM parameters
(state, lock-free, a lease, more than ten under the system's path, the witness grant),
and for Aurora the writer moved to the secondary cluster. Each scenario checks what the
user sees: destroy.sh succeeds, every stack is gone, the calls come in order (functions
stopped before the records are reset, records reset before the stack that holds them is
deleted, the other members detached before any stack delete, parameters deleted in
every region after the last stack), another system's parameters are kept, and a
redeploy starts unarmed (the handler's StateStore reads "unarmed"). Two controls show
the fake refuses what AWS refuses: without the reset, or without stopping the functions,
the routes stack's delete fails.

Usage: destroy_scenarios.py <RDS assembly> <Aurora assembly>"""
import copy
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "runtime"))
from botocore.exceptions import ClientError  # noqa: E402

from drsynth_failover.state import StateStore  # noqa: E402

ACCOUNT = "123456789012"


def stacks_of(assembly):
    with open(os.path.join(assembly, "manifest.json")) as f:
        manifest = json.load(f)
    out = {}
    for art in manifest["artifacts"].values():
        if art.get("type") != "aws:cloudformation:stack":
            continue
        with open(os.path.join(assembly, art["properties"]["templateFile"])) as f:
            out[art["properties"]["stackName"]] = (art["environment"].rsplit("/", 1)[1], json.load(f))
    return out


def ref(value, phys):
    return phys[value["Ref"]] if isinstance(value, dict) and "Ref" in value else value


def deployed(assembly):
    """The world right after deploy.sh: what CloudFormation created."""
    state = {"stacks": {}, "zones": {}, "functions": {}, "ssm": {}, "global": None}
    clusters, global_cluster, fns = {}, None, []
    for name, (region, t) in stacks_of(assembly).items():
        phys = {}
        for lid, r in t["Resources"].items():
            props = r.get("Properties", {})
            if r["Type"] == "AWS::Route53::HostedZone":
                phys[lid] = "Z" + re.sub("[^A-Z0-9]", "", lid.upper())
            elif r["Type"] == "AWS::Route53::HealthCheck":
                phys[lid] = "hc-" + lid.lower()
            elif r["Type"] == "AWS::Lambda::Function" and isinstance(props.get("FunctionName"), str):
                phys[lid] = props["FunctionName"]
            else:
                phys[lid] = lid.lower()
        stack = {"region": region, "resources": phys, "records": [], "clusters": [], "functions": []}
        for lid, r in t["Resources"].items():
            props = r.get("Properties", {})
            if r["Type"] == "AWS::Route53::RecordSet":
                record = {"zone": ref(props["HostedZoneId"], phys), "name": props["Name"],
                          "set": props["SetIdentifier"], "weight": props["Weight"], "ttl": int(props["TTL"]),
                          "check": ref(props["HealthCheckId"], phys), "value": f"db-{props['SetIdentifier']}.example"}
                stack["records"].append(record)
                state["zones"].setdefault(record["zone"], []).append(
                    {k: record[k] for k in ("name", "set", "weight", "ttl", "check", "value")})
            elif r["Type"] == "AWS::RDS::DBCluster":
                arn = f"arn:aws:rds:{region}:{ACCOUNT}:cluster:{props['DBClusterIdentifier']}"
                stack["clusters"].append(arn)
                clusters[name] = arn
            elif r["Type"] == "AWS::RDS::GlobalCluster":
                global_cluster = (props["GlobalClusterIdentifier"], region, name)
            elif r["Type"] == "AWS::Lambda::Function" and lid in phys and phys[lid] == props.get("FunctionName"):
                env = props.get("Environment", {}).get("Variables", {})
                stack["functions"].append(phys[lid])
                fns.append((phys[lid], region, env))
        state["stacks"][name] = stack
    for fn, region, env in fns:
        state["functions"][fn] = {"region": region, "throttled": False, "flips_to": None, "env": env}
    if global_cluster:
        gid, region, primary_stack = global_cluster
        state["global"] = {"id": gid, "region": region,
                           "members": [{"arn": arn, "writer": stack == primary_stack}
                                       for stack, arn in clusters.items()]}
    return state


def routes_stack(state):
    return next(n for n, s in state["stacks"].items() if s["records"])


def designation(state, writer_set):
    """The records as a failover function writes them with `writer_set`'s site the writer: the
    checks are those the function of the routes stack names (its environment)."""
    stack = state["stacks"][routes_stack(state)]
    env = next(state["functions"][f]["env"] for f in stack["functions"]
               if "LOCAL_WRITER_CHECK_ID" in state["functions"][f]["env"])
    checks = {}
    for side in ("LOCAL", "REMOTE"):
        checks[env[side + "_SITE"]] = (ref(env[side + "_WRITER_CHECK_ID"], stack["resources"]),
                                       ref(env[side + "_FALLBACK_CHECK_ID"], stack["resources"]))
    out = {}
    for r in stack["records"]:
        writer = r["set"] == writer_set
        out.setdefault(r["zone"], []).append({"name": r["name"], "set": r["set"], "weight": 100 if writer else 0,
                                              "ttl": r["ttl"], "check": checks[r["set"]][0 if writer else 1],
                                              "value": r["value"]})
    return out


def run_time_state(state, states):
    """The parameters the functions and the witness create, and ones of other systems."""
    path = None
    for fn in state["functions"].values():
        env, params = fn["env"], state["ssm"].setdefault(fn["region"], {})
        if "STATE_PARAMETER" in env:
            params[env["STATE_PARAMETER"]] = json.dumps({"state": states[env["LOCAL_SITE"]]})
            path = env["STATE_PARAMETER"].rsplit("/", 1)[0]
        if "GRANT_PARAMETER" in env:
            params[env["GRANT_PARAMETER"]] = json.dumps({"claimed_by": "dr"})
    regions = sorted({fn["region"] for fn in state["functions"].values()})
    for region in regions:
        params = state["ssm"].setdefault(region, {})
        params[path + "/lease-" + region] = "held"  # a name destroy.sh does not know
        params[path + "-other/failover-state-x"] = "kept"  # another system's path
    for i in range(11):  # more than DeleteParameters takes in one call
        state["ssm"][regions[0]][f"{path}/history/{i:02d}"] = "x"
    return path, regions


class Scenario:
    def __init__(self, assembly, what):
        self.assembly, self.what = assembly, what
        self.work = tempfile.mkdtemp()
        os.mkdir(os.path.join(self.work, "bin"))
        os.symlink(os.path.join(HERE, "fake_aws.py"), os.path.join(self.work, "bin", "aws"))
        self.env = dict(os.environ, PATH=os.path.join(self.work, "bin") + ":" + os.environ["PATH"],
                        AWS_CALLS=os.path.join(self.work, "calls"), AWS_STATE=os.path.join(self.work, "state.json"),
                        AWS_ENGINES=os.path.join(self.work, "engines"))

    def save(self, state):
        with open(self.env["AWS_STATE"], "w") as f:
            json.dump(state, f)

    def state(self):
        with open(self.env["AWS_STATE"]) as f:
            return json.load(f)

    def calls(self):
        with open(self.env["AWS_CALLS"]) as f:
            return f.read().splitlines()

    def run(self, script, **extra):
        open(self.env["AWS_CALLS"], "w").close()
        return subprocess.run(["bash", script], env=dict(self.env, **extra), capture_output=True, text=True,
                              timeout=600)


def first(calls, pattern):
    return next((i for i, c in enumerate(calls) if re.search(pattern, c)), None)


def last(calls, pattern):
    found = [i for i, c in enumerate(calls) if re.search(pattern, c)]
    return found[-1] if found else None


def check(condition, message):
    if not condition:
        raise SystemExit("FAIL: " + message)


def move(state, what):
    """The world after `what` (failover, switchover, failback) of the standby's site."""
    if what in ("failover", "switchover"):
        standby = standby_set(state)
        flipped = designation(state, standby)
        for zone, records in flipped.items():
            state["zones"][zone] = copy.deepcopy(records)
        # The standby's function keeps reconciling its designation until it is stopped.
        for fn in state["functions"].values():
            if fn["env"].get("LOCAL_SITE") == standby and "STATE_PARAMETER" in fn["env"]:
                fn["flips_to"] = flipped
        if state["global"]:
            for m in state["global"]["members"]:
                m["writer"] = not m["writer"]


def standby_set(state):
    return next(r["set"] for r in state["stacks"][routes_stack(state)]["records"] if r["weight"] == 0)


def scenario(assembly, what):
    sc = Scenario(assembly, what)
    state = deployed(assembly)
    sites = [r["set"] for r in state["stacks"][routes_stack(state)]["records"]]
    writer_set = next(r["set"] for r in state["stacks"][routes_stack(state)]["records"] if r["weight"] == 100)
    after = {"failover": ("disarmed", "failed_over"), "switchover": ("disarmed", "failed_over"),
             "failback": ("unarmed", "unarmed")}[what]
    path, regions = run_time_state(state, {writer_set: after[0], standby_set(state): after[1], **{
        s: "unarmed" for s in sites if s not in (writer_set, standby_set(state))}})
    move(state, what)
    sc.save(state)
    script = os.path.join(assembly, "destroy.sh")
    proc = sc.run(script)
    check(proc.returncode == 0, f"{what}: destroy.sh failed ({proc.returncode}):\n{proc.stderr}")
    calls, end = sc.calls(), sc.state()
    check(all(s.get("deleted") for s in end["stacks"].values()),
          f"{what}: stacks left: {[n for n, s in end['stacks'].items() if not s.get('deleted')]}")
    routes = routes_stack(state)
    stop, reset = last(calls, "^lambda put-function-concurrency .*--reserved-concurrent-executions 0"), \
        first(calls, "^route53 change-resource-record-sets")
    deletes = [i for i, c in enumerate(calls) if c.startswith("cloudformation delete-stack")]
    check(stop is not None and stop < deletes[0], f"{what}: the failover functions are not stopped first")
    check(len([c for c in calls if c.startswith("lambda put-function-concurrency")]) ==
          len([f for f in state["functions"].values() if "STATE_PARAMETER" in f["env"]]),
          f"{what}: not every failover function stopped")
    if what == "failback":
        check(reset is None, f"{what}: records reset although they are as deployed")
    else:
        check(reset is not None and stop < reset < first(calls, f"delete-stack .*--stack-name {routes}$"),
              f"{what}: records not reset after the functions stopped and before {routes} is deleted")
        check(len([c for c in calls if c.startswith("route53 change-resource-record-sets")]) == 2,
              f"{what}: expected one UPSERT per record")
    removed = first(calls, "^rds remove-from-global-cluster")
    if state["global"] and what != "failback":
        check(removed is not None and removed < deletes[0], f"{what}: members not detached before the stack deletes")
        check(len(end["global"]["members"]) == 0, f"{what}: global members left {end['global']['members']}")
    else:
        check(removed is None, f"{what}: detached a member although the writer is the deployed one")
    for region in regions:
        i = last(calls, f"^ssm delete-parameters --region {region} ")
        check(i is not None and i > deletes[-1], f"{what}: parameters of {region} not deleted after the stacks")
        left = [n for n in end["ssm"].get(region, {}) if n.startswith(path + "/")]
        check(not left, f"{what}: parameters left in {region}: {left}")
        check(end["ssm"][region].get(path + "-other/failover-state-x") == "kept",
              f"{what}: another system's parameter deleted in {region}")
    # A redeploy with the same suffix starts unarmed: nothing recreates the state.
    versions, all_regions = set(), {region for region, _ in stacks_of(assembly).values()}
    for _, t in stacks_of(assembly).values():
        for r in t["Resources"].values():
            p = r.get("Properties", {})
            if r["Type"] in ("AWS::RDS::DBInstance", "AWS::RDS::DBCluster", "AWS::RDS::GlobalCluster") and \
                    isinstance(p.get("EngineVersion"), str):
                versions.add((p["Engine"], p["EngineVersion"]))
    engines = {f"{e} {v} {r} available True" for e, v in versions for r in all_regions}
    with open(sc.env["AWS_ENGINES"], "w") as f:
        f.write("\n".join(sorted(engines)) + "\n")
    proc = sc.run(os.path.join(assembly, "deploy.sh"), DRSYNTH_S3_BUCKET="assets-{region}")
    check(proc.returncode == 0, f"{what}: redeploy failed:\n{proc.stderr}")
    check(not [c for c in sc.calls() if c.startswith("ssm put-parameter")], f"{what}: deploy.sh writes state")
    end = sc.state()
    for fn in state["functions"].values():
        name = fn["env"].get("STATE_PARAMETER")
        if name:
            check(StateStore(FakeSsm(end["ssm"].get(fn["region"], {})), name).read()["state"] == "unarmed",
                  f"{what}: the function of {fn['region']} does not start unarmed")
    print(f"ok: {os.path.basename(os.path.normpath(assembly))} {what}: {len(calls)} calls, records "
          f"{'kept' if reset is None else 'reset'}, {len(deletes)} stacks deleted, parameters gone in "
          f"{', '.join(regions)}; the redeploy starts unarmed")
    return sc, state


class FakeSsm:
    def __init__(self, params):
        self.params = params

    def get_parameter(self, Name):
        if Name not in self.params:
            raise ClientError({"Error": {"Code": "ParameterNotFound", "Message": ""}}, "GetParameter")
        return {"Parameter": {"Value": self.params[Name]}}


def control(assembly, drop, expect):
    """destroy.sh without `drop`'s lines fails the way AWS would."""
    sc = Scenario(assembly, "control")
    state = deployed(assembly)
    run_time_state(state, {r["set"]: "failed_over" for r in state["stacks"][routes_stack(state)]["records"]})
    move(state, "failover")
    sc.save(state)
    with open(os.path.join(assembly, "destroy.sh")) as f:
        text = f.read()
    script = os.path.join(sc.work, "destroy.sh")
    with open(script, "w") as f:
        f.write("\n".join(line for line in text.splitlines() if not line.startswith(drop)) + "\n")
    proc = sc.run(script)
    check(proc.returncode != 0 and expect in proc.stderr,
          f"control without {drop.strip()}: expected a failure with '{expect}', got {proc.returncode}:\n{proc.stderr}")
    print(f"ok: without {drop.strip()} destroy.sh fails as AWS would: {expect}")


def main(rds, aurora):
    for what in ("failover", "failback"):
        scenario(rds, what)
    for what in ("failover", "switchover", "failback"):
        scenario(aurora, what)
    control(rds, "drsynth_reset_record ", "do not match the current values")
    control(rds, "drsynth_disarm_function ", "do not match the current values")
    control(aurora, "drsynth_remove_global_secondaries ", "primary member of global cluster")
    return 0


if __name__ == "__main__":
    sys.exit(main(os.path.realpath(sys.argv[1]), os.path.realpath(sys.argv[2])))
