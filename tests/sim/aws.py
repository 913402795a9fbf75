"""The AWS API as the handlers see it: real botocore clients, answered by the
simulator's models instead of the network.

How: every client a handler creates (``boto3.client``, ``Session.client``) is
a real botocore client of one shared session, so botocore validates the
parameters, raises its modelled exceptions (``client.exceptions.X``) and runs
its own retry logic (legacy/standard/adaptive, the client's ``max_attempts``,
its back-off with ``time.sleep``, here virtual) exactly as on Lambda.  Only
the HTTP exchange is replaced (``Endpoint._do_get_response``): for each
attempt the simulator decides, in this order,

1. whether the caller's region can reach the API's region at all (region
   lost, API partition between the two regions, Route 53's control plane
   down): no → ``ConnectTimeoutError`` after the client's ``connect_timeout``
   (inference: an unreachable endpoint drops packets; AWS publishes nothing
   about how a regional outage looks to a client);
2. whether a scripted fault matches (service, operation, region, caller
   region, time window, count): throttling, AccessDenied, 5xx, connect
   timeout, a hang (``ReadTimeoutError`` after the client's ``read_timeout``,
   request not executed) or a lost response (executed, then the read times
   out);
3. otherwise the model answers after ``API_LATENCY`` of virtual time.

The retry modes and which errors botocore retries: Boto3 developer guide,
"Retries", https://docs.aws.amazon.com/boto3/latest/guide/retries.html
(legacy: 5 attempts by default; standard: 3, throttling and transient errors,
back-off capped at 20 s); the simulator does not re-implement them.
"""

import copy
import datetime
import io

import boto3
import botocore.endpoint
import botocore.exceptions
import botocore.response
import botocore.session
from botocore import UNSIGNED
from botocore.config import Config

API_LATENCY = 0.05          # virtual seconds per answered attempt (inference: same-continent API round trip)
ROUTE53_CONTROL_REGION = "us-east-1"  # Route 53's control plane (AWS Fault Isolation Boundaries whitepaper,
# "Global services": https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/global-services.html)

# The error each fault kind returns, per service (codes and HTTP statuses of the services' API references;
# the query-protocol services say "Throttling", the JSON ones "ThrottlingException").
_THROTTLE = {"cloudwatch": ("Throttling", 400), "rds": ("Throttling", 400), "route53": ("Throttling", 400),
             "sns": ("Throttled", 429), "sqs": ("RequestThrottled", 403), "sts": ("Throttling", 400),
             "ssm": ("ThrottlingException", 400), "secretsmanager": ("ThrottlingException", 400),
             "lambda": ("TooManyRequestsException", 429)}
_DENIED = {"cloudwatch": ("AccessDenied", 403), "rds": ("AccessDenied", 403), "route53": ("AccessDenied", 403),
           "sns": ("AuthorizationError", 403), "sqs": ("AccessDenied", 403), "sts": ("AccessDenied", 403),
           "ssm": ("AccessDeniedException", 400), "secretsmanager": ("AccessDeniedException", 400),
           "lambda": ("AccessDeniedException", 403)}
_SERVER = {"lambda": ("ServiceException", 500), "ssm": ("InternalServerError", 500),
           "secretsmanager": ("InternalServiceError", 500)}
FAULT_KINDS = ("throttle", "access_denied", "server_error", "unavailable", "connect_timeout", "hang",
               "lost_response", "endpoint_error")


class ApiError(Exception):
    """An AWS error response, raised by a model."""

    def __init__(self, code, message="", status=400):
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.status = code, message, status


class ClientTimeout(Exception):
    """Raised by a model that kept the caller waiting past its client's read timeout (e.g. a slow Invoke)."""


