// Temporary built-in app until the disaster-recovery pattern lands: two
// stacks in two regions with a reference across them.
#pragma once

#include "drsynth/drsynth.hpp"

namespace drsynth_demo {

inline void define(drsynth::App& app) {
  using namespace drsynth;
  const std::string suffix = app.context_string("environmentSuffix", "dev");
  auto& primary = app.add<Stack>("Primary", StackProps{.stack_name = "DrPrimary-" + suffix, .env = {.region = "us-east-1"}});
  auto& topic = primary.add<CfnResource>(
      "Alarms", CfnResourceProps{.type = "AWS::SNS::Topic", .properties = {{"TopicName", Value("alarms-" + suffix)}}});
  auto& replica = app.add<Stack>("Replica", StackProps{.stack_name = "DrReplica-" + suffix, .env = {.region = "eu-west-1"}});
  auto& sub = replica.add<CfnResource>("Subscription", CfnResourceProps{.type = "AWS::SNS::Subscription"});
  sub.set_property("TopicArn", topic.ref());
  sub.set_property("Protocol", "email");
  sub.set_property("Endpoint", "ops@example.com");
  sub.set_property("Region", "us-east-1");
}

}  // namespace drsynth_demo
