"""drsynth_failover: the failover function of both DR systems (ENGINE=rds or
aurora), its witness, and the environment contract they share with the C++
constructs (contract.json).  Shipped as the folder ``drsynth_failover/`` at the
root of the failover and witness assets; their ``index.py`` only imports the
handler.  Standard library and boto3 only.  See runtime/README.md."""
