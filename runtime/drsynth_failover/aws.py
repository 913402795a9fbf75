"""AWS access of the failover and witness functions: the clock, bounded
clients, and what an AWS error means.

Seams (module attributes, looked up on every use; the failure-scenario
simulator replaces them): ``clock`` (epoch seconds), ``sleep``,
``make_client(service, region, config)`` and ``run_parallel(functions)``.

**classify(exc)**: only a connect timeout, a read timeout or an
EndpointConnectionError means "unreachable" (the network or the region is
gone).  Everything else (AccessDenied, throttling, 5xx, a closed connection,
an unknown error) is "error": the state of the other side is unknown, and
unknown never counts as agreement for an irreversible step.  botocore raises
``ConnectTimeoutError`` when the TCP/TLS connection is not made within
``connect_timeout``, ``ReadTimeoutError`` when no answer comes within
``read_timeout`` and ``EndpointConnectionError`` when the endpoint cannot be
reached at all (botocore exceptions:
https://github.com/boto/botocore/blob/develop/botocore/exceptions.py; Boto3
error handling: https://docs.aws.amazon.com/boto3/latest/guide/error-handling.html).
"""

import threading
import time

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

OK, UNREACHABLE, ERROR = "ok", "unreachable", "error"
UNREACHABLE_ERRORS = (ConnectTimeoutError, ReadTimeoutError, EndpointConnectionError)
AWS_ERRORS = (ClientError, BotoCoreError)
THROTTLING = ("Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException",
              "RequestThrottled", "RequestThrottledException", "PriorRequestNotComplete")

clock = time.time
sleep = time.sleep


def now():
    return clock()


def pause(seconds):
    sleep(seconds)


def config(connect, read, attempts):
    """Every client is bounded: `attempts` in all (the first request
    included).  In botocore's Config, retries["max_attempts"] counts the
    retries AFTER the first request and "total_max_attempts" every attempt
    (https://botocore.amazonaws.com/v1/documentation/api/latest/reference/config.html);
    "standard" mode retries throttling and transient errors with backoff
    (https://docs.aws.amazon.com/boto3/latest/guide/retries.html)."""
    return Config(connect_timeout=connect, read_timeout=read,
                  retries={"total_max_attempts": attempts, "mode": "standard"})


LOCAL = config(3, 10, 3)    # this region's APIs: retried, bounded
ROUTE53 = config(3, 8, 1)   # Route 53's control plane (us-east-1): the caller's loop retries
ACTION = config(5, 15, 1)   # mutating calls: one attempt each, so throttling is told from a refusal


def remote(timeout):
    """Calls into another region: one attempt, connect and read each bounded by `timeout`."""
    return config(timeout, timeout, 1)


_session = None
_session_lock = threading.Lock()


def make_client(service, region, cfg):
    """A boto3 client (one session per execution environment; creating clients is serialized)."""
    global _session
    with _session_lock:
        if _session is None:
            _session = boto3.session.Session()
        return _session.client(service, region_name=region, config=cfg)


def _threads(functions):
    results = [None] * len(functions)

    def run(i, fn):
        results[i] = fn()

    threads = [threading.Thread(target=run, args=(i, fn), daemon=True) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def run_sequential(functions):
    return [fn() for fn in functions]


run_parallel = _threads  # the simulator sets run_sequential (its clock is cooperative)


def classify(exc):
    """OK (None), UNREACHABLE or ERROR (see the module docstring)."""
    if exc is None:
        return OK
    if isinstance(exc, UNREACHABLE_ERRORS):
        return UNREACHABLE
    return ERROR


def error_code(exc):
    return exc.response.get("Error", {}).get("Code", "") if isinstance(exc, ClientError) else ""


def is_throttling(exc):
    return error_code(exc) in THROTTLING


def describe(exc):
    return f"{type(exc).__name__}: {exc}"


class Outcome:
    """What one AWS read gave: kind (ok/unreachable/error), value, error text."""

    def __init__(self, kind, value=None, error=None):
        self.kind, self.value, self.error = kind, value, error

    @property
    def ok(self):
        return self.kind == OK

    def as_dict(self):
        return {"kind": self.kind, "value": self.value, "error": self.error}


def attempt(fn, *args, **kwargs):
    """Run one AWS read; never raises for an AWS error (nor for anything else:
    an unexpected exception is an ERROR, never agreement)."""
    try:
        return Outcome(OK, fn(*args, **kwargs))
    except AWS_ERRORS as exc:
        return Outcome(classify(exc), None, describe(exc))
    except Exception as exc:  # noqa: BLE001 - unknown is unknown
        return Outcome(ERROR, None, describe(exc))


class Clients:
    """The clients of one invocation, by (service, region, config)."""

    def __init__(self):
        self._clients = {}

    def get(self, service, region, cfg=LOCAL):
        key = (service, region, id(cfg))
        if key not in self._clients:
            self._clients[key] = make_client(service, region, cfg)
        return self._clients[key]
