#include "drsynth/route53/health_check.hpp"

#include <array>
#include <regex>

#include "drsynth/cloudwatch/alarm.hpp"
#include "drsynth/core/stack.hpp"
#include "drsynth/core/error_codes.hpp"

namespace drsynth::route53 {

namespace {

std::string_view to_cfn(HealthCheckKind k) {
  switch (k) {
    case HealthCheckKind::cloudwatch_metric: return "CLOUDWATCH_METRIC";
    case HealthCheckKind::calculated: return "CALCULATED";
    case HealthCheckKind::http: return "HTTP";
    case HealthCheckKind::https: return "HTTPS";
    case HealthCheckKind::tcp: return "TCP";
  }
  return "CLOUDWATCH_METRIC";
}

std::string_view to_cfn(InsufficientDataHealthStatus s) {
  switch (s) {
    case InsufficientDataHealthStatus::unhealthy: return "Unhealthy";
    case InsufficientDataHealthStatus::healthy: return "Healthy";
    case InsufficientDataHealthStatus::last_known_status: return "LastKnownStatus";
  }
  return "Unhealthy";
}

bool is_endpoint(HealthCheckKind k) {
  return k == HealthCheckKind::http || k == HealthCheckKind::https || k == HealthCheckKind::tcp;
}

// Why `value` looks like a private database endpoint ("" when it does not).
std::string private_database_reason(const Value& value) {
  switch (value.kind()) {
    case Value::Kind::ref:
    case Value::Kind::get_att: {
      const auto* r = dynamic_cast<const CfnResource*>(value.target());
      if (r != nullptr && r->type().starts_with("AWS::RDS::")) {
        return "it is the endpoint of " + r->type() + " " + r->path();
      }
      return {};
    }
    case Value::Kind::string: {
      static const std::regex private_ip(
          R"(^(10\.\d+\.\d+\.\d+|172\.(1[6-9]|2\d|3[01])\.\d+\.\d+|192\.168\.\d+\.\d+|127\.\d+\.\d+\.\d+)$)");
      const std::string& s = value.as_string();
      if (std::regex_match(s, private_ip)) return "it is a private IP address";
      std::string n = s;
      if (!n.empty() && n.back() == '.') n.pop_back();
      if (n.ends_with(".rds.amazonaws.com")) return "it is an RDS endpoint";
      if (n.ends_with(".internal") || n.ends_with(".local")) return "it is a private DNS name";
      return {};
    }
    case Value::Kind::array:
      for (const auto& item : value.as_array()) {
        if (auto r = private_database_reason(item); !r.empty()) return r;
      }
      return {};
    case Value::Kind::object:
      for (const auto& [k, item] : value.as_object()) {
        if (auto r = private_database_reason(item); !r.empty()) return r;
      }
      return {};
    case Value::Kind::function: return private_database_reason(value.function_argument());
    default: return {};
  }
}

bool is_database_port(int port) {
  static constexpr std::array<int, 6> ports = {5432, 3306, 1433, 1521, 27017, 6379};
  for (int p : ports) {
    if (p == port) return true;
  }
  return false;
}

}  // namespace

HealthCheckProps cloudwatch_metric_check(cloudwatch::Alarm& alarm, InsufficientDataHealthStatus insufficient) {
  return HealthCheckProps{.kind = HealthCheckKind::cloudwatch_metric, .alarm = alarm,
                          .insufficient_data_health_status = insufficient};
}

HealthCheckProps calculated_check(std::vector<Required<const HealthCheck, "child_health_checks">> children,
                                  int threshold) {
  return HealthCheckProps{.kind = HealthCheckKind::calculated, .child_health_checks = std::move(children),
                          .health_threshold = threshold};
}

HealthCheck::HealthCheck(Construct& scope, std::string id, HealthCheckProps props)
    : Construct(scope, std::move(id)), props_(std::move(props)) {
  resource_ = &add<CfnResource>("Resource", CfnResourceProps{.type = "AWS::Route53::HealthCheck"});
  Value cfg = Value::object({{"Type", std::string(to_cfn(props_.kind))}});
  if (props_.inverted) cfg["Inverted"] = true;
  switch (props_.kind) {
    case HealthCheckKind::cloudwatch_metric: {
      // Never Port / IPAddress here: Route 53 rejects them for this type.
      if (props_.alarm) props_.alarm->require_route53_compatible();
      const Value name = props_.alarm ? props_.alarm->alarm_name() : props_.alarm_name;
      const std::string region = props_.alarm ? props_.alarm->stack().region() : props_.alarm_region;
      cfg["AlarmIdentifier"] = Value::object({{"Name", name}, {"Region", region}});
      cfg["InsufficientDataHealthStatus"] = std::string(to_cfn(props_.insufficient_data_health_status));
      break;
    }
    case HealthCheckKind::calculated: {
      Value children = Value::array();
      for (const auto& c : props_.child_health_checks) children.push_back(c->health_check_id());
      cfg["ChildHealthChecks"] = children;
      cfg["HealthThreshold"] = props_.health_threshold;
      break;
    }
    default: {
      if (!props_.fully_qualified_domain_name.is_null()) cfg["FullyQualifiedDomainName"] = props_.fully_qualified_domain_name;
      if (!props_.ip_address.empty()) cfg["IPAddress"] = props_.ip_address;
      if (props_.port) cfg["Port"] = *props_.port;
      if (!props_.resource_path.empty() && props_.kind != HealthCheckKind::tcp) cfg["ResourcePath"] = props_.resource_path;
      cfg["RequestInterval"] = props_.request_interval;
      cfg["FailureThreshold"] = props_.failure_threshold;
      break;
    }
  }
  resource_->set_property("HealthCheckConfig", cfg);
}

void HealthCheck::validate(Validation& v) const {
  const auto& p = props_;
  const std::string type(to_cfn(p.kind));
  if (!is_endpoint(p.kind)) {
    if (p.port || !p.ip_address.empty() || !p.fully_qualified_domain_name.is_null() || !p.resource_path.empty()) {
      v.error(codes::E759, *this, type + " health checks take no endpoint (Port, IPAddress, FQDN, ResourcePath)",
              p.port ? "Port " + std::to_string(*p.port) : "an endpoint", "no endpoint fields");
    }
  }
  switch (p.kind) {
    case HealthCheckKind::cloudwatch_metric:
      if (!p.alarm) {
        if (p.alarm_name.is_null() || (p.alarm_name.is_string() && p.alarm_name.as_string().empty())) {
          v.error(codes::E752, *this, "CLOUDWATCH_METRIC health check has no alarm", "no alarm", "alarm or alarm_name");
        }
        if (p.alarm_region.empty()) {
          v.error(codes::E752, *this, "CLOUDWATCH_METRIC health check has no alarm region", "\"\"", "e.g. eu-west-1");
        }
      }
      break;
    case HealthCheckKind::calculated: {
      const int n = static_cast<int>(p.child_health_checks.size());
      if (n == 0 || n > 256) {
        v.error(codes::E752, *this, "CALCULATED health check needs 1-256 child health checks", std::to_string(n), "1..256");
      }
      if (p.health_threshold < 0 || p.health_threshold > n) {
        v.error(codes::E752, *this, "health threshold outside 0..number of children", std::to_string(p.health_threshold),
                "0.." + std::to_string(n));
      }
      break;
    }
    default: {
      const std::string advice =
          "Route 53 health checkers run on the internet and cannot reach a private database endpoint; probe it from "
          "inside the VPC (lambda::HealthProbe) and use a CLOUDWATCH_METRIC health check on the probe's alarm";
      std::string why = private_database_reason(p.fully_qualified_domain_name);
      if (why.empty() && !p.ip_address.empty()) why = private_database_reason(Value(p.ip_address));
      if (why.empty() && p.port && is_database_port(*p.port)) why = "port " + std::to_string(*p.port) + " is a database port";
      if (!why.empty()) {
        const std::string got = !p.fully_qualified_domain_name.is_null()
                                    ? p.fully_qualified_domain_name.describe()
                                    : (!p.ip_address.empty() ? p.ip_address : "Port " + std::to_string(p.port.value_or(0)));
        v.error(codes::E753, *this, type + " health check on a private database endpoint (" + why + "): " + advice, got,
                "CLOUDWATCH_METRIC on the HealthProbe alarm");
      }
      if (p.fully_qualified_domain_name.is_null() && p.ip_address.empty()) {
        v.error(codes::E752, *this, type + " health check needs a domain name or an IP address", "none",
                "fully_qualified_domain_name or ip_address");
      }
      if (p.port && (*p.port < 1 || *p.port > 65535)) {
        v.error(codes::E752, *this, "port out of range", std::to_string(*p.port), "1..65535");
      }
      if (p.request_interval != 10 && p.request_interval != 30) {
        v.error(codes::E752, *this, "request interval must be 10 or 30", std::to_string(p.request_interval), "10 or 30");
      }
      if (p.failure_threshold < 1 || p.failure_threshold > 10) {
        v.error(codes::E752, *this, "failure threshold outside 1..10", std::to_string(p.failure_threshold), "1..10");
      }
      break;
    }
  }
}

}  // namespace drsynth::route53
