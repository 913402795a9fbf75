"""The engine parts: what differs between an RDS instance with a
cross-region read replica and an Aurora global database.  Everything else
(arming, the signals, the claim, the fence, the lock, the records, paging)
is the core's (decision.py, handler.py) and the same for both.

An engine part answers, for site X (local) and site Y (remote):

* ``describe_db(client, db_id)``: the status of one database as its region's
  RDS API reports it (``{"status": ..., ...}``, status ``not_found`` when RDS
  says so); raises the AWS error otherwise (the caller classifies it);
* ``RECOVERING`` / ``TERMINAL`` / ``STORAGE_FULL``: what Y's status means;
* ``standby(at_failure)``: is X a current standby of Y (``STANDBY``), the
  writer itself (``LOCAL_WRITER``), busy (``BUSY``), something else
  (``NOT_STANDBY``) or unknown (``UNKNOWN``); at the failure, a replication
  broken BY the failure (its source gone) still counts: the lag at the
  failure bounds what it lost;
* ``lag``: the replication-lag metric of X (namespace, name, dimension, the
  seconds one unit is);
* ``request_promotion(state)`` (one attempt: ``ACCEPTED``, ``RETRY`` or
  ``REFUSED``, plus fields for the state) and ``writable(state)``;
* ``failback(state)``: (ok, reason, the site that is the writer afterwards);
* ``actual_writer()``: the writer's site when the engine can tell (Aurora), else None;
* ``housekeeping()`` (reconcile) and ``switchover()`` (Aurora only);
* ``local_is_writer()`` (True, False, None when unknown) and
  ``self_fence(on)``: the lease's self-fence of X's own copy (lease.py).
"""

from .. import aws

STANDBY, LOCAL_WRITER, BUSY, NOT_STANDBY, UNKNOWN = "standby", "local_writer", "busy", "not_standby", "unknown"
ACCEPTED, RETRY, REFUSED = "accepted", "retry", "refused"
NOT_FOUND = {"status": "not_found"}


def found_or_none(read, not_found_codes):
    """read()'s answer, or None when RDS says the database does not exist;
    any other AWS error is raised (the caller classifies it)."""
    try:
        return read()
    except aws.AWS_ERRORS as exc:
        if aws.error_code(exc) in not_found_codes:
            return None
        raise


class EnginePart:
    name = None
    RECOVERING = frozenset()
    TERMINAL = frozenset()
    STORAGE_FULL = frozenset()
    lag = None                 # (namespace, metric, dimension name, seconds per unit)
    retry_delays = (5.0, 10.0, 20.0, 30.0)

    def __init__(self, run):
        self.run = run
        self.s = run.s

    @staticmethod
    def describe_db(client, db_id):
        raise NotImplementedError

    def describe_local(self):
        return self.describe_db(self.run.local("rds"), self.s.local_db_id)

    def describe_remote(self):
        return self.describe_db(self.run.remote("rds"), self.s.remote_db_id)

    def actual_writer(self):
        return None

    def housekeeping(self):
        return None

    def local_is_writer(self):
        try:
            return self.read_local_writer()
        except aws.AWS_ERRORS as exc:
            self.run.error("local_is_writer", exc)
            return None

    def read_local_writer(self):
        raise NotImplementedError

    def self_fence(self, on):
        """Set default_transaction_read_only in X's own parameter group (1 and a
        reboot of the writer instance to end open sessions; 0 alone lifts it:
        the parameter is dynamic). Raises AWS errors; returns what it did."""
        rds = self.run.local("rds", aws.ACTION)
        self.modify_fence_group(rds, [{"ParameterName": "default_transaction_read_only",
                                       "ParameterValue": "1" if on else "0", "ApplyMethod": "immediate"}])
        what = f"default_transaction_read_only={1 if on else 0} in {self.s.fence_parameter_group} (immediate)"
        if not on:
            return what
        instances = self.fence_instances()
        for instance in instances:
            rds.reboot_db_instance(DBInstanceIdentifier=instance)
        return f"{what}, {', '.join(instances) or 'no writer instance'} rebooted to end open sessions"

    def modify_fence_group(self, rds, parameters):
        raise NotImplementedError

    def fence_instances(self):
        """The instances whose reboot ends X's write sessions."""
        raise NotImplementedError

    def switchover(self):
        return "refused", f"switchover is not an operation of the {self.name} engine"

    def status(self):
        """Both databases as RDS describes them (read only)."""
        out = {}
        for where, read in (("local", self.describe_local), ("remote", self.describe_remote)):
            try:
                out[where] = read()
            except Exception as exc:  # noqa: BLE001 - status reports what it can
                out[where] = {"status": "unreadable", "error": f"{type(exc).__name__}: {exc}"}
        return out


def for_name(name):
    from . import aurora, rds
    return {"rds": rds.RdsInstanceEngine, "aurora": aurora.AuroraGlobalEngine}[name]
