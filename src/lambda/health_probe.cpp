#include "drsynth/lambda/health_probe.hpp"

#include <algorithm>
#include <sstream>

#include "drsynth/stack.hpp"
#include "lambda/ready_made.hpp"

namespace drsynth::lambda {

namespace {

std::string number_text(double d) {
  std::ostringstream o;
  o << d;
  return o.str();
}

// The name the bundle has inside the probe's asset.
constexpr const char* default_bundle = "rds-ca-bundle.pem";
constexpr const char* custom_bundle = "ca-bundle.pem";

// Where the default bundle should be: the code folder, or the probe's code
// compiled into the library from runtime/probe/.
std::string bundle_place(const Asset& code) {
  if (!code.source().empty()) return (code.source() / default_bundle).string();
  return std::string("runtime/probe/") + default_bundle + " (compiled into the library)";
}

FunctionProps function_props(const HealthProbeProps& p) {
  std::map<std::string, std::filesystem::path> extra;
  if (!p.ca_bundle_file.empty()) extra[custom_bundle] = p.ca_bundle_file;
  FunctionProps f{
      .function_name = p.function_name,
      .description = "Connects to the primary PostgreSQL from inside the VPC and publishes PrimaryHealthy",
      .runtime = "python3.12",
      .handler = "index.handler",
      .code_extra_files = std::move(extra),
      .timeout_seconds = p.timeout_seconds,
      .memory_mb = p.memory_mb,
      .environment = {{"DB_HOST", detail::env_string(p.db_host)},
                      {"DB_PORT", detail::env_string(p.db_port)},
                      {"DB_NAME", p.db_name},
                      {"DB_SECRET_ID", p.secret},
                      {"METRIC_NAMESPACE", p.metric_namespace},
                      {"METRIC_DIMENSION_NAME", p.metric_dimension_name},
                      {"METRIC_DIMENSION_VALUE", p.metric_dimension_value},
                      {"PROBE_TIMEOUT_SECONDS", number_text(p.probe_timeout_seconds)},
                      {"DB_CA_BUNDLE", p.ca_bundle_file.empty() ? default_bundle : custom_bundle},
                      {"DB_ALLOW_MD5", p.allow_md5 ? "true" : "false"},
                      {"DB_ALLOW_CLEARTEXT", p.allow_cleartext ? "true" : "false"}},
      .vpc = p.vpc,
      .log_retention_days = p.log_retention_days,
      .role_name = p.role_name,
  };
  detail::use_handler(f, "probe");
  return f;
}

}  // namespace

HealthProbe::HealthProbe(Construct& scope, std::string id, HealthProbeProps props)
    : Function(scope, std::move(id), function_props(props)), probe_(std::move(props)) {
  const std::string secret_region = probe_.secret_region.empty() ? stack().region() : probe_.secret_region;
  add_environment("SECRET_REGION", secret_region);

  // The secret: its ARN, or (given a name) every ARN of that name: Secrets
  // Manager appends a 6-character suffix.
  Value secret_arn = probe_.secret;
  if (probe_.secret.is_string() && !probe_.secret.as_string().starts_with("arn:")) {
    secret_arn = stack().format_arn("secretsmanager", "secret:" + probe_.secret.as_string() + "-??????", secret_region);
  }
  add_to_role_policy(iam::PolicyStatement{.actions = {"secretsmanager:GetSecretValue"}, .resources = {secret_arn}});
  // PutMetricData has no resource-level permissions; the condition pins the namespace.
  add_to_role_policy(iam::PolicyStatement{
      .actions = {"cloudwatch:PutMetricData"},
      .resources = {"*"},
      .conditions = {{"StringEquals", Value::object({{"cloudwatch:namespace", probe_.metric_namespace}})}}});

  schedule_ = &add<events::Schedule>(
      "Schedule", events::ScheduleProps{.expression = probe_.schedule, .description = "Runs the database health probe"});
  schedule_->add_target(*this);
}

cloudwatch::Metric HealthProbe::healthy_metric() const {
  return cloudwatch::Metric{.namespace_name = probe_.metric_namespace,
                            .metric_name = "PrimaryHealthy",
                            .dimensions = {{probe_.metric_dimension_name, probe_.metric_dimension_value}},
                            .statistic = "Minimum",
                            .period_seconds = 60};
}

cloudwatch::Metric HealthProbe::latency_metric() const {
  return cloudwatch::Metric{.namespace_name = probe_.metric_namespace,
                            .metric_name = "ProbeLatency",
                            .dimensions = {{probe_.metric_dimension_name, probe_.metric_dimension_value}},
                            .statistic = "Maximum",
                            .period_seconds = 60,
                            .unit = "Milliseconds"};
}

void HealthProbe::validate(Validation& v) const {
  Function::validate(v);
  const auto& p = probe_;
  if (detail::missing(p.db_host)) v.error("E769", *this, "health probe has no db_host", p.db_host.describe(), "the primary endpoint address");
  if (detail::missing(p.secret)) v.error("E769", *this, "health probe has no secret", p.secret.describe(), "the secret ARN");
  if (p.metric_dimension_value.empty()) {
    v.error("E769", *this, "health probe has no metric dimension value", "\"\"", "the system name, e.g. dr-dev");
  }
  if (p.metric_namespace.empty() || p.metric_namespace.starts_with("AWS/")) {
    v.error("E769", *this, "metric namespace is empty or reserved for AWS", "\"" + p.metric_namespace + "\"",
            "a custom namespace such as drsynth");
  }
  if (p.vpc.subnet_ids.empty()) {
    v.error("E769", *this, "health probe must run inside the VPC to reach the private database", "no subnets",
            "vpc.subnet_ids and vpc.security_group_ids");
  }
  if (const Asset* code = asset()) {
    const std::string wanted = p.ca_bundle_file.empty() ? default_bundle : custom_bundle;
    const auto& files = code->files();
    const auto it = std::find_if(files.begin(), files.end(), [&](const Asset::File& f) { return f.relative_path == wanted; });
    if (it == files.end() && p.ca_bundle_file.empty()) {
      v.error("E769", *this,
              "the probe has no CA bundle to verify the database certificate with (verification is never turned off)",
              bundle_place(*code) + " missing",
              "run scripts/rds_ca_bundle.sh (scripts/bootstrap.sh does) and rebuild, or name a PEM bundle (probeCaBundle)");
    } else if (it != files.end() && it->content.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
      v.error("E769", *this, "the probe's CA bundle holds no PEM certificate",
              p.ca_bundle_file.empty() ? bundle_place(*code) : p.ca_bundle_file.string(),
              "a PEM file of CA certificates");
    }
  }
  if (static_cast<double>(p.timeout_seconds) < p.probe_timeout_seconds + 10) {
    v.error("E769", *this, "function timeout leaves no room for the secret fetch and PutMetricData",
            std::to_string(p.timeout_seconds) + " s", ">= probe_timeout_seconds + 10 s");
  }
}

}  // namespace drsynth::lambda
