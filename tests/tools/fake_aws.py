#!/usr/bin/env python3
"""A fake `aws` for the tests of deploy.sh and destroy.sh (tests/tools/deploy_script.sh,
tests/tools/destroy_scenarios.py). It records every call ("$*", one line) in $AWS_CALLS and
answers the calls the generated scripts make, with what the script's --query selects
(no general JMESPath). The world is a JSON file, $AWS_STATE (optional):

  stacks     name -> {region, resources {logical: physical}, records [the template's
             values of its weighted records], clusters [ARNs], functions [names]}
  zones      zone id -> [records {name, set, weight, ttl, check, value}]
  functions  name -> {region, throttled, flips_to: the records its reconcile run
             writes again after any record change while it is not throttled}
  ssm        region -> {name: value}
  global     {id, region, members [{arn, writer}]}

CloudFormation's deletes are modelled as AWS documents them: a weighted record is
deleted with the template's values and Route 53 refuses a DELETE whose values differ
(ChangeResourceRecordSets); a cluster that is the writer of a global cluster cannot be
deleted while other members are attached ("Deleting an Amazon Aurora global database").
A failed delete shows when the script waits for it, as with the real waiter.
$AWS_ENGINES: "<engine> <version> <region> <Status> <SupportsGlobalDatabases>" per line for
describe-db-engine-versions (a version not listed is answered as RDS answers an unknown one)."""
import json
import os
import sys


def fail(code, op, message):
    print(f"An error occurred ({code}) when calling the {op} operation: {message}", file=sys.stderr)
    sys.exit(254)


def options(args):
    out, key = {}, None
    for a in args:
        if a.startswith("--"):
            key = a[2:]
            out[key] = []
        elif key is not None:
            out[key].append(a)
    return {k: (v[0] if len(v) == 1 else v) for k, v in out.items()}


def load():
    path = os.environ.get("AWS_STATE")
    if not path or not os.path.exists(path):
        return None, path
    with open(path) as f:
        return json.load(f), path


def save(state, path):
    with open(path, "w") as f:
        json.dump(state, f, indent=1, sort_keys=True)


def engine_versions(o):
    with open(os.environ["AWS_ENGINES"]) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 5 and parts[:3] == [o.get("engine"), o.get("engine-version"), o.get("region")]:
                print(f"{parts[3]}\t{parts[4]}")
                return
    print("None")


def reconcile(state):
    """The failover functions that still run put their designation back."""
    for fn in state.get("functions", {}).values():
        if not fn.get("throttled") and fn.get("flips_to"):
            for zone, records in fn["flips_to"].items():
                for want in records:
                    upsert(state, zone, want)


def upsert(state, zone, record):
    records = state["zones"].setdefault(zone, [])
    for i, have in enumerate(records):
        if have["name"] == record["name"] and have["set"] == record["set"]:
            records[i] = record
            return
    records.append(record)


def delete_stack(state, name):
    stack = state["stacks"].get(name)
    if stack is None or stack.get("deleted"):
        return
    problems = []
    for want in stack.get("records", []):
        have = [r for r in state["zones"].get(want["zone"], [])
                if r["name"] == want["name"] and r["set"] == want["set"]]
        if have and {k: have[0][k] for k in ("weight", "ttl", "check", "value")} != \
                {k: want[k] for k in ("weight", "ttl", "check", "value")}:
            problems.append(f"Tried to delete resource record set [name='{want['name']}', type='CNAME', "
                            f"set-identifier='{want['set']}'] but the values provided do not match the current values")
        elif have:
            state["zones"][want["zone"]].remove(have[0])
    members = (state.get("global") or {}).get("members", [])
    for arn in stack.get("clusters", []):
        mine = [m for m in members if m["arn"] == arn]
        if mine and mine[0]["writer"] and len(members) > 1:
            problems.append("Unable to delete cluster that is a primary member of global cluster while there are "
                            "other global cluster members")
        elif mine:
            members.remove(mine[0])
    if problems:
        stack["failed"] = problems
        return
    for fn in stack.get("functions", []):
        state["functions"].pop(fn, None)
    stack["deleted"] = True


