"""Lambda and EventBridge as documented: how, when and how often the real
handlers run.

Sources (quoted in tests/sim/README.md):

* Asynchronous invocation (alarm actions, EventBridge, InvocationType=Event):
  "If the function returns an error, by default Lambda attempts to run it two
  more times, with a one-minute wait between the first two attempts, and two
  minutes between the second and third attempts. Function errors include
  errors returned by the function's code and errors returned by the
  function's runtime, such as timeouts."  "For throttling errors (429) and
  system errors (500-series), Lambda returns the event to the queue and
  attempts to run the function again for up to 6 hours ... The retry interval
  increases exponentially from 1 second after the first attempt to a maximum
  of 5 minutes."  "it's possible for it to receive the same event from Lambda
  multiple times" (Lambda Developer Guide, invocation-async-error-handling.html).
  An event that fails every attempt goes to the dead-letter queue.
* Timeouts: a run that exceeds the function's timeout is stopped where it is
  (Lambda Developer Guide, "Configure Lambda function timeout"): here its task
  is never resumed (no finally block, nothing released) and the execution
  environment is discarded.
* Concurrency: "Reserved concurrency is the maximum number of concurrent
  instances you want to allocate to your function. When a function has
  reserved concurrency, no other function can use that concurrency"
  (lambda-concurrency.html): a function at its reservation is throttled; a
  function without one shares the region's unreserved pool, which the
  account's other functions can exhaust (``World.throttle_lambda``).
* Execution environments are reused between invocations and concurrent
  invocations run in separate ones (Lambda Developer Guide, "Lambda execution
  environment lifecycle"): each environment here has its own copy of the
  handler's modules, so module-level caches behave as on Lambda.
* EventBridge schedules: "the minimum precision for a schedule is one minute
  ... there can be a delay of several seconds between the time the scheduled
  rule is triggered and the time the target service runs the target resource"
  (eb-create-rule-schedule.html); targets are invoked asynchronously and
  retried for up to 24 hours (eb-rule-retry-policy.html).  Late, duplicate
  and missing deliveries are scripted per scenario (``World.schedule``).
* AWS/Lambda metrics Invocations, Errors, Throttles (FunctionName dimension)
  are published per minute (monitoring-metrics.html).
"""

import importlib.util
import json
import os
import sys
import uuid

from sim import delays
from sim.aws import ClientTimeout
from sim.clock import Task

ASYNC_START = delays.seconds("async_invocation")  # event queued -> function running (unpublished: delays.py)
COLD_START = delays.seconds("cold_start")         # init of a new execution environment (unpublished: delays.py)
RETRY_WAITS = (60.0, 120.0)
THROTTLE_RETRY_FIRST, THROTTLE_RETRY_MAX, THROTTLE_RETRY_AGE = 1.0, 300.0, 6 * 3600.0
PACKAGES = ("drsynth_failover", "drsynth_pgwire")
ACCOUNT = "123456789012"


class Context:
    """The Lambda context object (lambda/latest/dg/python-context.html)."""

    def __init__(self, clock, fn, request_id, deadline):
        self._clock = clock
        self.function_name = fn.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = fn.arn
        self.memory_limit_in_mb = "256"
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{fn.name}"
        self.log_stream_name = "sim"
        self._deadline = deadline

    def get_remaining_time_in_millis(self):
        return max(int((self._deadline - self._clock.now) * 1000), 0)


class Environment:
    """One execution environment: its own copy of the handler's modules."""

    def __init__(self, fn, seams):
        self.busy = False
        self.cold = True
        if fn.override is not None:
            self.modules, self.handler = {}, fn.override
        else:
            self.modules, self.handler = _load(fn.code_dir, fn.entry, seams)


