"""drsynth failover function (handler ``index.handler``): both engines, ENGINE=rds|aurora.
The code is the package drsynth_failover shipped in this asset; see runtime/README.md."""

from drsynth_failover.handler import handler  # noqa: F401
