"""drsynth witness function (handler ``index.handler``), in a third region.
The code is the package drsynth_failover shipped in this asset; see runtime/README.md."""

from drsynth_failover.witness import handler  # noqa: F401
