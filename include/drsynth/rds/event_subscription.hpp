// rds::EventSubscription: an AWS::RDS::EventSubscription that publishes RDS and
// Aurora events (failover, failure, global failover, ...) to an SNS topic.
//
//   stack.add<rds::EventSubscription>("ClusterEvents", {
//       .topic = topic, .source_type = "db-cluster",
//       .event_categories = {"failover", "failure", "global-failover", "notification"},
//       .source_ids = {primary.cluster_ref()}, .subscription_name = "aurora-events-dev"});
//
// The topic must be in the subscription's region and encrypted with a
// customer-managed key (RDS cannot publish to a topic under the AWS managed key
// aws/sns, whose policy cannot admit it). The subscription lets RDS publish:
// topic.allow_publish_from("events.rds.amazonaws.com", RDS resources of this
// account and region), which adds the topic-policy statement and the key grant.
// Categories per source type, as RDS's DescribeEventCategories lists them:
//   db-cluster          configuration change, creation, deletion, failover, failure,
//                       global-failover, maintenance, migration, notification, serverless
//   db-instance         availability, backup, configuration change, creation, deletion,
//                       failover, failure, low storage, maintenance, notification,
//                       read replica, recovery, restoration, security, security patching
//   db-cluster-snapshot backup, creation, deletion, notification, restoration
//   db-snapshot         creation, deletion, notification, restoration
//   db-parameter-group  configuration change
//   db-security-group   configuration change, failure
//
// Error codes: E945-E949 (each with its rule and fix in drsynth/core/error_codes.def).
#pragma once

#include <string>
#include <vector>

#include "drsynth/core/cfn_resource.hpp"
#include "drsynth/core/construct.hpp"
#include "drsynth/core/link.hpp"
#include "drsynth/core/value.hpp"

namespace drsynth::sns {
class Topic;
}

namespace drsynth::rds {

struct EventSubscriptionProps {
  Required<sns::Topic, "topic"> topic;
  std::string source_type{"db-cluster"};
  std::vector<std::string> event_categories{};  // empty: every category of the source type
  std::vector<Value> source_ids{};              // empty: every source of the type in the region
  std::string subscription_name{};              // physical name; empty: CloudFormation generates one
  bool enabled{true};
};

// The categories RDS has for `source_type`; empty for an unknown type.
[[nodiscard]] std::vector<std::string_view> event_categories_of(std::string_view source_type);

class EventSubscription : public Construct {
 public:
  using Props = EventSubscriptionProps;

  EventSubscription(Construct& scope, std::string id, EventSubscriptionProps props);

  // Ref: the subscription name.
  [[nodiscard]] Value subscription_name() const { return resource_->ref(); }
  [[nodiscard]] CfnResource& resource() const noexcept { return *resource_; }
  [[nodiscard]] const EventSubscriptionProps& props() const noexcept { return props_; }

  void validate(Validation& v) const override;
  [[nodiscard]] std::string_view type_name() const noexcept override { return "drsynth.rds.EventSubscription"; }

 private:
  EventSubscriptionProps props_;
  CfnResource* resource_ = nullptr;
};

}  // namespace drsynth::rds