def main(argv):
    with open(os.environ["AWS_CALLS"], "a") as f:
        f.write(" ".join(argv) + "\n")
    if len(argv) < 2:
        return 0
    service, op, o = argv[0], argv[1], options(argv[2:])
    if (service, op) == ("rds", "describe-db-engine-versions"):
        engine_versions(o)
        return 0
    state, path = load()
    if state is None:
        if (service, op) == ("ssm", "get-parameter"):
            fail("ParameterNotFound", "GetParameter", "")
        if (service, op) == ("cloudformation", "describe-stack-resource"):
            fail("ValidationError", "DescribeStackResource", f"Stack '{o.get('stack-name')}' does not exist")
        return 0
    region = o.get("region")
    stacks, ssm = state.setdefault("stacks", {}), state.setdefault("ssm", {})
    if service == "cloudformation":
        stack = stacks.get(o.get("stack-name"))
        if op == "describe-stack-resource":
            if stack is None or stack.get("deleted"):
                fail("ValidationError", "DescribeStackResource", f"Stack '{o.get('stack-name')}' does not exist")
            print(stack["resources"][o["logical-resource-id"]])
        elif op == "delete-stack":
            delete_stack(state, o["stack-name"])
        elif op == "wait" and stack is not None and stack.get("failed"):
            print(f"Waiter StackDeleteComplete failed: {'; '.join(stack['failed'])}", file=sys.stderr)
            save(state, path)
            return 255
    elif service == "lambda" and op == "put-function-concurrency":
        fn = state.setdefault("functions", {}).get(o["function-name"])
        if fn is None:
            fail("ResourceNotFoundException", "PutFunctionConcurrency", f"Function not found: {o['function-name']}")
        fn["throttled"] = o["reserved-concurrent-executions"] == "0"
    elif service == "ssm":
        params = ssm.setdefault(region, {})
        if op == "get-parameter":
            if o["name"] not in params:
                fail("ParameterNotFound", "GetParameter", "")
            print(o["name"])
        elif op == "get-parameters-by-path":
            print("\t".join(n for n in sorted(params) if n.startswith(o["path"].rstrip("/") + "/")))
        elif op == "delete-parameters":
            names = o["names"] if isinstance(o["names"], list) else [o["names"]]
            if len(names) > 10:
                fail("ValidationException", "DeleteParameters", "at most 10 names")
            for n in names:
                params.pop(n, None)
    elif service == "route53":
        if op == "list-resource-record-sets":
            for r in sorted(state["zones"].get(o["hosted-zone-id"], []), key=lambda r: (r["name"], r["set"])):
                print("\t".join([r["name"] + ".", "CNAME", r["set"], str(r["weight"]), str(r["ttl"]), r["check"],
                                 r["value"]]))
        elif op == "change-resource-record-sets":
            batch = json.loads(o["change-batch"])
            for change in batch["Changes"]:
                rrs = change["ResourceRecordSet"]
                upsert(state, o["hosted-zone-id"], {"name": rrs["Name"], "set": rrs["SetIdentifier"],
                                                    "weight": rrs["Weight"], "ttl": rrs["TTL"],
                                                    "check": rrs["HealthCheckId"],
                                                    "value": rrs["ResourceRecords"][0]["Value"]})
            reconcile(state)
            print("/change/C1")
    elif service == "rds":
        g = state.get("global")
        if op == "describe-global-clusters":
            if not g or g["id"] != o["global-cluster-identifier"]:
                fail("GlobalClusterNotFoundFault", "DescribeGlobalClusters", "")
            if "IsWriter" in o.get("query", ""):
                for m in g["members"]:
                    print(f"{m['arn']}\t{'True' if m['writer'] else 'False'}")
            else:
                print("\t".join(m["arn"] for m in g["members"]))
        elif op == "remove-from-global-cluster":
            if o["region"] != o["db-cluster-identifier"].split(":")[3]:
                fail("InvalidParameterValue", "RemoveFromGlobalCluster", "the cluster is not in this region")
            writer = [m for m in g["members"] if m["writer"]]
            if writer and writer[0]["arn"] == o["db-cluster-identifier"] and len(g["members"]) > 1:
                fail("InvalidGlobalClusterStateFault", "RemoveFromGlobalCluster", "the writer has secondaries")
            g["members"] = [m for m in g["members"] if m["arn"] != o["db-cluster-identifier"]]
    save(state, path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
