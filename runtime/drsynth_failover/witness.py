"""The witness (AWS Lambda, Python 3.12; the asset's index.py imports
``handler`` from here): a small function in a third region that sees both
sites' regions from outside.  When a failover function cannot tell whether
the other region is lost or merely cut off from it, it asks the witness.

Actions (invoked RequestResponse by the failover functions):

* ``{"action": "observe", "site": S}``: the verdict on site S from here
  (``lost``, ``serving``, ``recovering``, ``storage_full``, ``unknown``,
  ``unreachable``) with the same three reads and rules as the direct signal
  (decision.read_site / decision.verdict): S's database status, S's own view
  alarm and S's own probe data, each in S's region, each bounded by
  CALL_TIMEOUT_SECONDS;
* ``{"action": "claim", "claimant": X, "target": Y, "request_id": ...}``: the
  failover of Y to X is granted only when Y is ``lost`` from here too, or
  ``unreachable`` from here too AND Y's lease in this region (lease.py) is
  older than LEASE_EXPIRY_SECONDS (Y fenced itself before that, or its region
  is gone); and only to one claimant: the grant is an SSM parameter created with Overwrite=False
  (ParameterAlreadyExists for a second claimant:
  https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_PutParameter.html).
  The holder claiming again is granted again (a run that died after the grant);
  another claimant is ``refused`` (its function disarms itself);
* ``{"action": "release", "claimant": X}``: X's failback deletes its grant;
* ``{"action": "status"}``: the grant and both verdicts (read only);
* ``{"action": "ping"}``: the grant holder only (the failover functions' reconcile
  checks every few minutes that the witness answers).

Answers are JSON objects; an error is raised (FunctionError for the caller:
unknown, never agreement).
"""

import json
import os

from . import aws, contract, decision, lease
from .engines import for_name
from .state import iso, log


class Witness:
    def __init__(self, settings):
        self.s = settings
        self.engine_cls = for_name(settings.engine)
        self.region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION", "")
        self.clients = aws.Clients()
        self.cfg = aws.remote(settings.call_timeout_seconds)
        self.sites = {settings.site_a: (settings.site_a_region, settings.site_a_db_id, settings.site_a_view_alarm_name),
                      settings.site_b: (settings.site_b_region, settings.site_b_db_id, settings.site_b_view_alarm_name)}
        self.leases = {settings.site_a: settings.site_a_lease_parameter,
                       settings.site_b: settings.site_b_lease_parameter}

    def client(self, service, region):
        return self.clients.get(service, region, self.cfg)

    def observe(self, site):
        region, db_id, view_alarm = self.sites[site]
        reads = decision.read_site(self.engine_cls, self.client, site, region, db_id, view_alarm, self.s)
        verdict, reason = decision.verdict(self.engine_cls, reads)
        log("witness", site=site, verdict=verdict, reason=reason)
        return {"site": site, "verdict": verdict, "reason": reason,
                "reads": {name: r.as_dict() for name, r in reads.items()}}

    def ssm(self):
        return self.clients.get("ssm", self.region, aws.LOCAL)

    def holder(self):
        try:
            raw = self.ssm().get_parameter(Name=self.s.grant_parameter)["Parameter"]["Value"]
        except aws.AWS_ERRORS as exc:
            if aws.error_code(exc) == "ParameterNotFound":
                return None
            raise
        try:
            return json.loads(raw)
        except ValueError:
            return {"claimant": None, "raw": raw}

    def claim(self, claimant, target, request_id):
        if {claimant, target} != set(self.sites):
            raise ValueError(f"claim: claimant {claimant!r} and target {target!r} must be the two sites "
                             f"{sorted(self.sites)}")
        held = self.holder()
        if held is not None:
            grant = "granted" if held.get("claimant") == claimant else "refused"
            return {"grant": grant, "holder": held.get("claimant"), "verdict": "lost" if grant == "granted" else None,
                    "reason": f"the grant is held by {held.get('claimant')} since {held.get('time')}"}
        seen = self.observe(target)
        if seen["verdict"] == decision.UNREACHABLE and self.leases.get(target):
            gone, detail, _ = lease.expired(self.ssm(), self.leases[target], self.s.lease_expiry_seconds)
            seen["lease"] = detail
            if gone:
                seen["verdict"] = decision.LOST
                seen["reason"] = f"{seen['reason']}; {detail}"
        if seen["verdict"] != decision.LOST:
            return {"grant": "not_lost", "holder": None, **seen}
        value = json.dumps({"claimant": claimant, "target": target, "request_id": request_id, "at": aws.now(),
                            "time": iso(aws.now())})
        try:
            self.ssm().put_parameter(Name=self.s.grant_parameter, Value=value, Type="String", Overwrite=False,
                                     Description="drsynth witness: who was granted the failover")
        except aws.AWS_ERRORS as exc:
            if aws.error_code(exc) != "ParameterAlreadyExists":
                raise
            held = self.holder() or {}
            grant = "granted" if held.get("claimant") == claimant else "refused"
            return {"grant": grant, "holder": held.get("claimant"), **seen}
        log("witness", granted=claimant, target=target, request_id=request_id)
        return {"grant": "granted", "holder": claimant, **seen}

    def release(self, claimant):
        held = self.holder()
        if held is None:
            return {"released": True, "holder": None}
        if held.get("claimant") != claimant:
            return {"released": False, "holder": held.get("claimant")}
        self.ssm().delete_parameter(Name=self.s.grant_parameter)
        log("witness", released=claimant)
        return {"released": True, "holder": None}

    def status(self):
        return {"holder": self.holder(), "sites": {site: self.observe(site) for site in self.sites}}


def handler(event, context=None):
    event = event if isinstance(event, dict) else {}
    settings = contract.witness_settings(os.environ)  # a ContractError is a FunctionError for the caller
    witness = Witness(settings)
    action = event.get("action")
    log("start", function="witness", action=action)
    if action == "observe":
        answer = witness.observe(event.get("site"))
    elif action == "claim":
        answer = witness.claim(event.get("claimant"), event.get("target"), event.get("request_id"))
    elif action == "release":
        answer = witness.release(event.get("claimant"))
    elif action == "status":
        answer = witness.status()
    elif action == "ping":
        answer = {"ok": True, "holder": (witness.holder() or {}).get("claimant")}
    else:
        raise ValueError(f"unknown witness action {action!r}")
    log("summary", function="witness", action=action, answer=answer)
    return answer
