// route53::HealthCheck: an AWS::Route53::HealthCheck.
//
// For a database in a private subnet, the only sound kind is CLOUDWATCH_METRIC
// on the alarm of a probe that runs inside the VPC (lambda::HealthProbe):
// Route 53 health checkers run on the internet.
//
// Error codes: E752, E753, E759 (each with its rule and fix in drsynth/core/error_codes.def).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "drsynth/core/cfn_resource.hpp"
#include "drsynth/core/construct.hpp"
#include "drsynth/core/link.hpp"

namespace drsynth::cloudwatch {
class Alarm;
}

namespace drsynth::route53 {

enum class HealthCheckKind { cloudwatch_metric, calculated, http, https, tcp };
enum class InsufficientDataHealthStatus { unhealthy, healthy, last_known_status };

class HealthCheck;

struct HealthCheckProps {
  HealthCheckKind kind = HealthCheckKind::cloudwatch_metric;

  // CLOUDWATCH_METRIC: either `alarm` (name and region taken from it; the
  // check calls alarm->require_route53_compatible(), so the alarm reports E785
  // when Route 53 cannot follow it) or alarm_name + alarm_region.
  Link<cloudwatch::Alarm> alarm{};
  Value alarm_name{};
  std::string alarm_region{};
  InsufficientDataHealthStatus insufficient_data_health_status = InsufficientDataHealthStatus::unhealthy;

  // CALCULATED: 1-256 children (a run-time check, E752: the count depends on the kind)
  std::vector<Required<const HealthCheck, "child_health_checks">> child_health_checks{};
  int health_threshold = 1;

  // HTTP / HTTPS / TCP (public endpoints only)
  Value fully_qualified_domain_name{};
  std::string ip_address{};
  std::optional<int> port{};
  std::string resource_path{};
  int request_interval = 30;
  int failure_threshold = 3;

  bool inverted = false;
};

class HealthCheck : public Construct {
 public:
  using Props = HealthCheckProps;
  HealthCheck(Construct& scope, std::string id, HealthCheckProps props);

  // Ref: the health check id.
  [[nodiscard]] Value health_check_id() const { return resource_->ref(); }
  [[nodiscard]] CfnResource& resource() const noexcept { return *resource_; }
  [[nodiscard]] const HealthCheckProps& props() const noexcept { return props_; }

  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.route53.HealthCheck"; }

 private:
  HealthCheckProps props_;
  CfnResource* resource_ = nullptr;
};

// Props for a CLOUDWATCH_METRIC check that follows `alarm` (in the alarm's stack region).
[[nodiscard]] HealthCheckProps cloudwatch_metric_check(
    cloudwatch::Alarm& alarm,
    InsufficientDataHealthStatus insufficient = InsufficientDataHealthStatus::unhealthy);
// Props for a CALCULATED check healthy when at least `threshold` children are.
[[nodiscard]] HealthCheckProps calculated_check(
    std::vector<Required<const HealthCheck, "child_health_checks">> children, int threshold);

}  // namespace drsynth::route53
