#include "drsynth/rds/aurora_engine.hpp"

#include <algorithm>
#include <array>

#include "drsynth/rds/engine.hpp"
#include "drsynth/rds/engine_versions.hpp"

namespace drsynth::rds {

namespace {
// cfn-lint 1.51, Engine aurora-postgresql, present in us-east-1, us-west-2 and eu-west-1 (sorted).
constexpr std::array<std::string_view, 77> classes{
    "db.r5.12xlarge", "db.r5.16xlarge", "db.r5.24xlarge", "db.r5.2xlarge", "db.r5.4xlarge", "db.r5.8xlarge",
    "db.r5.large", "db.r5.xlarge", "db.r6g.12xlarge", "db.r6g.16xlarge", "db.r6g.2xlarge", "db.r6g.4xlarge",
    "db.r6g.8xlarge", "db.r6g.large", "db.r6g.xlarge", "db.r6gd.12xlarge", "db.r6gd.16xlarge",
    "db.r6gd.2xlarge", "db.r6gd.4xlarge", "db.r6gd.8xlarge", "db.r6gd.xlarge", "db.r6i.12xlarge",
    "db.r6i.16xlarge", "db.r6i.24xlarge", "db.r6i.2xlarge", "db.r6i.32xlarge", "db.r6i.4xlarge",
    "db.r6i.8xlarge", "db.r6i.large", "db.r6i.xlarge", "db.r6id.24xlarge", "db.r6id.32xlarge",
    "db.r7g.12xlarge", "db.r7g.16xlarge", "db.r7g.2xlarge", "db.r7g.4xlarge", "db.r7g.8xlarge", "db.r7g.large",
    "db.r7g.xlarge", "db.r7i.12xlarge", "db.r7i.16xlarge", "db.r7i.24xlarge", "db.r7i.2xlarge",
    "db.r7i.48xlarge", "db.r7i.4xlarge", "db.r7i.8xlarge", "db.r7i.large", "db.r7i.xlarge", "db.r8g.12xlarge",
    "db.r8g.16xlarge", "db.r8g.24xlarge", "db.r8g.2xlarge", "db.r8g.48xlarge", "db.r8g.4xlarge",
    "db.r8g.8xlarge", "db.r8g.large", "db.r8g.xlarge", "db.r8gd.12xlarge", "db.r8gd.16xlarge",
    "db.r8gd.24xlarge", "db.r8gd.2xlarge", "db.r8gd.48xlarge", "db.r8gd.4xlarge", "db.r8gd.8xlarge",
    "db.r8gd.xlarge", "db.serverless", "db.t3.large", "db.t3.medium", "db.t4g.large", "db.t4g.medium",
    "db.x2g.12xlarge", "db.x2g.16xlarge", "db.x2g.2xlarge", "db.x2g.4xlarge", "db.x2g.8xlarge", "db.x2g.large",
    "db.x2g.xlarge"};
}  // namespace

bool is_supported_aurora_postgres_version(std::string_view version) {
  const auto v = check_engine_version(Engine::aurora_postgresql, version, today()).verdict;
  return v == VersionVerdict::usable || v == VersionVerdict::near_deprecation;
}

std::string aurora_parameter_group_family(std::string_view version) {
  const auto major = major_version(version);
  if (!major || *major < 9) return {};
  return "aurora-postgresql" + std::to_string(*major);
}

bool is_aurora_postgres_instance_class(std::string_view instance_class) noexcept {
  return std::binary_search(classes.begin(), classes.end(), instance_class);
}

std::string aurora_instance_classes_summary() {
  return "db.serverless, or a class of the r5/r6g/r6gd/r6i/r6id/r7g/r7i/r8g/r8gd/x2g/t3/t4g families Aurora "
         "PostgreSQL offers in us-east-1, us-west-2 and eu-west-1 (e.g. db.r6g.large)";
}

}  // namespace drsynth::rds
