"""The Aurora failover function's operator actions and housekeeping: keeping
the weights on the actual writer, arming, planned switchover, failback and
status.  A mixin of index.Run (it uses Run's clients, summary and decisions)."""

from botocore.exceptions import ClientError

import failover_state as st
import aurora_global as ag



class OperatorActions:

    def fenced(self, which):
        """True, False, or None when the fence alarm cannot be read (treated as fenced)."""
        try:
            return self.fence(which).is_set()
        except st.AWS_ERRORS as exc:
            self.error(f"fence_state {which}", exc)
            return None

    def follow_writer(self, reconcile):
        """Weights in step with the actual writer (after a switchover in the
        console, say); never towards a fenced record.  None when nothing changed."""
        try:
            gv = self.global_view()
        except st.AWS_ERRORS as exc:
            self.error("describe_global_clusters", exc)
            return None
        if gv.busy() or gv.writer not in (self.s.local_cluster_arn, self.s.remote_cluster_arn):
            return None
        to_local = gv.writer == self.s.local_cluster_arn
        try:
            if self.records().match(*((0, 100) if to_local else (100, 0))):
                return None
        except st.AWS_ERRORS as exc:
            self.error("read_records", exc)
            return None
        which = "local" if to_local else "remote"
        if self.fenced(which) is not False:
            return self.decide("writer_fenced", f"the writer's record ({which}) is fenced or its fence cannot be "
                               "read: weights left alone (failback first, runbook)", quiet=reconcile)
        lock = self.lock()
        if not lock.acquire():
            return self.decide("in_progress", "another invocation holds the failover lock", quiet=True)
        try:
            flipped = self.flip(to_local=to_local)
        finally:
            lock.release()
        where = self.s.local_region if to_local else self.s.remote_region
        return self.decide("weights_follow_writer" if flipped else "flip_pending",
                           f"the writer is in {where}: weights " + ("moved to it" if flipped else "NOT moved yet"),
                           quiet=reconcile and not flipped)

    def rearm_check(self, store):
        streak = st.healthy_streak(self.local("cloudwatch"), self.s, self.s.arm_after)
        self.summary["healthy_streak"] = streak
        if streak < self.s.arm_after:
            return self.decide("not_armed", f"{streak} of {self.s.arm_after} consecutive healthy minutes", quiet=True)
        lock = self.lock()
        if not lock.acquire():
            return self.decide("in_progress", "another invocation holds the failover lock", quiet=True)
        try:
            if store.read()["state"] != st.UNARMED:
                return self.decide("no_action", "state changed concurrently", quiet=True)
            store.write(st.ARMED, healthy_streak=streak)
            self.summary["state"] = st.ARMED
            return self.decide("armed", f"the probe reported {streak} consecutive healthy minutes: failover armed")
        finally:
            lock.release()

    def switchover(self):
        """Planned, no data loss: SwitchoverGlobalCluster to the LOCAL cluster,
        only when both regions are healthy and nothing is fenced or failed over."""
        s = self.s
        lock = self.lock()
        if not lock.acquire():
            return self.decide("in_progress", "another invocation holds the failover lock")
        try:
            state = self.store().read()
            self.summary["state"] = state["state"]
            if state["state"] not in (st.UNARMED, st.ARMED):
                return self.decide("refused", f"state {state['state']}: a failover is recorded in this region; "
                                   "failback first (runbook)")
            gv = self.global_view()
            if gv.is_writer(s.local_cluster_arn):
                return self.decide("no_action", f"{s.local_cluster_id} already is the writer")
            if not gv.is_member(s.local_cluster_arn) or gv.busy():
                return self.decide("refused", f"{s.local_cluster_id} is not a secondary of {s.global_cluster_id} "
                                   f"or Aurora is busy ({gv.busy()})")
            fences = {which: self.fenced(which) for which in ("local", "remote")}
            hold = self.alarm(s.hold_alarm, s.local_region, st.LOCAL_CONFIG, "hold_alarm")
            view = self.alarm(s.remote_view_alarm, s.remote_region, st.PRIMARY_CONFIG, "remote_view")
            local, remote = self.cluster("local")["status"], self.cluster("remote")["status"]
            if fences != {"local": False, "remote": False} or (hold, view, local, remote) != \
                    ("OK", "OK", "available", "available"):
                return self.decide("refused", f"both regions must be healthy and unfenced: hold alarm {hold}, "
                                   f"remote view {view}, local {local}, remote {remote}, fences {fences}")
            try:
                self.client("rds", s.local_region, ag.ACTION_CONFIG).switchover_global_cluster(
                    GlobalClusterIdentifier=s.global_cluster_id, TargetDbClusterIdentifier=s.local_cluster_arn)
            except ClientError as exc:
                self.error("switchover_global_cluster", exc)
                return self.decide("refused", f"SwitchoverGlobalCluster refused: {st.error_code(exc)}")
            self.summary["switchover_requested"] = True
            st.log("switchover", result="accepted", target=s.local_cluster_arn)
            while not self.writer_ready("managed"):
                if self.remaining() - ag.POLL_SECONDS < ag.SAFETY_MARGIN_SECONDS + 20:
                    return self.decide("switchover_requested", "SwitchoverGlobalCluster accepted; the reconcile "
                                       "moves the weights when the writer has moved")
                self.pause(ag.POLL_SECONDS)
            flipped = self.flip(to_local=True)
            return self.decide("switched_over", f"{s.local_cluster_id} is the writer (no data loss); weights "
                               + ("moved" if flipped else "NOT moved yet (the reconcile retries)"))
        finally:
            lock.release()

    def failback(self, options):
        """After a failover by this region: lift the fence on the remote record
        and re-arm, once nothing but the LOCAL cluster can take writes."""
        s = self.s
        if options.get("confirm") != s.local_cluster_id:
            return self.decide("refused", f"failback needs \"confirm\": \"{s.local_cluster_id}\"")
        lock = self.lock()
        if not lock.acquire():
            return self.decide("in_progress", "another invocation holds the failover lock")
        try:
            store = self.store()
            state = store.read()
            self.summary["state"] = state["state"]
            if state["state"] not in (st.FAILED_OVER, st.PROMOTION_FAILED):
                return self.decide("refused", f"state {state['state']}: this region did not fail over, nothing to "
                                   "fail back")
            try:
                gv = self.global_view()
            except st.AWS_ERRORS as exc:
                self.error("describe_global_clusters", exc)
                return self.decide("refused", "cannot read the global cluster")
            remote = self.cluster("remote")
            # The old primary must be gone, or back and a secondary (Aurora rejoins it after a
            # managed failover); unreachable is unknown, so not safe.
            remote_safe = remote["status"] == "not_found" or remote["status"] == "available" and (
                gv.is_member(s.remote_cluster_arn) and not gv.is_writer(s.remote_cluster_arn))
            if not gv.is_writer(s.local_cluster_arn) or gv.busy() or not remote_safe:
                return self.decide("refused", f"{s.global_cluster_id} writer {gv.writer}, busy {gv.busy()}, "
                                   f"{s.remote_cluster_id} {remote['status']} and "
                                   f"{'a secondary' if gv.is_member(s.remote_cluster_arn) else 'NOT a member'}: "
                                   "lifting the fence could route to a second writer (finish the runbook first)")
            if not self.flip(to_local=True):
                return self.decide("failed", "could not set the weights; nothing else changed")
            try:
                self.fence("remote").set(False, f"drsynth aurora failback {self.request_id}")
            except st.AWS_ERRORS as exc:
                self.error("fence", exc)
                return self.decide("failed", "could not lift the fence; state unchanged")
            self.summary["fenced"] = False
            store.write(st.UNARMED, failback_by=self.request_id, previous_method=state.get("method"))
            self.summary["state"] = st.UNARMED
            return self.decide("failed_back", f"fence on {s.remote_set} lifted, weights on the writer "
                               f"{s.local_cluster_id}; re-arms after {s.arm_after} consecutive healthy minutes")
        finally:
            lock.release()

    def status(self):
        self.decide("status", "read only")
        try:
            state = self.store().read()
            self.summary["state"], self.summary["phase"] = state["state"], state.get("phase")
            self.summary["method"] = state.get("method")
        except st.AWS_ERRORS as exc:
            self.error("read_state", exc)
        self.alarm(self.s.hold_alarm, self.s.local_region, st.LOCAL_CONFIG, "hold_alarm")
        self.alarm(self.s.remote_view_alarm, self.s.remote_region, st.PRIMARY_CONFIG, "remote_view")
        try:
            self.global_view()
        except st.AWS_ERRORS as exc:
            self.error("describe_global_clusters", exc)
        self.cluster("local")
        self.cluster("remote")
        try:
            self.summary["weights"] = {k: v["weight"] for k, v in self.records().read().items()}
        except st.AWS_ERRORS as exc:
            self.error("list_resource_record_sets", exc)
        self.summary["fenced"] = self.fenced("remote")
        self.summary["local_fenced"] = self.fenced("local")
        return self.summary
