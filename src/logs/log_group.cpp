#include "drsynth/logs/log_group.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "drsynth/core/error_codes.hpp"
#include "drsynth/kms/key.hpp"
#include "drsynth/core/stack.hpp"

namespace drsynth::logs {

namespace {
constexpr std::array<int, 22> retentions{1,   3,   5,   7,   14,   30,   60,   90,   120,  150,  180,
                                                365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653};
bool valid_name(std::string_view n) {
  if (n.empty() || n.size() > 512) return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
           c == '_' || c == '/' || c == '#';
  });
}
}  // namespace

bool is_valid_retention(int days) noexcept {
  return std::find(retentions.begin(), retentions.end(), days) != retentions.end();
}

std::span<const int> retention_values() noexcept { return retentions; }

std::string rds_postgresql_log_group_name(std::string_view instance_identifier) {
  return rds_log_group_name(instance_identifier, "postgresql");
}

std::string rds_log_group_name(std::string_view instance_identifier, std::string_view log_type) {
  // RDS lowercases instance identifiers, and so the log group it writes to.
  std::string id(instance_identifier);
  std::transform(id.begin(), id.end(), id.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return "/aws/rds/instance/" + id + "/" + std::string(log_type);
}

LogGroup::LogGroup(Construct& scope, std::string id, LogGroupProps props)
    : Construct(scope, std::move(id)), props_(std::move(props)) {
  resource_ = &add<CfnResource>("Resource", CfnResourceProps{.type = "AWS::Logs::LogGroup"});
  resource_->set_property("LogGroupName", props_.log_group_name);
  resource_->set_property("RetentionInDays", props_.retention_days);
  if (props_.kms_key) {
    resource_->set_property("KmsKeyId", props_.kms_key->key_arn());
    props_.kms_key->grant_log_group(props_.log_group_name);
  }
  resource_->apply_removal_policy(props_.removal_policy);
}

void LogGroup::validate(Validation& v) const {
  if (!valid_name(props_.log_group_name))
    v.error(codes::E745, *this, "log group name is empty, longer than 512 characters or has characters AWS refuses",
            props_.log_group_name, "1-512 characters of a-zA-Z0-9 . - _ / #");
  if (!is_valid_retention(props_.retention_days))
    v.error(codes::E746, *this, "retention is not a value CloudFormation accepts", std::to_string(props_.retention_days),
            "one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653");
  if (props_.removal_policy == RemovalPolicy::snapshot)
    v.error(codes::E748, *this, "a log group cannot be snapshotted", "RemovalPolicy::snapshot", "destroy or retain");
  if (props_.kms_key && props_.kms_key->region() != stack().region())
    v.error(codes::E960, *this, "the log group's KMS key " + props_.kms_key->path() + " is in another region",
            props_.kms_key->region(), stack().region() + " (CloudWatch Logs uses keys of its own region)");
}

}  // namespace drsynth::logs
