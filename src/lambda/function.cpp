#include "drsynth/lambda/function.hpp"
#include "core/char_rules.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>

#include "drsynth/core/error_codes.hpp"
#include "drsynth/kms/key.hpp"
#include "drsynth/logs/log_group.hpp"
#include "drsynth/core/stack.hpp"

namespace drsynth::lambda {

namespace fs = std::filesystem;

namespace {
std::string q(std::string_view s) { return "\"" + std::string(s) + "\""; }

Value managed_policy(std::string_view name) {
  return Value::sub("arn:${AWS::Partition}:iam::aws:policy/service-role/" + std::string(name));
}
}  // namespace

fs::path runtime_dir() {
  if (const char* env = std::getenv("DRSYNTH_RUNTIME_DIR"); env != nullptr && *env != '\0') return fs::path(env);
  return {};
}

Function::Function(Construct& scope, std::string id, FunctionProps props)
    : Construct(scope, std::move(id)), props_(std::move(props)) {
  const bool in_vpc = !props_.vpc.subnet_ids.empty();
  role_ = &add<iam::Role>(
      "ServiceRole",
      iam::RoleProps{.role_name = props_.role_name,
                     .assumed_by = "lambda.amazonaws.com",
                     .managed_policy_arns = {managed_policy(in_vpc ? "AWSLambdaVPCAccessExecutionRole"
                                                                   : "AWSLambdaBasicExecutionRole")}});

  // The log group exists before the function (the function refers to it), so
  // Lambda never creates an unmanaged one, and it goes away with the stack.
  log_group_ = &add<CfnResource>("LogGroup", CfnResourceProps{.type = "AWS::Logs::LogGroup"});
  if (!props_.function_name.empty()) log_group_->set_property("LogGroupName", "/aws/lambda/" + props_.function_name);
  log_group_->set_property("RetentionInDays", props_.log_retention_days);
  log_group_->apply_removal_policy(RemovalPolicy::destroy);
  if (props_.log_kms_key) {
    log_group_->set_property("KmsKeyId", props_.log_kms_key->key_arn());
    if (!props_.function_name.empty()) props_.log_kms_key->grant_log_group("/aws/lambda/" + props_.function_name);
  }

  Value code = Value::object();
  if (!props_.code_asset.empty() || props_.code_files) {
    asset_ = &add<Asset>("Code", AssetProps{.path = props_.code_asset,
                                                .files = props_.code_files,
                                                .extra_files = props_.code_extra_files,
                                                .from = props_.from});
    code["S3Bucket"] = stack().assets_bucket();
    code["S3Key"] = asset_->zip_name();
  } else if (!props_.inline_code.empty()) {
    code["ZipFile"] = props_.inline_code;
  }

  resource_ = &add<CfnResource>("Resource", CfnResourceProps{.type = "AWS::Lambda::Function"});
  if (!props_.function_name.empty()) resource_->set_property("FunctionName", props_.function_name);
  if (!props_.description.empty()) resource_->set_property("Description", props_.description);
  resource_->set_property("Runtime", props_.runtime);
  resource_->set_property("Handler", props_.handler);
  resource_->set_property("Code", code);
  resource_->set_property("Role", role_->role_arn());
  resource_->set_property("Timeout", props_.timeout_seconds);
  resource_->set_property("MemorySize", props_.memory_mb);
  resource_->set_property("LoggingConfig", Value::object({{"LogGroup", log_group_->ref()}}));
  if (props_.reserved_concurrency) resource_->set_property("ReservedConcurrentExecutions", *props_.reserved_concurrency);
  if (in_vpc || !props_.vpc.security_group_ids.empty()) {
    resource_->set_property(
        "VpcConfig",
        Value::object({{"SubnetIds", Value(Value::Array(props_.vpc.subnet_ids.begin(), props_.vpc.subnet_ids.end()))},
                       {"SecurityGroupIds", Value(Value::Array(props_.vpc.security_group_ids.begin(),
                                                               props_.vpc.security_group_ids.end()))}}));
  }
  render_environment();
}

void Function::add_to_role_policy(iam::PolicyStatement statement) {
  role_->add_to_policy(std::move(statement));
  // The function must not start before its permissions exist.
  if (!policy_dependency_ && role_->default_policy() != nullptr) {
    resource_->add_dependency(*role_->default_policy());
    policy_dependency_ = true;
  }
}

// Adds the variable to what is rendered (no re-rendering of the others).
void Function::add_environment(std::string name, Value value) {
  resource_->properties()["Environment"]["Variables"][name] = value;
  props_.environment[std::move(name)] = std::move(value);
}

void Function::render_environment() {
  if (props_.environment.empty()) return;
  Value::Object vars;
  for (const auto& [k, v] : props_.environment) vars[k] = v;
  resource_->set_property("Environment", Value::object({{"Variables", Value(std::move(vars))}}));
}

CfnResource& Function::add_permission(std::string id, PermissionProps props) {
  auto& p = add<CfnResource>(std::move(id), CfnResourceProps{.type = "AWS::Lambda::Permission"});
  p.set_property("Action", props.action);
  p.set_property("FunctionName", function_arn());
  p.set_property("Principal", props.principal);
  if (!props.source_arn.is_null()) p.set_property("SourceArn", props.source_arn);
  return p;
}

Value Function::bind_to_alarm(Construct& alarm, const Value& alarm_arn) {
  const PermissionProps permission{.principal = "lambda.alarms.cloudwatch.amazonaws.com", .source_arn = alarm_arn};
  if (alarm.stack_or_null() == stack_or_null()) {
    // Like aws-cdk-lib: <Function>/AlarmPermission (one per alarm after the first).
    std::string pid = "AlarmPermission";
    if (find_child(pid) != nullptr) pid += alarm.id();
    add_permission(pid, permission);
  } else {
    // The alarm lives in another stack: keep the permission in its stack, so
    // that only that stack depends on the function's (no stack cycle).
    auto& p = alarm.add<CfnResource>("InvokePermission" + id(), CfnResourceProps{.type = "AWS::Lambda::Permission"});
    p.set_property("Action", permission.action);
    p.set_property("FunctionName", function_arn());
    p.set_property("Principal", permission.principal);
    p.set_property("SourceArn", permission.source_arn);
  }
  return function_arn();
}

Value Function::bind_to_rule(Construct& rule, const Value& rule_arn) const {
  auto& p = rule.add<CfnResource>("InvokePermission" + id(), CfnResourceProps{.type = "AWS::Lambda::Permission"});
  p.set_property("Action", "lambda:InvokeFunction");
  p.set_property("FunctionName", function_arn());
  p.set_property("Principal", "events.amazonaws.com");
  p.set_property("SourceArn", rule_arn);
  return function_arn();
}

void Function::validate(Validation& v) const {
  if (props_.log_kms_key && props_.function_name.empty())
    v.error(codes::E765, *this, "log_kms_key needs a function_name: the key policy admits CloudWatch Logs for the log group "
                           "by its name", "function_name \"\"", "a function_name");
  if (props_.log_kms_key && props_.log_kms_key->region() != stack().region())
    v.error(codes::E960, *this, "the log key " + props_.log_kms_key->path() + " is in another region",
            props_.log_kms_key->region(), stack().region() + " (CloudWatch Logs uses keys of its own region)");
  // ^[a-zA-Z0-9_-]{1,64}$ (char_rules.hpp)
  if (!props_.function_name.empty() && !drsynth::detail::chars_within(props_.function_name, 1, 64, [](char c) { return drsynth::detail::is_alnum(c) || c == '_' || c == '-'; })) {
    v.error(codes::E760, *this, "invalid Lambda function name", q(props_.function_name),
            "1-64 characters of [a-zA-Z0-9-_]");
  }
  if (props_.timeout_seconds < 1 || props_.timeout_seconds > 900) {
    v.error(codes::E761, *this, "Lambda timeout out of range", std::to_string(props_.timeout_seconds) + " s",
            "1..900 seconds");
  }
  if (props_.memory_mb < 128 || props_.memory_mb > 10240) {
    v.error(codes::E762, *this, "Lambda memory size out of range", std::to_string(props_.memory_mb) + " MB",
            "128..10240 MB");
  }
  const bool has_asset = !props_.code_asset.empty();
  const bool has_files = props_.code_files != nullptr;
  const bool has_inline = !props_.inline_code.empty();
  const int sources = int{has_asset} + int{has_files} + int{has_inline};
  if (sources != 1) {
    v.error(codes::E763, *this, sources == 0 ? "function has no code" : "more than one kind of code is set",
            has_asset ? props_.code_asset.string() : (has_files ? "code_files" : ""),
            "exactly one of code_asset, code_files or inline_code");
  }
  if (has_inline) {
    if (!props_.runtime.starts_with("python") && !props_.runtime.starts_with("nodejs")) {
      v.error(codes::E763, *this, "inline code (Code.ZipFile) is only supported for Python and Node.js runtimes",
              q(props_.runtime), "a python* or nodejs* runtime, or code_asset");
    }
    if (!props_.handler.starts_with("index.")) {
      v.error(codes::E763, *this, "inline code is stored as index.<ext>: the handler must be index.<function>",
              q(props_.handler), "index.<function>");
    }
    if (props_.inline_code.size() > 1'000'000) {
      v.error(codes::E763, *this, "inline code does not fit in a template", std::to_string(props_.inline_code.size()) + " bytes",
              "<= 1,000,000 bytes (template body limit); use code_asset");
    }
  }
  if (props_.reserved_concurrency && *props_.reserved_concurrency < 0) {
    v.error(codes::E764, *this, "reserved concurrency is negative", std::to_string(*props_.reserved_concurrency), ">= 0");
  }
  if (!logs::is_valid_retention(props_.log_retention_days)) {
    std::string values;
    for (const int d : logs::retention_values()) values += (values.empty() ? "" : ", ") + std::to_string(d);
    v.error(codes::E765, *this, "log retention is not a value CloudWatch Logs accepts",
            std::to_string(props_.log_retention_days) + " days", "one of " + values);
  }
  std::size_t env_bytes = 0;
  for (const auto& [k, val] : props_.environment) {
    if (!drsynth::detail::letter_then(k, k.size(), [](char c) { return drsynth::detail::is_alnum(c) || c == '_'; })) {
      v.error(codes::E766, *this, "invalid environment variable name", q(k), "[a-zA-Z][a-zA-Z0-9_]*");
    }
    env_bytes += k.size() + (val.is_string() ? val.as_string().size() : 0);
  }
  if (env_bytes > 4096) {
    v.error(codes::E766, *this, "environment variables exceed Lambda's 4 KB limit", std::to_string(env_bytes) + " bytes",
            "<= 4096 bytes");
  }
  if (props_.vpc.subnet_ids.empty() != props_.vpc.security_group_ids.empty()) {
    v.error(codes::E767, *this, "VPC config needs both subnets and security groups",
            std::to_string(props_.vpc.subnet_ids.size()) + " subnets, " +
                std::to_string(props_.vpc.security_group_ids.size()) + " security groups",
            "at least one of each, or neither");
  }
  if (props_.runtime.empty()) v.error(codes::E768, *this, "function has no runtime", "\"\"", "e.g. python3.12");
  if (props_.handler.empty()) v.error(codes::E768, *this, "function has no handler", "\"\"", "e.g. index.handler");
}

}  // namespace drsynth::lambda
