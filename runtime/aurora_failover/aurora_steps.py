"""The Aurora failover function's steps that change something: the weight
flip, FailoverGlobalCluster with its retries, the detach, and the wait for a
writer.  A mixin of index.Run (it uses Run's clients, summary and decisions)."""

from botocore.exceptions import BotoCoreError, ClientError

import failover_state as st
import aurora_global as ag


class FailoverSteps:
    def flip(self, to_local=True):
        """UPSERT both weights (with health checks) until they match or time runs short."""
        weights = (0, 100) if to_local else (100, 0)  # (remote, local)
        delay, attempt, last = 1.0, 0, None
        while True:
            attempt += 1
            try:
                records = self.records()
                if not records.match(*weights):
                    change = records.upsert(*weights, f"drsynth aurora {self.request_id}")
                    st.log("flip", result="ok", attempt=attempt, change_id=change, weights=weights)
                self.summary["flipped"] = True
                self.summary["weights"] = {self.s.remote_set: weights[0], self.s.local_set: weights[1]}
                return True
            except st.AWS_ERRORS as exc:
                last = exc
                st.log("flip", result="error", attempt=attempt, error=f"{type(exc).__name__}: {exc}")
            call = st.ROUTE53_CONFIG.connect_timeout + st.ROUTE53_CONFIG.read_timeout
            if self.remaining() - delay - call < ag.SAFETY_MARGIN_SECONDS:
                break
            self.pause(delay)
            delay = min(delay * 2, 16.0)
        self.summary["flipped"] = False
        self.summary["flip_attempts"] = attempt
        self.error("flip", last)
        return False

    def request_failover(self):
        """FailoverGlobalCluster(AllowDataLoss) until accepted.  Returns
        'accepted', 'refused' (an API error other than throttling, still after
        retries within the detection budget) or 'unavailable'."""
        s, delay, last = self.s, 1.0, None
        while True:
            try:
                gv = self.global_view()
                if gv.is_writer(s.local_cluster_arn) or gv.busy() == "failover" and gv.target() == s.local_cluster_arn:
                    st.log("failover", result="already_started", failover_state=gv.failover_state)
                    return "accepted"
                if not gv.busy():
                    self.client("rds", s.local_region, ag.ACTION_CONFIG).failover_global_cluster(
                        GlobalClusterIdentifier=s.global_cluster_id, TargetDbClusterIdentifier=s.local_cluster_arn,
                        AllowDataLoss=True)
                    self.summary["failover_requested"] = True
                    st.log("failover", result="accepted", target=s.local_cluster_arn)
                    return "accepted"
                last = None  # another operation is running: wait for it
            except ClientError as exc:
                last = "throttled" if ag.is_throttling(exc) else "refused"
                key = "throttled" if last == "throttled" else "failover_refusals"
                self.summary[key] = self.summary.get(key, 0) + 1
                self.error("failover_global_cluster", exc)
            except BotoCoreError as exc:
                last = "unavailable"
                self.error("failover_global_cluster", exc)
            elapsed = st.now() - self.started
            if elapsed + delay > s.detection_budget or self.remaining() - delay < ag.SAFETY_MARGIN_SECONDS + 15:
                return "refused" if last == "refused" else "unavailable"
            self.pause(delay)
            delay = min(delay * 2, ag.MAX_BACKOFF_SECONDS)

    def detach(self):
        """Last resort: RemoveFromGlobalCluster of the LOCAL cluster (irreversible)."""
        s = self.s
        for attempt in range(4):
            try:
                self.client("rds", s.local_region, ag.ACTION_CONFIG).remove_from_global_cluster(
                    GlobalClusterIdentifier=s.global_cluster_id, DbClusterIdentifier=s.local_cluster_arn)
                self.summary["detached"] = True
                st.log("detach", result="accepted", cluster=s.local_cluster_arn)
                return True
            except st.AWS_ERRORS as exc:
                self.error("remove_from_global_cluster", exc)
                try:
                    if not self.global_view().is_member(s.local_cluster_arn):
                        return True  # an earlier attempt went through
                except st.AWS_ERRORS as again:
                    self.error("describe_global_clusters", again)
                if not (isinstance(exc, ClientError) and ag.is_throttling(exc)) and attempt >= 1:
                    return False
            self.pause(2.0 ** attempt)
        return False

    def writer_ready(self, method):
        try:
            local = self.cluster("local")
            gv = self.global_view()
        except st.AWS_ERRORS as exc:
            self.error("describe_global_clusters", exc)
            return False
        in_place = (not gv.is_member(self.s.local_cluster_arn) if method == "detach"
                    else gv.is_writer(self.s.local_cluster_arn) and not gv.busy())
        return in_place and local["status"] == "available" and local["has_writer"]

    def wait_for_writer(self, state):
        deadline = float(state.get("deadline") or 0)
        while True:
            if self.writer_ready(state.get("method", "managed")):
                return "writer"
            if st.now() >= deadline:
                return "timeout"
            if self.remaining() - ag.POLL_SECONDS < ag.SAFETY_MARGIN_SECONDS:
                return "pending"
            self.pause(ag.POLL_SECONDS)
