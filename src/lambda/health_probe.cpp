#include "drsynth/lambda/health_probe.hpp"

#include <algorithm>
#include <sstream>

#include "drsynth/core/stack.hpp"
#include "drsynth/core/error_codes.hpp"
#include "lambda/contract.hpp"
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
  std::map<std::string, Value> env{{"LOCAL_SITE", p.local.site},
                                   {"LOCAL_DB_HOST", detail::env_string(p.local.host)},
                                   {"DB_PORT", detail::env_string(p.db_port)},
                                   {"DB_NAME", p.db_name},
                                   {"DB_SECRET_ID", p.secret},
                                   {"METRIC_NAMESPACE", p.metric_namespace},
                                   {"METRIC_DIMENSION_NAME", p.metric_dimension_name},
                                   {"METRIC_DIMENSION_VALUE", p.metric_dimension_value},
                                   {"PROBE_TIMEOUT_SECONDS", number_text(p.probe_timeout_seconds)},
                                   {"DB_CA_BUNDLE", p.ca_bundle_file.empty() ? default_bundle : custom_bundle},
                                   {"DB_ALLOW_MD5", p.allow_md5 ? "true" : "false"},
                                   {"DB_ALLOW_CLEARTEXT", p.allow_cleartext ? "true" : "false"}};
  if (!p.remote.site.empty() || !detail::missing(p.remote.host)) {
    env["REMOTE_SITE"] = p.remote.site;
    env["REMOTE_DB_HOST"] = detail::env_string(p.remote.host);
  }
  auto f = detail::ready_made_props(p, "Connects to each site's PostgreSQL from inside the VPC and publishes Writer per site",
                                    std::move(env), detail::probe_code);
  if (!p.ca_bundle_file.empty()) f.code_extra_files[custom_bundle] = p.ca_bundle_file;
  f.vpc = p.vpc;
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
  // A fault of the probe carries each site's last Writer value forward: it
  // reads it back (GetMetricStatistics has no resource-level permissions).
  add_to_role_policy(iam::PolicyStatement{.actions = {"cloudwatch:GetMetricStatistics"}, .resources = {"*"}});
  // PutMetricData has no resource-level permissions; the condition pins the namespace.
  add_to_role_policy(iam::PolicyStatement{
      .actions = {"cloudwatch:PutMetricData"},
      .resources = {"*"},
      .conditions = {{"StringEquals", Value::object({{"cloudwatch:namespace", probe_.metric_namespace}})}}});

  schedule_ = &add<events::Schedule>(
      "Schedule", events::ScheduleProps{.expression = probe_.schedule, .description = "Runs the database health probe"});
  schedule_->add_target(*this);
}

cloudwatch::Metric HealthProbe::metric(std::string name, const std::string& key, const std::string& value,
                                       std::string statistic) const {
  return cloudwatch::Metric{.namespace_name = probe_.metric_namespace,
                            .metric_name = std::move(name),
                            .dimensions = {{probe_.metric_dimension_name, probe_.metric_dimension_value}, {key, value}},
                            .statistic = std::move(statistic),
                            .period_seconds = 60};
}

cloudwatch::Metric HealthProbe::writer_metric(const std::string& site) const {
  return metric("Writer", "Site", site, "Minimum");
}

cloudwatch::Metric HealthProbe::reachable_metric(const std::string& site) const {
  return metric("Reachable", "Site", site, "Maximum");
}

cloudwatch::Metric HealthProbe::fault_metric() const { return metric("ProbeFault", "Probe", probe_.local.site, "Maximum"); }

cloudwatch::Metric HealthProbe::latency_metric(const std::string& site) const {
  auto m = metric("ProbeLatency", "Site", site, "Maximum");
  m.unit = "Milliseconds";
  return m;
}

void HealthProbe::validate(Validation& v) const {
  Function::validate(v);
  const auto& p = probe_;
  if (p.local.site.empty() || detail::missing(p.local.host))
    v.error(codes::E769, *this, "health probe has no local site id or host",
            "site \"" + p.local.site + "\", host " + p.local.host.describe(), "its own site's id and endpoint address");
  const bool remote = !p.remote.site.empty() || !detail::missing(p.remote.host);
  if (remote && (p.remote.site.empty() || detail::missing(p.remote.host)))
    v.error(codes::E769, *this, "health probe's remote site has no id or no host",
            "site \"" + p.remote.site + "\", host " + p.remote.host.describe(), "both, or neither");
  else if (remote && p.remote.site == p.local.site)
    v.error(codes::E769, *this, "the health probe's two sites have one id", "\"" + p.local.site + "\"", "two site ids");
  if (detail::missing(p.secret)) v.error(codes::E769, *this, "health probe has no secret", p.secret.describe(), "the secret ARN");
  detail::check_environment(v, *this, "probe", "", props().environment);
  if (p.metric_dimension_value.empty()) {
    v.error(codes::E769, *this, "health probe has no metric dimension value", "\"\"", "the system name, e.g. dr-dev");
  }
  if (p.metric_namespace.empty() || p.metric_namespace.starts_with("AWS/")) {
    v.error(codes::E769, *this, "metric namespace is empty or reserved for AWS", "\"" + p.metric_namespace + "\"",
            "a custom namespace such as drsynth");
  }
  if (p.vpc.subnet_ids.empty()) {
    v.error(codes::E769, *this, "health probe must run inside the VPC to reach the private database", "no subnets",
            "vpc.subnet_ids and vpc.security_group_ids");
  }
  if (const Asset* code = asset()) {
    const std::string wanted = p.ca_bundle_file.empty() ? default_bundle : custom_bundle;
    const auto& files = code->files();
    const auto it = std::find_if(files.begin(), files.end(), [&](const Asset::File& f) { return f.relative_path == wanted; });
    if (it == files.end() && p.ca_bundle_file.empty()) {
      v.error(codes::E769, *this,
              "the probe has no CA bundle to verify the database certificate with (verification is never turned off)",
              bundle_place(*code) + " missing",
              "run scripts/rds_ca_bundle.sh (scripts/bootstrap.sh does) and rebuild, or name a PEM bundle (probeCaBundle)");
    } else if (it != files.end() && it->content.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
      v.error(codes::E769, *this, "the probe's CA bundle holds no PEM certificate",
              p.ca_bundle_file.empty() ? bundle_place(*code) : p.ca_bundle_file.string(),
              "a PEM file of CA certificates");
    }
  }
  if (static_cast<double>(p.timeout_seconds) < p.probe_timeout_seconds + 10) {
    v.error(codes::E769, *this, "function timeout leaves no room for the secret fetch and PutMetricData",
            std::to_string(p.timeout_seconds) + " s", ">= probe_timeout_seconds + 10 s");
  }
}

}  // namespace drsynth::lambda
