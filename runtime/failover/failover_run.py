"""What one invocation of a failover function does the same way in both
failover functions (runtime/failover for the RDS replica, runtime/aurora_failover
for the Aurora global database): reading the invoking event, the AWS clients
of the run, the time left, errors and the decision in the summary, alarm
states.  Kept in one place so that the two cannot drift apart on the rules of
an irreversible step (only the JSON value true forces a failover).  Standard
library and boto3 only."""

import json

import boto3

import failover_state as st

DEFAULT_BUDGET_SECONDS = 120.0  # used when no Lambda context is given


def parse_event(event, actions):
    """Return (action, trigger, trigger_state, options); `actions` are the
    operator actions the function knows."""
    event = event if isinstance(event, dict) else {}
    action = event.get("action")
    if action in actions:
        trigger = "schedule" if action == "reconcile" and event.get("source") == "schedule" else "manual"
        # Only the JSON value true forces: "force": "false" (a string typed by
        # hand into --payload) must not skip the signals of a failover.
        return action, trigger, None, {"force": event.get("force") is True, "confirm": event.get("confirm")}
    if event.get("source") == "aws.cloudwatch" and isinstance(event.get("alarmData"), dict):
        return "failover", "alarm", (event["alarmData"].get("state") or {}).get("value"), {"force": False}
    records = event.get("Records")
    if isinstance(records, list) and records and isinstance(records[0], dict) and "Sns" in records[0]:
        try:
            message = json.loads(records[0]["Sns"].get("Message") or "{}")
        except ValueError:
            message = {}
        return "failover", "sns", message.get("NewStateValue"), {"force": False}
    return None, "unknown", None, {"force": False}


class RunBase:
    """One invocation: ``self.s`` the settings, ``self.summary`` what it
    reports (the fields given, then ``errors`` and ``request_id``).  A
    subclass names its own region (``home_region``) and makes its clients
    (``make_client``: index.py's ``_client``, looked up when called, so that
    tests and the simulator can replace it)."""

    def __init__(self, settings, context, summary):
        self.s = settings
        self.context = context
        self.started = st.now()
        self.request_id = getattr(context, "aws_request_id", None) or f"local-{int(st.now() * 1000)}"
        self.session = boto3.session.Session()  # one per invocation: sessions are not thread safe
        self._clients = {}
        self.summary = dict(summary, errors=[], request_id=self.request_id)
        self.quiet = False  # a reconcile run that changed nothing notifies nobody

    def home_region(self):
        raise NotImplementedError

    def make_client(self, service, region, config):
        raise NotImplementedError

    def client(self, service, region, config=st.LOCAL_CONFIG):
        key = (service, region, id(config))
        if key not in self._clients:
            self._clients[key] = self.make_client(service, region, config)
        return self._clients[key]

    def local(self, service):
        return self.client(service, self.home_region())

    def remaining(self):
        if self.context is not None and hasattr(self.context, "get_remaining_time_in_millis"):
            return self.context.get_remaining_time_in_millis() / 1000.0
        return DEFAULT_BUDGET_SECONDS - (st.now() - self.started)

    def error(self, step, exc):
        text = f"{step}: {type(exc).__name__}: {exc}"
        self.summary["errors"].append(text)
        st.log("error", where=step, error=text)
        return text

    def decide(self, decision, reason, quiet=False):
        self.summary["decision"] = decision
        self.summary["reason"] = reason
        self.quiet = quiet
        return self.summary

    def store(self):
        return st.StateStore(self.local("ssm"), self.s.state_parameter)

    def alarm(self, name, region, config, key):
        """The alarm's state ("MISSING", "UNREACHABLE" when its region does not answer), kept as summary[key]."""
        try:
            alarms = self.client("cloudwatch", region, config).describe_alarms(AlarmNames=[name]).get("MetricAlarms", [])
            value = alarms[0]["StateValue"] if alarms else "MISSING"
        except st.AWS_ERRORS as exc:
            self.error(f"describe_alarms {name}", exc)
            value = "UNREACHABLE"
        self.summary[key] = value
        return value