class Fault:
    """A scripted fault on matching calls (None matches anything)."""

    def __init__(self, service=None, operation=None, region=None, caller_region=None, kind="throttle",
                 start=None, end=None, times=None, caller=None):
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r} (one of {FAULT_KINDS})")
        self.service, self.operation, self.region, self.caller_region = service, operation, region, caller_region
        self.kind, self.start, self.end, self.remaining, self.caller = kind, start, end, times, caller
        self.hits = 0

    def matches(self, service, operation, region, caller_region, caller, now):
        if self.remaining is not None and self.remaining <= 0:
            return False
        return ((self.service is None or self.service == service)
                and (self.operation is None or self.operation == operation)
                and (self.region is None or self.region == region)
                and (self.caller_region is None or self.caller_region == caller_region)
                and (self.caller is None or (caller is not None and self.caller in caller))
                and (self.start is None or now >= self.start)
                and (self.end is None or now < self.end))


class _Http:
    """What botocore reads from an HTTP response when the parsing is skipped."""

    def __init__(self, status):
        self.status_code = status
        self.headers = {}
        self.content = b""
        self.raw = io.BytesIO(b"")


def _metadata(status, attempt_id):
    return {"RequestId": f"sim-{attempt_id:08d}", "HTTPStatusCode": status, "HTTPHeaders": {}, "RetryAttempts": 0}


def streaming(data):
    return botocore.response.StreamingBody(io.BytesIO(data), len(data))


def utc(epoch):
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC)


