#include "drsynth/lambda/witness_function.hpp"

#include "drsynth/cloudwatch/alarm.hpp"
#include "drsynth/core/stack.hpp"
#include "drsynth/core/error_codes.hpp"
#include "lambda/contract.hpp"
#include "lambda/ready_made.hpp"

namespace drsynth::lambda {

namespace {

// The variables the handler reads (runtime/drsynth_failover/contract.json, "witness").
std::map<std::string, Value> environment(const WitnessFunctionProps& p) {
  std::map<std::string, Value> env = {
      {"ENGINE", p.engine},
      {"GRANT_PARAMETER", p.grant_parameter},
      {"METRIC_NAMESPACE", p.metric_namespace},
      {"METRIC_DIMENSION_NAME", p.metric_dimension_name},
      {"METRIC_DIMENSION_VALUE", p.metric_dimension_value},
      {"CALL_TIMEOUT_SECONDS", std::to_string(p.call_timeout_seconds)},
  };
  if (!p.site_a.lease_parameter.empty() || !p.site_b.lease_parameter.empty())
    env["LEASE_EXPIRY_SECONDS"] = std::to_string(p.lease_expiry_seconds);
  for (const auto& [prefix, site] : {std::pair{"SITE_A", &p.site_a}, std::pair{"SITE_B", &p.site_b}}) {
    const std::string x(prefix);
    env[x] = site->id;
    env[x + "_REGION"] = site->region;
    env[x + "_DB_ID"] = site->db_id;
    env[x + "_VIEW_ALARM_NAME"] = site->view_alarm->props().alarm_name;
    if (!site->lease_parameter.empty()) env[x + "_LEASE_PARAMETER"] = site->lease_parameter;
  }
  for (const auto& [name, value] : p.engine_environment) env[name] = detail::env_string(value);
  return env;
}

FunctionProps function_props(const WitnessFunctionProps& p) {
  return detail::ready_made_props(p, "Third vantage point: what this region sees of a DR site, and the one claim to fail over",
                                  environment(p), detail::witness_code);
}

}  // namespace

WitnessFunction::WitnessFunction(Construct& scope, std::string id, WitnessFunctionProps props)
    : Function(scope, std::move(id), function_props(props)), witness_(std::move(props)) {
  const auto& p = witness_;
  const Stack& s = stack();
  for (const auto& statement : p.engine_statements) add_to_role_policy(statement);
  std::vector<Value> alarms;
  for (const auto* site : {&p.site_a, &p.site_b}) {
    const auto& name = site->view_alarm->props().alarm_name;
    if (!name.empty()) alarms.push_back(s.format_arn("cloudwatch", "alarm:" + name, site->view_alarm->stack().region()));
  }
  add_to_role_policy({.actions = {"cloudwatch:DescribeAlarms"}, .resources = std::move(alarms)});
  add_to_role_policy({.actions = {"cloudwatch:GetMetricStatistics"},
                      .resources = {"*"}});
  add_to_role_policy({.actions = {"ssm:PutParameter", "ssm:GetParameter", "ssm:DeleteParameter"},
                      .resources = {detail::ssm_parameter_arn(s, p.grant_parameter, s.region())}});
  // The sites' leases here: read only (each site's failover function writes its own).
  std::vector<Value> leases;
  for (const auto* site : {&p.site_a, &p.site_b})
    if (!site->lease_parameter.empty()) leases.push_back(detail::ssm_parameter_arn(s, site->lease_parameter, s.region()));
  if (!leases.empty()) add_to_role_policy({.actions = {"ssm:GetParameter"}, .resources = std::move(leases)});
}

void WitnessFunction::validate(Validation& v) const {
  Function::validate(v);
  const auto& p = witness_;
  detail::check_environment(v, *this, "witness", p.engine, props().environment);
  for (const auto* site : {&p.site_a, &p.site_b}) {
    if (site->view_alarm->props().alarm_name.empty())
      v.error(codes::E769, *this, "the view alarm of site " + site->id + " has no physical alarm_name: the witness reads it by name",
              site->view_alarm->path(), "AlarmProps.alarm_name set");
    if (site->region == stack().region())
      v.error(codes::E769, *this, "the witness is in the region of site " + site->id + ": it must see that region from outside",
              site->region, "a third region");
  }
  detail::check_parameter_name(v, *this, "grant", p.grant_parameter);
  for (const auto* site : {&p.site_a, &p.site_b})
    if (!site->lease_parameter.empty()) detail::check_parameter_name(v, *this, "lease", site->lease_parameter);
  if (p.call_timeout_seconds < 1 || p.call_timeout_seconds >= p.timeout_seconds)
    v.error(codes::E769, *this, "call timeout out of range", std::to_string(p.call_timeout_seconds) + " s",
            "1 s .. below the function's timeout");
}

}  // namespace drsynth::lambda