def _load(code_dir, entry, seams):
    """Import ``code_dir/index.py`` and the packages it imports as a fresh, private set of modules."""
    module_file, _, attr = entry.partition(".")
    runtime_dir = os.path.dirname(code_dir)
    saved = {k: v for k, v in sys.modules.items() if k.split(".")[0] in PACKAGES}
    for k in saved:
        del sys.modules[k]
    added_path = False
    if runtime_dir not in sys.path:
        sys.path.insert(0, runtime_dir)
        added_path = True
    name = f"sim_env_{uuid.uuid4().hex[:8]}_{module_file}"
    try:
        spec = importlib.util.spec_from_file_location(name, os.path.join(code_dir, module_file + ".py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        modules = {k: v for k, v in sys.modules.items() if k.split(".")[0] in PACKAGES}
        modules[name] = module
    finally:
        for k in [k for k in sys.modules if k.split(".")[0] in PACKAGES]:
            del sys.modules[k]
        sys.modules.update(saved)
        if added_path:
            sys.path.remove(runtime_dir)
    for module in modules.values():
        seams(module)
    return modules, getattr(module, attr)


class Function:
    def __init__(self, name, region, kind, env, timeout, reserved, code_dir, entry="index.handler", dlq=None,
                 logical_id=None):
        self.name, self.region, self.kind, self.env = name, region, kind, dict(env)
        self.timeout, self.reserved, self.code_dir, self.entry = float(timeout), reserved, code_dir, entry
        self.dlq = dlq
        self.logical_id = logical_id
        self.override = None      # a handler callable instead of code_dir (the stand-in probe)
        self.arn = f"arn:aws:lambda:{region}:{ACCOUNT}:function:{name}"
        self.environments = []
        self.running = set()
        self.dlq_messages = []


class Functions:
    def __init__(self, world):
        self.world = world
        self.all = []
        self.runs = []            # every run: dict(function, start, end, source, attempt, outcome, summary, error)
        self.pool_exhausted = []  # (region, start, end): the account's unreserved concurrency is used up
        self._n = 0

    def add(self, fn):
        self.all.append(fn)
        return fn

    def find(self, name_or_arn, region=None):
        for fn in self.all:
            if name_or_arn in (fn.name, fn.arn) and (region is None or fn.region == region or
                                                       name_or_arn == fn.arn):
                return fn
        return None

    # -- running -----------------------------------------------------------------
    def throttled(self, fn):
        if fn.reserved is not None:
            return len(fn.running) >= fn.reserved
        now = self.world.clock.now
        return any(r == fn.region and s <= now < e for r, s, e in self.pool_exhausted)

    def start(self, fn, event, source, attempt=1, on_done=None):
        """Run the handler now in a task of its own; 'throttled', 'region_down' or the run record."""
        world = self.world
        now = world.clock.now
        if not world.region_up(fn.region):
            return "region_down"
        if self.throttled(fn):
            world.cloudwatch.publish(fn.region, "AWS/Lambda", "Throttles", [{"Name": "FunctionName", "Value": fn.name}],
                                     1.0)
            return "throttled"
        env = next((e for e in fn.environments if not e.busy), None)
        if env is None:
            env = Environment(fn, world.seams)
            fn.environments.append(env)
        env.busy = True
        cold, env.cold = env.cold, False
        self._n += 1
        request_id = f"sim-{self._n:06d}-{uuid.UUID(int=self._n).hex[:8]}"
        run = {"function": fn.name, "region": fn.region, "kind": fn.kind, "start": now, "end": None,
               "source": source, "attempt": attempt, "outcome": "running", "summary": None, "error": None,
               "event": event, "request_id": request_id}
        self.runs.append(run)
        variables = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "TZ": ":UTC",
                     "AWS_ACCESS_KEY_ID": "sim", "AWS_SECRET_ACCESS_KEY": "sim", "AWS_SESSION_TOKEN": "sim",
                     "AWS_LAMBDA_FUNCTION_NAME": fn.name, "AWS_LAMBDA_FUNCTION_TIMEOUT": str(int(fn.timeout)),
                     "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12"}
        variables.update(fn.env)
        variables.update(AWS_REGION=fn.region, AWS_DEFAULT_REGION=fn.region)
        task = Task(f"{fn.name}#{self._n}", region=fn.region, env=variables, modules=env.modules, function=fn)
        fn.running.add(task)
        start_delay = COLD_START if cold else 0.0
        deadline = now + start_delay + fn.timeout
        context = Context(world.clock, fn, request_id, deadline)
        world.cloudwatch.publish(fn.region, "AWS/Lambda", "Invocations", [{"Name": "FunctionName", "Value": fn.name}],
                                 1.0)

        def target():
            if start_delay:
                world.clock.sleep(start_delay)
            return env.handler(json.loads(json.dumps(event)), context)

        def finished(status, result=None, error=None):
            if run["end"] is not None:
                return
            run.update(end=world.clock.now, outcome=status, summary=result, error=error)
            fn.running.discard(task)
            if status != "ok":
                world.cloudwatch.publish(fn.region, "AWS/Lambda", "Errors",
                                         [{"Name": "FunctionName", "Value": fn.name}], 1.0)
            if status == "timeout":
                fn.environments.remove(env)
            else:
                env.busy = False
            run["log"] = task.stdout.getvalue()
            if on_done is not None:
                on_done(run)

        def exited(t):
            if t.error is not None:
                finished("error", error={"errorType": type(t.error).__name__, "errorMessage": str(t.error)})
            else:
                finished("ok", result=t.result)

        def timeout():
            if not task.done and not task.killed:
                world.clock.kill(task)
                world.event(f"{fn.name}: timed out after {fn.timeout:.0f} s (killed mid-step)")
                finished("timeout", error={"errorType": "Sandbox.Timedout",
                                           "errorMessage": f"Task timed out after {fn.timeout:.2f} seconds"})

        world.clock.spawn(task, target, on_exit=exited)
        world.clock.at(deadline, timeout)
        world.tasks_by_region.setdefault(fn.region, []).append((task, finished))
        return run

    # -- invocation types --------------------------------------------------------
    def invoke_async(self, fn, event, source, delay=ASYNC_START, duplicate=False):
        """An event in Lambda's asynchronous queue: retried on errors and throttles as documented."""
        queued = self.world.clock.now

        def attempt(number, throttle_wait):
            if not self.world.region_up(fn.region):
                return  # the region's queue is lost with it (inference)
            outcome = self.start(fn, event, source, attempt=number, on_done=lambda run: done(run, number))
            if outcome in ("throttled", "region_down"):
                if self.world.clock.now - queued + throttle_wait > THROTTLE_RETRY_AGE:
                    self._to_dlq(fn, event, "throttled")
                    return
                self.world.clock.after(throttle_wait, lambda: attempt(number, min(throttle_wait * 2,
                                                                                  THROTTLE_RETRY_MAX)))

        def done(run, number):
            if run["outcome"] == "ok":
                return
            if number <= len(RETRY_WAITS):
                self.world.clock.after(RETRY_WAITS[number - 1], lambda: attempt(number + 1, THROTTLE_RETRY_FIRST))
            else:
                self._to_dlq(fn, event, run["outcome"])

        self.world.clock.after(delay, lambda: attempt(1, THROTTLE_RETRY_FIRST))
        if duplicate:
            self.world.clock.after(delay + 0.5, lambda: attempt(1, THROTTLE_RETRY_FIRST))

    def invoke_sync(self, fn, event):
        """RequestResponse from a running task: (status, error, result); the caller waits up to its read timeout."""
        clock = self.world.clock
        read_timeout = self.world.api.read_timeout
        deadline = clock.now + read_timeout
        box = {}
        outcome = self.start(fn, event, "Invoke", on_done=lambda run: box.update(run=run))
        if outcome == "throttled":
            return "throttled", None, None
        if outcome == "region_down":
            raise ClientTimeout()
        while "run" not in box and clock.now < deadline:
            clock.sleep(min(0.5, deadline - clock.now))
        if "run" not in box:
            raise ClientTimeout()
        run = box["run"]
        if run["outcome"] == "ok":
            return "ok", None, run["summary"]
        return "error", run["error"], None

    def _to_dlq(self, fn, event, why):
        self.world.event(f"{fn.name}: event sent to the dead-letter queue ({why})")
        fn.dlq_messages.append((self.world.clock.now, event, why))

    def publish_queue_metrics(self):
        """AWS/SQS ApproximateNumberOfMessagesVisible of each dead-letter queue, once a minute."""
        for fn in self.all:
            if fn.dlq and self.world.region_up(fn.region):
                self.world.cloudwatch.publish(fn.region, "AWS/SQS", "ApproximateNumberOfMessagesVisible",
                                              [{"Name": "QueueName", "Value": fn.dlq}], float(len(fn.dlq_messages)))


class Schedule:
    def __init__(self, name, region, interval, fn, event, offset):
        self.name, self.region, self.interval, self.fn, self.event, self.offset = (name, region, interval, fn,
                                                                                   event, offset)
        self.fired = []


class Schedules:
    """EventBridge rules with a rate() schedule, each firing at a fixed second of its interval."""

    def __init__(self, world):
        self.world = world
        self.all = []
        self.faults = []    # dict(match, kind, seconds, start, end)

    def add(self, schedule):
        self.all.append(schedule)

    def start(self, t0):
        for s in self.all:
            self._arm(s, t0 + s.offset)

    def _arm(self, s, when):
        def fire():
            self._fire(s)
            self._arm(s, when + s.interval)
        self.world.clock.at(when, fire)

    def _fire(self, s):
        world = self.world
        if not world.region_up(s.region):
            return
        now = world.clock.now
        late, twice = 0.0, False
        for f in self.faults:
            if not f["match"](s) or not f["start"] <= now < f["end"]:
                continue
            if f["kind"] == "missing":
                s.fired.append((now, "missing"))
                return
            if f["kind"] == "late":
                late = max(late, f["seconds"])
            if f["kind"] == "twice":
                twice = True
        event = s.event if s.event is not None else {
            "version": "0", "id": str(uuid.UUID(int=len(s.fired) + 1)), "detail-type": "Scheduled Event",
            "source": "aws.events", "account": ACCOUNT, "time": world.iso(now), "region": s.region,
            "resources": [f"arn:aws:events:{s.region}:{ACCOUNT}:rule/{s.name}"], "detail": {}}
        s.fired.append((now, "late" if late else "twice" if twice else "ok"))
        world.functions.invoke_async(s.fn, event, source="schedule", delay=late + 1.0, duplicate=twice)
