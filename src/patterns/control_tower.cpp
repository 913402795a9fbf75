#include "patterns/control_tower.hpp"

#include <array>
#include <string>

namespace drsynth::patterns::detail {

namespace {

// The DR kit's functions (dr_kit.cpp). Their log groups are under a key of
// their own stack (CT.CLOUDWATCH.PR.3 met); what is left is chosen:
constexpr std::string_view outside_vpc =
    "the failover and witness functions run outside a VPC on purpose: they call the APIs of two or three regions "
    "(RDS, CloudWatch, SSM, SNS and Lambda of the other site's region, Route 53) exactly when one region fails; the "
    "kit's VPCs have interface endpoints of their own region only and no NAT gateway, and a NAT gateway would be one "
    "more part in the region that fails. They hold no database connection; the probes, which do, run in the VPCs";
constexpr std::string_view probe_imports =
    "the probe runs in the primary site's VPC (subnets and security group of AuroraPrimary/DrPrimary, read through "
    "Fn::ImportValue); the Guard rule accepts only literal ids or resources of the same template";
constexpr std::string_view dead_letter_queue =
    "a dead-letter queue has no dead-letter queue of its own (its depth alarm pages)";

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
    ControlTowerChoice{"CT.LAMBDA.PR.3", BuiltIn::rds_replica, "Failover/FailoverReplica", outside_vpc},
    ControlTowerChoice{"CT.LAMBDA.PR.3", BuiltIn::rds_replica, "FailoverPrimary/FailoverPrimary", outside_vpc},
    ControlTowerChoice{"CT.LAMBDA.PR.3", BuiltIn::rds_replica, "Witness/Witness", outside_vpc},
    ControlTowerChoice{"CT.LAMBDA.PR.3", BuiltIn::rds_replica, "PrimaryRoutes/ProbePrimary", probe_imports},
    ControlTowerChoice{"CT.SQS.PR.1", BuiltIn::rds_replica, "Failover/FailoverDeadLettersReplica", dead_letter_queue},
    ControlTowerChoice{"CT.SQS.PR.1", BuiltIn::rds_replica, "FailoverPrimary/FailoverDeadLettersPrimary",
                       dead_letter_queue},
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
    ControlTowerChoice{"CT.SQS.PR.1", BuiltIn::aurora_global, "Primary/EventsDlq", dead_letter_queue},
    ControlTowerChoice{"CT.SQS.PR.1", BuiltIn::aurora_global, "Secondary/EventsDlq", dead_letter_queue},
    ControlTowerChoice{"CT.CLOUDWATCH.PR.3", BuiltIn::aurora_global, "Secondary/Cluster",
                       "encrypted with AuroraDrBase's DataKey, read through Fn::GetStackOutput: the Guard rule accepts "
                       "only a literal key ARN or a key of the same template"},
    ControlTowerChoice{"CT.CLOUDWATCH.PR.3", BuiltIn::aurora_global, "Secondary/FlowLog",
                       "encrypted with AuroraDrBase's DataKey, read through Fn::GetStackOutput: the Guard rule accepts "
                       "only a literal key ARN or a key of the same template"},
    ControlTowerChoice{"CT.LAMBDA.PR.3", BuiltIn::aurora_global, "Failover/FailoverSecondary", outside_vpc},
    ControlTowerChoice{"CT.LAMBDA.PR.3", BuiltIn::aurora_global, "FailoverPrimary/FailoverPrimary", outside_vpc},
    ControlTowerChoice{"CT.LAMBDA.PR.3", BuiltIn::aurora_global, "Witness/Witness", outside_vpc},
    ControlTowerChoice{"CT.LAMBDA.PR.3", BuiltIn::aurora_global, "PrimaryRoutes/ProbePrimary", probe_imports},
    ControlTowerChoice{"CT.SQS.PR.1", BuiltIn::aurora_global, "Failover/FailoverDeadLettersSecondary",
                       dead_letter_queue},
    ControlTowerChoice{"CT.SQS.PR.1", BuiltIn::aurora_global, "FailoverPrimary/FailoverDeadLettersPrimary",
                       dead_letter_queue},
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
