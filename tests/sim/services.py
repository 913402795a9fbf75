"""The smaller AWS APIs the handlers call: SSM Parameter Store, SNS, Secrets
Manager, STS, and Lambda's Invoke (the runtime behind it is functions.py).

Sources (quoted in tests/sim/README.md):

* SSM PutParameter: "Overwrite ... By default, the value is false"; an
  existing name without Overwrite fails with ParameterAlreadyExists
  (API_PutParameter.html).  Reads are strongly consistent (inference: the API
  reference promises nothing else, and the handlers' lock depends on it).
* SNS Publish is regional: a client publishes to topics of its own region
  (API_Publish.html, "TopicArn"); a message accepted by SNS can still fail to
  reach a subscriber, which SNS counts in NumberOfNotificationsFailed
  (sns-monitoring-using-cloudwatch.html).
* Lambda Invoke: RequestResponse runs the function and returns its result or
  FunctionError; Event queues it (invocation-async.html); a function at its
  reserved concurrency throttles synchronous calls with
  TooManyRequestsException (HTTP 429) (lambda-concurrency.html, API_Invoke.html).
"""

import json

from sim.aws import ApiError, streaming, utc

ACCOUNT = "123456789012"


class Ssm:
    def __init__(self, world):
        self.world = world
        self.parameters = {}   # (region, name) -> {"Value", "Type", "Version", "LastModifiedDate"}

    def _get(self, name, region):
        p = self.parameters.get((region, name))
        if p is None:
            raise ApiError("ParameterNotFound", f"Parameter {name} not found.")
        return p

    def value(self, region, name):
        p = self.parameters.get((region, name))
        return None if p is None else p["Value"]

    def GetParameter(self, params, region, **_):
        p = self._get(params["Name"], region)
        return {"Parameter": {"Name": params["Name"], "Type": p["Type"], "Value": p["Value"], "Version": p["Version"],
                              "LastModifiedDate": utc(p["LastModifiedDate"]), "DataType": "text",
                              "ARN": f"arn:aws:ssm:{region}:{ACCOUNT}:parameter/{params['Name'].lstrip('/')}"}}

    def GetParameters(self, params, region, **_):
        found, missing = [], []
        for name in params["Names"]:
            try:
                found.append(self.GetParameter({"Name": name}, region)["Parameter"])
            except ApiError:
                missing.append(name)
        return {"Parameters": found, "InvalidParameters": missing}

    def PutParameter(self, params, region, **_):
        key = (region, params["Name"])
        existing = self.parameters.get(key)
        if existing is not None and not params.get("Overwrite", False):
            raise ApiError("ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the "
                           "overwrite option in the request to true.")
        version = existing["Version"] + 1 if existing else 1
        self.parameters[key] = {"Value": params["Value"], "Type": params.get("Type", existing["Type"] if existing
                                                                             else "String"),
                                "Version": version, "LastModifiedDate": self.world.clock.now}
        self.world.parameter_changed(region, params["Name"], params["Value"])
        return {"Version": version, "Tier": params.get("Tier", "Standard")}

    def DeleteParameter(self, params, region, **_):
        self._get(params["Name"], region)
        del self.parameters[(region, params["Name"])]
        self.world.parameter_changed(region, params["Name"], None)
        return {}


class Sns:
    def __init__(self, world):
        self.world = world
        self.topics = {}       # arn -> {"region", "name"}
        self._n = 0

    def add_topic(self, region, name):
        arn = f"arn:aws:sns:{region}:{ACCOUNT}:{name}"
        self.topics[arn] = {"region": region, "name": name}
        return arn

    def Publish(self, params, region, **_):
        arn = params.get("TopicArn") or params.get("TargetArn")
        topic = self.topics.get(arn)
        if topic is None or topic["region"] != region:
            raise ApiError("NotFound", "Topic does not exist", 404)
        self._n += 1
        self.world.deliver(arn, params.get("Subject", ""), params["Message"], source="Publish")
        return {"MessageId": f"sim-message-{self._n:06d}"}


class SecretsManager:
    def __init__(self, world):
        self.world = world
        self.secrets = {}      # (region, name) -> {"SecretString", "ARN"}

    def add_secret(self, region, name, value):
        arn = f"arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:{name}-sim"
        self.secrets[(region, name)] = {"SecretString": json.dumps(value), "ARN": arn, "Name": name}
        return arn

    def GetSecretValue(self, params, region, **_):
        wanted = params["SecretId"]
        for (r, name), secret in self.secrets.items():
            if r == region and wanted in (name, secret["ARN"]):
                return {"ARN": secret["ARN"], "Name": name, "VersionId": "sim-v1",
                        "SecretString": secret["SecretString"], "VersionStages": ["AWSCURRENT"], "CreatedDate": utc(0)}
        raise ApiError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")


class Sts:
    def __init__(self, world):
        self.world = world

    def GetCallerIdentity(self, params, region, **_):
        return {"UserId": "AROASIM:sim", "Account": ACCOUNT, "Arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/sim/sim"}


class LambdaApi:
    def __init__(self, world):
        self.world = world

    def Invoke(self, params, region, caller_region, **_):
        functions = self.world.functions
        fn = functions.find(params["FunctionName"], region)
        if fn is None:
            raise ApiError("ResourceNotFoundException", f"Function not found: {params['FunctionName']}", 404)
        payload = params.get("Payload", b"{}")
        if isinstance(payload, (bytes, bytearray)):
            payload = payload.decode()
        event = json.loads(payload or "{}")
        kind = params.get("InvocationType", "RequestResponse")
        if kind == "DryRun":
            return {"StatusCode": 204}
        if kind == "Event":
            functions.invoke_async(fn, event, source="Invoke")
            return {"StatusCode": 202, "Payload": streaming(b"")}
        status, error, result = functions.invoke_sync(fn, event)
        if status == "throttled":
            raise ApiError("TooManyRequestsException", "Rate Exceeded.", 429)
        out = {"StatusCode": 200, "ExecutedVersion": "$LATEST"}
        if status == "error":
            out["FunctionError"] = "Unhandled"
            body = json.dumps(error).encode()
        else:
            body = json.dumps(result).encode()
        out["Payload"] = streaming(body)
        return out
