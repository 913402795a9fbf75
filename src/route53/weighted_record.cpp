#include "drsynth/route53/weighted_record.hpp"

#include "drsynth/core/error_codes.hpp"
#include "drsynth/route53/health_check.hpp"
#include "drsynth/route53/private_hosted_zone.hpp"

namespace drsynth::route53 {

WeightedRecord::WeightedRecord(Construct& scope, std::string id, WeightedRecordProps props)
    : Construct(scope, std::move(id)), props_(std::move(props)) {
  resource_ = &add<CfnResource>("Resource", CfnResourceProps{.type = "AWS::Route53::RecordSet"});
  auto& r = *resource_;
  r.set_property("HostedZoneId", props_.zone->hosted_zone_id());
  props_.zone->register_record(*this);
  r.set_property("Name", props_.record_name);
  r.set_property("Type", props_.type);
  r.set_property("TTL", std::to_string(props_.ttl));
  r.set_property("ResourceRecords", Value(Value::Array(props_.values.begin(), props_.values.end())));
  r.set_property("Weight", props_.weight);
  r.set_property("SetIdentifier", props_.set_identifier);
  if (props_.health_check) r.set_property("HealthCheckId", props_.health_check->health_check_id());
}

void WeightedRecord::validate(Validation& v) const {
  const auto& p = props_;
  const std::string name = normalize_dns_name(p.record_name);
  const std::string zone = normalize_dns_name(p.zone->zone_name());
  if (!valid_dns_name(p.record_name) || !(name == zone || name.ends_with("." + zone))) {
    v.error(codes::E754, *this, "record name is not a valid name inside the zone " + zone, "\"" + p.record_name + "\"",
            "<label>." + zone);
  }
  for (const auto* other : p.zone->records()) {
    if (other == this || normalize_dns_name(other->props().record_name) != name || other->props().type != p.type) continue;
    if (other->props().ttl != p.ttl) {
      v.error(codes::E757, *this, "records of one weighted group must share one TTL (differs from " + other->path() + ")",
              std::to_string(p.ttl), std::to_string(other->props().ttl));
    }
    if (other->props().set_identifier == p.set_identifier) {
      v.error(codes::E756, *this, "set identifier is used twice in the group (also " + other->path() + ")",
              "\"" + p.set_identifier + "\"", "unique within the weighted group");
    }
  }
  if (p.weight < 0 || p.weight > 255) {
    v.error(codes::E755, *this, "weight out of range", std::to_string(p.weight), "0..255");
  }
  if (p.set_identifier.empty() || p.set_identifier.size() > 128) {
    v.error(codes::E756, *this, "set identifier must be 1-128 characters", "\"" + p.set_identifier + "\"", "1..128 chars");
  }
  if (p.ttl < 0) {
    v.error(codes::E757, *this, "TTL is negative", std::to_string(p.ttl), "0..2147483647");
  } else if (p.health_check && p.ttl > 60) {
    v.error(codes::E757, *this, "TTL too long for a record with a health check: clients keep the failed answer",
            std::to_string(p.ttl) + " s", "<= 60 s");
  }
  if (p.type != "CNAME") {
    v.error(codes::E758, *this, "only CNAME weighted records are supported", "\"" + p.type + "\"", "CNAME");
  } else if (p.values.size() != 1) {
    v.error(codes::E758, *this, "a CNAME record has exactly one value", std::to_string(p.values.size()) + " values", "1");
  }
}

}  // namespace drsynth::route53
