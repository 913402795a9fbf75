// rds::aurora_engine: the Aurora PostgreSQL versions and instance classes drsynth accepts.
//
// Versions: the Aurora PostgreSQL table in engine_versions.hpp (15, 16, 17
// minors AWS creates, with their sources). Instance classes: those
// cfn-lint lists for Engine aurora-postgresql in each of us-east-1, us-west-2 and
// eu-west-1, without the previous-generation r4 (not offered for PostgreSQL 15),
// plus db.serverless (Aurora Serverless v2).
#pragma once

#include <string>
#include <string_view>

namespace drsynth::rds {

// The newest Aurora PostgreSQL 15 minor of the table (2026-12): created, accepted by
// cfn-lint 1.51 without W3691. 15.12 (the previous default) is older than Aurora's
// usual 12 months of minor-version support.
inline constexpr std::string_view default_aurora_postgres_version = "15.17";
inline constexpr std::string_view serverless_instance_class = "db.serverless";

// In the table and created by AWS today (engine_versions.hpp).
[[nodiscard]] bool is_supported_aurora_postgres_version(std::string_view version);
// "15.12" -> "aurora-postgresql15"; empty when the major version is unknown.
[[nodiscard]] std::string aurora_parameter_group_family(std::string_view version);
// db.serverless or a provisioned class Aurora PostgreSQL offers in every target region.
[[nodiscard]] bool is_aurora_postgres_instance_class(std::string_view instance_class) noexcept;
// For messages: "db.serverless, db.r6g.large, ..." (a summary).
[[nodiscard]] std::string aurora_instance_classes_summary();

}  // namespace drsynth::rds
