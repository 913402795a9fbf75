"""What a run shows, from the world's records (times in seconds after the failure).

* ``promotions``: promotions the engine accepted (PromoteReadReplica,
  FailoverGlobalCluster, SwitchoverGlobalCluster, RemoveFromGlobalCluster)
  at the request of a failover function (or of the operator through it:
  approve, force); the runbook's own CLI promotions are ``runbook_promotions``;
* ``to_writable``: failure -> a copy takes writes and its region is up;
* ``to_dns_writable``: failure -> every answer a resolver may still hold
  (the authoritative answers of the last TTL) names a copy that takes writes;
* ``split_brain``: seconds at which two copies take writes and both are among
  the answers resolvers may hold;
* ``serving_promotions``: promotions accepted while another copy took writes
  and its region was up (the primary served its region);
* ``stale_promotions``: promotions onto a copy further behind the writer than
  MAX_PROMOTION_LAG_SECONDS of the failover functions;
* ``rpo``: the writer's history the promoted copy lacked when promoted (s);
* ``paged``: seconds from the failure to the first page (an ALARM
  notification or a message of a failover function) delivered after it.
"""


from sim.clock import value_at


class Result:
    def __init__(self, world, failure_at=None, name=None):
        self.name = name
        self.engine = world.engine_kind
        t0 = world.t0
        self.failure = t0 + (failure_at or 0.0)
        end = t0 + (world.ended if world.ended is not None else (world.clock.now - t0))
        copies = world.engine.copies()
        by_endpoint = {c.endpoint: c for c in copies}
        ttl = 0
        for s in world.sites.values():
            ttl = int(s["function"].env.get("RECORD_TTL", "60"))
        max_lag = max([float(s["function"].env.get("MAX_PROMOTION_LAG_SECONDS", "300")) for s in world.sites.values()]
                      or [300.0])

        def rel(t):
            return None if t is None else round(t - self.failure, 1)

        def writable_at(c, t):
            return value_at(c.writable_history, t)

        # the runbook's own promotions (the operator's CLI) are the operator's: listed, not counted
        automatic = [p for p in world.promotion_log if not p["caller"].startswith("operator ")]
        self.runbook_promotions = [dict(p, time=rel(p["time"])) for p in world.promotion_log
                                   if p["caller"].startswith("operator ")]
        self.promotions = [dict(p, time=rel(p["time"])) for p in automatic]
        self.promoted = len(automatic)
        self.serving_promotions = [p for p in self.promotions if p["serving"]]
        self.stale_promotions = [p for p in self.promotions if p["writer_until"] - p["applied_until"] > max_lag]
        self.rpo = max([round(p["writer_until"] - p["applied_until"], 1) for p in automatic] or [None],
                       key=lambda v: -1 if v is None else v)

        answers = {}
        t = int(self.failure) - ttl
        while t <= end:
            answers[t] = {v for v, p in world.route53_answer(t).items() if p > 0}
            t += 1
        self.to_writable = self.to_dns_writable = None
        self.split_brain = []
        t = int(self.failure)
        while t <= end:
            writers = {c.endpoint for c in copies if writable_at(c, t)}
            held = set()
            for k in range(t - ttl, t + 1):
                held |= answers.get(k, set())
            if self.to_writable is None and writers:
                self.to_writable = rel(t)
            if self.to_dns_writable is None and held and held <= writers:
                self.to_dns_writable = rel(t)
            if len(writers) >= 2 and len(held & writers) >= 2:
                self.split_brain.append(rel(t))
            t += 1
        self.site_ids = {label: s["id"] for label, s in world.sites.items()}
        self.site_regions = {label: s["region"] for label, s in world.sites.items()}
        a_endpoint = world.sites["A"]["endpoint"] if "A" in world.sites else None
        self.dns_moved = [rel(t) for t in sorted(answers) if t >= self.failure and answers[t] - {a_endpoint}][:5]
        self.final_answer = sorted(by_endpoint[v].site if v in by_endpoint else v
                                   for v in world.route53_answer(end))
        self.final_writers = sorted(c.site for c in copies if writable_at(c, end))

        def alarming(p):
            return p["source"] == "Publish" or p["subject"].startswith("ALARM")
        pages = [p for p in world.pages if p["time"] >= self.failure and alarming(p)]
        self.pages = [dict(p, time=rel(p["time"])) for p in pages]
        self.paged = rel(pages[0]["time"]) if pages else None
        failed = [t for t, _topic, _subject in world.failed_deliveries if t >= self.failure]
        self.first_failed_delivery = rel(failed[0]) if failed else None
        self.states = {label: (world.state(label) or {}).get("state") for label in world.sites}
        self.decisions = [(rel(r["start"]), r["region"], r["source"], r["outcome"],
                           (r["summary"] or {}).get("decision") if isinstance(r["summary"], dict) else r["summary"])
                          for r in world.functions.runs if r["kind"] == "failover" and r["start"] >= self.failure]
        self.unmodelled = sorted(set(world.api.unmodelled))
        irreversible = ("PromoteReadReplica", "FailoverGlobalCluster", "SwitchoverGlobalCluster",
                        "RemoveFromGlobalCluster")
        self.promotion_calls = [(rel(t), caller, region, op, outcome) for t, caller, caller_region, _svc, op, region,
                                outcome in world.api.calls if op in irreversible and t >= self.failure]
        self.final_states = {label: world.state(label) for label in world.sites}
        self.answers_at = {}
        self.log = [(rel(t), text) for t, text in world.log]

    def row(self):
        def secs(v):
            return "-" if v is None else f"{v:.0f} s"
        promoted = "no" if not self.promoted else f"yes ({self.promoted})"
        return [self.name or "", self.engine, promoted, secs(self.to_dns_writable), secs(self.to_writable),
                secs(self.rpo) if self.promoted else "-", "YES" if self.split_brain else "no",
                "YES" if self.serving_promotions else "no", "YES" if self.stale_promotions else "no",
                secs(self.paged) if self.paged is not None else "no"]

    def explain(self, last=60):
        lines = [f"{self.name} ({self.engine}):"]
        lines += [f"  t={t:+}s {text}" for t, text in self.log[-last:]]
        lines += [f"  t={t:+}s {region} {source}: {outcome} {decision}"
                  for t, region, source, outcome, decision in self.decisions[-last:]]
        return "\n".join(lines)


HEAD = ["scenario", "engine", "promoted", "failure to DNS on a writable copy", "failure to a writable copy", "RPO",
        "split brain", "promoted while the primary served", "promoted a stale copy", "paged after"]


def table(results):
    lines = ["| " + " | ".join(HEAD) + " |", "|" + "---|" * len(HEAD)]
    lines += ["| " + " | ".join(r.row()) + " |" for r in results]
    return "\n".join(lines)
