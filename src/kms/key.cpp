#include "drsynth/kms/key.hpp"

#include <set>

#include "core/char_rules.hpp"
#include "drsynth/core/error_codes.hpp"
#include "drsynth/iam/role.hpp"
#include "drsynth/core/stack.hpp"

namespace drsynth::kms {

std::vector<std::string> encrypt_decrypt_actions() {
  return {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"};
}
std::vector<std::string> decrypt_actions() { return {"kms:Decrypt"}; }
std::vector<std::string> publish_actions() { return {"kms:Decrypt", "kms:GenerateDataKey*"}; }

namespace {

// What CloudWatch Logs needs on a key that encrypts log groups (CloudWatch Logs
// user guide, "Encrypt log data in CloudWatch Logs using AWS KMS").
const std::vector<std::string>& logs_actions() {
  static const std::vector<std::string> a{"kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*",
                                          "kms:ReEncrypt*"};
  return a;
}

Value actions_value(const std::vector<std::string>& actions) {
  if (actions.size() == 1) return Value(actions.front());
  Value::Array out;
  for (const auto& a : actions) out.emplace_back(a);
  return Value(std::move(out));
}

bool valid_alias(std::string_view a) {
  if (!a.starts_with("alias/") || a.starts_with("alias/aws/")) return false;
  return drsynth::detail::chars_within(a.substr(6), 1, 250,
                                [](char c) { return drsynth::detail::is_alnum(c) || c == '/' || c == '_' || c == '-'; });
}

// "rds", "secretsmanager", "s3", "logs", "sqs", "sns", ...
bool valid_service_name(std::string_view s) {
  return drsynth::detail::chars_within(s, 1, 64, [](char c) { return drsynth::detail::is_lower(c) || drsynth::detail::is_digit(c) || c == '-'; });
}

bool is_kms_action(std::string_view a) {
  return a.starts_with("kms:") && drsynth::detail::is_iam_action(a);
}

}  // namespace

Key::Key(Construct& scope, std::string id, KeyProps props) : Construct(scope, std::move(id)), props_(std::move(props)) {
  resource_ = &add<CfnResource>("Resource", CfnResourceProps{.type = "AWS::KMS::Key"});
  if (!props_.description.empty()) resource_->set_property("Description", props_.description);
  resource_->set_property("EnableKeyRotation", props_.enable_key_rotation);
  if (props_.rotation_period_days) resource_->set_property("RotationPeriodInDays", *props_.rotation_period_days);
  resource_->set_property("PendingWindowInDays", props_.pending_window_days);
  resource_->apply_removal_policy(props_.removal_policy == RemovalPolicy::snapshot ? RemovalPolicy::retain
                                                                                   : props_.removal_policy);
  render_policy();
  if (props_.alias) {
    alias_ = &add<CfnResource>("Alias", CfnResourceProps{.type = "AWS::KMS::Alias"});
    alias_->set_property("AliasName", *props_.alias);
    alias_->set_property("TargetKeyId", key_arn());
  }
}

const std::string& Key::region() const { return stack().region(); }

void Key::grant_service(std::string service_principal, std::vector<std::string> actions, Value::Object conditions,
                        std::string sid) {
  grants_.push_back({.sid = std::move(sid),
                     .service = std::move(service_principal),
                     .via_service = {},
                     .actions = std::move(actions),
                     .conditions = std::move(conditions)});
  render_policy();
}

void Key::grant_via_service(std::string service, std::vector<std::string> actions) {
  if (actions.empty()) {
    actions = encrypt_decrypt_actions();
    actions.insert(actions.begin(), "kms:CreateGrant");
    actions.insert(actions.begin() + 2, "kms:DescribeKey");
  }
  const std::string via = service + "." + region() + ".amazonaws.com";
  Value::Object conditions{
      {"StringEquals", Value::object({{"kms:CallerAccount", stack().account_value()}, {"kms:ViaService", via}})}};
  grants_.push_back({.sid = {},
                     .service = {},
                     .via_service = std::move(service),
                     .actions = std::move(actions),
                     .conditions = std::move(conditions)});
  render_policy();
}

void Key::grant_log_group(std::string log_group_name) {
  for (const auto& g : log_groups_)
    if (g == log_group_name) return;
  log_groups_.push_back(std::move(log_group_name));
  render_policy();
}

void Key::grant(iam::Role& role, std::vector<std::string> actions, std::string via_service) const {
  iam::PolicyStatement st{.actions = std::move(actions), .resources = {key_arn()}};
  if (!via_service.empty())
    st.conditions = {{"StringEquals",
                      Value::object({{"kms:ViaService", via_service + "." + region() + ".amazonaws.com"}})}};
  role.add_to_policy(std::move(st));
}

std::vector<std::string> Key::granted_services() const {
  std::vector<std::string> out;
  for (const auto& g : grants_) out.push_back(g.service.empty() ? "via:" + g.via_service : g.service);
  if (!log_groups_.empty()) out.push_back("logs." + region() + ".amazonaws.com");
  return out;
}

void Key::render_policy() {
  const Value account_root = Value::sub("arn:${AWS::Partition}:iam::" +
                                        stack().account().value_or("${AWS::AccountId}") + ":root");
  Value::Array statements;
  statements.push_back(Value::object({{"Sid", "AccountAdmin"},
                                      {"Effect", "Allow"},
                                      {"Principal", Value::object({{"AWS", account_root}})},
                                      {"Action", "kms:*"},
                                      {"Resource", "*"}}));
  // Grants only for AWS services acting for the account (RDS and Secrets Manager
  // attach the key with grants), never one a principal hands out itself, admins
  // included: AWS Control Tower's proactive control CT.KMS.PR.3 asks for exactly
  // this Deny ("kms:GrantIsForAWSResource" and "aws:PrincipalIsAWSService" both
  // false, with BoolIfExists).
  statements.push_back(Value::object(
      {{"Sid", "GrantsOnlyForAwsServices"},
       {"Effect", "Deny"},
       {"Principal", Value::object({{"AWS", "*"}})},
       {"Action", Value::array({"kms:CreateGrant"})},
       {"Resource", "*"},
       {"Condition", Value::object({{"BoolIfExists", Value::object({{"kms:GrantIsForAWSResource", "false"},
                                                                    {"aws:PrincipalIsAWSService", "false"}})}})}}));
  for (const auto& g : grants_) {
    Value st = Value::object();
    if (!g.sid.empty()) st["Sid"] = g.sid;
    st["Effect"] = "Allow";
    st["Principal"] = g.service.empty() ? Value::object({{"AWS", account_root}})
                                        : Value::object({{"Service", g.service}});
    st["Action"] = actions_value(g.actions);
    st["Resource"] = "*";
    if (!g.conditions.empty()) st["Condition"] = Value(g.conditions);
    statements.push_back(std::move(st));
  }
  if (!log_groups_.empty()) {
    Value::Array arns;
    for (const auto& name : log_groups_) arns.push_back(stack().format_arn("logs", "log-group:" + name));
    statements.push_back(Value::object(
        {{"Sid", "CloudWatchLogs"},
         {"Effect", "Allow"},
         {"Principal", Value::object({{"Service", "logs." + region() + ".amazonaws.com"}})},
         {"Action", actions_value(logs_actions())},
         {"Resource", "*"},
         {"Condition",
          Value::object({{"ArnEquals", Value::object({{"kms:EncryptionContext:aws:logs:arn",
                                                       arns.size() == 1 ? arns.front() : Value(arns)}})}})}}));
  }
  resource_->set_property("KeyPolicy", Value::object({{"Version", "2012-10-17"}, {"Statement", Value(std::move(statements))}}));
}

void Key::validate(Validation& v) const {
  if (props_.alias && !valid_alias(*props_.alias))
    v.error(codes::E910, *this, "KMS alias name is invalid", *props_.alias,
            "\"alias/\" then 1-250 characters of a-zA-Z0-9/_-, not under alias/aws/");
  if (props_.pending_window_days < 7 || props_.pending_window_days > 30)
    v.error(codes::E911, *this, "pending window is out of range", std::to_string(props_.pending_window_days) + " days",
            "7 to 30 days");
  if (props_.rotation_period_days) {
    if (!props_.enable_key_rotation)
      v.error(codes::E911, *this, "rotation period is set but rotation is off",
              std::to_string(*props_.rotation_period_days) + " days", "enable_key_rotation = true");
    else if (*props_.rotation_period_days < 90 || *props_.rotation_period_days > 2560)
      v.error(codes::E911, *this, "rotation period is out of range", std::to_string(*props_.rotation_period_days) + " days",
              "90 to 2560 days");
  }
  if (props_.description.size() > 8192)
    v.error(codes::E914, *this, "key description is too long", std::to_string(props_.description.size()) + " characters",
            "at most 8192");
  if (props_.removal_policy == RemovalPolicy::snapshot)
    v.error(codes::E914, *this, "a KMS key cannot be snapshotted", "RemovalPolicy::snapshot", "destroy or retain");

  std::set<std::string> sids{"AccountAdmin", "GrantsOnlyForAwsServices", "CloudWatchLogs"};
  const std::string logs_principal = "logs." + region() + ".amazonaws.com";
  for (const auto& g : grants_) {
    const std::string who = g.service.empty() ? "via " + g.via_service : g.service;
    if (!g.service.empty()) {
      if (!drsynth::detail::is_service_principal(g.service))
        v.error(codes::E912, *this, "grant to something that is not a service principal", g.service,
                "a service principal such as cloudwatch.amazonaws.com");
      else if (g.service.starts_with("logs.") && g.service != logs_principal)
        v.error(codes::E912, *this, "CloudWatch Logs can only use a key of its own region", g.service,
                logs_principal + " (or grant_log_group())");
    } else if (!valid_service_name(g.via_service) || g.via_service.find("amazonaws") != std::string::npos) {
      v.error(codes::E912, *this, "via-service grant names no service", g.via_service,
              "a service name such as rds, secretsmanager or s3");
    }
    if (g.actions.empty()) v.error(codes::E913, *this, "grant to " + who + " has no actions", "[]", "kms:<Action> names");
    for (const auto& a : g.actions) {
      if (!is_kms_action(a))
        v.error(codes::E913, *this, "grant to " + who + " has an action that is not a KMS action", a,
                "kms:<Action>, e.g. kms:Decrypt");
      else if (a == "kms:*")
        v.error(codes::E913, *this, "grant to " + who + " allows every KMS action", a,
                "the actions the service needs (only the account admin statement has kms:*)");
    }
    if (!g.sid.empty() && !sids.insert(g.sid).second)
      v.error(codes::E913, *this, "statement id used twice in the key policy", g.sid, "unique Sids");
  }
}

}  // namespace drsynth::kms