def epoch(value):
    """A timestamp parameter (datetime, or seconds) as epoch seconds."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.UTC)
        return value.timestamp()
    return float(value)


_SESSION = None
_ACTIVE = None
_ORIGINAL = {}


def _botocore_session():
    global _SESSION
    if _SESSION is None:
        _SESSION = botocore.session.get_session()
        _SESSION.set_credentials("sim", "sim")
    return _SESSION


def _config_key(config):
    if config is None:
        return None
    return (config.connect_timeout, config.read_timeout, repr(config.retries), config.region_name)


def _patched_session_client(self, service_name, region_name=None, api_version=None, use_ssl=True, verify=None,
                            endpoint_url=None, aws_access_key_id=None, aws_secret_access_key=None,
                            aws_session_token=None, config=None, **_ignored):
    if _ACTIVE is None:
        return _ORIGINAL["session_client"](self, service_name, region_name=region_name, config=config)
    return _ACTIVE.client(service_name, region_name or self.region_name, config)


def _patched_do_get_response(endpoint, request, operation_model, context):
    if _ACTIVE is None or "sim" not in context:
        return _ORIGINAL["do_get_response"](endpoint, request, operation_model, context)
    return _ACTIVE.respond(request, operation_model, context)


def _stash_params(params, context, **_kwargs):
    context["sim"] = copy.deepcopy(params)


class Api:
    """The boundary between the handlers' botocore clients and the world's models."""

    def __init__(self, world):
        self.world = world
        self.services = {}       # botocore service name -> model with a method per operation name
        self.faults = []
        self.calls = []          # (time, caller, caller region, service, operation, region, outcome)
        self.unmodelled = []     # (service, operation): calls the simulator cannot answer
        self._clients = {}
        self._attempts = 0
        self.read_timeout = 60.0
        self.record_calls = True

    # -- installation ------------------------------------------------------------
    def install(self):
        global _ACTIVE
        if not _ORIGINAL:
            _ORIGINAL["session_client"] = boto3.session.Session.client
            _ORIGINAL["do_get_response"] = botocore.endpoint.Endpoint._do_get_response
            boto3.session.Session.client = _patched_session_client
            botocore.endpoint.Endpoint._do_get_response = _patched_do_get_response
        _ACTIVE = self

    def client(self, service, region, config=None):
        """A real botocore client whose HTTP exchanges the simulator answers (one per world and config)."""
        key = (service, region, _config_key(config))
        client = self._clients.get(key)
        if client is None:
            unsigned = Config(signature_version=UNSIGNED)
            config = unsigned if config is None else config.merge(unsigned)
            client = _botocore_session().create_client(service, region_name=region, config=config)
            client.meta.events.register("before-parameter-build", _stash_params)
            self._clients[key] = client
        return client

    def fault(self, **kwargs):
        fault = Fault(**kwargs)
        self.faults.append(fault)
        return fault

    # -- one attempt -------------------------------------------------------------
    def respond(self, request, operation_model, context):
        world = self.world
        clock = world.clock
        service = operation_model.service_model.service_name
        operation = operation_model.name
        client_region = context.get("client_region")
        region = ROUTE53_CONTROL_REGION if service == "route53" else client_region
        task = clock.current if clock.in_task() else None
        caller = task.name if task else "simulator"
        caller_region = task.region if task else None
        config = context.get("client_config")
        connect_timeout = getattr(config, "connect_timeout", 60) or 60
        read_timeout = getattr(config, "read_timeout", 60) or 60
        params = context["sim"]
        self.read_timeout = read_timeout   # read by a model that waits (Lambda Invoke) before it yields
        self._attempts += 1
        attempt = self._attempts

        def outcome(text):
            if self.record_calls:
                self.calls.append((clock.now, caller, caller_region, service, operation, region, text))

        if not world.api_reachable(service, region, caller_region):
            clock.sleep(connect_timeout)
            outcome("unreachable")
            return None, botocore.exceptions.ConnectTimeoutError(endpoint_url=request.url)
        for fault in self.faults:
            if fault.matches(service, operation, region, caller_region, caller, clock.now):
                if fault.remaining is not None:
                    fault.remaining -= 1
                fault.hits += 1
                return self._faulted(fault, service, operation, params, region, caller_region, request,
                                     connect_timeout, read_timeout, attempt, outcome)
        clock.sleep(API_LATENCY)
        return self._answer(service, operation, params, region, caller_region, attempt, outcome)

    def _faulted(self, fault, service, operation, params, region, caller_region, request, connect_timeout,
                 read_timeout, attempt, outcome):
        clock = self.world.clock
        kind = fault.kind
        outcome(f"fault:{kind}")
        if kind == "connect_timeout":
            clock.sleep(connect_timeout)
            return None, botocore.exceptions.ConnectTimeoutError(endpoint_url=request.url)
        if kind == "endpoint_error":
            clock.sleep(API_LATENCY)
            return None, botocore.exceptions.EndpointConnectionError(endpoint_url=request.url)
        if kind == "hang":
            clock.sleep(read_timeout)
            return None, botocore.exceptions.ReadTimeoutError(endpoint_url=request.url)
        if kind == "lost_response":
            clock.sleep(API_LATENCY)
            self._answer(service, operation, params, region, caller_region, attempt, lambda text: None)
            clock.sleep(max(read_timeout - API_LATENCY, 0.0))
            return None, botocore.exceptions.ReadTimeoutError(endpoint_url=request.url)
        clock.sleep(API_LATENCY)
        if kind == "throttle":
            code, status = _THROTTLE.get(service, ("Throttling", 400))
        elif kind == "access_denied":
            code, status = _DENIED.get(service, ("AccessDenied", 403))
        elif kind == "unavailable":
            code, status = "ServiceUnavailable", 503
        else:
            code, status = _SERVER.get(service, ("InternalFailure", 500))
        return self._error(ApiError(code, f"injected {kind}", status), attempt)

    def _answer(self, service, operation, params, region, caller_region, attempt, outcome):
        model = self.services.get(service)
        handler = getattr(model, operation, None) if model is not None else None
        if handler is None:
            self.unmodelled.append((service, operation))
            outcome("unmodelled")
            return self._error(ApiError("SimulatorNotModelled", f"{service}.{operation} is not modelled", 400),
                               attempt)
        try:
            result = handler(params, region=region, caller_region=caller_region) or {}
        except ApiError as exc:
            outcome(exc.code)
            return self._error(exc, attempt)
        except ClientTimeout:
            outcome("read_timeout")
            return None, botocore.exceptions.ReadTimeoutError(endpoint_url=f"https://{service}.{region}.amazonaws.com")
        outcome("ok")
        self.world.after_call(service, operation)
        result = dict(result)
        result["ResponseMetadata"] = _metadata(200, attempt)
        return (_Http(200), result), None

    @staticmethod
    def _error(exc, attempt):
        parsed = {"Error": {"Code": exc.code, "Message": exc.message, "Type": "Sender" if exc.status < 500 else
                            "Receiver"}, "ResponseMetadata": _metadata(exc.status, attempt)}
        return (_Http(exc.status), parsed), None
