// rds::aurora_engine: the Aurora PostgreSQL versions and instance classes drsynth accepts.
//
// Versions: the Aurora PostgreSQL 15 minor versions cfn-lint 1.51 accepts for
// AWS::RDS::DBCluster without W3691 (deprecated): 15.8, 15.10, 15.12-15.15, 15.17
// (15.9, 15.11 and 15.16 do not exist for Aurora). Instance classes: those
// cfn-lint lists for Engine aurora-postgresql in each of us-east-1, us-west-2 and
// eu-west-1, without the previous-generation r4 (not offered for PostgreSQL 15),
// plus db.serverless (Aurora Serverless v2).
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace drsynth::rds {

inline constexpr std::string_view default_aurora_postgres_version = "15.12";
inline constexpr std::string_view serverless_instance_class = "db.serverless";

// "15.8", "15.10", "15.12", ..., "15.17".
[[nodiscard]] std::span<const std::string_view> supported_aurora_postgres_versions() noexcept;
[[nodiscard]] bool is_supported_aurora_postgres_version(std::string_view version) noexcept;
// "15.12" -> "aurora-postgresql15"; empty when the major version is unknown.
[[nodiscard]] std::string aurora_parameter_group_family(std::string_view version);
// db.serverless or a provisioned class Aurora PostgreSQL offers in every target region.
[[nodiscard]] bool is_aurora_postgres_instance_class(std::string_view instance_class) noexcept;
// For messages: "db.serverless, db.r6g.large, ..." (a summary).
[[nodiscard]] std::string aurora_instance_classes_summary();

}  // namespace drsynth::rds
