#include "patterns/control_tower.hpp"

#include <array>
#include <string>

namespace drsynth::patterns::detail {

namespace {

constexpr std::string_view failover_path =
    "the DR kit's functions (probes, failover functions, witness): their log groups under a customer-managed "
    "key, the failover and witness functions in a VPC with endpoints, and a queue behind the dead-letter queue "
    "are a follow-up of issue 21 (open); the failover functions run outside a VPC on purpose today (no NAT, "
    "they call RDS, Route 53 and CloudWatch in two regions)";

constexpr std::array choices{
    // ---- policy choices of both systems ----
    ControlTowerChoice{"CT.CLOUDWATCH.PR.2", BuiltIn::both, "",
                       "log retention is the setting logRetentionDays (30 days by default): operational and audit "
                       "logs of a DR system, not an archive; 365 or more meets the control"},
    ControlTowerChoice{"CT.RDS.PR.5", BuiltIn::both, "",
                       "AutoMinorVersionUpgrade false: the engine version is pinned and moved on purpose, both "
                       "databases together after a drill; drsynth's engine table warns 90 days before AWS stops "
                       "creating the version (E970) and deploy.sh refuses one AWS no longer creates "
                       "(docs/engine-versions.md)"},
    ControlTowerChoice{"CT.RDS.PR.20", BuiltIn::both, "",
                       "PostgreSQL's port 5432: applications, probes and security groups use it; another port would "
                       "be obscurity, the security groups admit only the named networks"},
    // ---- RDS for PostgreSQL primary and cross-region replica ----
    ControlTowerChoice{"CT.RDS.PR.13", BuiltIn::rds_replica, "",
                       "deletion protection off: the seeds ask for a system destroy.sh can delete (destroyable, rule "
                       "S005)"},
    ControlTowerChoice{"CT.RDS.PR.7", BuiltIn::rds_replica, "",
                       "password authentication with the rotated, replicated Secrets Manager secret (SCRAM-SHA-256); "
                       "IAM database authentication would make every client and the probe mint tokens"},
    ControlTowerChoice{"CT.RDS.PR.28", BuiltIn::rds_replica, "",
                       "rds.force_ssl 0 on purpose: the seed's legacy clients connect without TLS (the probe and the "
                       "rotation function always use TLS and verify the certificate)"},
    ControlTowerChoice{"CT.RDS.PR.24", BuiltIn::rds_replica, "Replica/Replica",
                       "a read replica inherits the source's encryption: CloudFormation refuses StorageEncrypted on "
                       "it (cfn-lint E3020); KmsKeyId picks the key of the DR region"},
    ControlTowerChoice{"CT.CLOUDWATCH.PR.1", BuiltIn::rds_replica, "Failover", failover_path},
    ControlTowerChoice{"CT.CLOUDWATCH.PR.3", BuiltIn::rds_replica, "Failover", failover_path},
    ControlTowerChoice{"CT.LAMBDA.PR.3", BuiltIn::rds_replica, "Failover", failover_path},
    ControlTowerChoice{"CT.SQS.PR.1", BuiltIn::rds_replica, "Failover", failover_path},
    ControlTowerChoice{"CT.KMS.PR.3", BuiltIn::rds_replica, "Failover", failover_path},
    ControlTowerChoice{"CT.CLOUDWATCH.PR.3", BuiltIn::rds_replica, "Replica/ProbeReplica", failover_path},
    ControlTowerChoice{"CT.CLOUDWATCH.PR.3", BuiltIn::rds_replica, "PrimaryRoutes/ProbePrimary", failover_path},
    ControlTowerChoice{"CT.LAMBDA.PR.3", BuiltIn::rds_replica, "PrimaryRoutes/ProbePrimary", failover_path},
    ControlTowerChoice{"CT.CLOUDWATCH.PR.3", BuiltIn::rds_replica, "Witness", failover_path},
    ControlTowerChoice{"CT.LAMBDA.PR.3", BuiltIn::rds_replica, "Witness", failover_path},
    ControlTowerChoice{"CT.CLOUDWATCH.PR.3", BuiltIn::rds_replica, "FailoverPrimary", failover_path},
    ControlTowerChoice{"CT.LAMBDA.PR.3", BuiltIn::rds_replica, "FailoverPrimary", failover_path},
    ControlTowerChoice{"CT.SQS.PR.1", BuiltIn::rds_replica, "FailoverPrimary", failover_path},
    // ---- Aurora PostgreSQL Global Database ----
    ControlTowerChoice{"CT.RDS.PR.3", BuiltIn::aurora_global, "",
                       "deletionProtection false (the default): the seeds ask for a destroyable system; "
                       "deletionProtection=true in production meets the control",
                       When::deletion_protection_off},
    ControlTowerChoice{"CT.RDS.PR.4", BuiltIn::aurora_global, "",
                       "password authentication with the rotated, replicated Secrets Manager secret (SCRAM-SHA-256); "
                       "IAM database authentication would make every client and the probes mint tokens"},
    ControlTowerChoice{"CT.S3.PR.2", BuiltIn::aurora_global, "",
                       "no server access logs for the export buckets: versioned, SSE-KMS, TLS-only and replicated; an "
                       "access-log bucket per region would break the same control itself"},
    ControlTowerChoice{"CT.S3.PR.4", BuiltIn::aurora_global, "",
                       "no event notifications: nothing consumes events of the export buckets"},
    ControlTowerChoice{"CT.S3.PR.9", BuiltIn::aurora_global, "",
                       "no Object Lock: the exports go with the system (destroy.sh empties the versioned buckets); "
                       "Object Lock would keep them past a destroy"},
    ControlTowerChoice{"CT.SQS.PR.1", BuiltIn::aurora_global, "Primary/EventsDlq",
                       "a dead-letter queue has no dead-letter queue of its own (its depth alarm pages)"},
    ControlTowerChoice{"CT.SQS.PR.1", BuiltIn::aurora_global, "Secondary/EventsDlq",
                       "a dead-letter queue has no dead-letter queue of its own (its depth alarm pages)"},
    ControlTowerChoice{"CT.CLOUDWATCH.PR.3", BuiltIn::aurora_global, "Secondary/Cluster",
                       "encrypted with AuroraDrBase's DataKey, read through Fn::GetStackOutput: the Guard rule accepts "
                       "only a literal key ARN or a key of the same template"},
    ControlTowerChoice{"CT.CLOUDWATCH.PR.3", BuiltIn::aurora_global, "Secondary/FlowLog",
                       "encrypted with AuroraDrBase's DataKey, read through Fn::GetStackOutput: the Guard rule accepts "
                       "only a literal key ARN or a key of the same template"},
    ControlTowerChoice{"CT.CLOUDWATCH.PR.1", BuiltIn::aurora_global, "Failover", failover_path},
    ControlTowerChoice{"CT.CLOUDWATCH.PR.1", BuiltIn::aurora_global, "FailoverPrimary", failover_path},
    ControlTowerChoice{"CT.CLOUDWATCH.PR.3", BuiltIn::aurora_global, "Failover", failover_path},
    ControlTowerChoice{"CT.CLOUDWATCH.PR.3", BuiltIn::aurora_global, "FailoverPrimary", failover_path},
    ControlTowerChoice{"CT.LAMBDA.PR.3", BuiltIn::aurora_global, "Failover", failover_path},
    ControlTowerChoice{"CT.LAMBDA.PR.3", BuiltIn::aurora_global, "FailoverPrimary", failover_path},
    ControlTowerChoice{"CT.SQS.PR.1", BuiltIn::aurora_global, "Failover", failover_path},
    ControlTowerChoice{"CT.SQS.PR.1", BuiltIn::aurora_global, "FailoverPrimary", failover_path},
    ControlTowerChoice{"CT.CLOUDWATCH.PR.3", BuiltIn::aurora_global, "Secondary/ProbeSecondary", failover_path},
    ControlTowerChoice{"CT.CLOUDWATCH.PR.3", BuiltIn::aurora_global, "PrimaryRoutes/ProbePrimary", failover_path},
    ControlTowerChoice{"CT.LAMBDA.PR.3", BuiltIn::aurora_global, "PrimaryRoutes/ProbePrimary", failover_path},
    ControlTowerChoice{"CT.CLOUDWATCH.PR.3", BuiltIn::aurora_global, "Witness", failover_path},
    ControlTowerChoice{"CT.LAMBDA.PR.3", BuiltIn::aurora_global, "Witness", failover_path},
};

// The construct at `path` ("a/b") below `root`; nullptr when there is none.
Construct* below(Construct& root, std::string_view path) {
  Construct* at = &root;
  while (at != nullptr && !path.empty()) {
    const auto slash = path.find('/');
    at = at->find_child(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
  }
  return at;
}

}  // namespace

std::span<const ControlTowerChoice> control_tower_choices() noexcept { return choices; }

void acknowledge_control_tower(Construct& root, BuiltIn system, bool deletion_protection) {
  for (const auto& c : choices) {
    if (c.system != system && c.system != BuiltIn::both) continue;
    if (c.when == When::deletion_protection_off && deletion_protection) continue;
    // A part the system does not build (a failover stack rebuilt elsewhere) has nothing to acknowledge.
    if (Construct* at = below(root, c.at); at != nullptr) at->acknowledge(std::string(c.rule), std::string(c.reason));
  }
}

}  // namespace drsynth::patterns::detail
